/**
 * Nothing outside the policy quietly turns a rule off (issue 13 items 2-4):
 * the policy data is typed and range-checked, a looser --data is a finding
 * (TG-CFG-001) and every report says what was overridden and waived; output is
 * safe for terminals and XML; --output never overwrites an input.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { loosenedKeys, POLICY_DATA_SCHEMA, validatePolicyConfig } from "../../gate/policy-data";
import { addPolicyGate } from "../../gate/validation";
import { JsonObject } from "../../terraform/types";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const repo = path.resolve(__dirname, "..", "..");
const bin = path.join(repo, "bin", "trailgate.js");
const defaults = JSON.parse(fs.readFileSync(path.join(repo, "policies", "data.json"), "utf8")).trailgate.config as JsonObject;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-data-"));
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function trailgate(args: string[]) {
  const env = { ...process.env };
  delete env.TRAILGATE_POLICY_DIR;
  return spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: "utf8" });
}

/** A small module (its main.tf.json) that passes every rule it can on its own: one log group kept 365 days. */
function estate(): string {
  return write(`estate-${Math.random().toString(36).slice(2)}/main.tf.json`, {
    provider: { aws: { region: "eu-west-2" } },
    resource: { aws_cloudwatch_log_group: { g: { name: "g", retention_in_days: 365, kms_key_id: "arn:aws:kms:eu-west-2:111111111111:key/k" } } },
  });
}

