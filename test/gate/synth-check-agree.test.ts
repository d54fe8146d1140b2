/**
 * Synth and `trailgate check` agree on one output WITHOUT a trailgate.config.json:
 * addPolicyGate records the settings it judged with in each stack's cdk.tf.json
 * (`"//".trailgate`), and check applies them (flags > trailgate.config.json > recorded).
 * Findings land at the user's main.ts line (text, github, SARIF), with --source-root.
 * A tampered or malformed record fails closed (exit 2, one line).
 *
 * The fresh app is a real user's: main.ts compiled to main.js with its source map and
 * run by node, importing the compiled trailgate (dist/), as cdktf.json's app runs it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { runInProcess } from "../helpers/cli";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const REPO = path.resolve(__dirname, "..", "..");
let tmp: string;

beforeAll(() => {
  // The fresh app runs the compiled gate and constructs, as an installed package would.
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: REPO });
  if (!fs.existsSync(path.join(REPO, "dist", "gate", "validation.js"))) throw new Error("tsc did not emit dist/gate/validation.js");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-agree-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const trailgate = runInProcess;

/** The failing "RULE resource" pairs of a JSON report, sorted. */
function failingOf(json: string): string[] {
  const report = JSON.parse(json) as { documents: { findings: { id: string; resource: string; status: string }[] }[] };
  return report.documents
    .flatMap((document) => document.findings.filter((finding) => finding.status === "failing").map((finding) => `${finding.id} ${finding.resource}`))
    .sort();
}

/** The failing "RULE resource" pairs of addPolicyGate's synth errors, sorted. */
function synthFailing(stderr: string): string[] {
  return [...stderr.matchAll(/trailgate (?:low|medium|high|critical) (TG-[A-Z]+-\d+) (\S+)/g)].map((match) => `${match[1]} ${match[2]}`).sort();
}

const FRESH_APP = (repo: string) => `import { App, TerraformStack } from ${JSON.stringify(path.join(repo, "node_modules", "cdktf"))};
import { AwsProvider } from ${JSON.stringify(path.join(repo, "node_modules", "@cdktf/provider-aws/lib/provider"))};
import { S3Bucket } from ${JSON.stringify(path.join(repo, "node_modules", "@cdktf/provider-aws/lib/s3-bucket"))};
import { Trailgate } from ${JSON.stringify(path.join(repo, "dist", "modules", "trailgate-stack"))};
import { addPolicyGate } from ${JSON.stringify(path.join(repo, "dist", "gate", "validation"))};

// A shop's own stack: its accounts, its unrelated uploads bucket, and the audit trail.
const app = new App({ skipValidation: process.env.SKIP_GATE === "1" });
const stack = new TerraformStack(app, "shop");
const management = new AwsProvider(stack, "aws", { region: "eu-west-2", allowedAccountIds: ["333333333333"] });
const logArchive = new AwsProvider(stack, "log_archive", { alias: "log_archive", region: "eu-west-2", allowedAccountIds: ["444444444444"] });
new S3Bucket(stack, "uploads", { bucket: "shop-uploads-eu-west-2" });

const audit = new Trailgate(stack, "audit", {
  config: {
    organizationId: "o-shopaudit01",
    managementAccountId: "333333333333",
    logArchiveAccountId: "444444444444",
    alertEmails: { critical: ["oncall@shop.example"], warning: ["oncall@shop.example"], info: ["audit@shop.example"] },
  },
  providers: { management, logArchive },
});
if (process.env.FAULT === "1") audit.monitoring.logGroup.addOverride("retention_in_days", 30);
addPolicyGate(stack);
app.synth();
`;

/** Writes the fresh app (main.ts, and main.js + main.js.map as tsc would) into its own folder. */
function writeFreshApp(dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const source = FRESH_APP(REPO);
  fs.writeFileSync(path.join(dir, "main.ts"), source);
  const out = ts.transpileModule(source, {
    fileName: "main.ts",
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true, esModuleInterop: true },
  });
  fs.writeFileSync(path.join(dir, "main.js"), out.outputText);
  fs.writeFileSync(path.join(dir, "main.js.map"), out.sourceMapText as string);
  return source.split("\n").findIndex((line) => line.startsWith("const audit = new Trailgate(")) + 1;
}

function synthFreshApp(dir: string, env: Record<string, string>) {
  const inherited: Record<string, string | undefined> = { ...process.env };
  delete inherited.TRAILGATE_CONFIG;
  delete inherited.TRAILGATE_WAIVERS;
  const childEnv = { ...inherited, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: path.join(dir, "cdktf.out"), ...env };
  return spawnSync(process.execPath, ["main.js"], { cwd: dir, env: childEnv, encoding: "utf8" });
}

