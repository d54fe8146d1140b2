import { forTerminal } from "../../core/output-safety";
import { appliedLines, displayPath, findingLocation, GateRun, notApplicableLines, summaryLine } from "./model";
import { displayItems, DisplayOptions, groupedMessage, truncateForDisplay } from "./readable";

/** Workflow command data: %, CR and LF are escaped (GitHub's documented escapes). */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow command property values also escape the separators : and ,. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * GitHub Actions workflow commands, one per unwaived finding, so a pull request shows
 * each finding inline at its file and line:
 *   ::error file=cdktf.out/stacks/x/cdk.tf.json,line=12,title=TG-ENC-001 (high)::aws_s3_bucket.x: …
 * The level follows --fail-on: what fails the job is an error, whatever its severity;
 * findings below --fail-on are notices; waived findings are left out (they are in the
 * json, sarif and junit reports). Repeats of one rule on one resource are one
 * annotation listing its members (`expand`: one each); long messages are cut. The
 * last line is the summary.
 */
export function renderGithub(run: GateRun, options: DisplayOptions = {}): string {
  const lines: string[] = [];
  for (const { document, findings } of run.documents) {
    for (const { finding, status, members } of displayItems(findings, run.failOn, options)) {
      if (status === "waived") continue;
      const location = findingLocation(document, finding);
      const command = status === "failing" ? "error" : "notice";
      const where = [finding.resource || "(configuration)", ...(location.constructPath ? [`construct ${location.constructPath}`] : [])];
      const note = status === "below-threshold" ? ` [below --fail-on ${run.failOn}]` : "";
      const properties = [
        `file=${escapeProperty(displayPath(location.file, options.sourceRoot))}`,
        `line=${location.line}`,
        `title=${escapeProperty(`${finding.id} (${finding.severity}) ${finding.title}`)}`,
      ].join(",");
      const message = members ? groupedMessage(members) : truncateForDisplay(finding.message);
      lines.push(`::${command} ${properties}::${escapeData(`${where.join(" ")}: ${message}${note} (trailgate explain ${finding.id})`)}`);
    }
  }
  // The data overrides and waivers applied, as notices a reviewer sees in the check run.
  const applied = appliedLines(run.applied);
  if (applied.length > 0) lines.push(`::notice title=trailgate applied::${escapeData(applied.join("\n"))}`);
  for (const line of notApplicableLines(run)) lines.push(`::notice title=trailgate rules not applicable::${escapeData(line)}`);
  lines.push(summaryLine(run));
  // Names and messages come from the input: no control character reaches the CI log.
  return `${lines.map(forTerminal).join("\n")}\n`;
}
