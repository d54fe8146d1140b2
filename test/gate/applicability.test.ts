/**
 * A rule that cannot judge an input (METADATA custom.inputs) is "not applicable" in
 * every report, never passed; a selection that judges nothing on the input is exit 2.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GateInputError } from "../../core/errors";
import { loadRules } from "../../gate/policy";
import { expectInputError, runInProcess } from "../helpers/cli";

const fixtures = path.join(__dirname, "fixtures");
const synthFixture = path.join(fixtures, "synth", "cdk.tf.json");
const estate = path.join(__dirname, "..", "verify", "fixtures", "example-estate.json");
const rules = loadRules();
const notForCode = rules.filter((rule) => !rule.inputs.includes("synth")).map((rule) => rule.id);
const notForLive = rules.filter((rule) => !rule.inputs.includes("live")).map((rule) => rule.id);

const trailgate = runInProcess;

/** The JUnit testcase of `ruleId` (one document). */
function testcase(junit: string, ruleId: string): string {
  const match = junit.match(new RegExp(`<testcase [^>]*name="${ruleId} [^"]*">(?:(?!</testcase>)[\\s\\S])*(</testcase>)?`));
  if (!match) throw new Error(`no testcase for ${ruleId}`);
  return match[0];
}

test("the bundle's metadata marks the runtime rules live-only and force_destroy code-only", () => {
  expect(notForCode).toContain("TG-OPS-001");
  expect(notForLive).toContain("TG-RET-007");
  expect(notForLive).not.toContain("TG-LOG-001");
});

describe("on synthesized code, the live-only rules", () => {
  test("are skipped as not applicable in JUnit, never passing test cases", async () => {
    const run = await trailgate(["check", synthFixture, "--format", "junit"]);
    for (const id of notForCode) expect(testcase(run.stdout, id)).toMatch(/<skipped message="not applicable: [^"]*judges only live input/);
    expect(testcase(run.stdout, "TG-LOG-001")).not.toContain("<skipped");
  });

  test("are SARIF results of kind notApplicable with level none", async () => {
    const run = await trailgate(["check", synthFixture, "--format", "sarif"]);
    const results = JSON.parse(run.stdout).runs[0].results as { ruleId: string; kind?: string; level: string }[];
    const notApplicable = results.filter((result) => result.kind === "notApplicable");
    expect(notApplicable.map((result) => result.ruleId).sort()).toEqual([...notForCode].sort());
    expect(new Set(notApplicable.map((result) => result.level))).toEqual(new Set(["none"]));
  });

  test("are listed in JSON and text, and not counted as judged", async () => {
    const json = JSON.parse((await trailgate(["check", synthFixture, "--format", "json"])).stdout);
    expect(json.documents[0].notApplicable).toEqual(notForCode);
    expect(json.summary).toMatchObject({ rules: rules.length - notForCode.length, notApplicable: notForCode.length });
    const text = (await trailgate(["check", synthFixture])).stdout;
    expect(text).toContain(`not applicable to synth input (cannot judge it, not passed): ${notForCode.join(", ")}`);
    expect(text).toContain(`${rules.length - notForCode.length} rules (${notForCode.length} not applicable), 1 document`);
  });
});

test("on live state, code-only facts such as force_destroy are not applicable, not passed", async () => {
  const run = await trailgate(["verify", "--from-estate", estate, "--format", "junit"]);
  expect(testcase(run.stdout, "TG-RET-007")).toMatch(/<skipped message="not applicable: TG-RET-007 judges only synth, plan, module input/);
  for (const id of notForLive) expect(testcase(run.stdout, id)).toContain("<skipped");
});

describe("a selection that judges nothing on the input exits 2 with the reason", () => {
  test("check --only TG-OPS on code", async () => {
    expectInputError(await trailgate(["check", synthFixture, "--only", "TG-OPS"]), /judges nothing on synth input: its rules judge only live input; run them with `trailgate verify`/);
  });
  test("verify --only TG-RET-007", async () => {
    expectInputError(await trailgate(["verify", "--from-estate", estate, "--only", "TG-RET-007"]), "judges nothing on live input");
  });
  test("a selection with one applicable rule still runs", async () => {
    const run = await trailgate(["check", synthFixture, "--only", "TG-OPS-001,TG-LOG-001"]);
    expect(run.status).not.toBe(2);
    expect(run.stdout).toContain("(2 of");
    expect(run.stdout).toContain("(1 not applicable)");
  });
});

test("a rules.json whose inputs name an unknown input format is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-inputs-"));
  try {
    const rule = { id: "TG-LOG-001", title: "t", severity: "high", inputs: ["cloud"] };
    fs.writeFileSync(path.join(dir, "rules.json"), JSON.stringify({ "TG-LOG-001": rule }));
    expect(() => loadRules(dir)).toThrow(GateInputError);
    expect(() => loadRules(dir)).toThrow(/inputs \["cloud"\]/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