describe("a fresh app, no trailgate.config.json", () => {
  let app: string;
  let createdAt: number;
  beforeAll(() => {
    app = path.join(tmp, "shop");
    createdAt = writeFreshApp(app);
  });

  test("synth and check agree when clean, and on a deliberate fault (same finding, same exit)", async () => {
    const clean = synthFreshApp(app, {});
    expect(clean.stderr).not.toContain("trailgate high");
    expect(clean.status).toBe(0);
    const out = path.join(app, "cdktf.out");
    expect(fs.existsSync(path.join(app, "trailgate.config.json"))).toBe(false);
    const cleanCheck = await trailgate(["check", out, "--format", "json"]);
    // Without the record, check judged the uploads bucket and distrusted the shop's organisation.
    expect(failingOf(cleanCheck.stdout)).toEqual([]);
    expect(cleanCheck.status).toBe(0);
    const report = JSON.parse(cleanCheck.stdout);
    expect(report.applied.recorded[0]).toMatch(/^applied trust, scope from the gate settings recorded at synth in .*shop\/cdk\.tf\.json/);
    expect(report.applied.recorded).toContain(
      `shop: judged only the resources under shop/audit (scope in the gate settings recorded at synth in ${path.join(app, "cdktf.out", "stacks", "shop", "cdk.tf.json")}); the stack's other resources are not judged`,
    );
    // The recorded trust is stated as loosening, as a configuration's would be.
    expect(report.applied.data.widenedTrust).toEqual(
      expect.arrayContaining([expect.stringMatching(/^trusts accounts 333333333333, 444444444444 \(trust\.accounts in gate settings recorded at synth/)]),
    );

    const faultAtSynth = synthFreshApp(path.join(app), { FAULT: "1" });
    expect(faultAtSynth.status).toBe(1);
    const synthSide = synthFailing(faultAtSynth.stderr);
    expect(synthSide).toHaveLength(1);
    expect(synthSide[0]).toMatch(/^TG-RET-004 aws_cloudwatch_log_group\./);
    expect(faultAtSynth.stderr).toContain(`(construct shop/audit/monitoring/log_group) at `);
    expect(faultAtSynth.stderr).toMatch(new RegExp(`at \\S*main\\.ts:${createdAt}: `));

    // The same faulty output written (gate skipped) and judged in CI.
    const written = synthFreshApp(app, { FAULT: "1", SKIP_GATE: "1" });
    expect(written.status).toBe(0);
    const faultCheck = await trailgate(["check", out, "--format", "json"]);
    expect(faultCheck.status).toBe(1);
    expect(failingOf(faultCheck.stdout)).toEqual(synthSide);
  });

  test("the fault is annotated at the main.ts line in github, SARIF and text; --source-root makes paths repo-relative", async () => {
    synthFreshApp(app, { FAULT: "1", SKIP_GATE: "1" });
    const out = path.join(app, "cdktf.out");
    const github = await trailgate(["check", out, "--format", "github", "--source-root", app]);
    expect(github.status).toBe(1);
    expect(github.stdout).toMatch(new RegExp(`^::error file=main\\.ts,line=${createdAt},title=TG-RET-004 `, "m"));

    const sarif = await trailgate(["check", out, "--format", "sarif", "--source-root", app]);
    const results = JSON.parse(sarif.stdout).runs[0].results.filter((result: { ruleId: string; kind?: string }) => result.ruleId === "TG-RET-004" && !result.kind);
    expect(results).toHaveLength(1);
    expect(results[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "main.ts" }, region: { startLine: createdAt } });
    expect(results[0].locations[0].logicalLocations[0].fullyQualifiedName).toBe("shop/audit/monitoring/log_group");

    // A repository root above the app: the path keeps the app's folder.
    const fromRepo = await trailgate(["check", out, "--format", "github", "--source-root", tmp]);
    expect(fromRepo.stdout).toMatch(new RegExp(`^::error file=shop/main\\.ts,line=${createdAt},`, "m"));

    const text = await trailgate(["check", out, "--source-root", app]);
    expect(text.stdout).toMatch(/SOURCE/);
    expect(text.stdout).toMatch(new RegExp(`TG-RET-004 .*shop/audit/monitoring/log_group\\s+main\\.ts:${createdAt}\\s`));

    expect((await trailgate(["check", out, "--source-root", path.join(tmp, "nowhere")])).status).toBe(2);
  });

  test("flags and trailgate.config.json take precedence over the record; a conflict is stated", async () => {
    synthFreshApp(app, { FAULT: "1", SKIP_GATE: "1" });
    const out = path.join(app, "cdktf.out");
    // --fail-on overrides the recorded failOn (low): the medium finding no longer fails.
    expect((await trailgate(["check", out, "--fail-on", "high"])).status).toBe(0);
    const configFile = path.join(tmp, "trailgate.config.json");
    fs.writeFileSync(configFile, JSON.stringify({ scope: { constructPaths: ["shop/uploads"] } }));
    const run = await trailgate(["check", out, "--trailgate-config", configFile, "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(report.applied.recorded.join("\n")).toMatch(/^CONFLICT: .*trailgate\.config\.json sets scope \["shop\/uploads"\], the gate settings recorded at synth in .* \["shop\/audit"\]; using /m);
    // The configuration's scope judged the uploads bucket, not the audit log group.
    expect(failingOf(run.stdout).some((pair) => pair.includes("aws_s3_bucket.uploads"))).toBe(true);
    expect(failingOf(run.stdout).some((pair) => pair.startsWith("TG-RET-004"))).toBe(false);
    fs.rmSync(configFile);
  });

  test("a waiver file synth read (TRAILGATE_WAIVERS) applies in check too, and explain shows it", async () => {
    fs.writeFileSync(
      path.join(app, "waivers.json"),
      JSON.stringify({ waivers: [{ rule: "TG-RET-004", resource: "shop/audit/monitoring/log_group", reason: "sandbox shop", expires: WAIVER_EXPIRES }] }),
    );
    const waived = synthFreshApp(app, { FAULT: "1", TRAILGATE_WAIVERS: "waivers.json" });
    expect(waived.status).toBe(0);
    const out = path.join(app, "cdktf.out");
    const check = await trailgate(["check", out]);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/TG-RET-004 .*\[waived until .*: sandbox shop\]/);
    expect(check.stdout).toMatch(/waivers from .*shop\/waivers\.json: 1 loaded, 1 applied/);
    const explain = await trailgate(["explain", "TG-RET-004", out]);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain(`- waived for shop/audit/monitoring/log_group until ${WAIVER_EXPIRES}: sandbox shop`);
    expect(explain.stdout).toContain("Synthesized resources are judged only under shop/audit.");
    fs.rmSync(path.join(app, "waivers.json"));
  });

  test("a tampered or malformed record fails closed with one line, never passes", async () => {
    synthFreshApp(app, {});
    const stackFile = path.join(app, "cdktf.out", "stacks", "shop", "cdk.tf.json");
    const original = fs.readFileSync(stackFile, "utf8");
    const tamper = async (edit: (record: Record<string, any>) => void) => {
      const json = JSON.parse(original);
      edit(json["//"].trailgate);
      fs.writeFileSync(stackFile, JSON.stringify(json));
      return trailgate(["check", path.join(app, "cdktf.out")]);
    };
    const cases: [string, (record: Record<string, any>) => void, RegExp][] = [
      ["a version this trailgate does not read", (record) => (record.version = 2), /version 2/],
      ["an unknown key", (record) => (record.settings.skipAll = true), /unknown setting "skipAll"/],
      ["a bad account id", (record) => (record.settings.trust.accounts = ["*"]), /trust\.accounts/],
      ["a scope naming nothing", (record) => (record.settings.scope.constructPaths = ["shop/nothing"]), /scope\.constructPaths shop\/nothing name no resource/],
      ["a bad failOn", (record) => (record.settings.failOn = "never"), /failOn must be one of/],
      ["not an object", (record) => Object.keys(record).forEach((key) => delete record[key]), /version undefined/],
      ["an unreadable waiver file", (record) => (record.settings.waivers.file = "../../../missing-waivers.json"), /missing-waivers\.json/],
    ];
    for (const [name, edit, reason] of cases) {
      const run = await tamper(edit);
      expect({ name, status: run.status }).toEqual({ name, status: 2 });
      expect(run.stderr).toMatch(reason);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    // A record that loosens (an added trusted account) is applied, and stated as loosening.
    const widened = await tamper((record) => record.settings.trust.accounts.push("999999999999"));
    expect(widened.stdout).toMatch(/LOOSER THAN THE UK BASELINE \(wider trust, TG-LP-009\): trusts accounts 333333333333, 444444444444, 999999999999/);
    // Settings the synth could not work out are refused too.
    const json = JSON.parse(original);
    json["//"].trailgate = { version: 1, unrecordable: "scope construct x is not in stack shop" };
    fs.writeFileSync(stackFile, JSON.stringify(json));
    const unrecordable = await trailgate(["check", path.join(app, "cdktf.out")]);
    expect(unrecordable.status).toBe(2);
    expect(unrecordable.stderr).toMatch(/unknown key "unrecordable"/);
    fs.writeFileSync(stackFile, original);
  });
});

describe("the example app (main.ts), no trailgate.config.json", () => {
  test("synth passes and `check cdktf.out` passes with the data and trust synth recorded", async () => {
    const outdir = path.join(tmp, "example-out");
    const previous = process.env.CDKTF_OUTDIR;
    process.env.CDKTF_OUTDIR = outdir;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("../../main");
      });
    } finally {
      if (previous === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = previous;
    }
    const run = await trailgate(["check", outdir, "--format", "json"]);
    expect(run.status).toBe(0);
    expect(failingOf(run.stdout)).toEqual([]);
    const report = JSON.parse(run.stdout);
    // example-policy-data.json, which main.ts passes to addPolicyGate, now reaches check too.
    expect(report.applied.data.overrides.map((override: { key: string }) => override.key)).toEqual(
      expect.arrayContaining(["additional_monitors", "personal_data_buckets"]),
    );
    const record = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "trailgate-uk", "cdk.tf.json"), "utf8"))["//"].trailgate;
    expect(path.resolve(outdir, "stacks", "trailgate-uk", record.sources["trailgate-uk"].file)).toBe(path.join(REPO, "main.ts"));
    const mainLines = fs.readFileSync(path.join(REPO, "main.ts"), "utf8").split("\n");
    expect(mainLines[record.sources["trailgate-uk"].line - 1]).toContain("new TrailgateStack(app");

    // A configuration file beside it: data key by key over the record (a differing key is a
    // CONFLICT line), trust accounts added to the recorded ones.
    const configFile = path.join(tmp, "example.config.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({ data: { personal_data_buckets: ["another-bucket"], min_retention_days: 400 }, trust: { accounts: ["555555555555"] } }),
    );
    const merged = JSON.parse((await trailgate(["check", outdir, "--format", "json", "--trailgate-config", configFile])).stdout);
    const recorded = merged.applied.recorded.join("\n");
    expect(recorded).toMatch(/^CONFLICT: .*example\.config\.json sets data\.personal_data_buckets \["another-bucket"\], the gate settings recorded at synth in .* \["example-customer-data-eu-west-2"\]; using /m);
    expect(recorded).toMatch(/^applied trust, data \(additional_monitors\) from the gate settings recorded at synth/m);
    const overrides = Object.fromEntries(merged.applied.data.overrides.map((override: { key: string; value: unknown }) => [override.key, override.value]));
    expect(overrides.personal_data_buckets).toEqual(["another-bucket"]);
    expect(overrides.min_retention_days).toBe(400);
    expect(overrides.additional_monitors).toHaveLength(1);
    expect(merged.applied.data.widenedTrust).toContain(
      `trusts accounts 555555555555, 111111111111, 222222222222 (trust.accounts in ${configFile} and the gate settings recorded at synth in ${path.join(outdir, "stacks", "trailgate-uk", "cdk.tf.json")})`,
    );
  });
});

