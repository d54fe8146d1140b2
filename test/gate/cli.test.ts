import { execFileSync, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyWaivers } from "../../gate/waivers";
import { Violation } from "../../gate/policy";
import { expectInputError, Run } from "../helpers/cli";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const repo = path.resolve(__dirname, "..", "..");
const bin = path.join(repo, "bin", "trailgate.js");
const bundle = path.join(repo, "build", "policy");
const fixtures = path.join(__dirname, "fixtures");
const synthFixture = path.join(fixtures, "synth", "cdk.tf.json");
let tmp: string;
let ruleIds: string[];
/** Rules the bundle's metadata says cannot judge synthesized code (custom.inputs): reported not applicable. */
let notForCode: string[];

/** Runs the real CLI in a child process, against the real bundle unless env says otherwise. */
function trailgate(args: string[], env: Record<string, string> = {}, cliPath = bin): Run {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (!("TRAILGATE_POLICY_DIR" in env)) delete childEnv.TRAILGATE_POLICY_DIR;
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: repo, env: childEnv, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeTmp(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function checkJson(args: string[], env: Record<string, string> = {}) {
  const run = trailgate(["check", ...args, "--format", "json"], env);
  return { run, report: JSON.parse(run.stdout) };
}

beforeAll(() => {
  if (!fs.existsSync(path.join(bundle, "policy.wasm"))) {
    throw new Error(`the real policy bundle is missing at ${bundle}: run \`bash scripts/build-policy.sh\` before these tests`);
  }
  const catalogue = JSON.parse(fs.readFileSync(path.join(bundle, "rules.json"), "utf8")) as Record<string, { inputs: string[] }>;
  ruleIds = Object.keys(catalogue);
  notForCode = ruleIds.filter((id) => !catalogue[id].inputs.includes("synth"));
  // The CLI runs the compiled gate; others' files may not type-check yet, but tsc still emits.
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  if (!fs.existsSync(path.join(repo, "dist", "cli", "main.js"))) throw new Error("tsc did not emit dist/cli/main.js");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-cli-"));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("check", () => {
  test("reports violations as a table with a summary line and exits 1", () => {
    const run = trailgate(["check", synthFixture]);
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+MESSAGE$/);
    expect(run.stdout).toMatch(/high\s+TG-RES-002\s+aws_sns_topic\.alerts_3A4B\s+.*eu-west-1/);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^trailgate: \\d+ failing \\((\\d+ (critical|high|medium|low)(, )?)+\\), 0 waived, ${ruleIds.length - notForCode.length} rules \\(${notForCode.length} not applicable\\), 1 document$`,
      ),
    );
  });

  test("gates every stack of a cdktf.out directory as its own document", () => {
    const { run, report } = checkJson([path.join(fixtures, "cdktf.out")]);
    expect(run.status).toBe(1);
    expect(report.documents.map((document: { name: string }) => document.name)).toEqual(["alpha", "beta"]);
    const beta = report.documents[1].findings.map((finding: { id: string; resource: string }) => `${finding.id} ${finding.resource}`);
    expect(beta).toContain("TG-RES-001 provider.aws");
    expect(report.documents[0].findings.some((finding: { id: string }) => finding.id === "TG-RES-001")).toBe(false);
  });

  test("exits 0 when every violation is waived, and keeps the waived findings in the report", () => {
    const waivers = writeTmp("all.json", {
      waivers: ruleIds.map((rule) => ({ rule, resource: "*", reason: "fixture", expires: WAIVER_EXPIRES })),
    });
    const anyResource = writeTmp("any-resource.config.json", { waivers: { allowAnyResource: true } });
    const { run, report } = checkJson([synthFixture, "--waivers", waivers, "--trailgate-config", anyResource]);
    expect(run.status).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.summary.failing).toBe(0);
    expect(report.summary.waived).toBeGreaterThan(0);
    expect(report.documents[0].findings.every((finding: { status: string }) => finding.status === "waived")).toBe(true);
    expect(run.stderr).toMatch(/^trailgate: 0 failing, \d+ waived/);
  });

  test("--fail-on high leaves medium findings reported but not failing", () => {
    const waivers = writeTmp("high-only.json", {
      waivers: ruleIds.map((rule) => ({ rule, resource: "*", reason: "fixture", expires: WAIVER_EXPIRES })).filter(
        (waiver) => waiver.rule !== "TG-ENC-005",
      ),
    });
    const anyResource = writeTmp("any-resource.config.json", { waivers: { allowAnyResource: true } });
    const { run, report } = checkJson([synthFixture, "--waivers", waivers, "--fail-on", "high", "--trailgate-config", anyResource]);
    expect(run.status).toBe(0);
    const enc005 = report.documents[0].findings.find((finding: { id: string }) => finding.id === "TG-ENC-005");
    expect(enc005).toMatchObject({ severity: "medium", status: "below-threshold" });
    expect(trailgate(["check", synthFixture, "--waivers", waivers, "--trailgate-config", anyResource]).status).toBe(1);
  });
});

describe("waivers", () => {
  test("a valid waiver waives exactly its rule and resource; an expired one does not and says so", () => {
    const waivers = writeTmp("some.json", {
      waivers: [
        { rule: "TG-RES-002", resource: "aws_sns_topic.alerts_3A4B", reason: "DR topic, RFC-12", expires: WAIVER_EXPIRES },
        { rule: "TG-ENC-005", resource: "aws_sns_topic.alerts_3A4B", reason: "old exception", expires: "2000-01-01" },
      ],
    });
    const { run, report } = checkJson([synthFixture, "--waivers", waivers]);
    expect(run.status).toBe(1);
    const findings = report.documents[0].findings;
    const res002 = findings.find((finding: { id: string }) => finding.id === "TG-RES-002");
    expect(res002).toMatchObject({
      status: "waived",
      waiver: { reason: "DR topic, RFC-12", expires: WAIVER_EXPIRES, expired: false },
    });
    const enc005 = findings.find((finding: { id: string }) => finding.id === "TG-ENC-005");
    expect(enc005.status).toBe("failing");
    expect(enc005.message).toContain("waiver expired on 2000-01-01");
    expect(enc005.waiver.expired).toBe(true);
    const text = trailgate(["check", synthFixture, "--waivers", waivers]).stdout;
    expect(text).toContain(`[waived until ${WAIVER_EXPIRES}: DR topic, RFC-12]`);
  });

  test("a waiver applies through its expiry day and stops the day after", () => {
    const violation: Violation = {
      id: "TG-ENC-005",
      severity: "medium",
      title: "t",
      resource: "aws_sns_topic.a",
      message: "m",
      help: "help/rules/TG-ENC-005.md",
    };
    const waiver = { rule: "TG-ENC-005", resource: "aws_sns_topic.*", reason: "r", expires: "2025-06-30" };
    expect(applyWaivers([violation], [waiver], "2025-06-30", "doc")[0].waived).toBe(true);
    const [expired] = applyWaivers([violation], [waiver], "2025-07-01", "doc");
    expect(expired).toMatchObject({ waived: false, message: "m (waiver expired on 2025-06-30)" });
    expect(applyWaivers([violation], [{ ...waiver, resource: "aws_sns_topic.b" }], "2025-01-01", "doc")[0].waiver).toBeNull();
  });
});

describe("report formats", () => {
  test("json has the documented stable shape", () => {
    const { report } = checkJson([synthFixture]);
    expect(Object.keys(report)).toEqual(["schema", "tool", "failOn", "selection", "passed", "summary", "documents", "applied"]);
    expect(report.selection).toBeNull();
    expect(report.schema).toBe("trailgate-report/1");
    expect(report.summary.rules).toBe(ruleIds.length - notForCode.length);
    expect(report.summary.notApplicable).toBe(notForCode.length);
    const finding = report.documents[0].findings.find((f: { id: string }) => f.id === "TG-RES-002");
    expect(Object.keys(finding)).toEqual(["id", "severity", "title", "resource", "message", "help", "status", "waiver", "location"]);
    expect(finding.location).toEqual({ file: "test/gate/fixtures/synth/cdk.tf.json", line: expect.any(Number) });
    expect(fs.readFileSync(synthFixture, "utf8").split("\n")[finding.location.line - 1]).toContain('"alerts_3A4B"');
  });

  test("sarif is 2.1.0 with rule metadata, results pointing at rules that exist, and suppressions for waivers", () => {
    const waivers = writeTmp("sarif.json", {
      waivers: [{ rule: "TG-RES-002", resource: "aws_sns_topic.alerts_3A4B", reason: "RFC-12", expires: WAIVER_EXPIRES }],
    });
    const run = trailgate(["check", synthFixture, "--format", "sarif", "--waivers", waivers]);
    expect(run.status).toBe(1);
    const sarif = JSON.parse(run.stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toContain("sarif-2.1.0");
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: "trailgate", version: expect.any(String) });
    expect(driver.rules.map((rule: { id: string }) => rule.id).sort()).toEqual([...ruleIds].sort());
    for (const rule of driver.rules) {
      expect(rule.name).toMatch(/^[A-Za-z0-9]+$/);
      expect(rule.shortDescription.text).not.toBe("");
      expect(rule.fullDescription.text).not.toBe("");
      expect(rule.help.text).not.toBe("");
      expect(rule.help.markdown).not.toBe("");
      expect(["9.5", "8.0", "5.5", "3.0"]).toContain(rule.properties["security-severity"]);
      expect(rule.properties.tags).toContain("security");
    }
    const allResults = sarif.runs[0].results;
    const notApplicable = (result: { kind?: string }) => result.kind === "notApplicable";
    // Rules that cannot judge code are results of kind notApplicable (test/gate/applicability.test.ts).
    expect(allResults.filter(notApplicable).map((result: { ruleId: string }) => result.ruleId)).toEqual(notForCode);
    const results = allResults.filter((result: { kind?: string }) => !notApplicable(result));
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(["error", "warning", "note"]).toContain(result.level);
      expect(result.message.text).not.toBe("");
      const location = result.locations[0].physicalLocation;
      expect(location.artifactLocation.uri).toBe("test/gate/fixtures/synth/cdk.tf.json");
      expect(location.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const waived = results.filter((result: { suppressions?: unknown }) => result.suppressions);
    expect(waived).toHaveLength(1);
    expect(waived[0]).toMatchObject({ ruleId: "TG-RES-002", suppressions: [{ kind: "external", justification: expect.stringContaining("RFC-12") }] });
    const critical = driver.rules.find((rule: { id: string }) => rule.id === "TG-RES-001");
    expect(critical.properties["security-severity"]).toBe("9.5");
    expect(critical.help.markdown).toBe(fs.readFileSync(path.join(repo, "help", "rules", "TG-RES-001.md"), "utf8"));
  });

  test("junit has one suite per document and one case per rule, failures and skips counted", () => {
    const waivers = writeTmp("junit.json", {
      waivers: [{ rule: "TG-ENC-005", resource: "aws_sns_topic.*", reason: "fixture", expires: WAIVER_EXPIRES }],
    });
    const output = path.join(tmp, "report.xml");
    const run = trailgate(["check", path.join(fixtures, "cdktf.out"), "--format", "junit", "--waivers", waivers, "--output", output]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^trailgate: \d+ failing/);
    const xml = fs.readFileSync(output, "utf8");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)">([\s\S]*?)<\/testsuite>/g)];
    expect(suites.map((suite) => suite[1])).toEqual(["alpha", "beta"]);
    for (const [, , tests, failures, skipped, body] of suites) {
      expect(Number(tests)).toBe(ruleIds.length);
      expect((body.match(/<testcase /g) ?? []).length).toBe(ruleIds.length);
      expect((body.match(/<failure /g) ?? []).length).toBe(Number(failures));
      expect((body.match(/<skipped /g) ?? []).length).toBe(Number(skipped));
    }
    const beta = suites[1][5];
    expect(beta).toMatch(/name="TG-RES-001 [^"]*">\s*<failure type="critical"/);
    expect(beta).toMatch(/name="TG-ENC-005 [^"]*">\s*<skipped message="[^"]*fixture/);
    expect(Number(suites[1][4])).toBe(1 + notForCode.length);
    // Balanced tags: every opened element is closed.
    expect((xml.match(/<testcase /g) ?? []).length).toBe((xml.match(/<\/testcase>/g) ?? []).length);
  });
});

describe("input errors exit 2 with one reason line", () => {
  test.each([
    ["a path that does not exist", () => ["check", path.join(fixtures, "nope.json")], "cannot read"],
    ["malformed JSON", () => ["check", path.join(fixtures, "bad", "malformed.json")], "is not valid JSON"],
    ["valid JSON of an unknown shape", () => ["check", path.join(fixtures, "bad", "unknown-shape.json")], "is not a cdktf cdk.tf.json, a `terraform show -json` plan or a Terraform JSON module"],
    ["a state instead of a plan", () => ["check", path.join(fixtures, "bad", "state.json")], "looks like `terraform show -json` of a state"],
    ["an empty folder", () => ["check", fs.mkdtempSync(path.join(tmp, "empty-"))], "has no Terraform configuration files (*.tf, *.tf.json)"],
    ["no path", () => ["check"], "check needs a <path>"],
    ["an unknown option", () => ["check", synthFixture, "--formt", "json"], "unknown option --formt"],
    ["an unknown format", () => ["check", synthFixture, "--format", "xml"], "--format must be one of"],
    ["an unknown fail-on", () => ["check", synthFixture, "--fail-on", "severe"], "--fail-on must be one of"],
    ["an unknown command", () => ["lint"], "unknown command lint"],
  ])("%s", (_, args, reason) => {
    expectInputError(trailgate(args()), reason);
  });

  test.each([
    ["not JSON", "{waivers", "is not valid JSON"],
    ["the wrong shape", { exceptions: [] }, 'must be {"waivers"'],
    ["a missing reason", { waivers: [{ rule: "TG-ENC-001", resource: "aws_s3_bucket.x", expires: WAIVER_EXPIRES }] }, 'needs a non-empty "reason"'],
    ["an empty reason", { waivers: [{ rule: "TG-ENC-001", resource: "aws_s3_bucket.x", reason: " ", expires: WAIVER_EXPIRES }] }, 'needs a non-empty "reason"'],
    ["a bad date", { waivers: [{ rule: "TG-ENC-001", resource: "aws_s3_bucket.x", reason: "r", expires: "2025-02-30" }] }, 'expires "2025-02-30", which is not a YYYY-MM-DD date'],
    ["an unknown rule", { waivers: [{ rule: "TG-XXX-001", resource: "aws_s3_bucket.x", reason: "r", expires: WAIVER_EXPIRES }] }, "unknown rule TG-XXX-001"],
    ["an unknown key", { waivers: [{ rule: "TG-ENC-001", resource: "a.b", reason: "r", expires: WAIVER_EXPIRES, until: "x" }] }, 'unknown key "until"'],
  ])("a waiver file with %s", (name, content, reason) => {
    const file = writeTmp(`waivers-${name.replace(/\W+/g, "-")}.json`, content);
    expectInputError(trailgate(["check", synthFixture, "--waivers", file]), reason);
  });

  test.each([
    ["not JSON", "{", "is not valid JSON"],
    ["the bare config object", { allowed_regions: ["eu-west-1"] }, 'must be {"trailgate":{"config":{...}}}'],
    ["an unknown config key", { trailgate: { config: { allowed_region: ["eu-west-1"] } } }, 'unknown config key "allowed_region"'],
    ["a value of the wrong kind", { trailgate: { config: { allowed_regions: "eu-west-1" } } }, 'allowed_regions must be an array, not a string'],
  ])("a data file with %s", (name, content, reason) => {
    const file = writeTmp(`data-${name.replace(/\W+/g, "-")}.json`, content);
    expectInputError(trailgate(["check", synthFixture, "--data", file]), reason);
  });

  test("a valid data file overrides the policy data", () => {
    const file = writeTmp("data-ok.json", { trailgate: { config: { allowed_regions: ["eu-west-1", "eu-west-2"] } } });
    const { report } = checkJson([synthFixture, "--data", file]);
    expect(report.documents[0].findings.some((finding: { id: string }) => finding.id === "TG-RES-002")).toBe(false);
  });

  describe("policy bundle", () => {
    function copyBundle(name: string, withSources: boolean): string {
      const root = path.join(tmp, name);
      fs.cpSync(bundle, path.join(root, "build", "policy"), { recursive: true });
      if (withSources) fs.cpSync(path.join(repo, "policies"), path.join(root, "policies"), { recursive: true });
      return path.join(root, "build", "policy");
    }

    test("missing", () => {
      expectInputError(
        trailgate(["check", synthFixture], { TRAILGATE_POLICY_DIR: path.join(tmp, "no-bundle") }),
        /policy bundle is incomplete: cannot read .*manifest\.json; build it with `bash scripts\/build-policy\.sh`/,
      );
    });

    test("without rules.json", () => {
      const dir = copyBundle("no-rules", false);
      fs.rmSync(path.join(dir, "rules.json"));
      expectInputError(trailgate(["check", synthFixture], { TRAILGATE_POLICY_DIR: dir }), "rules.json");
    });

    /** Rewrites the manifest's record of one bundle file to match its current bytes. */
    function rehash(dir: string, name: string): void {
      const manifestFile = path.join(dir, "manifest.json");
      const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
      manifest.bundle_files[name] = createHash("sha256").update(fs.readFileSync(path.join(dir, name))).digest("hex");
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    }

    test("with a corrupt policy.wasm the manifest vouches for", () => {
      const dir = copyBundle("corrupt", false);
      fs.writeFileSync(path.join(dir, "policy.wasm"), "not wasm at all");
      rehash(dir, "policy.wasm");
      expectInputError(trailgate(["check", synthFixture], { TRAILGATE_POLICY_DIR: dir }), "has a corrupt policy.wasm");
    });

    test.each([
      ["a replaced policy.wasm", "policy.wasm", (file: string) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000))],
      ["an edited data.json", "data.json", (file: string) => fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"min_retention_days": 365', '"min_retention_days": 1'))],
    ])("with %s, outside a checkout (TRAILGATE_POLICY_DIR)", (_, name, edit) => {
      const dir = copyBundle(`tampered-${name}`, false);
      edit(path.join(dir, name));
      expectInputError(trailgate(["check", synthFixture], { TRAILGATE_POLICY_DIR: dir }), `${name} does not match its manifest`);
    });

    test("whose manifest does not cover policy.wasm and data.json", () => {
      const dir = copyBundle("old-manifest", false);
      const manifestFile = path.join(dir, "manifest.json");
      const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
      delete manifest.bundle_files;
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
      expectInputError(trailgate(["check", synthFixture], { TRAILGATE_POLICY_DIR: dir }), "does not record the sha256 of policy.wasm");
    });

    test("stale: a policy source changed after the bundle was built", () => {
      const dir = copyBundle("stale", true);
      const env = { TRAILGATE_POLICY_DIR: dir };
      expect(trailgate(["check", synthFixture], env).status).toBe(1);
      const rego = path.join(dir, "..", "..", "policies", "lib", "lib.rego");
      fs.appendFileSync(rego, "\n# edited after the build\n");
      expectInputError(trailgate(["check", synthFixture], env), /policy bundle .* is stale: policies\/ changed since it was built/);
    });
  });

  test("the bin wrapper explains how to build when dist/ is missing", () => {
    const lonelyBin = writeTmp(path.join("unbuilt", "bin", "trailgate.js"), fs.readFileSync(bin, "utf8"));
    expectInputError(trailgate(["check", synthFixture], {}, lonelyBin), /the gate is not built .*run `npm ci && npx tsc -p tsconfig.json`/);
  });
});

describe("rules, explain and help", () => {
  test("rules prints every rule with its severity", () => {
    const run = trailgate(["rules"]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+TITLE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([...ruleIds].sort());
  });

  test("explain prints the rule's help page", () => {
    const run = trailgate(["explain", "TG-RES-001"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(fs.readFileSync(path.join(repo, "help", "rules", "TG-RES-001.md"), "utf8"));
  });

  test("explain of an unknown id exits 2 listing the valid ids", () => {
    const run = trailgate(["explain", "TG-NOPE-001"]);
    expectInputError(run, "unknown rule TG-NOPE-001; valid ids: ");
    for (const id of ruleIds) expect(run.stderr).toContain(id);
  });

  test("--help prints usage and exits 0", () => {
    const run = trailgate(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("trailgate check <path>");
    expect(execFileSync(process.execPath, [bin, "--help"], { cwd: os.tmpdir(), encoding: "utf8" })).toBe(run.stdout);
  });

  test("check --help and check -h print the usage and exit 0, like the other commands", () => {
    for (const args of [["check", "--help"], ["check", "-h"], ["check", "cdktf.out", "--help"]]) {
      const run = trailgate(args);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain("trailgate check <path>");
      expect(run.stdout).toContain("--fail-on");
    }
  });
});
