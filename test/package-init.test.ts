/**
 * `trailgate init` as a new team runs it (issue #19, "start from zero"): pack this
 * checkout, install the tarball alone (no cdktf, as `npx trailgate init` gets it), scaffold
 * an app with it, `npm install` the app (from the npm cache, the registry only on a miss)
 * and synthesize it with the app's own cdktf-cli: the estate passes the gate at synth and
 * `trailgate check cdktf.out` alike; a fault put into main.ts fails both with the same
 * finding. Every command runs with a PATH holding only node, npm, npx and sh.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installFlags, mustRun, nodeOnlyEnv, packCheckout, repo, run, timed } from "./helpers/package";

const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-init-"));
// sh runs install scripts: cdktf-cli's terminal helper (@cdktf/node-pty-prebuilt-multiarch) picks its shipped prebuild in one.
const env = nodeOnlyEnv(work, ["sh"]);
const gateDir = path.join(work, "gate");
const app = path.join(work, "audit-estate");
const trailgate = () => path.join(gateDir, "node_modules", ".bin", "trailgate");
let tarball: string;

const SCAFFOLD = ["package.json", "tsconfig.json", "cdktf.json", "main.ts", "trailgate.config.json", ".github/workflows/trailgate.yml", ".gitignore"];
const ESTATE_FLAGS = ["--management-account", "111111111111", "--log-archive-account", "222222222222", "--organization-id", "o-exampleorg1", "--alert-email", "security-oncall@example.co.uk"];

beforeAll(() => {
  tarball = packCheckout(work).file;
  fs.mkdirSync(gateDir);
  fs.writeFileSync(path.join(gateDir, "package.json"), JSON.stringify({ name: "init-runner", private: true }));
  timed("gate-only install for init", () => mustRun(env, gateDir, "npm", ["install", tarball, "--omit=optional", "--omit=peer", ...installFlags]));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("init --help prints its usage and exits 0; the top-level usage names init", () => {
  expect(mustRun(env, work, trailgate(), ["init", "--help"])).toMatch(/^usage: trailgate init \[DIR\]/);
  expect(mustRun(env, work, trailgate(), ["--help"])).toContain("trailgate init [DIR]");
});

test("init writes the app with the exact versions trailgate pins, and trailgate at the version running", () => {
  const dir = path.join(work, "default-spec");
  const result = run(env, work, trailgate(), ["init", dir, ...ESTATE_FLAGS]);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  for (const file of SCAFFOLD) expect({ file, written: fs.existsSync(path.join(dir, file)) }).toEqual({ file, written: true });
  const written = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const pinned = (names: string[]) => Object.fromEntries(names.map((name) => [name, manifest.devDependencies[name]]));
  expect(written.dependencies).toEqual({ ...pinned(["cdktf", "constructs", "@cdktf/provider-aws"]), trailgate: manifest.version });
  expect(written.devDependencies).toEqual(pinned(["cdktf-cli", "typescript", "ts-node", "@types/node"]));
  expect(written.dependencies["@cdktf/provider-aws"]).toBe("20.1.0");
  for (const version of [...Object.values(written.dependencies), ...Object.values(written.devDependencies)]) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(fs.readFileSync(path.join(dir, ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining(["node_modules/", "cdktf.out/"]));
  const workflow = path.join(dir, ".github", "workflows", "trailgate.yml");
  expect(fs.readFileSync(workflow, "utf8")).toContain("npx --no-install trailgate check cdktf.out");
  // The pinned actionlint, as test/workflow.test.ts lints the README's workflow.
  const actionlint = execFileSync("bash", [path.join(repo, "tools", "actionlint", "install.sh")], { encoding: "utf8" }).trim().split("\n").pop() as string;
  const lint = spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", workflow], { encoding: "utf8" });
  expect({ status: lint.status, output: lint.stdout + lint.stderr }).toEqual({ status: 0, output: "" });
  // Nothing left to fill in: every placeholder came from a flag.
  expect(result.stdout).not.toContain("fill in");
  expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).not.toMatch(/"</);
});

test("init refuses to overwrite a file (exit 2, one line naming it, nothing written) unless --force", () => {
  const dir = path.join(work, "existing");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "main.ts"), "// the team's own app\n");
  const refused = run(env, work, trailgate(), ["init", dir, ...ESTATE_FLAGS]);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(new RegExp(`^trailgate: error: init: ${path.join(dir, "main.ts")} exists; nothing written \\(--force overwrites\\)\\n$`));
  expect(fs.readdirSync(dir)).toEqual(["main.ts"]);
  expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toBe("// the team's own app\n");
  expect(run(env, work, trailgate(), ["init", dir, "--force", ...ESTATE_FLAGS]).status).toBe(0);
  expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toContain("new TrailgateStack(app,");
  const notAFolder = run(env, work, trailgate(), ["init", path.join(dir, "main.ts"), "--force"]);
  expect({ status: notAFolder.status, stderr: notAFolder.stderr }).toEqual({ status: 2, stderr: `trailgate: error: init: ${path.join(dir, "main.ts")} is not a folder\n` });
});

test("init rejects a malformed flag value with exit 2, writing nothing", () => {
  const estate = (flag: string, value: string) => {
    const args = [...ESTATE_FLAGS];
    args[args.indexOf(flag) + 1] = value;
    return args;
  };
  for (const [flag, value] of [["--management-account", "12345"], ["--log-archive-account", "111111111111"], ["--organization-id", "org-1"], ["--alert-email", "security"]]) {
    const dir = path.join(work, `bad${flag}`);
    const result = run(env, work, trailgate(), ["init", dir, ...estate(flag, value)]);
    expect({ flag, status: result.status, stderr: result.stderr }).toEqual({ flag, status: 2, stderr: expect.stringMatching(new RegExp(`^trailgate: error: ${flag} must [^\\n]*\\n$`)) });
    expect(fs.existsSync(dir)).toBe(false);
  }
});

/** `cdktf synth` by the app's own cdktf-cli; the output has the CLI's spinner in it. */
function synth() {
  return run(env, app, path.join(app, "node_modules", ".bin", "cdktf"), ["synth"]);
}

