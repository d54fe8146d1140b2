import { loadPolicyBundle, PolicyBundle, PolicyOptions, RuleInfo, Severity } from "./policy";
import { RuleSelection, selectRules, SelectionReport } from "./selection";
import { loadWaivers, parseWaivers, Waiver } from "./waivers";

/**
 * How a run judges, whatever it reads (`check`, the synth-time gate, `verify`):
 * the policy and its data, the waivers, the rule selection and the failing threshold.
 */
export interface JudgementOptions extends RuleSelection {
  /** Policy bundle directory. @default build/policy of the package (or TRAILGATE_POLICY_DIR) */
  readonly policyDir?: string;
  /** A `--data` overrides file: {"trailgate":{"config":{…}}}. @default none: the bundle's data.json */
  readonly dataFile?: string;
  /** A waiver file, as `trailgate check --waivers` takes. @default none */
  readonly waiversFile?: string;
  /** Waivers given in code, validated like a waiver file's entries. @default none */
  readonly waivers?: Waiver[];
  /** Lowest severity that fails. @default "low" */
  readonly failOn?: Severity;
  /** YYYY-MM-DD the waivers are checked against. @default today (UTC) */
  readonly today?: string;
}

/** The policy, the rules selected from it and the waivers, all validated. */
export interface Judgement {
  bundle: PolicyBundle;
  rules: RuleInfo[];
  /** Set when the run judges only some rules (reports state it). */
  selection?: SelectionReport;
  waivers: Waiver[];
}

/**
 * Loads everything a run judges by, before any input is read: a missing or stale
 * bundle, bad data, an unknown rule or a bad waiver fails the run first.
 * `codeWaiversName` names waivers given in code in error messages.
 */
export function prepareJudgement(options: JudgementOptions, codeWaiversName: string, trust?: PolicyOptions["trust"]): Judgement {
  const bundle = loadPolicyBundle({ policyDir: options.policyDir, dataFile: options.dataFile, trust });
  const knownRuleIds = new Set(bundle.ruleById.keys());
  const { rules, report: selection } = selectRules(bundle.rules, options);
  const waivers = [
    ...(options.waiversFile ? loadWaivers(options.waiversFile, knownRuleIds) : []),
    ...(options.waivers ? parseWaivers({ waivers: options.waivers }, codeWaiversName, knownRuleIds) : []),
  ];
  return { bundle, rules, selection, waivers };
}
