import * as fs from "fs";
import { GateInputError } from "../core/errors";
import { ruleHelpPath } from "../gate/paths";
import { loadRules, RuleInfo } from "../gate/policy";
import { projectConfig, ProjectConfig } from "../gate/project-config";
import { loadWaivers } from "../gate/waivers";
import { parseCommandLine } from "./args";
import { Io } from "./io";
import { USAGE } from "./usage";

function rulesTable(rules: RuleInfo[]): string {
  const idWidth = Math.max(2, ...rules.map((rule) => rule.id.length));
  const lines = [`${"ID".padEnd(idWidth)}  SEVERITY  TITLE`];
  for (const rule of [...rules].sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(`${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(8)}  ${rule.title}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `trailgate explain <RULE-ID>`: the rule's help page, and what this project's configuration does to it. */
export function explainCommand(args: string[], io: Io): number {
  const line = parseCommandLine(args, { command: "explain", values: ["--trailgate-config"], positionals: true });
  if (line.help) {
    io.stdout(USAGE);
    return 0;
  }
  const positional = line.positionals;
  if (positional.length !== 1) throw new GateInputError("explain needs one <RULE-ID>");
  const ruleId = positional[0].toUpperCase();
  const rules = loadRules();
  if (!rules.some((rule) => rule.id === ruleId)) {
    const valid = rules.map((rule) => rule.id).sort().join(", ");
    throw new GateInputError(`unknown rule ${positional[0]}; valid ids: ${valid}`);
  }
  let page: string;
  try {
    page = fs.readFileSync(ruleHelpPath(ruleId), "utf8");
  } catch {
    throw new GateInputError(`rule ${ruleId} has no help page at ${ruleHelpPath(ruleId)}`);
  }
  io.stdout(page);
  const config = projectConfig(line.values.get("--trailgate-config"), process.cwd());
  if (config) io.stdout(projectSection(ruleId, config, new Set(rules.map((rule) => rule.id))));
  return 0;
}

/** What the project's configuration does to a rule: the waivers of it that check and synth apply. */
function projectSection(ruleId: string, config: ProjectConfig, knownRuleIds: Set<string>): string {
  const lines = [``, `## In this project (${config.source})`, ``];
  const waivers = config.waiversFile ? loadWaivers(config.waiversFile, knownRuleIds, config.waiverLimits).filter((waiver) => waiver.rule === ruleId) : [];
  if (waivers.length === 0) lines.push(`No waiver of ${ruleId}${config.waiversFile ? ` in ${config.waiversFile}` : ""}.`);
  for (const waiver of waivers) lines.push(`- waived for ${waiver.resource} until ${waiver.expires}: ${waiver.reason}`);
  if (config.scope) lines.push(``, `Synthesized resources are judged only under ${config.scope.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

/** `trailgate rules`: every rule's id, severity and title. */
export function rulesCommand(args: string[], io: Io): number {
  if (args.length > 0) throw new GateInputError("rules takes no arguments");
  io.stdout(rulesTable(loadRules()));
  return 0;
}
