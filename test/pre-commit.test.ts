/**
 * The pre-commit hook (.pre-commit-hooks.yaml) through the real pre-commit (pinned in
 * tools/pre-commit/requirements.txt, installed into .tools/pre-commit-venv): a hook
 * repository holding the hooks file, a consumer repository with this checkout installed
 * as its gate (npm links the directory) and a .pre-commit-config.yaml using the hook;
 * `pre-commit run` on staged files gates each changed folder once, passes on waived
 * findings, fails on findings and on an unreadable file, and skips commits without
 * Terraform. Then `trailgate pre-commit` itself for what pre-commit never sends.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { WAIVER_EXPIRES } from "./helpers/waivers";

const repo = path.resolve(__dirname, "..");
const hooksFile = path.join(repo, ".pre-commit-hooks.yaml");
let preCommit: string;
let work: string;
let consumer: string;
let env: NodeJS.ProcessEnv;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8" });
}

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** `pre-commit run` over what is staged, as the git hook runs it. */
function runHook(...extra: string[]) {
  const result = spawnSync(preCommit, ["run", "--color", "never", ...extra], { cwd: consumer, env, encoding: "utf8" });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** Unstages and removes everything but the config, so each test stages its own change. */
function resetConsumer() {
  git(consumer, "reset", "-q");
  for (const entry of fs.readdirSync(consumer)) {
    if (![".git", ".pre-commit-config.yaml", "node_modules", "package.json", "waivers.json", "trailgate.config.json"].includes(entry)) fs.rmSync(path.join(consumer, entry), { recursive: true });
  }
}

const badModule = `provider "aws" {
  region = "eu-west-2"
}

resource "aws_s3_bucket" "logs" {
  bucket = "audit-logs"
}
`;

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, "build", "policy", "policy.wasm"))) throw new Error("run `bash scripts/build-policy.sh` before these tests");
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  preCommit = execFileSync("bash", [path.join(repo, "tools", "pre-commit", "setup.sh")], { encoding: "utf8" }).trim().split("\n").pop() as string;
  work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-pre-commit-"));
  env = {
    ...process.env,
    PRE_COMMIT_HOME: path.join(work, "cache"),
    GIT_AUTHOR_NAME: "test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: work,
  };
  // The hook repository: this checkout's hooks file, committed (pre-commit clones a rev).
  const hookRepo = path.join(work, "hooks");
  fs.mkdirSync(hookRepo);
  git(hookRepo, "init", "-q", "-b", "main");
  fs.copyFileSync(hooksFile, path.join(hookRepo, ".pre-commit-hooks.yaml"));
  git(hookRepo, "add", ".pre-commit-hooks.yaml");
  git(hookRepo, "commit", "-q", "-m", "hooks");
  const rev = git(hookRepo, "rev-parse", "HEAD").trim();

  consumer = path.join(work, "consumer");
  fs.mkdirSync(consumer);
  git(consumer, "init", "-q", "-b", "main");
  write(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--omit=optional", "--omit=peer", repo], { cwd: consumer, env, stdio: "pipe" });
  write(
    path.join(consumer, ".pre-commit-config.yaml"),
    YAML.stringify({ repos: [{ repo: hookRepo, rev, hooks: [{ id: "trailgate" }] }] }),
  );
  const ruleIds = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, "build", "policy", "rules.json"), "utf8")));
  write(path.join(consumer, "waivers.json"), JSON.stringify({ waivers: ruleIds.map((rule) => ({ rule, resource: "*", reason: "test", expires: WAIVER_EXPIRES })) }));
  // A "*" waiver needs the project's configuration to allow it (gate/project-config.ts).
  write(path.join(consumer, "trailgate.config.json"), JSON.stringify({ waivers: { allowAnyResource: true } }));
  git(consumer, "add", ".pre-commit-config.yaml");
  git(consumer, "commit", "-q", "-m", "config");
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

beforeEach(() => resetConsumer());

