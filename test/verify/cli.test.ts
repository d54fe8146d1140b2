/**
 * `trailgate verify` as a black box (bin/trailgate.js in a child process): help, the
 * same reports, exit codes and waivers as `check` on a saved estate, fail-closed input
 * and AWS errors, and `check` never loading the AWS SDK. Only loopback addresses are
 * ever contacted: the AWS error cases point the SDK at a closed local port.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { expectInputError, Run } from "../helpers/cli";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const repo = path.resolve(__dirname, "..", "..");
const bin = path.join(repo, "bin", "trailgate.js");
const estateFile = path.join(__dirname, "fixtures", "example-estate.json");
const estate = JSON.parse(fs.readFileSync(estateFile, "utf8"));
const trailArn: string = estate.trails[0].arn;
let tmp: string;

/** No AWS configuration from the machine running the tests leaks in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^AWS_/.test(k) && k !== "TRAILGATE_POLICY_DIR") env[k] = v;
  return { ...env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true", ...extra };
}

function trailgate(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: cleanEnv(env), encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeTmp(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** The estate with the trail stopped five minutes before it was read. */
function stoppedEstate(): string {
  const e = JSON.parse(JSON.stringify(estate));
  Object.assign(e.trails[0].status, { isLogging: false, stopLoggingTime: e.collectedAt - 300 });
  return writeTmp("stopped.json", e);
}

beforeAll(() => {
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  if (!fs.existsSync(path.join(repo, "dist", "cli", "verify.js"))) throw new Error("tsc did not emit dist/cli/verify.js");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-verify-"));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("verify --help documents the command, its AWS configuration and exit codes", () => {
  const r = trailgate(["verify", "--help"]);
  expect(r.status).toBe(0);
  for (const text of ["--role-arn", "--trail", "--save-estate", "--from-estate", "AWS_ENDPOINT_URL", "TG-OPS-001..010", "exit codes"]) expect(r.stdout).toContain(text);
  expect(trailgate(["--help"]).stdout).toContain("trailgate verify");
});

test("a healthy saved estate passes: exit 0", () => {
  const r = trailgate(["verify", "--from-estate", estateFile]);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^trailgate: 0 failing, 0 waived, \d+ rules \(\d+ not applicable\), 1 document$/m);
});

test("a stopped trail fails with TG-OPS-001 on its ARN in every report format", () => {
  const file = stoppedEstate();
  const text = trailgate(["verify", "--from-estate", file]);
  expect(text.status).toBe(1);
  expect(text.stdout).toMatch(new RegExp(`critical\\s+TG-OPS-001\\s+${trailArn.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s+trail .* is not logging \\(stopped 5 minutes ago\\)`));

  const json = trailgate(["verify", "--from-estate", file, "--format", "json"]);
  expect(json.status).toBe(1);
  const report = JSON.parse(json.stdout);
  expect(report.passed).toBe(false);
  expect(report.documents[0]).toMatchObject({ format: "live", file: "aws://111111111111/eu-west-2" });
  expect(report.documents[0].findings.map((f: any) => [f.id, f.resource, f.status])).toEqual([["TG-OPS-001", trailArn, "failing"]]);
  expect(json.stderr).toMatch(/^trailgate: 1 failing \(1 critical\)/);

  const sarif = JSON.parse(trailgate(["verify", "--from-estate", file, "--format", "sarif"]).stdout);
  const result = sarif.runs[0].results[0];
  expect(result.ruleId).toBe("TG-OPS-001");
  expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe("aws://111111111111/eu-west-2");
  expect(result.properties.resource).toBe(trailArn);

  const junit = trailgate(["verify", "--from-estate", file, "--format", "junit"]).stdout;
  expect(junit).toMatch(/<testcase classname="live 111111111111\/eu-west-2" name="TG-OPS-001 Trails are logging">\s*<failure type="critical"/);
});

