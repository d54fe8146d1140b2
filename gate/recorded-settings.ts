/**
 * The gate settings addPolicyGate judged a stack with, recorded in the stack's
 * cdk.tf.json under `"//": {"trailgate": {...}}` (Terraform ignores "//" keys), so that
 * `trailgate check cdktf.out` in CI judges the same output the same way without a
 * trailgate.config.json. Precedence, per setting: command-line flags, then
 * trailgate.config.json, then these recorded settings. A malformed or unknown record
 * is an input error (exit 2), never ignored.
 *
 *   "//": {"trailgate": {
 *     "version": 1,
 *     "settings": {"trust": {...}, "scope": {"constructPaths": [...]}, "data": {...},
 *                  "waivers": {"file": "../../../waivers.json", "maxDays": 365, "allowAnyResource": false},
 *                  "inlineWaivers": [...], "failOn": "low", "only": [...], "skip": [...]},
 *     "sources": {"app/audit": {"file": "../../../main.ts", "line": 12}}
 *   }}
 *
 * Paths are relative to the folder of the cdk.tf.json (cdktf.out/stacks/<stack>).
 */
import * as path from "path";
import { GateInputError } from "../core/errors";
import { GateDocument, isObject, JsonObject, JsonValue, SourceLocation } from "../terraform/types";
import type { JudgementOptions } from "./judgement";
import { isSeverity, Severity, SEVERITIES } from "./policy";
import { parseProjectConfig, ProjectConfig } from "./project-config";
import { SourceFrame } from "../core/source-frames";
import { DEFAULT_WAIVER_MAX_DAYS, Waiver } from "./waivers";

/** The key under the stack's top-level "//" object. */
export const RECORD_KEY = "trailgate";
export const RECORD_VERSION = 1;

/** The settings as written (JSON). */
export interface RecordedSettingsJson {
  trust?: { accounts: string[]; organizationId?: string };
  scope?: { constructPaths: string[] };
  data?: JsonObject;
  waivers?: { file?: string; maxDays: number; allowAnyResource: boolean };
  inlineWaivers?: Waiver[];
  failOn: Severity;
  only?: string[];
  skip?: string[];
}

export interface GateRecordJson {
  version: number;
  settings: RecordedSettingsJson;
  sources?: Record<string, { file: string; line: number }>;
}

/** A record read back and validated: paths resolved against the stack's folder. */
export interface RecordedGate {
  /** e.g. "settings recorded at synth in cdktf.out/stacks/app/cdk.tf.json". */
  source: string;
  /** trust, scope, data and waivers in trailgate.config.json's shape (same validation). */
  config: ProjectConfig;
  inlineWaivers: Waiver[];
  failOn: Severity;
  only?: string[];
  skip?: string[];
  /** The user's source line each recorded construct was created at, by construct path. */
  sources: Map<string, SourceFrame>;
  /** The settings as recorded, for comparing stacks and configurations. */
  settings: RecordedSettingsJson;
}

const RECORD_KEYS = ["version", "settings", "sources"];
const SETTING_KEYS = ["trust", "scope", "data", "waivers", "inlineWaivers", "failOn", "only", "skip"];

function malformed(source: string, reason: string): GateInputError {
  return new GateInputError(`${source} are malformed (${reason}); synthesize again, or remove "//".${RECORD_KEY} to judge without them`);
}

function ruleList(value: unknown, where: string, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === "string" && entry !== "")) {
    throw malformed(source, `${where} must be a non-empty list of rule ids or families`);
  }
  return value as string[];
}

/**
 * Validates the `"//".trailgate` value of a cdk.tf.json; `file` is where it was read
 * (paths resolve against its folder). Anything unexpected fails closed.
 */
