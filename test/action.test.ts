/**
 * The reusable GitHub Action (action.yml at the repository root): actionlint checks its
 * metadata through a workflow that uses it, and its steps run here as the runner would
 * run them (test/helpers/action-runner.ts), installing this checkout into RUNNER_TEMP
 * and gating a fixture plan: SARIF written, annotations printed, the threshold applied,
 * an unreadable input failing the step with exit code 2 and nothing to upload.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ActionRun, readAction, runCompositeAction } from "./helpers/action-runner";
import { WAIVER_EXPIRES } from "./helpers/waivers";

const repo = path.resolve(__dirname, "..");
const actionFile = path.join(repo, "action.yml");
const fixturePlan = path.join(repo, "test", "gate", "fixtures", "plan.json");
let workspace: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, "build", "policy", "policy.wasm"))) throw new Error("run `bash scripts/build-policy.sh` before these tests");
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-action-"));
  fs.copyFileSync(fixturePlan, path.join(workspace, "plan.json"));
});

afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** The action with this checkout as its package (npm links a directory spec: no registry, no pack). */
function runAction(inputs: Record<string, string>): ActionRun {
  return runCompositeAction(actionFile, { package: repo, ...inputs }, workspace);
}

function step(run: ActionRun, name: string) {
  const found = run.steps.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
}

/** Findings of the fixture plan by severity, read from the gate's own JSON report. */
function fixtureFindings(): { id: string; resource: string; severity: string }[] {
  const result = spawnSync(process.execPath, [path.join(repo, "bin", "trailgate.js"), "check", fixturePlan, "--format", "json"], { encoding: "utf8" });
  return JSON.parse(result.stdout).documents.flatMap((document: { findings: { id: string; resource: string; severity: string }[] }) => document.findings);
}

describe("actionlint", () => {
  let actionlint: string;
  let project: string;
  beforeAll(() => {
    actionlint = execFileSync("bash", [path.join(repo, "tools", "actionlint", "install.sh")], { encoding: "utf8" }).trim().split("\n").pop() as string;
    project = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-actionlint-"));
    fs.mkdirSync(path.join(project, ".git"));
    fs.mkdirSync(path.join(project, ".github", "workflows"), { recursive: true });
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  /** Lints a workflow that uses the action from the repository root (uses: ./), as actionlint resolves local actions. */
  function lintUsing(action: string, withBlock: string) {
    fs.writeFileSync(path.join(project, "action.yml"), action);
    const workflow = path.join(project, ".github", "workflows", "gate.yml");
    fs.writeFileSync(
      workflow,
      [
        "name: gate",
        "on: pull_request",
        "permissions:",
        "  contents: read",
        "jobs:",
        "  gate:",
        "    runs-on: ubuntu-latest",
        "    permissions:",
        "      contents: read",
        "      security-events: write",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: ./",
        "        id: trailgate",
        "        with:",
        ...withBlock.split("\n").map((line) => `          ${line}`),
        "      - if: always()",
        "        run: echo \"gate exited ${{ steps.trailgate.outputs.exit-code }}\"",
        "",
      ].join("\n"),
    );
    return spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", workflow], { cwd: project, encoding: "utf8" });
  }

  test("passes a workflow using the action", () => {
    const result = lintUsing(fs.readFileSync(actionFile, "utf8"), "path: plan.json\nfail-on: high");
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: "" });
  });

  test("catches a workflow missing the required input, and a broken action (the check can fail)", () => {
    const missing = lintUsing(fs.readFileSync(actionFile, "utf8"), "fail-on: high");
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/missing input "path"/);
    const broken = lintUsing(fs.readFileSync(actionFile, "utf8").replace("using: composite", "using: compost"), "path: plan.json");
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain("compost");
  });
});

test("every input and output the action declares is described, and inputs reach the scripts only through env", () => {
  const action = readAction(actionFile);
  for (const spec of [...Object.values(action.inputs), ...Object.values(action.outputs)]) expect((spec as { description?: string }).description).toBeTruthy();
  // ${{ }} inside a script is pasted into the shell text (injection); env values are not.
  for (const step of action.runs.steps) if (step.run) expect(step.run).not.toContain("${{");
});

