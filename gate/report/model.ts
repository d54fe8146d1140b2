import * as path from "path";
import { GateDocument, SourceLocation } from "../../terraform/types";
import { AppliedData, appliesTo, RuleInfo, Severity, severityRank, SEVERITIES } from "../policy";
import { describeSelection, SelectionReport } from "../selection";
import { Finding, Waiver } from "../waivers";

/** failing: unwaived at or above --fail-on; below-threshold: unwaived but less severe; waived. */
export type FindingStatus = "failing" | "below-threshold" | "waived";

export interface DocumentResult {
  document: GateDocument;
  findings: Finding[];
}

/**
 * What a run applied beyond the bundle's defaults, which every report states:
 * the policy bundle, the `--data` overrides (and what they loosened), and the
 * waivers with how many findings each waived.
 */
export interface AppliedConfiguration {
  policy: { dir: string; sha256: string };
  data: AppliedData;
  waivers: { file?: string; entries: (Waiver & { waived: number })[] };
  /**
   * Gate settings taken from those addPolicyGate recorded at synth, and where a
   * trailgate.config.json overrode them (gate/recorded-settings.ts); absent when none.
   */
  recorded?: string[];
}

/** Everything a report renders: one gate run over one or more documents. */
export interface GateRun {
  toolVersion: string;
  /** The rules this run judged (the selection's, when there is one). */
  rules: RuleInfo[];
  failOn: Severity;
  documents: DocumentResult[];
  /** The rule selection (--only/--skip); absent when every rule was judged. */
  selection?: SelectionReport;
  applied: AppliedConfiguration;
}

/** The applied configuration of a run, counting the findings each waiver waived. */
export function appliedConfiguration(
  policy: { dir: string; sha256: string; data: AppliedData },
  waivers: Waiver[],
  waiverFile: string | undefined,
  documents: DocumentResult[],
): AppliedConfiguration {
  const waived = (waiver: Waiver) =>
    documents.reduce((sum, { findings }) => sum + findings.filter((f) => f.waived && f.waiver?.rule === waiver.rule && f.waiver.resource === waiver.resource && f.waiver.expires === waiver.expires).length, 0);
  return {
    policy: { dir: policy.dir, sha256: policy.sha256 },
    data: policy.data,
    waivers: { ...(waiverFile ? { file: waiverFile } : {}), entries: waivers.map((waiver) => ({ ...waiver, waived: waived(waiver) })) },
  };
}

/** One line per input format naming the rules that could not judge it ([] when every rule judged). */
export function notApplicableLines(run: GateRun): string[] {
  const byFormat = new Map<string, Set<string>>();
  for (const { document } of run.documents) {
    const ids = notApplicableRules(run, document).map((rule) => rule.id);
    if (ids.length === 0) continue;
    const set = byFormat.get(document.input.format) ?? new Set<string>();
    ids.forEach((id) => set.add(id));
    byFormat.set(document.input.format, set);
  }
  return [...byFormat].map(([format, ids]) => `not applicable to ${format} input (cannot judge it, not passed): ${[...ids].join(", ")}`);
}

/** Lines stating the data overrides and waivers a run applied ([] when it applied none). */
export function appliedLines(applied: AppliedConfiguration): string[] {
  const lines: string[] = [];
  const { data, waivers } = applied;
  if (data.file) {
    lines.push(`policy data overrides from ${data.file}:`);
    for (const override of data.overrides) {
      lines.push(`  ${override.key} = ${JSON.stringify(override.value)} (default ${JSON.stringify(override.default)})`);
    }
    for (const loosened of data.loosened) lines.push(`  LOOSER THAN THE UK BASELINE: ${loosened.message}`);
  }
  for (const widened of data.widenedTrust) lines.push(`LOOSER THAN THE UK BASELINE (wider trust, TG-LP-009): ${widened}`);
  lines.push(...(applied.recorded ?? []));
  if (waivers.entries.length > 0) {
    lines.push(`waivers${waivers.file ? ` from ${waivers.file}` : ""}: ${waivers.entries.length} loaded, ${waivers.entries.filter((w) => w.waived > 0).length} applied`);
    for (const waiver of waivers.entries) {
      lines.push(`  ${waiver.rule} ${waiver.resource} until ${waiver.expires} (${waiver.waived} waived): ${waiver.reason}`);
    }
  }
  return lines;
}

