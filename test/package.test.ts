/**
 * trailgate as a platform team installs it (issue #10): `npm pack` this checkout, then
 *
 * 1. gate only: install the tarball with `--omit=optional --omit=peer` (no cdktf, no
 *    AWS SDK) and run the installed CLI (`--version`, `rules`, `explain`, `check` of a
 *    file and of standard input, every format);
 * 2. a fresh cdktf app: package.json + main.ts + cdktf.json whose stack already holds
 *    the team's own resources, installing the same peer versions trailgate is built
 *    with and the tarball under another name (@bank/trailgate): type-check main.ts
 *    against the installed declarations, compose the constructs into that stack, synth
 *    (the synth-time gate judges the trailgate constructs), then gate the output with
 *    the installed CLI; a broken estate must stop synth with the construct path.
 *
 * Every command of the installed package runs with a PATH holding only node, npm and npx:
 * no Go, OPA, jq or Python. Packages come from the npm cache (registry on a miss).
 * Sizes and times are printed (`trailgate package: ...`), not asserted.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installFlags, mustRun as mustRunWith, nodeOnlyEnv, packCheckout, repo, run as runWith, timed } from "./helpers/package";

const PACKAGE_FIGURES = require("../scripts/package-figures.js") as { START: string; END: string; sentence(figures: Record<string, number>): string };
const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-package-"));
let tarball: string;
const env = nodeOnlyEnv(work);
/** What this run measured, for README's figures (scripts/package-figures.js). */
const measured: Record<string, number> = {};

function run(cwd: string, command: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return runWith(env, cwd, command, args, input);
}

function mustRun(cwd: string, command: string, args: string[]): string {
  return mustRunWith(env, cwd, command, args);
}

/** The bytes of every file below dir (as `du --apparent-size` counts them, links not followed). */
function apparentBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) return sum + apparentBytes(entryPath);
    return sum + (entry.isFile() ? fs.statSync(entryPath).size : 0);
  }, 0);
}

function diskUsage(dir: string): string {
  return execFileSync("du", ["-sh", dir], { encoding: "utf8" }).split("\t")[0];
}