describe("the policy data schema", () => {
  test("every key of policies/data.json has an entry, and the shipped data is valid", () => {
    expect(Object.keys(defaults).sort()).toEqual(Object.keys(POLICY_DATA_SCHEMA).sort());
    expect(() => validatePolicyConfig(defaults, "policies/data.json")).not.toThrow();
  });

  test.each([
    ["a region that is not a string", { allowed_regions: ["eu-west-2", 1] }, "allowed_regions[1] must be a string, not an integer"],
    ["no region at all", { allowed_regions: [] }, "allowed_regions needs at least 1 item(s)"],
    ["a retention that is not whole", { min_retention_days: 30.5 }, "min_retention_days must be an integer, not a number"],
    ["a retention out of range", { min_retention_days: -1 }, "min_retention_days must be between 1 and 36500, not -1"],
    ["a malformed monitor", { required_monitors: [{ id: "x", title: "x", pattern: "{ $.a = 1 }", match: "ConsoleLogin" }] }, "required_monitors[0].match must be an array, not a string"],
    ["a monitor with an unknown key", { required_monitors: [{ id: "x", title: "x", pattern: "{ $.a = 1 }", match: [["$.a = 1"]], tokens: [] }] }, 'required_monitors[0] has unknown key "tokens"'],
    ["an event source AWS cannot exclude", { allowed_excluded_event_sources: ["cloudtrail.amazonaws.com"] }, "allowed_excluded_event_sources[0]"],
    ["a deletion window AWS does not allow", { min_key_deletion_window_days: 3 }, "min_key_deletion_window_days must be between 7 and 30, not 3"],
    ["an admin that is not an ARN", { admin_principals: ["root"] }, "admin_principals[0] \"root\" does not match"],
    ["an unknown key", { allowed_region: ["eu-west-2"] }, 'unknown config key "allowed_region"'],
    [
      "an additional monitor reusing a CIS monitor's id",
      { additional_monitors: [{ id: "cis-4.3-root-account-use", title: "x", pattern: "{ $.a = 1 }", match: [["$.a = 1"]] }] },
      'additional_monitors id "cis-4.3-root-account-use" is already in required_monitors',
    ],
  ])("refuses %s (exit 2, naming the key)", (_, config, reason) => {
    const data = write(`data-${Math.random().toString(36).slice(2)}.json`, { trailgate: { config } });
    const run = trailgate(["check", estate(), "--data", data]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(reason);
  });
});

describe("TG-CFG-001: a --data override looser than the UK baseline", () => {
  test("loosenedKeys finds each way of loosening and nothing when tightening", () => {
    const monitors = defaults.required_monitors as JsonObject[];
    const config: JsonObject = {
      ...defaults,
      min_retention_days: 30,
      allowed_regions: ["eu-west-2", "us-east-1"],
      require_organization_trail: false,
      admin_principals: ["arn:aws:iam::111111111111:role/BreakGlass"],
      required_monitors: [{ ...monitors[0], match: [["$.errorCode = *UnauthorizedOperation"]] }, ...monitors.slice(2)],
      allowed_object_lock_modes: ["COMPLIANCE", "GOVERNANCE"],
      min_key_deletion_window_days: 7,
      max_key_rotation_period_days: 730,
      allowed_excluded_event_sources: ["kms.amazonaws.com"],
      trusted_accounts: ["222222222222"],
    };
    expect(loosenedKeys(config, defaults).map((l) => l.message)).toEqual([
      'allowed_regions allows "us-east-1", outside the UK baseline ["eu-west-2"]',
      "min_retention_days is 30, below the UK baseline of 365",
      "require_organization_trail is false; the UK baseline requires true",
      'admin_principals adds exceptions "arn:aws:iam::111111111111:role/BreakGlass" to the UK baseline',
      'allowed_excluded_event_sources adds exceptions "kms.amazonaws.com" to the UK baseline',
      'allowed_object_lock_modes allows "GOVERNANCE", outside the UK baseline ["COMPLIANCE"]',
      "min_key_deletion_window_days is 7, below the UK baseline of 30",
      "max_key_rotation_period_days is 730, above the UK baseline of 365",
      'required_monitors "cis-4.1-unauthorized-api-calls" differs from the UK baseline\'s',
      'required_monitors leaves out id "cis-4.2-console-signin-without-mfa", which the UK baseline requires',
    ]);
    // The same monitors with their keys in another order are not a change.
    const reordered = monitors.map((m) => Object.fromEntries(Object.entries(m).reverse()));
    expect(loosenedKeys({ ...defaults, required_monitors: reordered }, defaults)).toEqual([]);
    expect(loosenedKeys({ ...defaults, min_retention_days: 2557, allowed_regions: [] }, defaults)).toEqual([]);
    // A team's own monitors only add requirements.
    const own = { id: "team-iam-user-changes", title: "IAM users", pattern: "{ $.eventName = CreateUser }", match: [["$.eventName = CreateUser"]] };
    expect(loosenedKeys({ ...defaults, additional_monitors: [own] }, defaults)).toEqual([]);
  });

  test("is a finding in every report format, which also lists the overrides", () => {
    const data = write("loose.json", { trailgate: { config: { min_retention_days: 30 } } });
    const dir = estate();
    const text = trailgate(["check", dir, "--data", data]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("TG-CFG-001  data.trailgate.config.min_retention_days");
    expect(text.stdout).toContain(`policy data overrides from ${data}:`);
    expect(text.stdout).toContain("min_retention_days = 30 (default 365)");

    const json = JSON.parse(trailgate(["check", dir, "--data", data, "--format", "json"]).stdout);
    expect(json.applied.data.overrides).toEqual([{ key: "min_retention_days", value: 30, default: 365 }]);
    expect(json.documents[0].findings.map((f: { id: string }) => f.id)).toContain("TG-CFG-001");

    const sarif = JSON.parse(trailgate(["check", dir, "--data", data, "--format", "sarif"]).stdout);
    expect(sarif.runs[0].properties.applied.data.loosened[0].key).toBe("min_retention_days");

    const junit = trailgate(["check", dir, "--data", data, "--format", "junit"]).stdout;
    expect(junit).toContain('<property name="trailgate.applied.2" value="min_retention_days = 30 (default 365)"/>');
  });

  test("a tightening override is no finding, but is still stated", () => {
    const data = write("tight.json", { trailgate: { config: { min_retention_days: 366 } } });
    const run = trailgate(["check", estate(), "--data", data]);
    expect(run.stdout).not.toContain("TG-CFG-001");
    expect(run.stdout).toContain("min_retention_days = 366 (default 365)");
    expect(run.stdout).toMatch(/TG-RET-004 +aws_cloudwatch_log_group\.g/);
  });

  test("waivers are stated in the report with how many findings each waived", () => {
    const waivers = write("waivers.json", {
      waivers: [{ rule: "TG-LOG-008", resource: "(configuration)", reason: "log group only", expires: WAIVER_EXPIRES }],
    });
    const run = trailgate(["check", estate(), "--waivers", waivers]);
    expect(run.stdout).toContain(`waivers from ${waivers}: 1 loaded, 1 applied`);
    expect(run.stdout).toContain(`TG-LOG-008 (configuration) until ${WAIVER_EXPIRES} (1 waived): log group only`);
  });
});

describe("the synth-time gate", () => {
  test("states the waivers it applied as cdktf warnings, even when synthesis passes", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(tmp, "synth-")) });
    const stack = new TerraformStack(app, "audit");
    new AwsProvider(stack, "aws", { region: "eu-west-2" });
    new CloudwatchLogGroup(stack, "g", { name: "g", retentionInDays: 365, kmsKeyId: "arn:aws:kms:eu-west-2:111111111111:key/k" });
    addPolicyGate(stack, {
      scope: "stack",
      waivers: [{ rule: "TG-LOG-008", resource: "(configuration)", reason: "no trail in this test stack", expires: WAIVER_EXPIRES }],
    });
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    const annotations = manifest.stacks.audit.annotations.map((a: { message: string }) => a.message);
    expect(annotations).toContain("trailgate: waivers: 1 loaded, 1 applied");
    expect(annotations.some((m: string) => m.includes(`TG-LOG-008 (configuration) until ${WAIVER_EXPIRES} (1 waived)`))).toBe(true);
  });
});

