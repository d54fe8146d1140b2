/**
 * The Atlantis example (examples/atlantis/repos.yaml): its workflow plans, writes the
 * plan JSON to $SHOWFILE (Atlantis's documented `terraform show -json $PLANFILE >
 * $SHOWFILE`) and gates it. The gate's step runs here exactly as written, through
 * `sh -c` as Atlantis runs `run` steps, with Atlantis's DIR and SHOWFILE set and the
 * gate on PATH: findings stop the workflow (non-zero exit), an unreadable plan too.
 * (Planning needs AWS credentials, so the show step is not run here.)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const repo = path.resolve(__dirname, "..");
const config = YAML.parse(fs.readFileSync(path.join(repo, "examples", "atlantis", "repos.yaml"), "utf8"));
let work: string;
let pathWithGate: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, "build", "policy", "policy.wasm"))) throw new Error("run `bash scripts/build-policy.sh` before these tests");
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-atlantis-"));
  // The gate installed globally on the Atlantis image: `trailgate` on PATH.
  fs.mkdirSync(path.join(work, "bin"));
  fs.symlinkSync(path.join(repo, "bin", "trailgate.js"), path.join(work, "bin", "trailgate"));
  pathWithGate = `${path.join(work, "bin")}:${process.env.PATH}`;
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function planSteps(): (string | { run: string })[] {
  const workflowName = config.repos[0].workflow;
  return config.workflows[workflowName].plan.steps;
}

/** The `run` steps after `plan`, as Atlantis would run them in the project's folder. */
function runSteps(): string[] {
  return planSteps().filter((step): step is { run: string } => typeof step === "object" && "run" in step).map((step) => step.run);
}

function runGateStep(dir: string, showfile: string) {
  const gateStep = runSteps().find((command) => command.includes("trailgate"));
  if (!gateStep) throw new Error("the workflow has no trailgate step");
  return spawnSync("sh", ["-c", gateStep], {
    cwd: dir,
    env: { ...process.env, PATH: pathWithGate, DIR: dir, PLANFILE: path.join(dir, "default.tfplan"), SHOWFILE: showfile, WORKSPACE: "default", REPO_REL_DIR: "." },
    encoding: "utf8",
  });
}

test("every repo uses the workflow; it inits, plans, writes $SHOWFILE from $PLANFILE, then gates $SHOWFILE", () => {
  expect(config.repos).toEqual([{ id: "/.*/", workflow: "trailgate" }]);
  const steps = planSteps();
  expect(steps.slice(0, 2)).toEqual(["init", "plan"]);
  expect(runSteps()).toEqual(['terraform show -json "$PLANFILE" > "$SHOWFILE"', 'trailgate check "$SHOWFILE" --config "$DIR" --fail-on high']);
});

test("a project's plan with high findings fails the step, the findings in its output", () => {
  const project = path.join(work, "class1-locals");
  fs.cpSync(path.join(repo, "test", "gate", "plan-fixtures", "class1-locals"), project, { recursive: true });
  const showfile = path.join(project, "default.tfplan.json");
  fs.renameSync(path.join(project, "plan.json"), showfile);
  const result = runGateStep(project, showfile);
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/^high\s+TG-/m);
  // The counts follow the rule set; what matters here is that findings at --fail-on fail and the rest are listed below it.
  expect(result.stdout).toMatch(/^trailgate: [1-9]\d* failing \((\d+ critical, )?\d+ high\), [1-9]\d* below --fail-on high/m);
});

test("an empty or missing plan JSON (terraform show failed) fails the step with exit code 2", () => {
  const project = path.join(work, "broken");
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, "default.tfplan.json"), "");
  const empty = runGateStep(project, path.join(project, "default.tfplan.json"));
  expect(empty.status).toBe(2);
  expect(empty.stderr).toMatch(/^trailgate: error: /);
  const missing = runGateStep(project, path.join(project, "nothing.json"));
  expect(missing.status).toBe(2);
});
