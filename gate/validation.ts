import { Annotations, TerraformStack } from "cdktf";
import { describeError } from "./errors";
import { evaluateDocuments } from "./gate";
import { synthDocument } from "./normalize";
import { JsonObject } from "./normalize/types";
import { loadPolicyBundle, Severity } from "./policy";
import { appliedConfiguration, appliedLines, findingStatus } from "./report/model";
import { loadWaivers, parseWaivers, todayUtc, Waiver } from "./waivers";

export interface PolicyGateOptions {
  /** Policy bundle directory. @default build/policy (or TRAILGATE_POLICY_DIR) */
  readonly policyDir?: string;
  /** A `--data` style overrides file: {"trailgate":{"config":{…}}}. */
  readonly dataFile?: string;
  /** A waiver file, as `trailgate check --waivers` takes. */
  readonly waiversFile?: string;
  /** Waivers given in code, validated like a waiver file's entries. */
  readonly waivers?: Waiver[];
  /** Lowest severity that fails synth. @default "low" */
  readonly failOn?: Severity;
  /** YYYY-MM-DD the waivers are checked against. @default today (UTC) */
  readonly today?: string;
}

/** What the synth-time gate found: the failing findings, and what it applied (data overrides, waivers). */
export interface PolicyGateResult {
  errors: string[];
  /** Lines stating the data overrides and waivers applied ([] when none). */
  applied: string[];
}

/**
 * The errors the gate reports for `stack`: one per failing violation, or one
 * describing why the gate could not run (missing or stale bundle, bad waivers),
 * and the data overrides and waivers it applied.
 * Failing closed here is what stops `cdktf deploy` before any apply.
 */
export function policyGateResult(stack: TerraformStack, options: PolicyGateOptions = {}): PolicyGateResult {
  try {
    const bundle = loadPolicyBundle({ policyDir: options.policyDir, dataFile: options.dataFile });
    const knownRuleIds = new Set(bundle.ruleById.keys());
    const waivers = [
      ...(options.waiversFile ? loadWaivers(options.waiversFile, knownRuleIds) : []),
      ...(options.waivers ? parseWaivers({ waivers: options.waivers }, "addPolicyGate waivers", knownRuleIds) : []),
    ];
    // toTerraform() is the resolved JSON cdktf writes to cdk.tf.json.
    const document = synthDocument(stack.node.id, stack.toTerraform() as JsonObject);
    const results = evaluateDocuments([document], bundle, waivers, options.today ?? todayUtc());
    const errors = results[0].findings
      .filter((finding) => findingStatus(finding, options.failOn ?? "low") === "failing")
      .map(
        (finding) =>
          `trailgate ${finding.severity} ${finding.id} ${finding.resource || "(configuration)"}: ${finding.message} (see \`trailgate explain ${finding.id}\`)`,
      );
    const applied = appliedLines(appliedConfiguration(bundle, waivers, options.waiversFile, results)).map((line) => `trailgate: ${line.trim()}`);
    return { errors, applied };
  } catch (error) {
    return { errors: [`trailgate: the policy gate could not run: ${describeError(error)}`], applied: [] };
  }
}

/** The errors of policyGateResult: what fails synthesis. */
export function policyGateErrors(stack: TerraformStack, options: PolicyGateOptions = {}): string[] {
  return policyGateResult(stack, options).errors;
}

/**
 * Gates `cdktf synth` and `cdktf deploy` on the policy: cdktf runs stack
 * validations during synthesis and refuses to write the stack (so deploy never
 * reaches apply) when any returns an error.
 *
 *   const stack = new TrailgateStack(app, "audit", config);
 *   addPolicyGate(stack, { waiversFile: "waivers.json" });
 *   app.synth();
 */
export function addPolicyGate(stack: TerraformStack, options: PolicyGateOptions = {}): void {
  stack.node.addValidation({
    validate: () => {
      const { errors, applied } = policyGateResult(stack, options);
      // cdktf synth prints warnings even when synthesis passes: a waiver or a
      // data override is never applied silently.
      for (const line of applied) Annotations.of(stack).addWarning(line);
      return errors;
    },
  });
}
