import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { loadPolicySync, LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { alertPaths } from "./alerts/model";
import { describeError, GateInputError } from "../core/errors";
import { InputBudget, readTextFile } from "../terraform/input-file";
import { parseJson as parseTerraformJson } from "../terraform/json-reader";
import { InputFormat, isObject, JsonObject, JsonValue, NormalizedDocument } from "../terraform/types";
import { defaultPolicyDir } from "../core/paths";
import { Loosened, loosenedKeys, validatePolicyConfig } from "./policy-data";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe: critical 3 … low 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** One rule as rules.json lists it. */
export interface RuleInfo {
  id: string;
  severity: Severity;
  title: string;
  description: string;
  /** Regulations and benchmarks the rule serves (UK GDPR, FCA SYSC 9, CIS …). */
  frameworks: string[];
  recommendedAction: string;
  /**
   * The inputs the rule can judge (METADATA custom.inputs): e.g. the TG-OPS rules
   * only live state, TG-RET-007 (force_destroy) only code. On any other input the
   * rule is not applicable, which every report says, never "passed".
   */
  inputs: InputFormat[];
}

export const INPUT_FORMATS: readonly InputFormat[] = ["synth", "plan", "module", "live"];

/** Whether `rule` can judge a document of this input format. */
export function appliesTo(rule: RuleInfo, format: InputFormat): boolean {
  return rule.inputs.includes(format);
}

/** One violation as the WASM entrypoint returns it (INPUT.md "The result"). */
export interface Violation {
  id: string;
  severity: Severity;
  title: string;
  resource: string;
  message: string;
  help: string;
}

export const ENTRYPOINT = "trailgate/main/violations";

/**
 * Initial WASM memory, in 64 KiB pages (1 GiB). OPA's allocator sizes its heap from
 * the memory it finds at the first allocation and then grows it one small step at a
 * time; from opa-wasm's default of 5 pages a 10,000-resource plan needed about 3,000
 * grow calls and 5-25 s. The memory is reserved, not committed: pages that are never
 * touched cost no RSS.
 */
const INITIAL_WASM_PAGES = 16384;

export interface PolicyOptions {
  /** Directory holding policy.wasm, data.json, rules.json, manifest.json. */
  policyDir?: string;
  /** A `--data` file: `{"trailgate":{"config":{…}}}` overriding keys of data.json. */
  dataFile?: string;
  /**
   * Accounts (and an organisation) to trust besides policy data's, e.g. those a
   * trailgate construct was configured with (the synth-time gate): added to
   * trusted_accounts, and organization_id when policy data sets none (TG-LP-009).
   */
  trust?: { accounts: string[]; organizationId?: string };
  /**
   * Policy data overrides from the project's configuration (trailgate.config.json
   * `data`), applied before a `dataFile`'s. `source` names them in reports.
   */
  dataOverrides?: { source: string; config: JsonObject };
  /**
   * Trust the project's configuration adds (trailgate.config.json `trust`): applied like
   * `trust`, and, like trusted_accounts in a data file, stated in reports as wider trust
   * than the baseline.
   */
  configuredTrust?: { source: string; accounts: string[]; organizationId?: string };
}

/** One key a `--data` file set, with the value it replaced. */
export interface DataOverride {
  key: string;
  value: JsonValue;
  default: JsonValue;
}

/** The policy data a run used beyond the bundle's defaults: reports state it. */
export interface AppliedData {
  /** The `--data` file, when one was given. */
  file?: string;
  overrides: DataOverride[];
  /** Where the overrides are looser than the UK baseline (each is a TG-CFG-001 finding). */
  loosened: Loosened[];
  /**
   * Principals trusted beyond the baseline (which trusts only the providers' own
   * accounts): trusted_accounts and organization_id from data, and the configuration's
   * trust. Stated as loosening in every report; not a finding, since naming the
   * log-archive and management accounts is how a team configures TG-LP-009.
   */
  widenedTrust: string[];
}

export interface PolicyBundle {
  dir: string;
  /** The manifest's source hash: which policy judged. */
  sha256: string;
  data: AppliedData;
  /** The policy data the rules read (`data.trailgate.config`: defaults, overrides, trust). */
  config: JsonObject;
  rules: RuleInfo[];
  ruleById: Map<string, RuleInfo>;
  /** The input the policy reads for a document: the document plus what the gate computes from it (alert_paths). */
  policyInput(document: NormalizedDocument): PolicyInput;
  evaluate(document: NormalizedDocument): Violation[];
}

/** A normalised document with the sections the gate adds (policies/INPUT.md). */
export type PolicyInput = NormalizedDocument & { alert_paths: ReturnType<typeof alertPaths> };

function readBundleFile(dir: string, name: string): Buffer {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file);
  } catch {
    throw new GateInputError(`policy bundle is incomplete: cannot read ${file}; build it with \`bash scripts/build-policy.sh\``);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GateInputError(`${what} is not valid JSON: ${describeError(error)}`);
  }
}