test("the hooks file declares the trailgate hook for Terraform files", () => {
  const hooks = YAML.parse(fs.readFileSync(hooksFile, "utf8"));
  expect(hooks.map((hook: { id: string }) => hook.id)).toEqual(["trailgate"]);
  const files = new RegExp(hooks[0].files);
  expect(["main.tf", "a/b.tf.json", "terraform.tfvars", "x.auto.tfvars.json"].every((file) => files.test(file))).toBe(true);
  expect(["main.tf.bak", "README.md", "plan.json", "tf"].some((file) => files.test(file))).toBe(false);
});

test("a staged module with findings fails the hook; each changed folder is gated once, other files never", () => {
  write(path.join(consumer, "live", "main.tf"), badModule);
  write(path.join(consumer, "live", "terraform.tfvars"), "");
  write(path.join(consumer, "docs", "notes.md"), "not Terraform\n");
  git(consumer, "add", "live", "docs");
  const run = runHook();
  expect(run.status).toBe(1);
  expect(run.output).toMatch(/trailgate policy gate\.+Failed/);
  expect(run.output.match(/^== trailgate: /gm)).toEqual(["== trailgate: "]);
  expect(run.output).toContain("== trailgate: live\n");
  expect(run.output).toMatch(/high\s+TG-ENC-001\s+aws_s3_bucket\.logs/);
  expect(run.output).toMatch(/^trailgate: \d+ failing/m);
});

test("the hook passes when every finding is waived (args reach the gate)", () => {
  write(path.join(consumer, "live", "main.tf"), badModule);
  const config = YAML.parse(fs.readFileSync(path.join(consumer, ".pre-commit-config.yaml"), "utf8"));
  config.repos[0].hooks[0].args = ["--waivers", "waivers.json", "--trailgate-config", "trailgate.config.json"];
  fs.writeFileSync(path.join(consumer, "waived-config.yaml"), YAML.stringify(config));
  git(consumer, "add", "live");
  const run = runHook("--config", "waived-config.yaml");
  expect({ status: run.status, output: run.output }).toMatchObject({ status: 0 });
  expect(run.output).toMatch(/trailgate policy gate\.+Passed/);
});

test("an unreadable Terraform file fails the hook with the gate's error", () => {
  write(path.join(consumer, "broken", "main.tf.json"), '{ "resource": ');
  git(consumer, "add", "broken");
  const run = runHook();
  expect(run.status).toBe(1);
  expect(run.output).toMatch(/trailgate policy gate\.+Failed/);
  expect(run.output).toMatch(/- exit code: 2/);
  expect(run.output).toMatch(/trailgate: error: .*main\.tf\.json/);
});

test("a commit without Terraform files skips the hook", () => {
  write(path.join(consumer, "docs", "notes.md"), "not Terraform\n");
  git(consumer, "add", "docs");
  const run = runHook();
  expect(run.status).toBe(0);
  expect(run.output).toMatch(/trailgate policy gate\.+\(no files to check\)Skipped/);
});

describe("trailgate pre-commit", () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(repo, "bin", "trailgate.js"), "pre-commit", ...args], { cwd: consumer, encoding: "utf8" });

  test("gates two folders, and exits with the worse result", () => {
    write(path.join(consumer, "a", "main.tf"), badModule);
    write(path.join(consumer, "b", "main.tf.json"), "{ not json");
    const run = cli(["a/main.tf", "b/main.tf.json", "a/main.tf"]);
    expect(run.status).toBe(2);
    expect(run.stdout.match(/^== trailgate: .*$/gm)).toEqual(["== trailgate: a", "== trailgate: b"]);
    expect(run.stderr).toMatch(/^trailgate: error: .*b\/main\.tf\.json/m);
  });

  test("refuses what pre-commit would not send: no files, other files, a machine format", () => {
    expect(cli([]).stderr).toMatch(/pre-commit needs the changed/);
    expect(cli([]).status).toBe(2);
    const other = cli(["README.md"]);
    expect({ status: other.status, stderr: other.stderr }).toEqual({ status: 2, stderr: expect.stringContaining("not README.md") });
    const json = cli(["--format", "json", "a/main.tf"]);
    expect({ status: json.status, stderr: json.stderr }).toEqual({ status: 2, stderr: expect.stringContaining("text or github") });
  });
});