test("cdktf's own stack trace, where a construct library recorded one, locates the resource at its first user frame", async () => {
  const app = path.join(tmp, "traced");
  fs.mkdirSync(path.join(app, "cdktf.out", "stacks", "traced"), { recursive: true });
  const stack = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "synth", "cdk.tf.json"), "utf8"));
  stack.resource.aws_sns_topic.alerts_3A4B["//"] = {
    metadata: {
      path: "traced/alerts",
      uniqueId: "alerts_3A4B",
      stackTrace: [
        `new SnsTopic (${path.join(app, "node_modules", "@cdktf", "provider-aws", "lib", "sns-topic", "index.js")}:120:5)`,
        `new Alerts (${path.join(REPO, "dist", "modules", "monitoring.js")}:40:9)`,
        `Object.<anonymous> (${path.join(app, "main.ts")}:7:3)`,
        `Module._compile (node:internal/modules/cjs/loader:1554:14)`,
      ],
    },
  };
  fs.writeFileSync(path.join(app, "cdktf.out", "stacks", "traced", "cdk.tf.json"), JSON.stringify(stack, null, 2));
  const github = await trailgate(["check", path.join(app, "cdktf.out"), "--only", "TG-ENC-005", "--format", "github", "--source-root", app]);
  expect(github.status).toBe(1);
  expect(github.stdout).toMatch(/^::error file=main\.ts,line=7,title=TG-ENC-005 .*aws_sns_topic\.alerts_3A4B construct traced\/alerts/m);
});

