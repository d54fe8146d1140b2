import { forTerminal } from "../output-safety";
import { appliedLines, findingLocation, findingStatus, GateRun, notApplicableLines, summaryLine } from "./model";

/**
 * A short table (severity, rule, resource, message) and the summary line; for
 * synthesized input also the construct path of each resource (CONSTRUCT), the place a
 * cdktf user edits.
 */
export function renderText(run: GateRun): string {
  const multipleDocuments = run.documents.length > 1;
  const constructPaths = run.documents.map(({ document, findings }) =>
    findings.map((finding) => (document.input.format === "synth" ? findingLocation(document, finding).constructPath : undefined)),
  );
  const withConstructs = constructPaths.some((paths) => paths.some((constructPath) => constructPath !== undefined));
  const header = ["SEVERITY", "RULE", ...(multipleDocuments ? ["DOCUMENT"] : []), "RESOURCE", ...(withConstructs ? ["CONSTRUCT"] : []), "MESSAGE"];
  const rows: string[][] = [];
  for (const [documentIndex, { document, findings }] of run.documents.entries()) {
    for (const [findingIndex, finding] of findings.entries()) {
      const status = findingStatus(finding, run.failOn);
      const note =
        status === "waived" && finding.waiver
          ? ` [waived until ${finding.waiver.expires}: ${finding.waiver.reason}]`
          : status === "below-threshold"
            ? ` [below --fail-on ${run.failOn}]`
            : "";
      rows.push([
        finding.severity,
        finding.id,
        ...(multipleDocuments ? [document.name] : []),
        finding.resource || "-",
        ...(withConstructs ? [constructPaths[documentIndex][findingIndex] ?? "-"] : []),
        `${finding.message}${note}`,
      ]);
    }
  }
  const lines: string[] = [];
  if (rows.length > 0) {
    const widths = header.map((cell) => cell.length);
    for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column], cell.length)));
    for (const row of [header, ...rows]) {
      lines.push(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join("  "));
    }
  }
  lines.push(...notApplicableLines(run));
  lines.push(...appliedLines(run.applied));
  lines.push(summaryLine(run));
  // Names and messages come from the input: no control character reaches the terminal.
  return `${lines.map(forTerminal).join("\n")}\n`;
}
