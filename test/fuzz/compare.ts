/**
 * Compares the gate's reading of a mutant module folder with Terraform's own
 * (the plan Terraform made of the same folder, read by the gate's plan reader):
 * - fail-open: a finding the gate reports on Terraform's plan but not on the folder;
 * - false positive: a finding on the folder that Terraform's plan does not have;
 * - refused by both / refused only by the gate (fail closed) / only by Terraform;
 * - crash: anything but a clean GateInputError while reading or evaluating.
 */
import * as fs from "fs";
import * as path from "path";
import { GateInputError } from "../../core/errors";
import { loadDocuments } from "../../terraform";
import { normalizePlan, PlanJson } from "../../terraform/plan";
import { PolicyBundle } from "../../gate/policy";
import { Mutant } from "./mutants";
import { OracleVerdict } from "./oracle";

export type Outcome =
  | { kind: "agree"; findings: number }
  | { kind: "both-refuse"; gate: string; terraform: string }
  | { kind: "gate-refuses"; gate: string }
  | { kind: "terraform-refuses"; terraform: string; gateFindings: number }
  | { kind: "fail-open"; missing: string[]; extra: string[] }
  | { kind: "false-positive"; extra: string[] }
  | { kind: "crash"; error: string };

export type GateReading = { kind: "read"; findings: Set<string> } | { kind: "refused"; reason: string } | { kind: "crash"; error: string };

function findingKeys(bundle: PolicyBundle, input: Parameters<PolicyBundle["evaluate"]>[0]): Set<string> {
  return new Set(bundle.evaluate(input).map((v) => `${v.id} ${v.resource}`));
}

/** The gate's findings on a module folder (TF_VAR_ from no environment: the oracle has none either). */
export function readFolder(bundle: PolicyBundle, dir: string): GateReading {
  try {
    const documents = loadDocuments(dir, { env: {} });
    return { kind: "read", findings: findingKeys(bundle, documents[0].input) };
  } catch (error) {
    if (error instanceof GateInputError) return { kind: "refused", reason: error.message };
    return { kind: "crash", error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) };
  }
}

export function writeMutant(mutant: Mutant, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(mutant.files)) fs.writeFileSync(path.join(dir, name), text);
}

/** The outcome for one mutant, given the gate's reading of its folder and Terraform's verdict. */
export function compare(bundle: PolicyBundle, gate: GateReading, terraform: OracleVerdict): Outcome {
  if (gate.kind === "crash") return gate;
  if (!terraform.accepted) {
    return gate.kind === "refused"
      ? { kind: "both-refuse", gate: gate.reason, terraform: terraform.reason }
      : { kind: "terraform-refuses", terraform: terraform.reason, gateFindings: gate.findings.size };
  }
  if (gate.kind === "refused") return { kind: "gate-refuses", gate: gate.reason };
  let planFindings: Set<string>;
  try {
    planFindings = findingKeys(bundle, normalizePlan(terraform.plan as unknown as PlanJson));
  } catch (error) {
    return { kind: "crash", error: `reading Terraform's plan: ${error instanceof Error ? error.message : String(error)}` };
  }
  const missing = [...planFindings].filter((key) => !gate.findings.has(key)).sort();
  const extra = [...gate.findings].filter((key) => !planFindings.has(key)).sort();
  if (missing.length > 0) return { kind: "fail-open", missing, extra };
  if (extra.length > 0) return { kind: "false-positive", extra };
  return { kind: "agree", findings: planFindings.size };
}