test("a plan with findings: SARIF written and handed to the upload, the PR annotated, the job fails with exit code 1", () => {
  fs.mkdirSync(path.join(workspace, "out"), { recursive: true });
  const run = runAction({ path: "plan.json", "sarif-file": "out/trailgate.sarif" });
  expect(run.outputs["exit-code"]).toBe("1");
  expect(run.failed).toBe(true);
  const gate = step(run, "gate");
  expect(gate.status).toBe(0);
  // At the default fail-on (low) every finding fails, so every annotation is an error,
  // exactly as `trailgate check --format github` prints them (grouped per rule and resource).
  const cli = spawnSync(process.execPath, [path.join(repo, "bin", "trailgate.js"), "check", "plan.json", "--format", "github"], { cwd: workspace, encoding: "utf8" });
  const annotations = (text: string) => text.split("\n").filter((line) => line.startsWith("::"));
  const errors = annotations(gate.stdout).filter((line) => line.startsWith("::error file=plan.json"));
  expect(errors.length).toBeGreaterThan(0);
  expect(annotations(gate.stdout)).toEqual(annotations(cli.stdout));
  for (const finding of fixtureFindings()) {
    expect({ finding, annotated: errors.some((line) => line.includes(`title=${finding.id} (${finding.severity})`)) }).toEqual({ finding, annotated: true });
  }
  const sarif = JSON.parse(fs.readFileSync(path.join(workspace, "out", "trailgate.sarif"), "utf8"));
  // Rules that cannot judge a plan are results of kind notApplicable, not findings.
  expect(sarif.runs[0].results.filter((result: { kind?: string }) => result.kind !== "notApplicable").length).toBe(fixtureFindings().length);
  expect(step(run, "upload SARIF to code scanning").uses).toEqual({
    action: "github/codeql-action/upload-sarif@v3",
    with: { sarif_file: "out/trailgate.sarif", category: "trailgate" },
  });
  expect(run.outputs["sarif-file"]).toBe("out/trailgate.sarif");
  expect(run.outputs.summary).toMatch(/^trailgate: \d+ failing/);
  const verdict = step(run, "fail on findings at or above fail-on");
  expect(verdict.status).toBe(1);
  expect(verdict.stdout).toContain("::error title=trailgate::trailgate:");
});

test("the threshold: findings below fail-on become notices and the job passes; at fail-on it fails", () => {
  // Waive the critical and high findings; the medium ones remain.
  const findings = fixtureFindings();
  const medium = findings.filter((finding) => finding.severity === "medium");
  expect(medium.length).toBeGreaterThan(0);
  const waivers = findings
    .filter((finding) => ["critical", "high"].includes(finding.severity))
    .map((finding) => ({ rule: finding.id, resource: finding.resource || "(configuration)", reason: "action test", expires: WAIVER_EXPIRES }));
  fs.writeFileSync(path.join(workspace, "waivers.json"), JSON.stringify({ waivers }));

  const high = runAction({ path: "plan.json", waivers: "waivers.json", "fail-on": "high", "upload-sarif": "false" });
  expect(high.outputs["exit-code"]).toBe("0");
  expect(high.failed).toBe(false);
  expect(step(high, "upload SARIF to code scanning").ran).toBe(false);
  expect(step(high, "gate").stdout).not.toMatch(/^::error /m);
  expect(step(high, "gate").stdout.match(/^::notice file=plan\.json/gm)?.length).toBe(medium.length);

  const mediumRun = runAction({ path: "plan.json", waivers: "waivers.json", "fail-on": "medium", annotate: "false" });
  expect(mediumRun.outputs["exit-code"]).toBe("1");
  expect(mediumRun.failed).toBe(true);
  expect(step(mediumRun, "gate").stdout).not.toContain("::");
});

test("an unreadable input fails the gate step with exit code 2, and nothing is uploaded", () => {
  const run = runAction({ path: "missing-plan.json" });
  expect(run.outputs["exit-code"]).toBe("2");
  expect(run.outputs["sarif-file"]).toBe("");
  expect(run.outputs.summary).toMatch(/^trailgate: error: .*missing-plan\.json/);
  expect(step(run, "gate").status).toBe(2);
  expect(step(run, "upload SARIF to code scanning").ran).toBe(false);
  expect(step(run, "fail on findings at or above fail-on").status).toBe(2);
  expect(run.failed).toBe(true);
});

test("a package that is not the gate fails the install step, and nothing after it runs", () => {
  const notTheGate = path.join(workspace, "not-the-gate");
  fs.mkdirSync(notTheGate, { recursive: true });
  fs.writeFileSync(path.join(notTheGate, "package.json"), JSON.stringify({ name: "not-the-gate", version: "1.0.0" }));
  const run = runCompositeAction(actionFile, { package: notTheGate, path: "plan.json" }, workspace);
  expect(step(run, "install the gate").status).toBe(2);
  expect(step(run, "install the gate").stdout).toContain("has no trailgate command");
  expect(step(run, "gate").ran).toBe(false);
  expect(run.outputs["exit-code"]).toBe("");
});
