import { loadPolicyBundle, PolicyBundle, PolicyOptions, RuleInfo, Severity } from "./policy";
import { ProjectConfig } from "./project-config";
import { RuleSelection, selectRules, SelectionReport } from "./selection";
import { loadWaivers, parseWaivers, Waiver, WaiverLimits } from "./waivers";

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
  /** How far ahead a waiver may expire, and whether `"*"` may waive a rule everywhere. @default 365 days; no "*" */
  readonly waiverLimits?: Omit<WaiverLimits, "today">;
  /**
   * The project's configuration (trailgate.config.json): its trust, data overrides,
   * waiver file and waiver limits apply unless the options above set their own
   * (a `dataFile`'s keys apply on top of its data). @default none
   */
  readonly config?: ProjectConfig;
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
  const config = options.config;
  const bundle = loadPolicyBundle({
    policyDir: options.policyDir,
    dataFile: options.dataFile,
    trust,
    ...(config?.data ? { dataOverrides: { source: config.dataSource ?? config.source, config: config.data } } : {}),
    ...(config?.trust ? { configuredTrust: { source: config.trustSource ?? config.source, ...config.trust } } : {}),
  });
  const knownRuleIds = new Set(bundle.ruleById.keys());
  const { rules, report: selection } = selectRules(bundle.rules, options);
  const limits: WaiverLimits = { ...(options.waiverLimits ?? config?.waiverLimits), ...(options.today ? { today: options.today } : {}) };
  const waiversFile = waiversFileOf(options);
  const waivers = [
    ...(waiversFile ? loadWaivers(waiversFile, knownRuleIds, limits) : []),
    ...(options.waivers ? parseWaivers({ waivers: options.waivers }, codeWaiversName, knownRuleIds, limits) : []),
  ];
  return { bundle, rules, selection, waivers };
}

/** The waiver file a run reads: the option's, else the project configuration's. */
export function waiversFileOf(options: JudgementOptions): string | undefined {
  return options.waiversFile ?? options.config?.waiversFile;
}
