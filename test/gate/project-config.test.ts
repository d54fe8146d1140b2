/**
 * One configuration (trailgate.config.json) for addPolicyGate, check and verify; waivers
 * people can write (construct paths, capped expiry, no silent "*"); TRAILGATE_WAIVERS at
 * synth; wider trust stated as loosening; and synth and `check` agreeing on one output.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { runInProcess } from "../helpers/cli";
import { GateInputError } from "../../core/errors";
import { loadProjectConfig, parseProjectConfig } from "../../gate/project-config";
import { renderReport, summarize } from "../../gate/report";
import { runGate } from "../../gate/run";
import { addPolicyGate, policyGateErrors, policyGateResult } from "../../gate/validation";
import { Trailgate, TrailgateStack } from "../../modules/trailgate-stack";
import { exampleConfig } from "../../example-config";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const REPO = path.resolve(__dirname, "..", "..");
const synthFixture = path.join(__dirname, "fixtures", "synth", "cdk.tf.json");
// Alert e-mails: without them every alert topic has no subscriber (TG-ALR-008).
const CONFIG = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222", alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] } };
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-project-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function daysAhead(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const trailgate = runInProcess;

/** A team's own stack: its providers, an unrelated app topic in us-east-1, and the Trailgate construct under "audit". */
function appStack(outdir: string, options: { skipValidation?: boolean } = {}) {
  const app = new App({ outdir, skipValidation: options.skipValidation ?? false });
  const stack = new TerraformStack(app, "platform");
  // Pinned, as README's library use does: the access questions need the accounts to
  // write the trail's, buckets' and alarms' ARNs (TG-VER-004 otherwise).
  const management = new AwsProvider(stack, "aws", { region: "eu-west-2", allowedAccountIds: ["111111111111"] });
  const logArchive = new AwsProvider(stack, "log_archive", { alias: "log_archive", region: "eu-west-2", allowedAccountIds: ["222222222222"] });
  const us = new AwsProvider(stack, "us", { alias: "us", region: "us-east-1" });
  new SnsTopic(stack, "app_events", { name: "app-events", provider: us });
  const trailgate = new Trailgate(stack, "audit", { config: CONFIG, providers: { management, logArchive } });
  return { app, stack, trailgate };
}

/** The failing (rule, resource) pairs of a check run, sorted. */
function failing(run: ReturnType<typeof runGate>): string[] {
  return run.documents
    .flatMap(({ findings }) => findings.filter((finding) => !finding.waived).map((finding) => `${finding.id} ${finding.resource}`))
    .sort();
}