/**
 * rules.json (scripts/build-policy.sh): an object keyed by rule id, each value
 * {id, title, description, severity, frameworks, recommended_action, help}. Every
 * rule must be well formed, because reports and waivers trust it.
 */
export function loadRules(dir: string = defaultPolicyDir()): RuleInfo[] {
  const file = path.join(dir, "rules.json");
  const parsed = parseJson(readBundleFile(dir, "rules.json").toString("utf8"), file);
  if (!isObject(parsed) || Object.keys(parsed).length === 0) throw new GateInputError(`${file} lists no rules`);
  return Object.entries(parsed).map(([id, rule]) => {
    if (!isObject(rule) || rule.id !== id || !isSeverity(rule.severity) || typeof rule.title !== "string") {
      throw new GateInputError(`${file}: rule ${id} needs its id, a severity (low|medium|high|critical) and a title`);
    }
    const frameworks = Array.isArray(rule.frameworks) ? rule.frameworks.filter((f): f is string => typeof f === "string") : [];
    const inputs = rule.inputs ?? INPUT_FORMATS;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((input) => (INPUT_FORMATS as unknown[]).includes(input))) {
      throw new GateInputError(`${file}: rule ${id} has inputs ${JSON.stringify(rule.inputs)}; expected a non-empty list of ${INPUT_FORMATS.join(", ")}`);
    }
    return {
      id,
      severity: rule.severity,
      title: rule.title,
      description: typeof rule.description === "string" ? rule.description.trim() : rule.title,
      frameworks,
      recommendedAction: typeof rule.recommended_action === "string" ? rule.recommended_action : "",
      inputs: inputs as InputFormat[],
    };
  });
}

/**
 * The bundle manifest hash (policies/INPUT.md "Bundle manifest"): sha256 over, for
 * each policies/**\/*.rego except *_test.rego plus policies/data.json, sorted by
 * repo-relative path, the concatenation of `<path>\n<sha256hex of file>\n`.
 */
export function policySourceHash(repoRoot: string): string {
  const sources: string[] = [];
  const pending = ["policies"];
  while (pending.length > 0) {
    const relativeDir = pending.pop() as string;
    for (const entry of fs.readdirSync(path.join(repoRoot, relativeDir), { withFileTypes: true })) {
      const relative = `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) pending.push(relative);
      else if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) sources.push(relative);
    }
  }
  sources.push("policies/data.json");
  sources.sort();
  const hash = createHash("sha256");
  for (const relative of sources) {
    const content = fs.readFileSync(path.join(repoRoot, relative));
    hash.update(`${relative}\n${createHash("sha256").update(content).digest("hex")}\n`);
  }
  return hash.digest("hex");
}

/** Files of the bundle whose sha256 the manifest records (scripts/build-policy.sh). */
export const BUNDLE_FILES = ["policy.wasm", "data.json", "rules.json"];

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The manifest must cover every file the gate loads, and each must match it,
 * wherever the bundle is (build/policy, an npm install, TRAILGATE_POLICY_DIR):
 * a replaced policy.wasm or an edited data.json is refused. In a checkout (the
 * bundle at <repo>/build/policy with policies/ beside it) the source hash must
 * match too, so a stale bundle never gates with old rules. Returns the
 * manifest's source hash.
 */
function verifyManifest(dir: string): string {
  const file = path.join(dir, "manifest.json");
  const manifest = parseJson(readBundleFile(dir, "manifest.json").toString("utf8"), file);
  const recorded = isObject(manifest) ? manifest.sha256 : undefined;
  if (typeof recorded !== "string") throw new GateInputError(`${file} has no sha256`);
  const hashes = isObject(manifest) && isObject(manifest.bundle_files) ? manifest.bundle_files : undefined;
  for (const name of BUNDLE_FILES) {
    const expected = hashes?.[name];
    if (typeof expected !== "string") {
      throw new GateInputError(`${file} does not record the sha256 of ${name}; rebuild the bundle with \`bash scripts/build-policy.sh\``);
    }
    if (sha256(readBundleFile(dir, name)) !== expected) {
      throw new GateInputError(`policy bundle ${dir}: ${name} does not match its manifest (replaced or edited after the build); rebuild it with \`bash scripts/build-policy.sh\``);
    }
  }
  const repoRoot = path.resolve(dir, "..", "..");
  if (fs.existsSync(path.join(repoRoot, "policies", "data.json")) && policySourceHash(repoRoot) !== recorded) {
    throw new GateInputError(
      `policy bundle ${dir} is stale: policies/ changed since it was built; rebuild it with \`bash scripts/build-policy.sh\``,
    );
  }
  return recorded;
}