export function parseGateRecord(raw: JsonValue, file: string): RecordedGate {
  const source = `gate settings recorded at synth in ${file}`;
  if (!isObject(raw)) throw malformed(source, "not an object");
  const unknown = Object.keys(raw).find((key) => !RECORD_KEYS.includes(key));
  if (unknown !== undefined) throw malformed(source, `unknown key "${unknown}"`);
  if (raw.version !== RECORD_VERSION) throw malformed(source, `version ${JSON.stringify(raw.version)}, this trailgate reads version ${RECORD_VERSION}`);
  const settings = raw.settings;
  if (!isObject(settings)) throw malformed(source, "no settings object");
  const unknownSetting = Object.keys(settings).find((key) => !SETTING_KEYS.includes(key));
  if (unknownSetting !== undefined) throw malformed(source, `unknown setting "${unknownSetting}"`);
  const baseDir = path.dirname(path.resolve(file));
  let config: ProjectConfig;
  try {
    const { trust, scope, data, waivers } = settings;
    config = parseProjectConfig(
      Object.fromEntries(Object.entries({ trust, scope, data, waivers }).filter(([, value]) => value !== undefined)),
      source,
      baseDir,
    );
  } catch (error) {
    throw malformed(source, error instanceof Error ? error.message.replace(`${source}: `, "").replace(`${source} `, "") : String(error));
  }
  if (!isSeverity(settings.failOn)) throw malformed(source, `failOn must be one of ${SEVERITIES.join(", ")}`);
  const inline = settings.inlineWaivers;
  if (inline !== undefined && (!Array.isArray(inline) || !inline.every(isObject))) throw malformed(source, "inlineWaivers must be a list of waivers");
  const sources = new Map<string, SourceFrame>();
  if (raw.sources !== undefined) {
    if (!isObject(raw.sources)) throw malformed(source, "sources must be an object");
    for (const [constructPath, frame] of Object.entries(raw.sources)) {
      if (!isObject(frame) || typeof frame.file !== "string" || frame.file === "" || !Number.isInteger(frame.line) || (frame.line as number) < 1) {
        throw malformed(source, `sources["${constructPath}"] must be {"file", "line"}`);
      }
      sources.set(constructPath, { file: path.resolve(baseDir, frame.file), line: frame.line as number });
    }
  }
  return {
    source,
    config,
    inlineWaivers: (inline ?? []) as unknown as Waiver[],
    failOn: settings.failOn,
    only: ruleList(settings.only, "only", source),
    skip: ruleList(settings.skip, "skip", source),
    sources,
    settings: settings as unknown as RecordedSettingsJson,
  };
}

/** The recorded source line of a construct path: the longest recorded construct path that holds it. */
export function recordedSource(sources: Map<string, SourceFrame>, constructPath: string): SourceFrame | undefined {
  let best: { root: string; frame: SourceFrame } | undefined;
  for (const [root, frame] of sources) {
    if ((constructPath === root || constructPath.startsWith(`${root}/`)) && (!best || root.length > best.root.length)) best = { root, frame };
  }
  return best?.frame;
}

/**
 * Documents judged alike: those whose records hold the same settings (scope and
 * sources aside: they are per stack), and those without a record. Stacks of one
 * cdktf.out may record different settings (a production and a staging stack trust
 * different accounts); each group gets its own policy data and waivers.
 */
export function recordGroups(records: (RecordedGate | undefined)[]): { record?: RecordedGate; indexes: number[] }[] {
  const groups = new Map<string, { record?: RecordedGate; indexes: number[] }>();
  records.forEach((record, index) => {
    const key = record ? JSON.stringify({ ...record.settings, scope: undefined }) : "";
    const group = groups.get(key) ?? { record, indexes: [] };
    group.indexes.push(index);
    groups.set(key, group);
  });
  return [...groups.values()];
}

const PRECEDENCE = "command-line flags > trailgate.config.json > settings recorded at synth";

/**
 * The options a run judges by when the output records addPolicyGate's settings: per
 * setting, a flag wins, then trailgate.config.json, then the record. Returns the lines
 * reports state: what was taken from the record, and every setting a configuration
 * file overrode with a different value (a conflict is shown, never silent).
 */
