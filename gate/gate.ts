import { GateDocument } from "./normalize/types";
import { PolicyBundle } from "./policy";
import { DocumentResult } from "./report/model";
import { applyWaivers, Waiver } from "./waivers";

/** Evaluates each document on its own (INPUT.md: one configuration per document) and applies waivers. */
export function evaluateDocuments(
  documents: GateDocument[],
  bundle: PolicyBundle,
  waivers: Waiver[],
  today: string,
): DocumentResult[] {
  return documents.map((document) => ({
    document,
    findings: applyWaivers(bundle.evaluate(document.input), waivers, today, document.name),
  }));
}