test("waivers name live resources by ARN or ARN prefix; --fail-on and --output work as for check", () => {
  const file = stoppedEstate();
  const waivers = writeTmp("waivers.json", {
    waivers: [{ rule: "TG-OPS-001", resource: "arn:aws:cloudtrail:eu-west-2:111111111111:trail/*", reason: "paused for CHG-1234", expires: WAIVER_EXPIRES }],
  });
  const waived = trailgate(["verify", "--from-estate", file, "--waivers", waivers]);
  expect(waived.status).toBe(0);
  expect(waived.stdout).toContain(`[waived until ${WAIVER_EXPIRES}: paused for CHG-1234]`);
  const expired = writeTmp("expired.json", { waivers: [{ rule: "TG-OPS-001", resource: trailArn, reason: "old", expires: "2020-01-01" }] });
  const late = trailgate(["verify", "--from-estate", file, "--waivers", expired]);
  expect(late.status).toBe(1);
  expect(late.stdout).toContain("(waiver expired on 2020-01-01)");
  // A critical finding still fails at --fail-on critical; a below-threshold one would not.
  expect(trailgate(["verify", "--from-estate", file, "--fail-on", "critical"]).status).toBe(1);
  const output = path.join(tmp, "report.json");
  const written = trailgate(["verify", "--from-estate", file, "--format", "json", "--output", output]);
  expect(written.status).toBe(1);
  expect(written.stdout).toBe("");
  expect(JSON.parse(fs.readFileSync(output, "utf8")).summary.failing).toBe(1);
  // The report never replaces the evidence it judged, nor the waivers.
  const evidence = fs.readFileSync(file, "utf8");
  expectInputError(trailgate(["verify", "--from-estate", file, "--output", file]), "is the same file as the input");
  expectInputError(trailgate(["verify", "--from-estate", file, "--waivers", waivers, "--output", waivers]), "is the same file as the input");
  expect(fs.readFileSync(file, "utf8")).toBe(evidence);
});

test("--data overrides the runtime thresholds", () => {
  const e = JSON.parse(JSON.stringify(estate));
  e.trails[0].status.latestDeliveryTime = e.collectedAt - 10 * 60;
  const file = writeTmp("ten-minutes.json", e);
  expect(trailgate(["verify", "--from-estate", file]).status).toBe(0);
  const strict = writeTmp("strict.json", { trailgate: { config: { max_delivery_age_minutes: 5 } } });
  const r = trailgate(["verify", "--from-estate", file, "--data", strict]);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain("TG-OPS-002");
  expect(r.stdout).toContain("last delivered log files to S3 10 minutes ago (limit 5 minutes)");
  expectInputError(trailgate(["verify", "--from-estate", file, "--data", writeTmp("typo.json", { trailgate: { config: { max_delivery_age_minute: 5 } } })]), 'unknown config key "max_delivery_age_minute"');
});

test("a saved estate with an unread part is a partial verdict: TG-VER-005 fails it, a waiver on that part clears it", () => {
  const e = JSON.parse(JSON.stringify(estate));
  e.unread = [{
    account: "management", part: "CloudTrail Lake event data stores", resource: "arn:aws:cloudtrail:eu-west-2:111111111111:eventdatastore/*",
    call: "cloudtrail:ListEventDataStores", permission: "cloudtrail:ListEventDataStores", reason: "denied", message: "cannot read cloudtrail:ListEventDataStores: AccessDeniedException",
  }];
  const file = writeTmp("partial.json", e);
  const r = trailgate(["verify", "--from-estate", file]);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain("cannot verify CloudTrail Lake event data stores: cloudtrail:ListEventDataStores was denied (management account 111111111111)");
  expect(r.stderr).toContain("partial verdict: 1 part(s) could not be read (TG-VER-005): CloudTrail Lake event data stores (cloudtrail:ListEventDataStores denied)");
  const waivers = writeTmp("no-lake.json", {
    waivers: [{ rule: "TG-VER-005", resource: "arn:aws:cloudtrail:eu-west-2:111111111111:eventdatastore/*", reason: "no Lake in this estate", expires: WAIVER_EXPIRES }],
  });
  expect(trailgate(["verify", "--from-estate", file, "--waivers", waivers]).status).toBe(0);
  expectInputError(trailgate(["verify", "--from-estate", writeTmp("bad-unread.json", { ...estate, unread: "none" })]), "(unread is not a list)");
  expectInputError(trailgate(["verify", "--from-estate", writeTmp("half-unread.json", { ...estate, unread: [{ part: "Lake", reason: "denied" }] })]), "(unread[0] needs account, part, resource, call, permission and reason)");
});