export function withRecordedSettings<T extends JudgementOptions>(options: T, record: RecordedGate): { options: T; lines: string[] } {
  const file = options.config;
  // A configuration built in code (no setKeys) sets what it holds.
  const fileSets = (key: string) =>
    file?.setKeys ? file.setKeys.includes(key) : key === "waivers" ? file?.waiversFile !== undefined : (file as unknown as Record<string, unknown> | undefined)?.[key] !== undefined;
  const recorded = record.config;
  const taken: string[] = [];
  const lines: string[] = [];
  const conflict = (key: string, fromFile: unknown, fromRecord: unknown) =>
    lines.push(`CONFLICT: ${file?.source} sets ${key} ${JSON.stringify(fromFile)}, the ${record.source} ${JSON.stringify(fromRecord)}; using ${file?.source}'s (${PRECEDENCE})`);
  const both = (fileSource: string | undefined) => (fileSource ? `${fileSource} and the ${record.source}` : record.source);

  // trust: the accounts are the union (the record holds what synth trusted: the
  // configuration's and those of the trailgate constructs), the organisation the file's.
  let trust = file?.trust;
  let trustSource: string | undefined;
  if (recorded.trust) {
    const added = recorded.trust.accounts.filter((account) => !(trust?.accounts ?? []).includes(account));
    if (trust?.organizationId && recorded.trust.organizationId && trust.organizationId !== recorded.trust.organizationId) {
      conflict("trust.organizationId", trust.organizationId, recorded.trust.organizationId);
    }
    if (added.length > 0 || (!trust?.organizationId && recorded.trust.organizationId)) {
      trust = { accounts: [...(trust?.accounts ?? []), ...added], organizationId: trust?.organizationId ?? recorded.trust.organizationId };
      trustSource = file?.trust ? both(file.source) : record.source;
      taken.push("trust");
    }
  }
  // data: key by key, the file's value over the recorded one.
  let data = file?.data;
  let dataSource: string | undefined;
  if (recorded.data) {
    for (const [key, value] of Object.entries(recorded.data)) {
      if (file?.data && key in file.data && JSON.stringify(file.data[key]) !== JSON.stringify(value)) conflict(`data.${key}`, file.data[key], value);
    }
    const fromRecord = Object.keys(recorded.data).filter((key) => !(file?.data && key in file.data));
    if (fromRecord.length > 0) {
      data = { ...recorded.data, ...(file?.data ?? {}) };
      dataSource = file?.data ? both(file.source) : record.source;
      taken.push(`data (${fromRecord.join(", ")})`);
    }
  }
  // scope and waivers: one setting each, the file's when it sets it.
  if (recorded.scope) {
    if (fileSets("scope") && JSON.stringify(file?.scope) !== JSON.stringify(recorded.scope)) conflict("scope", file?.scope, recorded.scope);
    else if (!fileSets("scope")) taken.push("scope");
  }
  const recordedWaivers = { file: recorded.waiversFile, ...recorded.waiverLimits };
  const defaultWaivers = recorded.waiversFile === undefined && recorded.waiverLimits.maxDays === DEFAULT_WAIVER_MAX_DAYS && !recorded.waiverLimits.allowAnyResource;
  if (!defaultWaivers) {
    const fileWaivers = { file: file?.waiversFile, ...file?.waiverLimits };
    if (fileSets("waivers") && JSON.stringify(fileWaivers) !== JSON.stringify(recordedWaivers)) conflict("waivers", fileWaivers, recordedWaivers);
    else if (!fileSets("waivers")) taken.push("waivers");
  }
  const config: ProjectConfig = {
    source: file?.source ?? record.source,
    ...(trust ? { trust, ...(trustSource ? { trustSource } : {}) } : {}),
    ...(data ? { data, ...(dataSource ? { dataSource } : {}) } : {}),
    ...(fileSets("scope") && file?.scope ? { scope: file.scope } : {}),
    ...(fileSets("waivers") && file
      ? { waiversFile: file.waiversFile, waiverLimits: file.waiverLimits }
      : { waiversFile: recorded.waiversFile, waiverLimits: recorded.waiverLimits }),
    setKeys: file?.setKeys,
  };
  const selectionFromRecord = options.only === undefined && options.skip === undefined && (record.only !== undefined || record.skip !== undefined);
  if (selectionFromRecord) taken.push("rule selection");
  const failOn = options.failOn ?? record.failOn;
  if (options.failOn === undefined && record.failOn !== "low") {
    taken.push("failOn");
    lines.push(`LOOSER THAN THE UK BASELINE: fails only at ${record.failOn} or above (failOn in the ${record.source}; --fail-on overrides it)`);
  }
  if (record.inlineWaivers.length > 0) taken.push("waivers given in code");
  if (taken.length > 0) lines.unshift(`applied ${taken.join(", ")} from the ${record.source} (${PRECEDENCE})`);
  return {
    options: {
      ...options,
      config,
      failOn,
      ...(selectionFromRecord ? { only: record.only, skip: record.skip } : {}),
      waivers: [...(options.waivers ?? []), ...record.inlineWaivers],
    } as T,
    lines,
  };
}

/** The document with its resources located at the user's source line the record names for their construct. */
export function withRecordedSources(document: GateDocument, record: RecordedGate | undefined): GateDocument {
  if (!record || record.sources.size === 0 || !document.gateRecord) return document;
  const generated = path.resolve(document.gateRecord.file);
  let located: Map<string, SourceLocation> | undefined;
  return {
    name: document.name,
    file: document.file,
    input: document.input,
    gateRecord: document.gateRecord,
    get locations() {
      if (!located) {
        located = new Map();
        for (const [address, location] of document.locations) {
          // A location cdktf's own stack trace gave (not the generated JSON) is the more precise one.
          const source = location.constructPath && path.resolve(location.file) === generated ? recordedSource(record.sources, location.constructPath) : undefined;
          located.set(address, source ? { file: source.file, line: source.line, constructPath: location.constructPath } : location);
        }
      }
      return located;
    },
  };
}
