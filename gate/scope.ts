import { GateDocument } from "../terraform/types";
import { Finding } from "./waivers";

/** Whether a construct path is one of `roots` or inside one. */
export function withinConstructPaths(constructPath: string, roots: readonly string[]): boolean {
  return roots.some((root) => constructPath === root || constructPath.startsWith(`${root}/`));
}

/**
 * Keeps the findings the baseline governs in synthesized input: those on resources
 * under the construct paths `roots`, on the providers those resources use, and
 * configuration-wide ones. A resource cdktf did not place (no construct path) is kept:
 * judged, rather than dropped unseen. The same filter serves addPolicyGate's scope and
 * `check`'s (trailgate.config.json `scope`), so both give one verdict on one output.
 */
export function findingsInScope(document: GateDocument, findings: Finding[], roots: readonly string[]): Finding[] {
  const usedProviders = new Set<string>();
  for (const resources of Object.values(document.input.resources)) {
    for (const resource of resources) {
      const constructPath = document.locations.get(resource.address)?.constructPath;
      if (constructPath !== undefined && withinConstructPaths(constructPath, roots)) usedProviders.add(resource.provider);
    }
  }
  return findings.filter((finding) => {
    if (finding.resource === "") return true;
    const constructPath = document.locations.get(finding.resource)?.constructPath;
    if (constructPath !== undefined) return withinConstructPaths(constructPath, roots);
    if (finding.resource.startsWith("provider.")) return usedProviders.has(finding.resource);
    return true;
  });
}

/** Whether any resource of the document lies under one of `roots`. */
export function scopeMatches(document: GateDocument, roots: readonly string[]): boolean {
  return Object.values(document.input.resources).some((resources) =>
    resources.some((resource) => {
      const constructPath = document.locations.get(resource.address)?.constructPath;
      return constructPath !== undefined && withinConstructPaths(constructPath, roots);
    }),
  );
}
