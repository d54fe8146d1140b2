import { TerraformStack } from "cdktf";
import { describeError } from "./errors";
import { evaluateDocuments } from "./gate";
import { synthDocument } from "./normalize";
import { JsonObject } from "./normalize/types";
import { loadPolicyBundle, Severity } from "./policy";
import { findingStatus } from "./report/model";
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

/**
 * The errors the gate reports for `stack`: one per failing violation, or one
 * describing why the gate could not run (missing or stale bundle, bad waivers).
 * Failing closed here is what stops `cdktf deploy` before any apply.
 */
export function policyGateErrors(stack: TerraformStack, options: PolicyGateOptions = {}): string[] {
  try {
    const bundle = loadPolicyBundle({ policyDir: options.policyDir, dataFile: options.dataFile });
    const knownRuleIds = new Set(bundle.ruleById.keys());
    const waivers = [
      ...(options.waiversFile ? loadWaivers(options.waiversFile, knownRuleIds) : []),
      ...(options.waivers ? parseWaivers({ waivers: options.waivers }, "addPolicyGate waivers", knownRuleIds) : []),
    ];
    // toTerraform() is the resolved JSON cdktf writes to cdk.tf.json.
    const document = synthDocument(stack.node.id, stack.toTerraform() as JsonObject);
    const [result] = evaluateDocuments([document], bundle, waivers, options.today ?? todayUtc());
    return result.findings
      .filter((finding) => findingStatus(finding, options.failOn ?? "low") === "failing")
      .map(
        (finding) =>
          `trailgate ${finding.severity} ${finding.id} ${finding.resource || "(configuration)"}: ${finding.message} (see \`trailgate explain ${finding.id}\`)`,
      );
  } catch (error) {
    return [`trailgate: the policy gate could not run: ${describeError(error)}`];
  }
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
  stack.node.addValidation({ validate: () => policyGateErrors(stack, options) });
}
