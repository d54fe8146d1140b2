/**
 * The gate's user-facing options from issue #10: rule selection (--only/--skip) shown
 * in every report, the GitHub annotation format, construct paths as locations, SARIF
 * informationUri/helpUri, --version and standard input. Runs the CLI in process
 * (cli/main.ts main) against the real bundle, and once as a child reading stdin.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { main } from "../../cli/main";
import { loadRules } from "../../gate/policy";
import { runGate } from "../../gate/run";
import { TrailgateStack } from "../../modules";

const repo = path.resolve(__dirname, "..", "..");
const synthFixture = path.join(__dirname, "fixtures", "synth", "cdk.tf.json");
const planFixture = path.join(__dirname, "fixtures", "plan.json");
let tmp: string;
let stackFile: string;

function cli(...argv: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const status = main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  // Only commands that call AWS (validate-logs) answer with a promise.
  if (typeof status !== "number") throw new Error(`trailgate ${argv[0]} answered asynchronously`);
  return { status, stdout, stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-options-"));
  // A real synthesized stack (with //.metadata.path on each resource) with one violation.
  const app = new App({ outdir: path.join(tmp, "cdktf.out") });
  const stack = new TrailgateStack(app, "audit", {
    organizationId: "o-abcdefghij",
    managementAccountId: "111111111111",
    logArchiveAccountId: "222222222222",
    alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] },
  });
  stack.monitoring.logGroup.addOverride("retention_in_days", 30);
  app.synth();
  stackFile = path.join(tmp, "cdktf.out", "stacks", "audit", "cdk.tf.json");
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("rule selection (--only / --skip)", () => {
  test("judges only the selected rules and every format says so", () => {
    const text = cli("check", synthFixture, "--only", "TG-ENC,TG-RES-002", "--skip", "tg-enc-005");
    expect(text.status).toBe(1);
    const ids = new Set(text.stdout.split("\n").slice(1, -2).map((line) => line.split(/\s+/)[1]));
    expect([...ids].sort()).toEqual(["TG-ENC-001", "TG-RES-002"]);
    // Every TG-ENC rule but TG-ENC-005, plus TG-RES-002.
    const selected = loadRules().filter((r) => (r.id.startsWith("TG-ENC-") && r.id !== "TG-ENC-005") || r.id === "TG-RES-002").length;
    expect(text.stdout).toMatch(new RegExp(`rules selected: --only TG-ENC,TG-RES-002 --skip TG-ENC-005 \\(${selected} of \\d+ rules\\)`));

    const json = JSON.parse(cli("check", synthFixture, "--only", "TG-LOG", "--format", "json").stdout);
    expect(json.selection).toMatchObject({ only: ["TG-LOG"], skip: [] });
    expect(json.selection.selected.every((id: string) => id.startsWith("TG-LOG-"))).toBe(true);
    expect(json.summary.rules).toBe(json.selection.selected.length);
    expect(json.documents[0].findings.every((f: { id: string }) => f.id.startsWith("TG-LOG-"))).toBe(true);

    const sarif = JSON.parse(cli("check", synthFixture, "--only", "TG-LOG", "--format", "sarif").stdout);
    expect(sarif.runs[0].properties.selection.only).toEqual(["TG-LOG"]);
    expect(sarif.runs[0].tool.driver.rules.every((r: { id: string }) => r.id.startsWith("TG-LOG-"))).toBe(true);

    const junit = cli("check", synthFixture, "--skip", "TG-LOG", "--format", "junit").stdout;
    expect(junit).toMatch(/<property name="trailgate.selection" value="--skip TG-LOG \(\d+ of \d+ rules\)"\/>/);
    expect(junit).not.toContain("TG-LOG-");

    const github = cli("check", synthFixture, "--only", "TG-ENC-001", "--format", "github");
    expect(github.stdout.trimEnd().split("\n").pop()).toMatch(/rules selected: --only TG-ENC-001 \(1 of \d+ rules\)/);
    expect(github.stderr).toMatch(/rules selected: --only TG-ENC-001/);
  });

  test("without a selection every rule is judged and reports carry no selection", () => {
    const json = JSON.parse(cli("check", synthFixture, "--format", "json").stdout);
    expect(json.selection).toBeNull();
    // The run's properties always state what was applied (overrides, waivers); a selection only when there is one.
    expect(JSON.parse(cli("check", synthFixture, "--format", "sarif").stdout).runs[0].properties.selection).toBeUndefined();
  });

  test.each([
    [["--only", "TG-NOPE"], /only: "TG-NOPE" matches no rule/],
    [["--skip", "TG-LOG-999"], /skip: "TG-LOG-999" matches no rule/],
    [["--only", "ENC"], /--only: "ENC" is not a rule id/],
    [["--only", ","], /--only needs at least one rule id/],
    [["--only", "TG-LOG-001", "--skip", "TG-LOG"], /leaves no rule to judge/],
  ])("fails closed on %j", (flags, reason) => {
    const run = cli("check", synthFixture, ...flags);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe("");
  });
});

describe("locations a user can act on", () => {
  test("synthesized input names each finding's construct path (json, text, sarif, github)", () => {
    const json = JSON.parse(cli("check", stackFile, "--format", "json").stdout);
    const finding = json.documents[0].findings.find((f: { id: string }) => f.id === "TG-RET-004");
    expect(finding.resource).toBe("aws_cloudwatch_log_group.monitoring_log_group");
    expect(finding.location.constructPath).toBe("audit/trailgate/monitoring/log_group");
    const lines = fs.readFileSync(stackFile, "utf8").split("\n");
    expect(lines[finding.location.line - 1]).toContain('"monitoring_log_group"');

    const text = cli("check", stackFile).stdout.split("\n");
    expect(text[0]).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+CONSTRUCT\s+MESSAGE$/);
    expect(text[1]).toMatch(/^medium\s+TG-RET-004\s+aws_cloudwatch_log_group\.monitoring_log_group\s+audit\/trailgate\/monitoring\/log_group\s+/);

    const sarif = JSON.parse(cli("check", stackFile, "--format", "sarif").stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "TG-RET-004");
    expect(result.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: "audit/trailgate/monitoring/log_group", kind: "module" }]);

    const github = cli("check", stackFile, "--format", "github").stdout;
    expect(github).toContain(
      `::error file=${path.relative(process.cwd(), stackFile)},line=${finding.location.line},title=TG-RET-004 (medium) `,
    );
    expect(github).toContain("aws_cloudwatch_log_group.monitoring_log_group construct audit/trailgate/monitoring/log_group: ");
  });

  test("github annotations escape what would break a workflow command", () => {
    const file = path.join(tmp, "odd,name:x", "cdk.tf.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(synthFixture, file);
    const out = cli("check", file, "--only", "TG-ENC-001", "--format", "github").stdout;
    const annotation = out.split("\n")[0];
    expect(annotation).toMatch(/^::error file=[^:,]*odd%2Cname%3Ax\/cdk\.tf\.json,line=\d+,title=TG-ENC-001 \(high\) /);
  });

  test("SARIF names the tool's information URI and a help URI per rule", () => {
    const sarif = JSON.parse(cli("check", synthFixture, "--format", "sarif").stdout);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.informationUri).toMatch(/^(https?|file):\/\//);
    for (const rule of driver.rules) expect(rule.helpUri).toMatch(new RegExp(`^file://.*/help/rules/${rule.id}\\.md$`));
    const page = new URL(driver.rules[0].helpUri);
    expect(fs.existsSync(decodeURIComponent(page.pathname))).toBe(true);

    process.env.TRAILGATE_HELP_BASE_URI = "https://docs.example.co.uk/trailgate/0.1.0/help/rules";
    try {
      const rebased = JSON.parse(cli("check", synthFixture, "--format", "sarif").stdout);
      expect(rebased.runs[0].tool.driver.rules[0].helpUri).toBe(`https://docs.example.co.uk/trailgate/0.1.0/help/rules/${rebased.runs[0].tool.driver.rules[0].id}.md`);
    } finally {
      delete process.env.TRAILGATE_HELP_BASE_URI;
    }
  });
});