describe("waivers people can write", () => {
  test("an expiry more than a year ahead is refused; the cap is configurable", () => {
    const far = write("far.json", { waivers: [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts_3A4B", reason: "r", expires: "2099-01-01" }] });
    expect(() => runGate({ path: synthFixture, waiversFile: far })).toThrow(/expires 2099-01-01, more than 365 days ahead/);
    const soon = write("soon.json", { waivers: [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts_3A4B", reason: "r", expires: daysAhead(90) }] });
    expect(() => runGate({ path: synthFixture, waiversFile: soon })).not.toThrow();
    const config = parseProjectConfig({ waivers: { maxDays: 30 } }, "trailgate.config.json", tmp);
    expect(() => runGate({ path: synthFixture, waiversFile: soon, config })).toThrow(/more than 30 days ahead/);
  });

  test('a "*" waiver is refused unless the configuration allows it; "(configuration)" names findings on no resource', () => {
    const any = write("any.json", { waivers: [{ rule: "TG-LOG-005", resource: "*", reason: "r", expires: WAIVER_EXPIRES }] });
    expect(() => runGate({ path: synthFixture, waiversFile: any })).toThrow(/waives TG-LOG-005 on every resource \("\*"\)/);
    const allowed = parseProjectConfig({ waivers: { allowAnyResource: true } }, "trailgate.config.json", tmp);
    const run = runGate({ path: synthFixture, waiversFile: any, config: allowed });
    expect(run.documents[0].findings.find((finding) => finding.id === "TG-LOG-005")?.waived).toBe(true);
    const configuration = write("conf.json", { waivers: [{ rule: "TG-LOG-005", resource: "(configuration)", reason: "r", expires: WAIVER_EXPIRES }] });
    const named = runGate({ path: synthFixture, waiversFile: configuration });
    expect(named.documents[0].findings.find((finding) => finding.id === "TG-LOG-005")?.waived).toBe(true);
  });

  test("a waiver may name the construct path instead of cdktf's hashed address", () => {
    const { stack, trailgate: audit } = appStack(path.join(tmp, "out"));
    audit.monitoring.logGroup.addOverride("retention_in_days", 30);
    expect(policyGateErrors(stack).join("\n")).toContain("TG-RET-004");
    const waiver = { rule: "TG-RET-004", resource: "platform/audit/monitoring/log_group", reason: "sandbox", expires: WAIVER_EXPIRES };
    expect(policyGateErrors(stack, { waivers: [waiver] })).toEqual([]);
    expect(policyGateErrors(stack, { waivers: [{ ...waiver, resource: "platform/audit/monitoring/*" }] })).toEqual([]);
    expect(policyGateErrors(stack, { waivers: [{ ...waiver, resource: "platform/audit/trail" }] }).join("\n")).toContain("TG-RET-004");
  });
});

describe("TRAILGATE_WAIVERS at synth", () => {
  afterEach(() => delete process.env.TRAILGATE_WAIVERS);

  test("addPolicyGate reads the waiver file it names, states it, and fails closed on a bad one", () => {
    const { stack, trailgate: audit } = appStack(path.join(tmp, "out"));
    audit.monitoring.logGroup.addOverride("retention_in_days", 30);
    const waivers = write("waivers.json", {
      waivers: [{ rule: "TG-RET-004", resource: "platform/audit/monitoring/log_group", reason: "sandbox", expires: WAIVER_EXPIRES }],
    });
    process.env.TRAILGATE_WAIVERS = waivers;
    const result = policyGateResult(stack);
    expect(result.errors).toEqual([]);
    expect(result.applied).toContain(`trailgate: waivers from ${waivers}: 1 loaded, 1 applied`);
    process.env.TRAILGATE_WAIVERS = path.join(tmp, "missing.json");
    expect(policyGateErrors(stack)[0]).toMatch(/the policy gate could not run: .*missing\.json/);
    // An explicit waiversFile wins over the environment.
    expect(policyGateErrors(stack, { waiversFile: waivers })).toEqual([]);
  });
});

describe("trailgate.config.json", () => {
  test("is found from the checked path, applies its data, and trust it adds is stated as loosening", async () => {
    const fixture = write("app/cdktf.out/stacks/alpha/cdk.tf.json", fs.readFileSync(synthFixture, "utf8"));
    write("app/cdktf.out/manifest.json", fs.readFileSync(path.join(__dirname, "fixtures", "cdktf.out", "manifest.json"), "utf8"));
    const configFile = write("app/trailgate.config.json", { trust: { accounts: ["333333333333"] }, data: { min_retention_days: 400 } });
    const run = await trailgate(["check", path.dirname(fixture)]);
    expect(run.stdout).toContain(`policy data overrides from ${configFile}:`);
    expect(run.stdout).toContain("min_retention_days = 400 (default 365)");
    expect(run.stdout).toContain(`LOOSER THAN THE UK BASELINE (wider trust, TG-LP-009): trusts accounts 333333333333 (trust.accounts in ${configFile})`);
  });

  test("a data file's trusted_accounts are stated as loosening too", () => {
    const data = write("data.json", { trailgate: { config: { trusted_accounts: ["444444444444"] } } });
    const text = renderReport("text", runGate({ path: synthFixture, dataFile: data }));
    expect(text).toContain(`LOOSER THAN THE UK BASELINE (wider trust, TG-LP-009): trusts accounts 444444444444 (trusted_accounts in ${data})`);
  });

  test("a package.json trailgate key works; an unknown key or a bad value exits 2 naming it", async () => {
    write("pkg/package.json", { name: "app", trailgate: { waivers: { maxDays: 10 } } });
    expect(loadProjectConfig(path.join(tmp, "pkg", "package.json")).waiverLimits.maxDays).toBe(10);
    const bad = write("bad.config.json", { trust: { acounts: [] } });
    const run = await trailgate(["check", synthFixture, "--trailgate-config", bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('trust has unknown key "acounts"');
    expect(() => parseProjectConfig({ waivers: { maxDays: 0 } }, "c", tmp)).toThrow(GateInputError);
    expect(() => parseProjectConfig({ trust: { accounts: ["12"] } }, "c", tmp)).toThrow(/trust.accounts/);
  });
});

describe("synth and check give one verdict on one output", () => {
  test("the example app passes at synth and in `check cdktf.out`, with its data in the configuration", () => {
    const exampleData = JSON.parse(fs.readFileSync(path.join(REPO, "example-policy-data.json"), "utf8")).trailgate.config;
    const configFile = write("trailgate.config.json", { data: exampleData });
    const outdir = path.join(tmp, "cdktf.out");
    const app = new App({ outdir });
    const stack = new TrailgateStack(app, "trailgate-uk", exampleConfig);
    addPolicyGate(stack, { configFile });
    expect(() => app.synth()).not.toThrow();
    const run = runGate({ path: outdir, config: loadProjectConfig(configFile) });
    expect(summarize(run).failing).toBe(0);
    expect(failing(run)).toEqual([]);
  });

  test("a team's app: scope and trust in the configuration make both pass, and one fault fails both alike", () => {
    const configFile = write("trailgate.config.json", {
      scope: { constructPaths: ["platform/audit"] },
      trust: { accounts: [CONFIG.managementAccountId, CONFIG.logArchiveAccountId], organizationId: CONFIG.organizationId },
    });
    const config = loadProjectConfig(configFile);
    const clean = appStack(path.join(tmp, "clean"));
    addPolicyGate(clean.stack, { configFile });
    expect(() => clean.app.synth()).not.toThrow();
    // Without the configuration file, check applies the scope and trust addPolicyGate recorded in the output.
    expect(failing(runGate({ path: path.join(tmp, "clean") }))).toEqual([]);
    expect(failing(runGate({ path: path.join(tmp, "clean"), config }))).toEqual([]);

    // The same fault at synth and in CI: written without validation so check reads the same files.
    const faulty = appStack(path.join(tmp, "faulty"), { skipValidation: true });
    faulty.trailgate.monitoring.logGroup.addOverride("retention_in_days", 30);
    faulty.app.synth();
    const synthErrors = policyGateErrors(faulty.stack, { configFile });
    const synthFailing = synthErrors.slice(1).map((line) => line.match(/^trailgate \w+ (TG-[A-Z]+-\d+) (\S+)/)?.slice(1).join(" ")).sort();
    expect(synthFailing).toHaveLength(1);
    expect(synthFailing[0]).toMatch(/^TG-RET-004 aws_cloudwatch_log_group\./);
    expect(failing(runGate({ path: path.join(tmp, "faulty"), config }))).toEqual(synthFailing);
  });

  test("a scope that names no construct is refused, not judged as empty", () => {
    const configFile = write("trailgate.config.json", { scope: { constructPaths: ["platform/audti"] } });
    const { stack } = appStack(path.join(tmp, "out"));
    expect(policyGateErrors(stack, { configFile })[0]).toContain("scope.constructPaths platform/audti name no construct of this app");
  });
});

test("explain reads the same configuration: the rule's waivers in this project", async () => {
  const waivers = write("waivers.json", {
    waivers: [{ rule: "TG-RET-004", resource: "platform/audit/monitoring/log_group", reason: "sandbox", expires: WAIVER_EXPIRES }],
  });
  const configFile = write("trailgate.config.json", { waivers: { file: path.basename(waivers) } });
  const run = await trailgate(["explain", "TG-RET-004", "--trailgate-config", configFile]);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`## In this project (${configFile})`);
  expect(run.stdout).toContain(`- waived for platform/audit/monitoring/log_group until ${WAIVER_EXPIRES}: sandbox`);
  const other = await trailgate(["explain", "TG-LOG-001", "--trailgate-config", configFile]);
  expect(other.stdout).toContain(`No waiver of TG-LOG-001 in ${waivers}.`);
  // Without a configuration (this repository has none), explain prints the page alone.
  expect((await trailgate(["explain", "TG-LOG-001"])).stdout).not.toContain("## In this project");
});
