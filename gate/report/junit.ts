import { appliedLines, findingStatus, GateRun, notApplicableReason } from "./model";
import { appliesTo } from "../policy";
import { forXml } from "../../core/output-safety";
import { describeSelection } from "../selection";
import { Finding } from "../waivers";

/** XML text: escaped, and characters XML 1.0 cannot carry (controls, U+FFFF, lone surrogates) replaced. */
const xml = forXml;

function describe(finding: Finding): string {
  return `${finding.resource || "(configuration)"}: ${finding.message}`;
}

/**
 * JUnit XML: one testsuite per document, one testcase per rule in each document.
 * A rule with a failing finding fails; one whose findings are all waived is
 * skipped; findings below --fail-on are listed in system-out of a passing case. A rule
 * that cannot judge the document's input (RuleInfo.inputs) is skipped as not applicable.
 */
export function renderJunit(run: GateRun): string {
  const suites: string[] = [];
  // Suite properties: the rule selection (--only/--skip; rules outside it have no test
  // case), then the data overrides and waivers applied.
  const propertyLines = [
    ...(run.selection ? [`      <property name="trailgate.selection" value="${xml(describeSelection(run.selection))}"/>`] : []),
    ...appliedLines(run.applied).map((line, index) => `      <property name="trailgate.applied.${index + 1}" value="${xml(line.trim())}"/>`),
  ];
  const properties = propertyLines.length > 0 ? `    <properties>\n${propertyLines.join("\n")}\n    </properties>\n` : "";
  let totalFailures = 0;
  let totalSkipped = 0;
  for (const { document, findings } of run.documents) {
    const byRule = new Map<string, Finding[]>();
    for (const finding of findings) {
      const list = byRule.get(finding.id);
      if (list) list.push(finding);
      else byRule.set(finding.id, [finding]);
    }
    let failures = 0;
    let skipped = 0;
    const cases = run.rules.map((rule) => {
      const ruleFindings = byRule.get(rule.id) ?? [];
      const failing = ruleFindings.filter((finding) => findingStatus(finding, run.failOn) === "failing");
      const waived = ruleFindings.filter((finding) => finding.waived);
      const below = ruleFindings.filter((finding) => findingStatus(finding, run.failOn) === "below-threshold");
      const open = `    <testcase classname="${xml(document.name)}" name="${xml(`${rule.id} ${rule.title}`)}">`;
      if (ruleFindings.length === 0 && !appliesTo(rule, document.input.format)) {
        skipped++;
        return `${open}\n      <skipped message="${xml(notApplicableReason(rule, document))}"/>\n    </testcase>`;
      }
      if (failing.length > 0) {
        failures++;
        const body = failing.map(describe).join("\n");
        return `${open}\n      <failure type="${rule.severity}" message="${xml(`${failing.length} ${rule.severity} finding(s)`)}">${xml(body)}</failure>\n    </testcase>`;
      }
      if (waived.length > 0 && below.length === 0) {
        skipped++;
        const reasons = waived.map((finding) => `${describe(finding)} [waived until ${finding.waiver?.expires}: ${finding.waiver?.reason}]`);
        return `${open}\n      <skipped message="${xml(reasons.join("; "))}"/>\n    </testcase>`;
      }
      if (below.length > 0) {
        return `${open}\n      <system-out>${xml(below.map(describe).join("\n"))}</system-out>\n    </testcase>`;
      }
      return `${open}</testcase>`;
    });
    totalFailures += failures;
    totalSkipped += skipped;
    suites.push(
      `  <testsuite name="${xml(document.name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${properties}${cases.join("\n")}\n  </testsuite>`,
    );
  }
  const tests = run.rules.length * run.documents.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="trailgate" tests="${tests}" failures="${totalFailures}" errors="0" skipped="${totalSkipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}
