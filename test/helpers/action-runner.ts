/**
 * Runs a composite GitHub Action's `run:` steps on this machine the way the runner does:
 * `${{ inputs.* }}` and `${{ steps.<id>.outputs.* }}` substituted, each step's script run
 * by `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`), outputs read back
 * from $GITHUB_OUTPUT, `if:` conditions and the default success() rule applied.
 * `uses:` steps (they need GitHub) are not run; they are returned with their evaluated
 * `with:` so a test can assert what they would receive. Expressions beyond the few forms
 * the action uses are refused, so a change to the action cannot slip past the test.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface ActionFile {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepResult {
  name: string;
  /** false when its `if:` (or an earlier failure) skipped it. */
  ran: boolean;
  /** The script's exit code; undefined for skipped and `uses:` steps. */
  status?: number;
  stdout: string;
  stderr: string;
  /** For a `uses:` step: the action and its evaluated inputs. */
  uses?: { action: string; with: Record<string, string> };
}

export interface ActionRun {
  steps: StepResult[];
  outputs: Record<string, string>;
  /** true when any step that ran exited non-zero (the job step fails). */
  failed: boolean;
}

export function readAction(file: string): ActionFile {
  return YAML.parse(fs.readFileSync(file, "utf8")) as ActionFile;
}

export function runCompositeAction(actionFile: string, inputs: Record<string, string>, workspace: string): ActionRun {
  const action = readAction(actionFile);
  if (action.runs.using !== "composite") throw new Error(`not a composite action: ${action.runs.using}`);
  for (const name of Object.keys(inputs)) if (!(name in action.inputs)) throw new Error(`unknown input ${name}`);
  const inputValues: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = inputs[name] ?? spec.default ?? "";
    if (spec.required && value === "") throw new Error(`input ${name} is required`);
    inputValues[name] = String(value);
  }
  const stepOutputs: Record<string, Record<string, string>> = {};
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-runner-"));
  const lookup = (reference: string): string => {
    const input = /^inputs\.([\w-]+)$/.exec(reference);
    if (input) {
      if (!(input[1] in inputValues)) throw new Error(`the action reads an undeclared input ${input[1]}`);
      return inputValues[input[1]];
    }
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(reference);
    if (output) return stepOutputs[output[1]]?.[output[2]] ?? "";
    throw new Error(`unsupported expression ${reference}`);
  };
  const substitute = (text: string) => text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, reference: string) => lookup(reference));
  let failed = false;
  const condition = (expression: string | undefined): boolean => {
    if (expression === undefined) return !failed;
    const terms = expression.split("&&").map((term) => term.trim());
    const always = terms.includes("always()");
    return (always || !failed) && terms.filter((term) => term !== "always()").every((term) => {
      const comparison = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(term);
      if (!comparison) throw new Error(`unsupported condition ${term}`);
      const equal = lookup(comparison[1]) === comparison[3];
      return comparison[2] === "==" ? equal : !equal;
    });
  };
  const steps: StepResult[] = [];
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      const name = step.name ?? step.id ?? `step ${index + 1}`;
      if (!condition(step.if)) {
        steps.push({ name, ran: false, stdout: "", stderr: "" });
        continue;
      }
      if (step.uses) {
        const withValues = Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, substitute(String(value))]));
        steps.push({ name, ran: true, stdout: "", stderr: "", uses: { action: step.uses, with: withValues } });
        continue;
      }
      if (step.shell !== "bash" || step.run === undefined) throw new Error(`step ${name}: only shell: bash run steps are supported`);
      const stepDir = fs.mkdtempSync(path.join(runnerTemp, "step-"));
      const script = path.join(stepDir, "script.sh");
      const outputFile = path.join(stepDir, "output");
      fs.writeFileSync(script, substitute(step.run));
      fs.writeFileSync(outputFile, "");
      const env: NodeJS.ProcessEnv = { ...process.env, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: workspace, GITHUB_ACTION_PATH: path.dirname(actionFile) };
      for (const [key, value] of Object.entries(step.env ?? {})) env[key] = substitute(String(value));
      const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: workspace, env, encoding: "utf8" });
      if (step.id) stepOutputs[step.id] = parseOutputs(fs.readFileSync(outputFile, "utf8"));
      const status = result.status ?? 128;
      if (status !== 0) failed = true;
      steps.push({ name, ran: true, status, stdout: result.stdout, stderr: result.stderr });
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([key, spec]) => [key, substitute(spec.value)]));
    return { steps, outputs, failed };
  } finally {
    fs.rmSync(runnerTemp, { recursive: true, force: true });
  }
}

/** $GITHUB_OUTPUT lines `name=value`; the multi-line `name<<DELIMITER` form is refused (the action does not use it). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split("\n").filter((line) => line !== "")) {
    const match = /^([\w-]+)=(.*)$/.exec(line);
    if (!match) throw new Error(`unsupported GITHUB_OUTPUT line ${JSON.stringify(line)}`);
    outputs[match[1]] = match[2];
  }
  return outputs;
}