/** Config with more trusted accounts, and the organisation if none is set (the synth-time gate's trust). */
function withTrust(config: JsonObject, trust: { accounts: string[]; organizationId?: string }): JsonObject {
  const accounts = Array.isArray(config.trusted_accounts) ? config.trusted_accounts : [];
  const organization = typeof config.organization_id === "string" && config.organization_id !== "" ? config.organization_id : (trust.organizationId ?? "");
  return { ...config, trusted_accounts: [...new Set([...accounts, ...trust.accounts])], organization_id: organization };
}

/** Trust a data override adds beyond the baseline's (only the providers' own accounts). */
function widenedTrust(config: JsonObject, source: string): string[] {
  const lines: string[] = [];
  const accounts = Array.isArray(config.trusted_accounts) ? config.trusted_accounts : [];
  if (accounts.length > 0) lines.push(`trusts accounts ${accounts.join(", ")} (trusted_accounts in ${source})`);
  if (typeof config.organization_id === "string" && config.organization_id !== "") {
    lines.push(`trusts every account of organisation ${config.organization_id} (organization_id in ${source})`);
  }
  return lines;
}

/**
 * A `--data` file must be `{"trailgate":{"config":{…}}}`; the merged config is
 * then validated against the schema (gate/policy-data.ts): a typo
 * (allowed_region), a wrong type or an out-of-range value is refused, never
 * silently ignored by the rules.
 */
export function readDataOverrides(file: string): JsonObject {
  const text = readTextFile(file, "data file", new InputBudget(16 * 1024 * 1024));
  const parsed = parseTerraformJson(text, `data file ${file}`);
  const shape = `data file ${file} must be {"trailgate":{"config":{...}}}`;
  if (!isObject(parsed) || Object.keys(parsed).join() !== "trailgate") throw new GateInputError(shape);
  const trailgate = parsed.trailgate;
  if (!isObject(trailgate) || Object.keys(trailgate).join() !== "config" || !isObject(trailgate.config)) {
    throw new GateInputError(shape);
  }
  return trailgate.config;
}

function readDefaults(dir: string): JsonObject {
  const file = path.join(dir, "data.json");
  const data = parseJson(readBundleFile(dir, "data.json").toString("utf8"), file);
  if (!isObject(data) || !isObject(data.trailgate) || !isObject(data.trailgate.config)) {
    throw new GateInputError(`${file} has no trailgate.config object`);
  }
  validatePolicyConfig(data.trailgate.config, file);
  return data;
}

function isViolation(value: unknown): value is Violation {
  return (
    isObject(value) &&
    ["id", "title", "resource", "message", "help"].every((key) => typeof value[key] === "string") &&
    isSeverity(value.severity)
  );
}

/** Code-unit order: the same on every machine and locale, and far cheaper than localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most severe first, then by rule and resource, so every report is stable. */
export function compareViolations(a: Violation, b: Violation): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.id, b.id) ||
    compareText(a.resource, b.resource) ||
    compareText(a.message, b.message)
  );
}

