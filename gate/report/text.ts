import { forTerminal } from "../output-safety";
import { appliedLines, findingStatus, GateRun, summaryLine } from "./model";

/** A short table (severity, rule, resource, message) and the summary line. */
export function renderText(run: GateRun): string {
  const multipleDocuments = run.documents.length > 1;
  const header = ["SEVERITY", "RULE", ...(multipleDocuments ? ["DOCUMENT"] : []), "RESOURCE", "MESSAGE"];
  const rows: string[][] = [];
  for (const { document, findings } of run.documents) {
    for (const finding of findings) {
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
  lines.push(...appliedLines(run.applied));
  lines.push(summaryLine(run));
  // Names and messages come from the input: no control character reaches the terminal.
  return `${lines.map(forTerminal).join("\n")}\n`;
}
