import { TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import * as path from "path";
import { creationFrames, isTrailgateConstruct } from "../modules/marker";
import { describeError, GateInputError } from "../core/errors";
import { evaluateDocuments } from "./gate";
import { JudgementOptions, prepareJudgement, waiversFileOf } from "./judgement";
import { synthDocument } from "../terraform";
import { JsonObject } from "../terraform/types";
import { packageInfo } from "../core/paths";
import { readDataOverrides } from "./policy";
import { GateRecordJson, RECORD_KEY, RECORD_VERSION } from "./recorded-settings";
import { firstUserFrame } from "../core/source-frames";
import { appliedConfiguration, appliedLines, findingLocation, findingStatus, summarize, summaryLine } from "./report/model";
import { findProjectConfig, loadProjectConfig, ProjectConfig } from "./project-config";
import { findingsInScope, withinConstructPaths } from "./scope";
import { requireJudgeable } from "./selection";
import { DEFAULT_WAIVER_MAX_DAYS, todayUtc } from "./waivers";

export interface PolicyGateOptions extends JudgementOptions {
  /**
   * What the gate judges:
   * - "trailgate": the resources of trailgate's constructs in the stack (TrailgateStack,
   *   Trailgate, LogArchiveBucket, …; a whole TrailgateStack) and the providers they
   *   use, so an application stack's own resources are not judged by audit-logging rules;
   * - "stack": every resource and provider of the stack;
   * - constructs: the resources under these constructs (and the providers they use).
   * Findings about the configuration as a whole (e.g. TG-LOG-008, no trail) always count.
   * The whole stack is still evaluated, so references out of the scope resolve.
   * @default the configuration's scope.constructPaths, else "trailgate"
   */
  readonly scope?: "trailgate" | "stack" | IConstruct[];
  /**
   * The project's configuration file (trailgate.config.json, or a package.json with a
   * `trailgate` key), which `trailgate check` and `verify` read too; false: none.
   * Ignored when `config` is given.
   * @default TRAILGATE_CONFIG, else the nearest trailgate.config.json from the working directory
   */
  readonly configFile?: string | false;
  /** Where the summary goes when synth passes with a rule selection. @default stderr */
  readonly log?: (line: string) => void;
}

/** Construct paths whose subtrees are judged; undefined: the whole stack. */
function scopePaths(stack: TerraformStack, scope: PolicyGateOptions["scope"], config: ProjectConfig | undefined): string[] | undefined {
  if (scope === undefined && config?.scope) {
    // The same roots `trailgate check` applies to every stack of cdktf.out; a root that names
    // no construct anywhere in the app is a typo that would silently judge nothing.
    const roots = config.scope;
    if (!stack.node.root.node.findAll().some((construct) => withinConstructPaths(construct.node.path, roots))) {
      throw new GateInputError(`${config.source}: scope.constructPaths ${roots.join(", ")} name no construct of this app`);
    }
    return roots;
  }
  scope ??= "trailgate";
  if (scope === "stack") return undefined;
  if (scope === "trailgate") {
    if (isTrailgateConstruct(stack)) return undefined;
    const roots = stack.node
      .findAll()
      .filter((construct) => isTrailgateConstruct(construct) && !construct.node.scopes.slice(0, -1).some(isTrailgateConstruct));
    if (roots.length === 0) {
      throw new GateInputError(`stack ${stack.node.id} has no trailgate constructs to judge; pass scope: "stack" to judge every resource`);
    }
    return roots.map((construct) => construct.node.path);
  }
  if (scope.length === 0) throw new GateInputError("scope names no construct");
  for (const construct of scope) {
    if (!construct.node.scopes.includes(stack)) throw new GateInputError(`scope construct ${construct.node.path} is not in stack ${stack.node.id}`);
  }
  return scope.map((construct) => construct.node.path);
}

/**
 * The accounts and organisation the trailgate constructs in the stack were
 * configured with. They are the "configured accounts" TG-LP-009 trusts, also when
 * the application's own providers pin no allowed_account_ids. Tokens (module inputs)
 * are left out: only literal ids are known at synth.
 */
function configuredTrust(stack: TerraformStack): { accounts: string[]; organizationId?: string } {
  const accounts = new Set<string>();
  let organizationId: string | undefined;
  for (const construct of stack.node.findAll()) {
    if (!isTrailgateConstruct(construct)) continue;
    const config = (construct as { config?: Record<string, unknown> }).config;
    if (!config) continue;
    for (const key of ["managementAccountId", "logArchiveAccountId"]) {
      const id = config[key];
      if (typeof id === "string" && /^\d{12}$/.test(id)) accounts.add(id);
    }
    const org = config.organizationId;
    if (organizationId === undefined && typeof org === "string" && /^o-[a-z0-9]{10,32}$/.test(org)) organizationId = org;
  }
  return { accounts: [...accounts], ...(organizationId ? { organizationId } : {}) };
}

function describeScope(paths: string[] | undefined): string {
  return paths === undefined ? "the whole stack" : `constructs ${paths.join(", ")}`;
}

/** What the synth-time gate found: the errors that fail synthesis, and what it applied. */
export interface PolicyGateResult {
  errors: string[];
  /** Lines stating the data overrides and waivers applied ([] when none). */
  applied: string[];
}

/**
 * The errors the gate reports for `stack`: a summary line, then one per failing
 * violation (with its construct path); or one describing why the gate could not run
 * (missing or stale bundle, bad waivers, a bad scope or rule selection). Failing
 * closed here is what stops `cdktf deploy` before any apply.
 */
export function policyGateErrors(stack: TerraformStack, options: PolicyGateOptions = {}): string[] {
  return policyGateResult(stack, options).errors;
}

/** The configuration and waiver file the synth-time gate reads for these options. */
function synthSettings(options: PolicyGateOptions): { config: ProjectConfig | undefined; waiversFile: string | undefined } {
  const config = options.config ?? (options.configFile === false ? undefined : options.configFile ? loadProjectConfig(options.configFile) : findProjectConfig());
  // TRAILGATE_WAIVERS names a waiver file for synth as --waivers does for check.
  return { config, waiversFile: options.waiversFile ?? (process.env.TRAILGATE_WAIVERS || undefined) ?? config?.waiversFile };
}

/** The folder cdktf writes the stack's cdk.tf.json to (cdktf.out/stacks/<stack id>). */
function stackOutputDir(stack: TerraformStack): string {
  const outdir = (stack.node.root as { outdir?: unknown }).outdir;
  return path.resolve(typeof outdir === "string" ? outdir : "cdktf.out", "stacks", stack.node.id);
}

/** A path as the record stores it: relative to the stack's folder, with '/' separators. */
function relativeToStack(stackDir: string, file: string): string {
  return path.relative(stackDir, path.resolve(file)).split(path.sep).join("/");
}

/**
 * The user's source line of each outermost trailgate construct of the stack (the first
 * frame of its creation outside node_modules and trailgate), keyed by construct path.
 */
function constructSources(stack: TerraformStack, stackDir: string): Record<string, { file: string; line: number }> {
  const sources: Record<string, { file: string; line: number }> = {};
  for (const construct of stack.node.findAll()) {
    const frames = creationFrames(construct);
    if (!frames || construct.node.scopes.slice(0, -1).some(isTrailgateConstruct)) continue;
    const frame = firstUserFrame(frames);
    if (frame) sources[construct.node.path] = { file: relativeToStack(stackDir, frame.file), line: frame.line };
  }
  return sources;
}

/**
 * The settings the synth-time gate judges `stack` with, as it records them in the
 * stack's cdk.tf.json (gate/recorded-settings.ts) for `trailgate check` to apply.
 */
export function gateRecord(stack: TerraformStack, options: PolicyGateOptions = {}): GateRecordJson {
  const { config, waiversFile } = synthSettings(options);
  const stackDir = stackOutputDir(stack);
  const constructs = configuredTrust(stack);
  const accounts = [...new Set([...(config?.trust?.accounts ?? []), ...constructs.accounts])];
  const organizationId = config?.trust?.organizationId ?? constructs.organizationId;
  const paths = scopePaths(stack, options.scope, config);
  const data = { ...(config?.data ?? {}), ...(options.dataFile ? readDataOverrides(options.dataFile) : {}) };
  const limits = options.waiverLimits ?? config?.waiverLimits;
  return {
    version: RECORD_VERSION,
    settings: {
      ...(accounts.length > 0 || organizationId ? { trust: { accounts, ...(organizationId ? { organizationId } : {}) } } : {}),
      ...(paths ? { scope: { constructPaths: paths } } : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
      waivers: {
        ...(waiversFile ? { file: relativeToStack(stackDir, waiversFile) } : {}),
        maxDays: limits?.maxDays ?? DEFAULT_WAIVER_MAX_DAYS,
        allowAnyResource: limits?.allowAnyResource ?? false,
      },
      ...(options.waivers && options.waivers.length > 0 ? { inlineWaivers: options.waivers } : {}),
      failOn: options.failOn ?? "low",
      ...(options.only && options.only.length > 0 ? { only: [...options.only] } : {}),
      ...(options.skip && options.skip.length > 0 ? { skip: [...options.skip] } : {}),
    },
    sources: constructSources(stack, stackDir),
  };
}

/** policyGateErrors, and the data overrides and waivers the gate applied (stated even when synth passes). */
export function policyGateResult(stack: TerraformStack, options: PolicyGateOptions = {}): PolicyGateResult {
  try {
    const { config, waiversFile } = synthSettings(options);
    const judgement = { ...options, config, waiversFile };
    const { bundle, rules, selection, waivers } = prepareJudgement(judgement, "addPolicyGate waivers", configuredTrust(stack));
    requireJudgeable(rules, selection, ["synth"]);
    const paths = scopePaths(stack, options.scope, config);
    // toTerraform() is the resolved JSON cdktf writes to cdk.tf.json.
    const document = synthDocument(stack.node.id, stack.toTerraform() as JsonObject);
    const [result] = evaluateDocuments([document], bundle, waivers, options.today ?? todayUtc(), selection ? rules : undefined);
    const findings = paths ? findingsInScope(document, result.findings, paths) : result.findings;
    const failOn = options.failOn ?? "low";
    const documents = [{ document, findings }];
    const applied = appliedConfiguration(bundle, waivers, waiversFileOf(judgement), documents);
    const run = { toolVersion: packageInfo().version, rules, failOn, documents, ...(selection ? { selection } : {}), applied };
    const appliedText = appliedLines(applied).map((line) => `trailgate: ${line.trim()}`);
    const summary = `${summaryLine(run)}; judged ${describeScope(paths)}`;
    if (summarize(run).failing === 0) {
      if (selection) (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(summary);
      return { errors: [], applied: appliedText };
    }
    const stackDir = stackOutputDir(stack);
    const sources = constructSources(stack, stackDir);
    const errors = [
      summary,
      ...findings
        .filter((finding) => findingStatus(finding, failOn) === "failing")
        .map((finding) => {
          const location = findingLocation(document, finding);
          const where = `${finding.resource || "(configuration)"}${location.constructPath ? ` (construct ${location.constructPath})` : ""}`;
          const source = location.constructPath ? sourceLine(sources, location.constructPath, stackDir) : undefined;
          return `trailgate ${finding.severity} ${finding.id} ${where}${source ? ` at ${source}` : ""}: ${finding.message} (see \`trailgate explain ${finding.id}\`)`;
        }),
    ];
    return { errors, applied: appliedText };
  } catch (error) {
    return { errors: [`trailgate: the policy gate could not run: ${describeError(error)}`], applied: [] };
  }
}

/** "main.ts:12": where the user created the trailgate construct that holds `constructPath`, relative to the working folder. */
function sourceLine(sources: Record<string, { file: string; line: number }>, constructPath: string, stackDir: string): string | undefined {
  const holding = Object.keys(sources)
    .filter((root) => withinConstructPaths(constructPath, [root]))
    .sort((a, b) => b.length - a.length)[0];
  if (holding === undefined) return undefined;
  const { file, line } = sources[holding];
  return `${path.relative(process.cwd(), path.resolve(stackDir, file)).split(path.sep).join("/")}:${line}`;
}

/**
 * Gates `cdktf synth` and `cdktf deploy` on the policy: cdktf runs stack
 * validations during synthesis and refuses to write the stack (so deploy never
 * reaches apply) when any returns an error.
 *
 *   const stack = new TrailgateStack(app, "audit", config);
 *   addPolicyGate(stack, { waiversFile: "waivers.json" });
 *   app.synth();
 *
 * In an application's own stack, the default scope judges only the trailgate
 * constructs in it: `addPolicyGate(appStack)`; `{ scope: "stack" }` judges everything.
 */
export function addPolicyGate(stack: TerraformStack, options: PolicyGateOptions = {}): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Lazy } = require("cdktf") as typeof import("cdktf");
  // Written into cdk.tf.json at synth, also when validation is skipped, so `trailgate
  // check` judges the output as this gate does (gate/recorded-settings.ts). Settings that
  // cannot be worked out are recorded as such: check then refuses the output.
  stack.addOverride(
    `//.${RECORD_KEY}`,
    Lazy.anyValue({
      produce: () => {
        try {
          return gateRecord(stack, options);
        } catch (error) {
          return { version: RECORD_VERSION, unrecordable: describeError(error) };
        }
      },
    }),
  );
  stack.node.addValidation({
    validate: () => {
      const { errors, applied } = policyGateResult(stack, options);
      // cdktf synth prints warnings even when synthesis passes: a waiver or a
      // data override is never applied silently. Required here, not at the top:
      // the gate API (gate/index) must load where cdktf is not installed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Annotations } = require("cdktf") as typeof import("cdktf");
      for (const line of applied) Annotations.of(stack).addWarning(line);
      return errors;
    },
  });
}