test("personal-data buckets are judged on the live trail's selectors (TG-UK-001)", () => {
  const exampleData = path.join(repo, "example-policy-data.json");
  expect(trailgate(["verify", "--from-estate", estateFile, "--data", exampleData]).status).toBe(0);
  const e = JSON.parse(JSON.stringify(estate));
  e.trails[0].advancedEventSelectors = e.trails[0].advancedEventSelectors.filter((s: { name: string }) => !/data events/i.test(s.name));
  const r = trailgate(["verify", "--from-estate", writeTmp("no-data-events.json", e), "--data", exampleData]);
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/high\s+TG-UK-001\s+arn:aws:s3:::example-customer-data-eu-west-2\s+personal-data bucket example-customer-data-eu-west-2 \(listed in policy data personal_data_buckets\): no trail or event data store records its S3 object reads and writes/);
});

test("bad arguments and bad estate files fail closed with one line and exit 2", () => {
  expectInputError(trailgate(["verify", "somewhere"]), "verify takes no positional arguments");
  expectInputError(trailgate(["verify", "--colour"]), "unknown option --colour");
  expectInputError(trailgate(["verify", "--format", "pdf"]), "--format must be one of text, json, sarif, junit");
  expectInputError(trailgate(["verify", "--from-estate", estateFile, "--role-arn", "arn:aws:iam::222222222222:role/x"]), "--from-estate reads no AWS account, so it takes no --role-arn");
  expectInputError(trailgate(["verify", "--from-estate", path.join(tmp, "missing.json")]), "cannot read estate file");
  expectInputError(trailgate(["verify", "--from-estate", writeTmp("plan.json", { format_version: "1.2", planned_values: {} })]), "is not an estate written by trailgate verify --save-estate");
  const noLists = { ...estate, buckets: "none" };
  expectInputError(trailgate(["verify", "--from-estate", writeTmp("bad.json", noLists)]), "(buckets is not a list)");
});