test("waivers given in code and a failOn reach check through the record, stated as such", async () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require("cdktf") as typeof import("cdktf");
  const { TrailgateStack } = require("../../modules/trailgate-stack") as typeof import("../../modules/trailgate-stack");
  const { addPolicyGate } = require("../../gate/validation") as typeof import("../../gate/validation");
  const { exampleConfig } = require("../../example-config") as typeof import("../../example-config");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = path.join(tmp, "inline-out");
  const app = new App({ outdir });
  const stack = new TrailgateStack(app, "inline", exampleConfig);
  stack.monitoring.logGroup.addOverride("retention_in_days", 30);
  const waiver = { rule: "TG-RET-004", resource: "inline/trailgate/monitoring/log_group", reason: "sandbox, in code", expires: WAIVER_EXPIRES };
  addPolicyGate(stack, { waivers: [waiver], failOn: "medium", configFile: false });
  expect(() => app.synth()).not.toThrow();
  const run = await trailgate(["check", outdir]);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/TG-RET-004 .*\[waived until .*: sandbox, in code\]/);
  expect(run.stdout).toMatch(/^applied .*failOn, waivers given in code from the gate settings recorded at synth/m);
  expect(run.stdout).toMatch(/^LOOSER THAN THE UK BASELINE: fails only at medium or above \(failOn in the gate settings recorded at synth/m);
  // --fail-on low overrides the recorded failOn; the waiver from code still covers the finding.
  const low = await trailgate(["check", outdir, "--fail-on", "low"]);
  expect(low.status).toBe(0);
  expect(low.stdout).not.toContain("fails only at medium");
});