describe("--version and standard input", () => {
  test("--version prints the package version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
    expect(cli("--version")).toEqual({ status: 0, stdout: `trailgate ${version}\n`, stderr: "" });
  });

  test("runGate reads '-' from standard input, recognising a synthesized stack and a plan", () => {
    const fromStdin = runGate({ path: "-", readStdin: () => fs.readFileSync(stackFile, "utf8") });
    const fromFile = runGate({ path: stackFile });
    expect(fromStdin.documents[0].document.input.format).toBe("synth");
    expect(fromStdin.documents[0].findings.map((f) => f.id)).toEqual(fromFile.documents[0].findings.map((f) => f.id));
    const plan = runGate({ path: "-", readStdin: () => fs.readFileSync(planFixture, "utf8") });
    expect(plan.documents[0].document.input.format).toBe("plan");
    expect(() => runGate({ path: "-", readStdin: () => "{not json" })).toThrow(/<stdin> is not valid JSON/);
  });

  test("the CLI reads a piped plan from '-' and fails closed on empty input", () => {
    const script = `require("ts-node").register({ transpileOnly: true }); process.exitCode = require("./cli/main").main(process.argv.slice(1));`;
    const piped = spawnSync(process.execPath, ["-e", script, "check", "-", "--format", "json"], {
      cwd: repo,
      input: fs.readFileSync(planFixture),
      encoding: "utf8",
    });
    expect(piped.status).toBe(1);
    expect(JSON.parse(piped.stdout).documents[0]).toMatchObject({ name: "<stdin>", format: "plan" });
    const empty = spawnSync(process.execPath, ["-e", script, "check", "-"], { cwd: repo, input: "", encoding: "utf8" });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^trailgate: error: standard input is empty/);
  });
});