/** A loopback port nothing listens on: the SDK's connection is refused, nothing leaves the machine. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("an unreachable or unconfigured AWS fails closed with one line and exit 2, before any judgement", async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const aws = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_MAX_ATTEMPTS: "1" };
  expectInputError(trailgate(["verify", "--region", "eu-west-2"], aws), /^trailgate: error: cannot read sts:GetCallerIdentity \(management credentials, eu-west-2\): .*ECONNREFUSED/);
  expectInputError(trailgate(["verify"], aws), "no AWS region: pass --region, or set AWS_REGION or a region in the AWS profile");
  expectInputError(trailgate(["verify", "--region", "eu-west-2", "--role-arn", "not-a-role"], aws), "--role-arn must be an IAM role ARN");
});

test("check, explain and rules never load verify or the AWS SDK", () => {
  const probe = `
    const cli = require(${JSON.stringify(path.join(repo, "dist", "cli", "main.js"))});
    const io = { stdout() {}, stderr() {} };
    const codes = [cli.main(["check", ${JSON.stringify(path.join(repo, "test", "gate", "fixtures", "synth", "cdk.tf.json"))}], io), cli.main(["rules"], io), cli.main(["explain", "TG-OPS-001"], io)];
    const loaded = Object.keys(require.cache).filter((m) => m.includes("@aws-sdk") || m.includes("operations"));
    process.stdout.write(JSON.stringify({ codes, loaded }));
  `;
  const r = spawnSync(process.execPath, ["-e", probe], { cwd: repo, env: cleanEnv(), encoding: "utf8" });
  const { codes, loaded } = JSON.parse(r.stdout);
  expect(codes.every((c: unknown) => typeof c === "number")).toBe(true);
  expect(codes[1]).toBe(0);
  expect(codes[2]).toBe(0);
  expect(loaded).toEqual([]);
});

test("the runbooks are indexed and use only options the commands have", () => {
  const help = path.join(repo, "help");
  const index = fs.readFileSync(path.join(help, "README.md"), "utf8");
  const usage = trailgate(["verify", "--help"]).stdout;
  const validateLogsUsage = trailgate(["validate-logs", "--help"]).stdout;
  expect(validateLogsUsage).toContain("--trail-arn");
  for (const page of ["README.md", "daily.md", "weekly.md", "monthly.md"]) {
    expect(index).toContain(`operations/${page}`);
    const text = fs.readFileSync(path.join(help, "operations", page), "utf8");
    // A command may continue over "\" line ends.
    const commands = text.replace(/\\\n\s*/g, " ").split("\n").filter((line) => /trailgate (verify|validate-logs)\b/.test(line));
    for (const line of commands) {
      const command = /trailgate (verify|validate-logs)\b(.*)/.exec(line)!;
      for (const flag of command[2].match(/--[a-z-]+/g) ?? []) {
        if (command[1] === "verify") expect({ line, flag, known: usage.includes(flag) }).toEqual({ line, flag, known: true });
        else expect({ line, flag, known: validateLogsUsage.includes(flag) }).toEqual({ line, flag, known: true });
      }
    }
  }
  for (const page of ["daily.md", "weekly.md", "monthly.md"]) {
    expect(fs.readFileSync(path.join(help, "operations", page), "utf8")).toMatch(/trailgate (verify|validate-logs)/);
  }
});

test("the runtime keys are in the policy-data schema, and loosening them is TG-CFG-001", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loosenedKeys, validatePolicyConfig } = require("../../gate/policy-data") as typeof import("../../gate/policy-data");
  const defaults = JSON.parse(fs.readFileSync(path.join(repo, "policies", "data.json"), "utf8")).trailgate.config;
  expect(() => validatePolicyConfig(defaults, "policies/data.json")).not.toThrow();
  const looser = {
    ...defaults,
    max_delivery_age_minutes: 60,
    insufficient_data_grace_minutes: 1440,
    alert_tiers: ["critical"],
    lake_capacity_warn_percent: 100,
    tamper_alert_events: { cloudtrail: ["StopLogging", "DeleteTrail"], s3: defaults.tamper_alert_events.s3 },
  };
  expect(loosenedKeys(looser, defaults).map((l) => l.message)).toEqual([
    "max_delivery_age_minutes is 60, above the UK baseline of 15",
    "insufficient_data_grace_minutes is 1440, above the UK baseline of 60",
    'alert_tiers leaves out "warning", "info", which the UK baseline requires',
    "lake_capacity_warn_percent is 100, above the UK baseline of 80",
    'tamper_alert_events.cloudtrail leaves out "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", which the UK baseline requires',
  ]);
  // Stricter is not looser.
  expect(loosenedKeys({ ...defaults, max_delivery_age_minutes: 5, alert_tiers: ["critical", "warning", "info", "pager"] }, defaults)).toEqual([]);
  expect(() => validatePolicyConfig({ lake_event_data_store_capacity: 50 }, "x")).toThrow("lake_event_data_store_capacity must be between 1 and 10, not 50");
  expect(() => validatePolicyConfig({ tamper_alert_events: { cloudtrail: [] } }, "x")).toThrow('tamper_alert_events needs "s3"');
  // On a live estate a loosened key is a finding too.
  const loose = writeTmp("loose-runtime.json", { trailgate: { config: { max_delivery_age_minutes: 60 } } });
  const r = trailgate(["verify", "--from-estate", estateFile, "--data", loose]);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain("TG-CFG-001");
  expect(r.stdout).toContain("data.trailgate.config.max_delivery_age_minutes");
});