test("stacks of one cdktf.out that record different trust (organisations) are each judged with their own; an ungated stack with the defaults", async () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App, TerraformStack } = require("cdktf") as typeof import("cdktf");
  const { S3Bucket } = require("@cdktf/provider-aws/lib/s3-bucket") as typeof import("@cdktf/provider-aws/lib/s3-bucket");
  const { AwsProvider } = require("@cdktf/provider-aws/lib/provider") as typeof import("@cdktf/provider-aws/lib/provider");
  const { TrailgateStack } = require("../../modules/trailgate-stack") as typeof import("../../modules/trailgate-stack");
  const { addPolicyGate } = require("../../gate/validation") as typeof import("../../gate/validation");
  const { exampleConfig } = require("../../example-config") as typeof import("../../example-config");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const build = (outdir: string, fault: boolean) => {
    const app = new App({ outdir, skipValidation: fault });
    const prod = new TrailgateStack(app, "prod", exampleConfig);
    // Another organisation (the example's readers stay in its accounts).
    const staging = new TrailgateStack(app, "staging", { ...exampleConfig, organizationId: "o-stagingorg1" });
    if (fault) staging.monitoring.logGroup.addOverride("retention_in_days", 30);
    addPolicyGate(prod, { configFile: false });
    addPolicyGate(staging, { configFile: false });
    const other = new TerraformStack(app, "other");
    new AwsProvider(other, "aws", { region: "eu-west-2" });
    new S3Bucket(other, "scratch", { bucket: "scratch-eu-west-2" });
    app.synth();
  };
  const clean = path.join(tmp, "multi-clean");
  build(clean, false);
  const run = await trailgate(["check", clean, "--format", "json"]);
  const report = JSON.parse(run.stdout);
  const failingByStack = (json: typeof report) =>
    Object.fromEntries(
      json.documents.map((document: { name: string; findings: { id: string; status: string }[] }) => [
        document.name,
        document.findings.filter((finding) => finding.status === "failing").map((finding) => finding.id),
      ]),
    );
  const clean_ = failingByStack(report);
  expect(clean_.prod).toEqual([]);
  expect(clean_.staging).toEqual([]);
  // The ungated stack is judged as before: every rule, no recorded settings.
  expect(clean_.other.length).toBeGreaterThan(0);
  expect(report.applied.data.widenedTrust).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^trusts every account of organisation o-exampleorg1 .*stacks\/prod\/cdk\.tf\.json\)$/),
      expect.stringMatching(/^trusts every account of organisation o-stagingorg1 .*stacks\/staging\/cdk\.tf\.json\)$/),
    ]),
  );

  const faulty = path.join(tmp, "multi-fault");
  build(faulty, true);
  const faultReport = JSON.parse((await trailgate(["check", faulty, "--format", "json"])).stdout);
  const byStack = failingByStack(faultReport);
  expect(byStack.prod).toEqual([]);
  expect(byStack.staging).toEqual(["TG-RET-004"]);
});
