import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { PACKAGE_ROOT, PackageInfo, packageInfo, ruleHelpPath } from "../../core/paths";
import { RuleInfo, Severity } from "../policy";
import { displayPath, findingLocation, findingStatus, GateRun, notApplicableRules, notApplicableReason } from "./model";

/** GitHub code scanning ranks alerts by this score (CVSS-like 0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };
const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};
const FAMILY: Record<string, string> = {
  RES: "residency",
  ENC: "encryption",
  RET: "retention",
  LP: "least-privilege",
  LOG: "logging",
  CFG: "configuration",
};

/** "S3 buckets use SSE-KMS" -> "S3BucketsUseSseKms": SARIF's rule name is an identifier. */
function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1).toLowerCase())
    .join("");
}

/** The rule's help page; a rule whose page is not written yet gets its description and fix. */
function ruleHelp(rule: RuleInfo): { text: string; markdown: string } {
  try {
    const markdown = fs.readFileSync(ruleHelpPath(rule.id), "utf8");
    return { text: markdown, markdown };
  } catch {
    const text = [rule.description, rule.recommendedAction].filter(Boolean).join("\n\n");
    return { text, markdown: text };
  }
}

/**
 * The public folder of the help pages, for SARIF helpUri: TRAILGATE_HELP_BASE_URI when
 * set (e.g. your mirror of the package); else, from package.json, the GitHub repository's
 * help/rules/ at the package's version tag, or the homepage's help/rules/; else none (the
 * installed pages are linked as file URIs, which only this machine can open).
 */
export function helpBaseUri(info: PackageInfo, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const slash = (base: string) => (base.endsWith("/") ? base : `${base}/`);
  if (env.TRAILGATE_HELP_BASE_URI) return slash(env.TRAILGATE_HELP_BASE_URI);
  const github = info.repository?.match(/github\.com[/:]([^/]+)\/([^/#]+?)(\.git)?(#.*)?$/);
  if (github) return `https://github.com/${github[1]}/${github[2]}/blob/v${info.version}/help/rules/`;
  if (info.homepage && /^https?:\/\//.test(info.homepage)) return `${slash(info.homepage.replace(/#.*$/, ""))}help/rules/`;
  return undefined;
}

/** Where a rule's help page is: under helpBaseUri, else the page installed with the package, as a file URI. */
export function ruleHelpUri(ruleId: string): string {
  const base = helpBaseUri(packageInfo());
  return base ? `${base}${ruleId}.md` : pathToFileURL(ruleHelpPath(ruleId)).href;
}

/** The package's homepage when package.json names one, else its README as a file URI. */
function informationUri(): string {
  return packageInfo().homepage ?? pathToFileURL(path.join(PACKAGE_ROOT, "README.md")).href;
}

function sarifRule(rule: RuleInfo) {
  const family = FAMILY[rule.id.split("-")[1]];
  return {
    id: rule.id,
    name: ruleName(rule.title),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    helpUri: ruleHelpUri(rule.id),
    help: ruleHelp(rule),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[rule.severity],
      tags: ["security", ...(family ? [family] : []), ...rule.frameworks],
    },
  };
}

/** SARIF 2.1.0 for GitHub code scanning: one run, every rule, one result per finding and per rule not applicable to a document. */
export function renderSarif(run: GateRun, sourceRoot?: string): string {
  const ruleIndex = new Map(run.rules.map((rule, index) => [rule.id, index]));
  const results = run.documents.flatMap(({ document, findings }) =>
    findings.map((finding) => {
      const location = findingLocation(document, finding);
      return {
        ruleId: finding.id,
        ruleIndex: ruleIndex.get(finding.id),
        level: LEVEL[finding.severity],
        message: { text: finding.resource ? `${finding.resource}: ${finding.message}` : finding.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: displayPath(location.file, sourceRoot) },
              region: { startLine: location.line },
            },
            ...(location.constructPath
              ? { logicalLocations: [{ fullyQualifiedName: location.constructPath, kind: "module" }] }
              : {}),
          },
        ],
        ...(findingStatus(finding, run.failOn) === "waived" && finding.waiver
          ? { suppressions: [{ kind: "external", justification: `${finding.waiver.reason} (until ${finding.waiver.expires})` }] }
          : {}),
        properties: { document: document.name, resource: finding.resource, severity: finding.severity },
      };
    }),
  );
  // SARIF's own word for a rule that cannot judge the input (kind notApplicable, level none): never a pass.
  const notApplicable = run.documents.flatMap(({ document }) =>
    notApplicableRules(run, document).map((rule) => ({
      ruleId: rule.id,
      ruleIndex: ruleIndex.get(rule.id),
      kind: "notApplicable",
      level: "none",
      message: { text: notApplicableReason(rule, document) },
      locations: [{ physicalLocation: { artifactLocation: { uri: displayPath(document.file, sourceRoot) } } }],
      properties: { document: document.name },
    })),
  );
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "trailgate",
            version: run.toolVersion,
            informationUri: informationUri(),
            rules: run.rules.map(sarifRule),
          },
        },
        results: [...results, ...notApplicable],
        // The rule selection (--only/--skip), and the data overrides and waivers this run applied.
        properties: { ...(run.selection ? { selection: run.selection } : {}), applied: run.applied },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