beforeAll(() => {
  // Packing builds dist/ (prepack) and refuses a stale policy bundle.
  const packed = packCheckout(work);
  tarball = packed.file;
  Object.assign(measured, { size: packed.size, unpackedSize: packed.unpackedSize, entryCount: packed.entryCount });
  console.log(`trailgate package: tarball ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files`);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("the PATH of the installed package's commands has node but no go, opa, jq or python", () => {
  expect(mustRun(work, "node", ["-e", "process.stdout.write(process.version)"])).toBe(process.version);
  for (const tool of ["go", "opa", "jq", "python3", "python", "terraform"]) {
    expect({ tool, found: run(work, "/bin/sh", ["-c", `command -v ${tool}`]).status === 0 }).toEqual({ tool, found: false });
  }
});

test("the tarball ships compiled JS, declarations, the WASM bundle and help pages, and nothing else", () => {
  const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").map((entry) => entry.replace(/^package\//, ""));
  for (const file of [
    "package.json", "trailgate.root", "bin/trailgate.js", "README.md",
    "dist/modules/index.js", "dist/modules/index.d.ts", "dist/gate/index.js", "dist/gate/index.d.ts", "dist/cli/main.js",
    "dist/cdktn/index.js", "dist/cdktn/index.d.ts", "dist/cdktn/modules/index.js",
    "build/policy/policy.wasm", "build/policy/rules.json", "build/policy/data.json", "build/policy/manifest.json",
    "help/README.md", "help/rules/TG-LOG-008.md",
    // The input contract README and the help pages cite.
    "policies/INPUT.md",
    // What `trailgate init` scaffolds from (test/package-init.test.ts).
    "templates/init/main.ts.tmpl", "templates/init/workflow.yml.tmpl", "templates/init/gitignore.tmpl",
  ]) {
    expect(listed).toContain(file);
  }
  expect(listed).not.toContain("dist/export/cli.js");
  const unexpected = listed.filter(
    (file) => (/^(test|bench|policies|scripts|tools|examples|node_modules)\//.test(file) && file !== "policies/INPUT.md") || (/\.ts$/.test(file) && !file.endsWith(".d.ts")) || file.endsWith(".map"),
  );
  expect(unexpected).toEqual([]);
  const shipped = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
  expect(shipped.private).toBeUndefined();
  expect(Object.keys(shipped.peerDependencies).sort()).toEqual(["@cdktf/provider-aws", "@cdktn/provider-aws", "cdktf", "cdktn", "constructs"]);
  // One host or the other: cdktf's and cdktn's packages are optional peers (test/package-cdktn.test.ts).
  expect(Object.keys(shipped.peerDependenciesMeta).sort()).toEqual(["@cdktf/provider-aws", "@cdktn/provider-aws", "cdktf", "cdktn"]);
  expect(Object.keys(shipped.optionalDependencies).every((name: string) => name.startsWith("@aws-sdk/client-"))).toBe(true);
  // @cdktf/hcl2json converts .tf files (terraform/hcl.ts): module folders, and the locals a plan JSON does not record.
  expect(Object.keys(shipped.dependencies).sort()).toEqual(["@cdktf/hcl2json", "@open-policy-agent/opa-wasm"]);
});

describe("gate only: --omit=optional --omit=peer", () => {
  const dir = path.join(work, "gate-only");
  const cli = () => path.join(dir, "node_modules", ".bin", "trailgate");

  beforeAll(() => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "pr-gate", private: true }));
    timed("gate-only install", () => mustRun(dir, "npm", ["install", tarball, "--omit=optional", "--omit=peer", ...installFlags]));
    console.log(`trailgate package: gate-only node_modules ${diskUsage(path.join(dir, "node_modules"))}`);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", ".package-lock.json"), "utf8"));
    measured.gateOnlyPackages = Object.keys(lock.packages).filter((key) => key.startsWith("node_modules/")).length;
    measured.gateOnlyBytes = apparentBytes(path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(repo, "build"), { recursive: true });
    fs.writeFileSync(path.join(repo, "build", "package-figures.json"), `${JSON.stringify(measured, null, 2)}\n`);
  });

  test("README's package figures are what this run measured (else: node scripts/package-figures.js)", () => {
    const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
    const block = readme.slice(readme.indexOf(PACKAGE_FIGURES.START), readme.indexOf(PACKAGE_FIGURES.END));
    const FIGURES = /tarball is ([\d,]+) KiB \(([\d,]+) KiB unpacked, (\d+) files\); the\ngate-only install is (\d+) packages and ([\d.]+) MB/;
    const stated = FIGURES.exec(block);
    expect(stated).not.toBeNull();
    const [kib, unpackedKib, files, packages, mb] = stated!.slice(1).map((figure) => Number(figure.replace(/,/g, "")));
    // Sizes move a little with every change; beyond 10% (or any other package count) README is out of date.
    const near = (stated: number, actual: number) => Math.abs(stated - actual) <= actual * 0.1;
    expect({ packages, files: near(files, measured.entryCount), kib: near(kib, measured.size / 1024), unpackedKib: near(unpackedKib, measured.unpackedSize / 1024), mb: near(mb, measured.gateOnlyBytes / 1e6) }).toEqual({
      packages: measured.gateOnlyPackages,
      files: true,
      kib: true,
      unpackedKib: true,
      mb: true,
    });
    // The script writes the sentence this test reads.
    expect(FIGURES.exec(PACKAGE_FIGURES.sentence(measured))?.[4]).toBe(String(measured.gateOnlyPackages));
  });

  test("installs no cdktf, provider or AWS SDK", () => {
    for (const absent of ["cdktf", "constructs", "@cdktf/provider-aws", "@aws-sdk/client-s3"]) {
      expect(fs.existsSync(path.join(dir, "node_modules", absent))).toBe(false);
    }
  });

  test("--version, rules and explain", () => {
    expect(mustRun(dir, cli(), ["--version"])).toBe(`trailgate ${manifest.version}\n`);
    const rules = mustRun(dir, cli(), ["rules"]);
    expect(rules).toMatch(/^ID\s+SEVERITY\s+TITLE\n/);
    expect(rules).toContain("TG-LOG-008");
    expect(mustRun(dir, cli(), ["explain", "TG-LOG-008"])).toBe(fs.readFileSync(path.join(repo, "help", "rules", "TG-LOG-008.md"), "utf8"));
  });

  test("check of a file and of standard input, in every format", () => {
    const synth = path.join(repo, "test", "gate", "fixtures", "synth", "cdk.tf.json");
    const plan = fs.readFileSync(path.join(repo, "test", "gate", "fixtures", "plan.json"), "utf8");
    const text = run(dir, cli(), ["check", synth]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/TG-ENC-001\s+aws_s3_bucket\.logs_5E6F/);
    const fromStdin = run(dir, cli(), ["check", "-", "--format", "json"], plan);
    expect(fromStdin.status).toBe(1);
    expect(JSON.parse(fromStdin.stdout).documents[0]).toMatchObject({ name: "<stdin>", format: "plan" });
    for (const format of ["sarif", "junit", "github"]) {
      const result = run(dir, cli(), ["check", synth, "--format", format, "--only", "TG-ENC"]);
      expect({ format, status: result.status }).toEqual({ format, status: 1 });
      expect(result.stdout).toContain("TG-ENC-001");
    }
    const sarif = JSON.parse(run(dir, cli(), ["check", synth, "--format", "sarif"]).stdout);
    const installed = fs.realpathSync(path.join(dir, "node_modules", "trailgate"));
    expect(sarif.runs[0].tool.driver.rules[0].helpUri).toMatch(new RegExp(`^file://${installed}/help/rules/TG-`));
    expect(run(dir, cli(), ["check", path.join(dir, "missing.json")]).status).toBe(2);
  });

  test("validate-logs without the optional AWS SDK: its help, and exit 2 naming the package to install", () => {
    expect(mustRun(dir, cli(), ["validate-logs", "--help"])).toContain("exit codes: 0 every digest and log file valid");
    const keys = path.join(dir, "keys.json");
    fs.writeFileSync(keys, '{"PublicKeyList":[{"Value":"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqlzPJbvZJ42UdcmLfPUqXYNfOs6I8lCfao/tOs8CmzPOEdtLWugB9xoIUz78qVHdKIqxbaG4jWHfJBiOSSFBM0lt8cdVo4TnRa7oG9io5pysS6DJhBBAeXsicufsiFJR+wrUNh8RSLxL4k6G1+BhLX20tJkZ/erT97tDGBujAelqseGg3vPZbTx9SMfOLN65PdLFudLP7Gat0Z9p5jw/rjpclKfo9Bfc3heeBxWGKwBBOKnFAaN9V57pOaosCvPKmHd9bg7jsQkI9Xp22IzGLsTFJZYVA3KiTAElDMu80iFXPHEq9hKNbt9e4URFam+1utKVEiLkR2disdCmPTK0VQIDAQAB","Fingerprint":"31e8b5433410dfb61a9dc45cc65b22ff"}]}');
    const result = run(dir, cli(), ["validate-logs", "--trail-arn", "arn:aws:cloudtrail:eu-west-2:111111111111:trail/org-trail", "--start-time", "-1d", "--s3-bucket", "log-bucket", "--public-keys", keys]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("validate-logs needs the AWS SDK package @aws-sdk/client-s3");
  });

  test("the gate API loads without cdktf installed", () => {
    const script = `const gate = require("trailgate/gate"); const run = gate.runGate({ path: ${JSON.stringify(path.join(repo, "test", "gate", "fixtures", "synth", "cdk.tf.json"))} }); console.log(gate.summaryLine(run));`;
    expect(mustRun(dir, "node", ["-e", script])).toMatch(/^trailgate: \d+ failing/);
  });
});