/**
 * Loads the compiled policy synchronously (the synth-time gate cannot await).
 * Fails closed: a missing, corrupt, incomplete or stale bundle is a GateInputError.
 */
export function loadPolicyBundle(options: PolicyOptions = {}): PolicyBundle {
  const dir = options.policyDir ?? defaultPolicyDir();
  const sourceHash = verifyManifest(dir);
  const rules = loadRules(dir);
  const defaults = readDefaults(dir);
  const baseline = (defaults.trailgate as JsonObject).config as JsonObject;
  const applied: AppliedData = { overrides: [], loosened: [], widenedTrust: [] };
  let config = baseline;
  const sources = [
    ...(options.dataOverrides ? [{ source: options.dataOverrides.source, overrides: options.dataOverrides.config }] : []),
    ...(options.dataFile ? [{ source: options.dataFile, overrides: readDataOverrides(options.dataFile) }] : []),
  ];
  if (sources.length > 0) {
    const overrides: JsonObject = Object.assign({}, ...sources.map(({ overrides }) => overrides));
    config = { ...baseline, ...overrides };
    const where = sources.map(({ source }) => (source === options.dataFile ? `data file ${source}` : `data in ${source}`)).join(" and ");
    validatePolicyConfig(config, where);
    applied.file = sources.map(({ source }) => source).join(" and ");
    applied.overrides = Object.keys(overrides).map((key) => ({ key, value: overrides[key], default: baseline[key] ?? null }));
    applied.loosened = loosenedKeys(config, baseline);
    applied.widenedTrust = widenedTrust(config, applied.file);
  }
  if (options.configuredTrust) {
    const { source, accounts, organizationId } = options.configuredTrust;
    if (accounts.length > 0) applied.widenedTrust.push(`trusts accounts ${accounts.join(", ")} (trust.accounts in ${source})`);
    if (organizationId) applied.widenedTrust.push(`trusts every account of organisation ${organizationId} (trust.organizationId in ${source})`);
    config = withTrust(config, { accounts, organizationId });
  }
  // The synth-time gate trusts the accounts its constructs were configured with.
  if (options.trust) config = withTrust(config, options.trust);
  // TG-CFG-001 reads what the overrides loosened (policies/configuration).
  const data = { ...defaults, trailgate: { ...(defaults.trailgate as JsonObject), config, loosened: applied.loosened as unknown as JsonValue } };
  let policy: LoadedPolicy;
  try {
    policy = loadPolicySync(readBundleFile(dir, "policy.wasm"), { initial: INITIAL_WASM_PAGES });
    policy.setData(data as object);
  } catch (error) {
    throw new GateInputError(`policy bundle ${dir} has a corrupt policy.wasm: ${describeError(error)}`);
  }
  if (!(ENTRYPOINT in policy.entrypoints)) {
    throw new GateInputError(`policy bundle ${dir}: policy.wasm has no ${ENTRYPOINT} entrypoint`);
  }
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]));
  const policyInput = (document: NormalizedDocument): PolicyInput => ({ ...document, alert_paths: alertPaths(document, config) });
  return {
    dir,
    sha256: sourceHash,
    data: applied,
    config,
    rules,
    ruleById,
    policyInput,
    evaluate(document) {
      let resultSet: unknown;
      try {
        // Every path (check, the synth-time gate, verify) evaluates here, so each sees the alert paths.
        resultSet = policy.evaluate(policyInput(document), ENTRYPOINT);
      } catch (error) {
        throw new GateInputError(`policy evaluation failed: ${describeError(error)}`);
      }
      const violations = Array.isArray(resultSet) && isObject(resultSet[0]) ? resultSet[0].result : undefined;
      if (!Array.isArray(violations)) throw new GateInputError(`policy returned no violation set from ${ENTRYPOINT}`);
      for (const violation of violations) {
        if (!isViolation(violation)) throw new GateInputError(`policy returned a malformed violation: ${JSON.stringify(violation)}`);
        if (!ruleById.has(violation.id)) {
          throw new GateInputError(`policy returned rule ${violation.id}, which rules.json does not list; rebuild the bundle`);
        }
      }
      return (violations as unknown as Violation[]).sort(compareViolations);
    },
  };
}