/** The run's rules that cannot judge this document's input (RuleInfo.inputs): reported not applicable. */
export function notApplicableRules(run: Pick<GateRun, "rules">, document: GateDocument): RuleInfo[] {
  return run.rules.filter((rule) => !appliesTo(rule, document.input.format));
}

/** Why a rule was not applicable to a document, e.g. "not applicable: TG-OPS-001 judges only live input, …". */
export function notApplicableReason(rule: RuleInfo, document: GateDocument): string {
  return `not applicable: ${rule.id} judges only ${rule.inputs.join(", ")} input, and ${document.name} is ${document.input.format} input`;
}

export function findingStatus(finding: Finding, failOn: Severity): FindingStatus {
  if (finding.waived) return "waived";
  return severityRank(finding.severity) >= severityRank(failOn) ? "failing" : "below-threshold";
}

export interface Summary {
  failing: number;
  belowThreshold: number;
  waived: number;
  /** Failing findings per severity. */
  failingBySeverity: Record<Severity, number>;
  /** Rules that judged at least one document. */
  rules: number;
  /** Rules that could judge none of the documents (their inputs exclude every document's format). */
  notApplicable: number;
  documents: number;
}

export function summarize(run: GateRun): Summary {
  const summary: Summary = {
    failing: 0,
    belowThreshold: 0,
    waived: 0,
    failingBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
    rules: 0,
    notApplicable: 0,
    documents: run.documents.length,
  };
  for (const rule of run.rules) {
    if (run.documents.some(({ document }) => appliesTo(rule, document.input.format))) summary.rules++;
    else summary.notApplicable++;
  }
  for (const { findings } of run.documents) {
    for (const finding of findings) {
      const status = findingStatus(finding, run.failOn);
      if (status === "waived") summary.waived++;
      else if (status === "below-threshold") summary.belowThreshold++;
      else {
        summary.failing++;
        summary.failingBySeverity[finding.severity]++;
      }
    }
  }
  return summary;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** e.g. `trailgate: 3 failing (1 critical, 2 high), 1 waived, 47 rules (10 not applicable), 1 document` */
export function summaryLine(run: GateRun): string {
  const summary = summarize(run);
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((severity) => summary.failingBySeverity[severity] > 0)
    .map((severity) => `${summary.failingBySeverity[severity]} ${severity}`);
  const parts = [`${summary.failing} failing${bySeverity.length > 0 ? ` (${bySeverity.join(", ")})` : ""}`];
  if (summary.belowThreshold > 0) parts.push(`${summary.belowThreshold} below --fail-on ${run.failOn}`);
  parts.push(
    `${summary.waived} waived`,
    `${run.selection ? `rules selected: ${describeSelection(run.selection)}` : plural(summary.rules, "rule")}${summary.notApplicable > 0 ? ` (${summary.notApplicable} not applicable)` : ""}`,
    plural(summary.documents, "document"),
  );
  return `trailgate: ${parts.join(", ")}`;
}

/**
 * Where a finding points: its resource's (or provider's) key, else line 1 of the
 * document's file (plans, configuration-wide findings).
 */
export function findingLocation(document: GateDocument, finding: Finding): SourceLocation {
  return document.locations.get(finding.resource) ?? { file: document.file, line: 1 };
}

/** A repo-relative path with '/' separators, as SARIF consumers and CI logs expect; `root` is the repository (--source-root). */
export function displayPath(file: string, root: string = process.cwd()): string {
  // A URI (verify's aws://<account>/<region>) is shown as it is.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  return path.relative(root, path.resolve(file)).split(path.sep).join("/");
}