/** "ID resource" of each failing finding in the synth-time gate's output. */
function synthFindings(output: string): string[] {
  return [...new Set([...output.matchAll(/trailgate (?:low|medium|high|critical) (TG-[A-Z]+-\d+) (\S+) \(construct /g)].map((m) => `${m[1]} ${m[2]}`))].sort();
}

/** "ID resource" of each failing finding of `trailgate check cdktf.out`, and its exit code. */
function checkFindings(): { status: number | null; findings: string[] } {
  const result = run(env, app, path.join(app, "node_modules", ".bin", "trailgate"), ["check", "cdktf.out", "--format", "json"]);
  const report = JSON.parse(result.stdout);
  const findings = report.documents.flatMap((d: { findings: { id: string; resource: string; status: string }[] }) => d.findings.filter((f) => f.status === "failing").map((f) => `${f.id} ${f.resource}`));
  return { status: result.status, findings: findings.sort() };
}

describe("the scaffolded app, installed from the npm cache and the tarball", () => {
  const stackFile = path.join(app, "cdktf.out", "stacks", "audit", "cdk.tf.json");
  let mainTs: string;

  beforeAll(() => {
    mustRun(env, work, trailgate(), ["init", app, "--package", `file:${tarball}`, ...ESTATE_FLAGS]);
    mainTs = fs.readFileSync(path.join(app, "main.ts"), "utf8");
    timed("scaffolded app install", () => mustRun(env, app, "npm", ["install", ...installFlags]));
  }, 600_000);

  afterEach(() => fs.writeFileSync(path.join(app, "main.ts"), mainTs));

  test("the installed versions are the pinned ones", () => {
    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(app, "node_modules", name, "package.json"), "utf8")).version;
    for (const name of ["cdktf", "cdktf-cli", "@cdktf/provider-aws", "constructs", "typescript", "ts-node"]) {
      expect({ name, version: installed(name) }).toEqual({ name, version: manifest.devDependencies[name] });
    }
    expect(installed("trailgate")).toBe(manifest.version);
  });

  test("cdktf synth passes the gate at synth, and trailgate check passes the same cdktf.out", () => {
    const synthesized = timed("cdktf synth of the scaffold", synth);
    expect({ status: synthesized.status, findings: synthFindings(synthesized.stdout + synthesized.stderr) }).toEqual({ status: 0, findings: [] });
    const stack = JSON.parse(fs.readFileSync(stackFile, "utf8"));
    expect(stack.resource.aws_cloudtrail.organization_trail_trail).toMatchObject({ is_organization_trail: true, enable_log_file_validation: true });
    expect(Object.keys(stack.terraform.backend)).toEqual(["local"]);
    const check = run(env, app, path.join(app, "node_modules", ".bin", "trailgate"), ["check", "cdktf.out"]);
    expect({ status: check.status, stdout: check.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^trailgate: 0 failing, 0 waived, \d+ rules/m) });
  });

  test.each([
    ["log file validation turned off", `stack.trail.trail.addOverride("enable_log_file_validation", false);`, "TG-LOG-003 aws_cloudtrail.organization_trail_trail"],
    ["a 30-day log group retention", `stack.monitoring.logGroup.addOverride("retention_in_days", 30);`, "TG-RET-004"],
  ])("%s fails synth and trailgate check with the same finding", (_, fault, expected) => {
    fs.writeFileSync(stackFile, "{}");
    const faulty = mainTs.replace("app.synth();", `${fault}\napp.synth();`);
    expect(faulty).not.toBe(mainTs);
    fs.writeFileSync(path.join(app, "main.ts"), faulty);
    const stopped = synth();
    const atSynth = synthFindings(stopped.stdout + stopped.stderr);
    expect(stopped.status).not.toBe(0);
    expect(atSynth.join("\n")).toContain(expected);
    // A gated synth writes no stack: check what the same fault synthesizes with cdktf's
    // validations skipped (the gate's record of its settings and sources is still written).
    expect(fs.readFileSync(stackFile, "utf8")).toBe("{}");
    const ungated = faulty.replace("new App()", "new App({ skipValidation: true })");
    expect(ungated).not.toBe(faulty);
    fs.writeFileSync(path.join(app, "main.ts"), ungated);
    expect(synth().status).toBe(0);
    expect(checkFindings()).toEqual({ status: 1, findings: atSynth });
    // Where a reviewer looks: the main.ts line that created the estate, not the generated cdk.tf.json.
    const createdAt = ungated.split("\n").findIndex((line) => line.includes("new TrailgateStack(")) + 1;
    expect(createdAt).toBeGreaterThan(0);
    const github = run(env, app, path.join(app, "node_modules", ".bin", "trailgate"), ["check", "cdktf.out", "--format", "github", "--source-root", app]);
    const [id] = expected.split(" ");
    expect(github.stdout).toMatch(new RegExp(`^::error file=main\\.ts,line=${createdAt},title=${id} `, "m"));
  });

  test("init --force without the estate's flags: synth stops at the first placeholder, naming the field and the flag", () => {
    const result = run(env, work, trailgate(), ["init", app, "--force", "--package", `file:${tarball}`]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("fill in main.ts before synth");
    expect(result.stdout).toContain("organizationId (--organization-id)");
    const stopped = synth();
    expect(stopped.status).not.toBe(0);
    expect(stopped.stdout + stopped.stderr).toMatch(/trailgate config: organizationId must look like "o-".*--organization-id/);
    // The flags put the estate back as the other tests left it.
    mustRun(env, work, trailgate(), ["init", app, "--force", "--package", `file:${tarball}`, ...ESTATE_FLAGS]);
    mainTs = fs.readFileSync(path.join(app, "main.ts"), "utf8");
  });
});
