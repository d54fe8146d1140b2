import { GateDocument } from "../terraform/types";
import { PolicyBundle, RuleInfo } from "./policy";
import { DocumentResult } from "./report/model";
import { applyWaivers, Waiver } from "./waivers";

/**
 * Evaluates each document on its own (INPUT.md: one configuration per document) and
 * applies waivers. With `rules` (a selection), findings of other rules are dropped.
 */
export function evaluateDocuments(
  documents: GateDocument[],
  bundle: PolicyBundle,
  waivers: Waiver[],
  today: string,
  rules?: RuleInfo[],
): DocumentResult[] {
  const selected = rules ? new Set(rules.map((rule) => rule.id)) : undefined;
  return documents.map((document) => {
    const violations = bundle.evaluate(document.input);
    return {
      document,
      findings: applyWaivers(
        selected ? violations.filter((violation) => selected.has(violation.id)) : violations,
        waivers,
        today,
        document.name,
        (resource) => document.locations.get(resource)?.constructPath,
      ),
    };
  });
}
