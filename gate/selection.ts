import { GateInputError } from "../core/errors";
import { InputFormat } from "../terraform/types";
import { appliesTo, RuleInfo } from "./policy";

/**
 * Which rules a run judges. Each entry is a rule id (`TG-LOG-008`) or a family
 * (`TG-LOG`). `only` keeps the rules it names (all rules when empty); `skip` then
 * drops rules. Reports state the selection, so a partial run never looks like a
 * full one.
 */
export interface RuleSelection {
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
}

/** The selection as reports show it (GateRun.selection). */
export interface SelectionReport {
  only: string[];
  skip: string[];
  /** Ids of the rules the run judged, sorted. */
  selected: string[];
  /** How many rules the bundle has. */
  total: number;
}

const ENTRY = /^TG-[A-Z]+(-\d{3})?$/;

/** "TG-LOG, tg-ret-001" -> ["TG-LOG", "TG-RET-001"]; a malformed entry is a GateInputError. */
export function parseRuleList(value: string, where: string): string[] {
  const entries = value
    .split(",")
    .map((entry) => entry.trim().toUpperCase())
    .filter((entry) => entry !== "");
  if (entries.length === 0) throw new GateInputError(`${where} needs at least one rule id or family`);
  for (const entry of entries) {
    if (!ENTRY.test(entry)) throw new GateInputError(`${where}: "${entry}" is not a rule id (TG-LOG-008) or a family (TG-LOG)`);
  }
  return entries;
}

function matches(entry: string, rule: RuleInfo): boolean {
  return rule.id === entry || rule.id.startsWith(`${entry}-`);
}

/**
 * Applies a selection to the bundle's rules. Fails closed: an entry that names no
 * rule (a typo would otherwise silently judge nothing or everything) and a selection
 * that leaves no rule are GateInputErrors. Returns undefined `report` when every rule
 * is selected.
 */
export function selectRules(rules: RuleInfo[], selection: RuleSelection = {}): { rules: RuleInfo[]; report?: SelectionReport } {
  const only = (selection.only ?? []).map((entry) => entry.toUpperCase());
  const skip = (selection.skip ?? []).map((entry) => entry.toUpperCase());
  if (only.length === 0 && skip.length === 0) return { rules };
  for (const [flag, entries] of [["only", only], ["skip", skip]] as const) {
    for (const entry of entries) {
      if (!ENTRY.test(entry)) throw new GateInputError(`${flag}: "${entry}" is not a rule id (TG-LOG-008) or a family (TG-LOG)`);
      if (!rules.some((rule) => matches(entry, rule))) {
        const families = [...new Set(rules.map((rule) => rule.id.replace(/-\d+$/, "")))].sort().join(", ");
        throw new GateInputError(`${flag}: "${entry}" matches no rule (families: ${families}; \`trailgate rules\` lists the ids)`);
      }
    }
  }
  const selected = rules.filter(
    (rule) => (only.length === 0 || only.some((entry) => matches(entry, rule))) && !skip.some((entry) => matches(entry, rule)),
  );
  if (selected.length === 0) throw new GateInputError(`the rule selection (only: ${only.join(",") || "-"}; skip: ${skip.join(",") || "-"}) leaves no rule to judge`);
  return {
    rules: selected,
    report: { only, skip, selected: selected.map((rule) => rule.id).sort(), total: rules.length },
  };
}

/** e.g. `--only TG-LOG --skip TG-LOG-008 (8 of 31 rules)`. */
export function describeSelection(selection: SelectionReport): string {
  const parts = [
    ...(selection.only.length > 0 ? [`--only ${selection.only.join(",")}`] : []),
    ...(selection.skip.length > 0 ? [`--skip ${selection.skip.join(",")}`] : []),
  ];
  return `${parts.join(" ")} (${selection.selected.length} of ${selection.total} rules)`;
}

/**
 * Fails closed when a selection judges nothing on an input: `--only TG-OPS` on
 * synthesized code would otherwise pass without a single rule able to look.
 */
export function requireJudgeable(rules: RuleInfo[], selection: SelectionReport | undefined, formats: Iterable<InputFormat>): void {
  if (!selection) return;
  for (const format of new Set(formats)) {
    if (rules.some((rule) => appliesTo(rule, format))) continue;
    const inputs = [...new Set(rules.flatMap((rule) => rule.inputs))].join(", ");
    const hint = inputs === "live" ? "; run them with `trailgate verify`" : "";
    throw new GateInputError(`the rule selection ${describeSelection(selection)} judges nothing on ${format} input: its rules judge only ${inputs} input${hint}`);
  }
}
