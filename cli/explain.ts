import * as fs from "fs";
import { GateInputError } from "../core/errors";
import { ruleHelpPath } from "../core/paths";
import { loadRules, RuleInfo } from "../gate/policy";
import { projectConfig, ProjectConfig } from "../gate/project-config";
import { parseGateRecord } from "../gate/recorded-settings";
import { documentsFor } from "../gate/run";
import { loadWaivers, parseWaivers } from "../gate/waivers";
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
  if (positional.length !== 1 && positional.length !== 2) throw new GateInputError("explain needs one <RULE-ID> (and optionally a synthesized <path>)");
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
  const outputPath = positional[1];
  const config = projectConfig(line.values.get("--trailgate-config"), outputPath ?? process.cwd());
  const knownRuleIds = new Set(rules.map((rule) => rule.id));
  if (config) io.stdout(projectSection(ruleId, config, knownRuleIds));
  if (outputPath) io.stdout(recordedSection(ruleId, outputPath, config, knownRuleIds));
  return 0;
}

/**
 * What the settings addPolicyGate recorded in a synthesized output do to a rule, as
 * `check` applies them: a configuration file's setting takes precedence over a recorded one.
 */
function recordedSection(ruleId: string, outputPath: string, config: ProjectConfig | undefined, knownRuleIds: Set<string>): string {
  const lines: string[] = [];
  for (const document of documentsFor({ path: outputPath })) {
    if (!document.gateRecord) continue;
    const record = parseGateRecord(document.gateRecord.raw, document.gateRecord.file);
    lines.push(``, `## In ${document.name} (${record.source})`, ``);
    const fileWaivers = config?.setKeys?.includes("waivers") ? undefined : record.config.waiversFile;
    const waivers = [
      ...(fileWaivers ? loadWaivers(fileWaivers, knownRuleIds, record.config.waiverLimits) : []),
      ...parseWaivers({ waivers: record.inlineWaivers }, record.source, knownRuleIds, record.config.waiverLimits),
    ].filter((waiver) => waiver.rule === ruleId);
    if (waivers.length === 0) lines.push(`No waiver of ${ruleId}${fileWaivers ? ` in ${fileWaivers}` : ""} or in code.`);
    for (const waiver of waivers) lines.push(`- waived for ${waiver.resource} until ${waiver.expires}: ${waiver.reason}`);
    if (config?.setKeys?.includes("waivers")) lines.push(`(${config.source} sets waivers: its waiver file is used instead of the recorded one.)`);
    const scope = config?.scope ?? record.config.scope;
    lines.push(``, scope ? `Synthesized resources are judged only under ${scope.join(", ")}.` : `Every resource of the stack is judged.`);
    if (record.failOn !== "low") lines.push(`Fails only at ${record.failOn} or above unless --fail-on says otherwise.`);
  }
  if (lines.length === 0) lines.push(``, `${outputPath} records no gate settings (it was not synthesized with addPolicyGate).`);
  return `${lines.join("\n")}\n`;
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