const devVersion = (name: string) => manifest.devDependencies[name] as string;

/** A cdktf app folder (package.json, cdktf.json, tsconfig.json, main.ts) installing `trailgate` from `source`. */
function createApp(dir: string, source: string, constructs: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify(
      {
        name: "platform-app",
        private: true,
        dependencies: {
          cdktf: devVersion("cdktf"),
          constructs,
          "@cdktf/provider-aws": devVersion("@cdktf/provider-aws"),
          "@bank/trailgate": `file:${source}`,
        },
        devDependencies: { typescript: devVersion("typescript"), "@types/node": devVersion("@types/node") },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.js", projectId: "platform-app", sendCrashReports: "false" }));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, types: ["node"] }, files: ["main.ts"] }),
  );
  fs.copyFileSync(path.join(__dirname, "package", "app", "main.ts"), path.join(dir, "main.ts"));
}

/** Re-scoped as a bank's internal registry would publish it: the package finds its files by its marker, not its name. */
let renamedTarball: string | undefined;
function renamed(): string {
  if (renamedTarball) return renamedTarball;
  const unpacked = path.join(work, "rename");
  fs.mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  const packageJson = path.join(unpacked, "package", "package.json");
  fs.writeFileSync(packageJson, JSON.stringify({ ...JSON.parse(fs.readFileSync(packageJson, "utf8")), name: "@bank/trailgate" }, null, 2));
  renamedTarball = path.join(work, "bank-trailgate.tgz");
  execFileSync("tar", ["-czf", renamedTarball, "-C", unpacked, "package"]);
  return renamedTarball;
}

/**
 * The newest constructs release in the peer range (^10.4.2) when this test was written;
 * cdktf 0.21.0 and @cdktf/provider-aws 20.1.0 are the only releases in theirs.
 */
const NEWEST_CONSTRUCTS_TESTED = "10.8.1";

describe("a fresh cdktf app adopting the package", () => {
  const dir = path.join(work, "platform-app");

  beforeAll(() => {
    createApp(dir, renamed(), devVersion("constructs"));
    timed("app install (peers + tarball)", () => mustRun(dir, "npm", ["install", ...installFlags]));
    console.log(`trailgate package: app node_modules ${diskUsage(path.join(dir, "node_modules"))}`);
  });

  test("no AGPL dev-only package (the IAM simulator of test/iam-differential.test.ts) is in the installed tree", () => {
    expect(fs.existsSync(path.join(dir, "node_modules", "@cloud-copilot"))).toBe(false);
    // npm ls exits non-zero on any peer warning; the tree it prints is what counts.
    const tree = run(dir, "npm", ["ls", "--all", "--json"]).stdout;
    expect(tree).toContain("trailgate");
    expect(tree).not.toContain("@cloud-copilot/");
  });

  test("main.ts type-checks against the installed declarations", () => {
    timed("tsc", () => mustRun(dir, "node", [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "."]));
    expect(fs.existsSync(path.join(dir, "main.js"))).toBe(true);
  });

  test("synth composes the constructs into the app's stack and gates them at synth", () => {
    timed("synth", () => mustRun(dir, "node", ["main.js"]));
    const stack = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "stacks", "platform", "cdk.tf.json"), "utf8"));
    expect(Object.keys(stack.terraform.backend)).toEqual(["s3"]);
    // The team's own resource is there, judged by nobody but its owner.
    expect(Object.keys(stack.resource.aws_sns_topic)).toContain("app_events");
    expect(stack.resource.aws_cloudtrail).toBeDefined();
    expect(Object.values(stack.resource.aws_s3_bucket).map((bucket: any) => bucket.bucket).sort()).toEqual([
      "bank-access-logs-222222222222-eu-west-2",
      "bank-cloudtrail-222222222222-eu-west-2",
    ]);
  });

  test("a violation in the estate stops synth, naming the construct path", () => {
    const result = spawnSync("node", ["main.js"], { cwd: dir, env: { ...env, PLATFORM_SHORT_LOG_RETENTION: "1" }, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/trailgate medium TG-RET-004 aws_cloudwatch_log_group\.\S+ \(construct platform\/audit\/monitoring\/log_group\)/);
  });

  test("the installed module export writes a reusable Terraform module with its README", () => {
    const out = path.join(work, "exported-module");
    const script = `const { exportModuleFromConfig } = require("@bank/trailgate/export");
      const result = exportModuleFromConfig({ organizationId: "o-exampleorg1", managementAccountId: "111111111111", logArchiveAccountId: "222222222222" }, ${JSON.stringify(out)}, ${JSON.stringify(path.join(work, "module-synth"))});
      console.log(result.files.join(","));`;
    expect(mustRun(dir, "node", ["-e", script]).trim()).toBe("versions.tf.json,main.tf.json,variables.tf.json,outputs.tf.json,README.md");
    expect(JSON.parse(fs.readFileSync(path.join(out, "variables.tf.json"), "utf8")).variable.organization_id.default).toBeUndefined();
  });

  test("the installed CLI gates the synthesized app: check, explain, rules", () => {
    const cli = path.join(dir, "node_modules", ".bin", "trailgate");
    // As synth judged it (the scope addPolicyGate recorded: the trailgate constructs): it passes.
    const asSynth = run(dir, cli, ["check", "cdktf.out"]);
    expect({ status: asSynth.status, stdout: asSynth.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^trailgate: 0 failing, 0 waived/m) });
    expect(asSynth.stdout).toContain("recorded at synth");
    // The whole stack (a configuration whose scope is the stack): the app's own us-east-1 topic fails the residency rule.
    const wholeStack = path.join(work, "whole-stack.trailgate.json");
    fs.writeFileSync(wholeStack, JSON.stringify({ scope: { constructPaths: ["platform"] } }));
    const whole = run(dir, cli, ["check", "cdktf.out", "--format", "json", "--trailgate-config", wholeStack]);
    expect(whole.status).toBe(1);
    const findings = JSON.parse(whole.stdout).documents[0].findings;
    expect(findings.map((f: { id: string; resource: string }) => `${f.id} ${f.resource}`)).toContain("TG-RES-002 aws_sns_topic.app_events");
    expect(findings.find((f: { resource: string }) => f.resource === "aws_sns_topic.app_events").location.constructPath).toBe("platform/app_events");
    // Only the audit-logging families: the estate passes.
    const audit = run(dir, cli, ["check", "cdktf.out", "--skip", "TG-RES,TG-ENC-005", "--trailgate-config", wholeStack]);
    expect({ status: audit.status, stdout: audit.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^trailgate: 0 failing, 0 waived, rules selected: --skip TG-RES,TG-ENC-005/m) });
    expect(mustRun(dir, cli, ["explain", "tg-ret-004"])).toContain("TG-RET-004");
    expect(mustRun(dir, cli, ["rules"]).split("\n").length).toBeGreaterThan(30);
  });
});

describe(`the top of the constructs peer range (constructs ${NEWEST_CONSTRUCTS_TESTED})`, () => {
  const dir = path.join(work, "platform-app-newest-constructs");

  test("installs without a peer conflict, type-checks, synthesizes and passes the gate at synth", () => {
    createApp(dir, renamed(), NEWEST_CONSTRUCTS_TESTED);
    timed(`app install (constructs ${NEWEST_CONSTRUCTS_TESTED})`, () => mustRun(dir, "npm", ["install", ...installFlags]));
    expect(JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "constructs", "package.json"), "utf8")).version).toBe(NEWEST_CONSTRUCTS_TESTED);
    mustRun(dir, "node", [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "."]);
    mustRun(dir, "node", ["main.js"]);
    expect(fs.existsSync(path.join(dir, "cdktf.out", "stacks", "platform", "cdk.tf.json"))).toBe(true);
  });
});
