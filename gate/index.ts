/**
 * The gate as a library (`import ... from "trailgate/gate"`): load the policy bundle,
 * read and normalise inputs, evaluate them, render reports, and gate `cdktf synth`.
 *
 *   import { runGate, renderReport, addPolicyGate } from "trailgate/gate";
 *   const run = runGate({ path: "plan.json", failOn: "high" });
 *   process.stdout.write(renderReport("sarif", run));
 *   process.exitCode = run.passed ? 0 : 1;
 */
export { alertPaths } from "./alerts/model";
export type { MonitorProof } from "./alerts/model";
export { readEvent, renderSimulation, simulate } from "./alerts/simulate";
export type { Simulation } from "./alerts/simulate";
export { SAMPLE_EVENTS } from "./alerts/samples";
export { GateInputError, describeError } from "../core/errors";
export { evaluateDocuments } from "./gate";
export { loadDocuments, synthDocument } from "../terraform";
export { planSourcesFor, readPlanSources } from "../terraform/plan-sources";
export type { PlanSources } from "../terraform/plan-sources";
export type { GateDocument, NormalizedDocument, SourceLocation, InputFormat } from "../terraform";
export { loadPolicyBundle, loadRules, SEVERITIES, isSeverity, severityRank } from "./policy";
export type { PolicyBundle, PolicyInput, PolicyOptions, RuleInfo, Severity, Violation } from "./policy";
export { PACKAGE_ROOT, defaultPolicyDir, ruleHelpPath } from "../core/paths";
export * from "./report";
export { runGate } from "./run";
export type { RunGateOptions } from "./run";
export type { JudgementOptions } from "./judgement";
export { readStdinText, STDIN_LIMIT_BYTES } from "./run";
export { parseRuleList, selectRules } from "./selection";
export type { RuleSelection, SelectionReport } from "./selection";
export { describeSelection } from "./selection";
export { addPolicyGate, gateRecord, policyGateErrors } from "./validation";
export { parseGateRecord, RECORD_KEY } from "./recorded-settings";
export type { GateRecordJson, RecordedGate } from "./recorded-settings";
export type { PolicyGateOptions } from "./validation";
export { applyWaivers, loadWaivers, parseWaivers, todayUtc, DEFAULT_WAIVER_MAX_DAYS } from "./waivers";
export type { Finding, Waiver, WaiverLimits } from "./waivers";
export { CONFIG_FILE_NAME, findProjectConfig, loadProjectConfig, parseProjectConfig } from "./project-config";
export type { ProjectConfig } from "./project-config";