describe("output safety", () => {
  const nasty = "b\u001b[2J\u0007\uffff";
  function nastyModule(): string {
    return write(`nasty-${Math.random().toString(36).slice(2)}/main.tf.json`, {
      provider: { aws: { region: "eu-west-2" } },
      resource: { aws_sns_topic: { [nasty]: { name: "t" } } },
    });
  }

  test("the text report shows control characters from the input as escapes, never raw", () => {
    const run = trailgate(["check", nastyModule()]);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(run.stdout).toContain("aws_sns_topic.b\\u001b[2J\\u0007");
  });

  test("JUnit stays well-formed XML 1.0 with U+FFFF and control characters in a name", () => {
    const run = trailgate(["check", nastyModule(), "--format", "junit"]);
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    const check = spawnSync("python3", ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())"], { input: run.stdout });
    expect(check.status).toBe(0);
  });

  test("an error line never echoes raw control bytes from a file name", () => {
    const run = trailgate(["check", path.join(tmp, "missing\u001b[31m.json")]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing\\u001b[31m.json");
    expect(run.stderr).not.toContain("\u001b");
  });

  test("--output refuses to overwrite the input, a data file, or a configuration file in the input folder", () => {
    const input = estate();
    const dir = path.dirname(input);
    const before = fs.readFileSync(input, "utf8");
    const same = trailgate(["check", input, "--output", input]);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain("is the same file as the input");
    const inside = trailgate(["check", dir, "--output", path.join(dir, "report.tf.json")]);
    expect(inside.status).toBe(2);
    expect(fs.readFileSync(input, "utf8")).toBe(before);
    expect(fs.existsSync(path.join(dir, "report.tf.json"))).toBe(false);
  });
});

describe("no check for updates in any script", () => {
  test("npm run synth and every script that runs terraform or cdktf set CHECKPOINT_DISABLE=1", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts.synth).toMatch(/^CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="\$PWD\/tools\/terraformrc" node scripts\/cdktf-synth\.js/);
    for (const name of fs.readdirSync(path.join(repo, "scripts")).filter((file) => file.endsWith(".sh"))) {
      const text = fs.readFileSync(path.join(repo, "scripts", name), "utf8");
      if (/(?<![\w/.-])(terraform|cdktf) /.test(text)) expect({ name, sets: text.includes("CHECKPOINT_DISABLE=1") }).toEqual({ name, sets: true });
    }
  });
});

describe("FIFOs never block the gate", () => {
  test("a waiver file or a stack file that is a FIFO exits 2 at once", () => {
    const fifo = path.join(tmp, "waivers.fifo");
    spawnSync("mkfifo", [fifo]);
    const waivers = spawnSync(process.execPath, [bin, "check", estate(), "--waivers", fifo], { cwd: repo, encoding: "utf8", timeout: 30000 });
    expect(waivers.signal).toBeNull();
    expect(waivers.status).toBe(2);
    expect(waivers.stderr).toContain("is a FIFO; only regular files are read");
    const out = path.join(tmp, "fifo-out");
    fs.mkdirSync(path.join(out, "stacks", "s"), { recursive: true });
    spawnSync("mkfifo", [path.join(out, "stacks", "s", "cdk.tf.json")]);
    const stack = spawnSync(process.execPath, [bin, "check", out], { cwd: repo, encoding: "utf8", timeout: 30000 });
    expect(stack.signal).toBeNull();
    expect(stack.status).toBe(2);
    expect(stack.stderr).toContain("is a FIFO; only regular files are read");
  });
});
