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
import { isObject, JsonObject, JsonValue } from "../terraform/types";
import { isSeverity, Severity, SEVERITIES } from "./policy";
import { parseProjectConfig, ProjectConfig } from "./project-config";
import { SourceFrame } from "../core/source-frames";
import { Waiver } from "./waivers";

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
