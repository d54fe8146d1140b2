import { forTerminal } from "../../core/output-safety";
import { appliedLines, displayPath, findingLocation, GateRun, notApplicableLines, summaryLine } from "./model";
import { displayItems, DisplayOptions, groupHeading, memberLines, truncateForDisplay } from "./readable";

const TERRAFORM_FILE = /\.tf(\.json)?$/;

/**
 * A short table (severity, rule, resource, message) and the summary line; for
 * synthesized input also the construct path of each resource (CONSTRUCT), the place a
 * cdktf user edits. Repeats of one rule on one resource are one row listing its
 * members (`expand` lists each); long messages are cut (json and sarif keep them whole).
 */
export function renderText(run: GateRun, options: DisplayOptions = {}): string {
  const multipleDocuments = run.documents.length > 1;
  const items = run.documents.map(({ document, findings }) => displayItems(findings, run.failOn, options).map((item) => ({ document, ...item })));
  const constructPathOf = (item: (typeof items)[number][number]) =>
    item.document.input.format === "synth" ? findingLocation(item.document, item.finding).constructPath : undefined;
  const withConstructs = items.some((list) => list.some((item) => constructPathOf(item) !== undefined));
  // The user's source line of a synthesized resource (recorded at synth), where someone edits it.
  const sourceOf = (item: (typeof items)[number][number]) => {
    if (item.document.input.format !== "synth") return undefined;
    const location = findingLocation(item.document, item.finding);
    // The generated configuration (cdk.tf.json, an override file) is not where anyone edits.
    const generated = TERRAFORM_FILE.test(location.file) || location.file === item.document.file;
    return generated ? undefined : `${displayPath(location.file, options.sourceRoot)}:${location.line}`;
  };
  const withSources = items.some((list) => list.some((item) => sourceOf(item) !== undefined));
  const header = [
    "SEVERITY",
    "RULE",
    ...(multipleDocuments ? ["DOCUMENT"] : []),
    "RESOURCE",
    ...(withConstructs ? ["CONSTRUCT"] : []),
    ...(withSources ? ["SOURCE"] : []),
    "MESSAGE",
  ];
  const rows: { cells: string[]; members: string[] }[] = [];
  for (const list of items) {
    for (const item of list) {
      const { document, finding, status, members } = item;
      const note =
        status === "waived" && finding.waiver
          ? ` [waived until ${finding.waiver.expires}: ${finding.waiver.reason}]`
          : status === "below-threshold"
            ? ` [below --fail-on ${run.failOn}]`
            : "";
      const message = members ? groupHeading(members) : truncateForDisplay(finding.message);
      rows.push({
        cells: [
          finding.severity,
          finding.id,
          ...(multipleDocuments ? [document.name] : []),
          finding.resource || "-",
          ...(withConstructs ? [constructPathOf(item) ?? "-"] : []),
          ...(withSources ? [sourceOf(item) ?? "-"] : []),
          `${message}${note}`,
        ],
        members: members ? memberLines(members, "    ") : [],
      });
    }
  }
  const lines: string[] = [];
  if (rows.length > 0) {
    const widths = header.map((cell) => cell.length);
    for (const { cells } of rows) cells.forEach((cell, column) => (widths[column] = Math.max(widths[column], cell.length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join("  ");
    lines.push(line(header));
    for (const { cells, members } of rows) lines.push(line(cells), ...members);
  }
  lines.push(...notApplicableLines(run));
  lines.push(...appliedLines(run.applied));
  lines.push(summaryLine(run));
  // Names and messages come from the input: no control character reaches the terminal.
  return `${lines.map(forTerminal).join("\n")}\n`;
}
