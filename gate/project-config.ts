import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../core/errors";
import { isObject, JsonObject } from "../terraform/types";
import { DEFAULT_WAIVER_MAX_DAYS } from "./waivers";

/** The file every entry point looks for (or a `trailgate` key in package.json). */
export const CONFIG_FILE_NAME = "trailgate.config.json";

/**
 * One project's gate configuration, read alike by addPolicyGate (synth), `check`,
 * `verify` and `explain`, so synth and CI judge the same output the same way:
 *
 *   {
 *     "trust":   {"accounts": ["111111111111"], "organizationId": "o-abc123def4"},
 *     "scope":   {"constructPaths": ["app/audit"]},
 *     "data":    {"min_retention_days": 400},
 *     "waivers": {"file": "waivers.json", "maxDays": 365, "allowAnyResource": false}
 *   }
 *
 * Every key is optional; paths are relative to the file that holds them.
 */
export interface ProjectConfig {
  /** Where it was read from (`trailgate.config.json`, or `package.json#trailgate`). */
  readonly source: string;
  /** Accounts and an organisation trusted with the logs and keys besides the providers' (TG-LP-009). */
  readonly trust?: { readonly accounts: string[]; readonly organizationId?: string };
  /**
   * Construct paths (a path covers its subtree) whose resources the baseline governs in
   * synthesized input; findings on other resources are dropped, findings about the
   * configuration as a whole always count. Absent: addPolicyGate's default (the trailgate
   * constructs), and for `check` every resource.
   */
  readonly scope?: string[];
  /** Policy data overrides, as a `--data` file's `trailgate.config` object. */
  readonly data?: JsonObject;
  /** The waiver file (absolute). */
  readonly waiversFile?: string;
  readonly waiverLimits: { readonly maxDays: number; readonly allowAnyResource: boolean };
  /** The top-level keys the file sets (trust, scope, data, waivers): they take precedence over settings recorded at synth. */
  readonly setKeys?: readonly string[];
  /** Where `trust` came from, when not `source` (a merge with recorded settings). */
  readonly trustSource?: string;
  /** Where `data` came from, when not `source`. */
  readonly dataSource?: string;
}

const TOP_KEYS = ["trust", "scope", "data", "waivers"];

function onlyKeys(value: JsonObject, allowed: string[], where: string): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new GateInputError(`${where} has unknown key "${unknown}" (allowed: ${allowed.join(", ")})`);
}

function stringList(value: unknown, where: string, pattern?: RegExp): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "" && (!pattern || pattern.test(item)))) {
    throw new GateInputError(`${where} must be a list of ${pattern ? `strings matching ${pattern}` : "non-empty strings"}`);
  }
  return value as string[];
}

/** Validates a parsed configuration object; `dir` resolves the paths it names. */
export function parseProjectConfig(parsed: unknown, source: string, dir: string): ProjectConfig {
  if (!isObject(parsed)) throw new GateInputError(`${source} must be a JSON object`);
  onlyKeys(parsed, TOP_KEYS, source);
  let trust: ProjectConfig["trust"];
  if (parsed.trust !== undefined) {
    if (!isObject(parsed.trust)) throw new GateInputError(`${source}: trust must be an object`);
    onlyKeys(parsed.trust, ["accounts", "organizationId"], `${source}: trust`);
    const accounts = parsed.trust.accounts === undefined ? [] : stringList(parsed.trust.accounts, `${source}: trust.accounts`, /^\d{12}$/);
    const organizationId = parsed.trust.organizationId;
    if (organizationId !== undefined && (typeof organizationId !== "string" || !/^o-[a-z0-9]{10,32}$/.test(organizationId))) {
      throw new GateInputError(`${source}: trust.organizationId must be an organisation id (o-...)`);
    }
    trust = { accounts, ...(organizationId ? { organizationId } : {}) };
  }
  let scope: string[] | undefined;
  if (parsed.scope !== undefined) {
    if (!isObject(parsed.scope)) throw new GateInputError(`${source}: scope must be {"constructPaths": [...]}`);
    onlyKeys(parsed.scope, ["constructPaths"], `${source}: scope`);
    scope = stringList(parsed.scope.constructPaths, `${source}: scope.constructPaths`);
    if (scope.length === 0) throw new GateInputError(`${source}: scope.constructPaths names no construct path`);
  }
  if (parsed.data !== undefined && !isObject(parsed.data)) throw new GateInputError(`${source}: data must be an object of policy data keys`);
  let waiversFile: string | undefined;
  let maxDays = DEFAULT_WAIVER_MAX_DAYS;
  let allowAnyResource = false;
  if (parsed.waivers !== undefined) {
    const waivers = parsed.waivers;
    if (!isObject(waivers)) throw new GateInputError(`${source}: waivers must be {"file", "maxDays", "allowAnyResource"}`);
    onlyKeys(waivers, ["file", "maxDays", "allowAnyResource"], `${source}: waivers`);
    if (waivers.file !== undefined) {
      if (typeof waivers.file !== "string" || waivers.file === "") throw new GateInputError(`${source}: waivers.file must be a path`);
      waiversFile = path.resolve(dir, waivers.file);
    }
    if (waivers.maxDays !== undefined) {
      if (typeof waivers.maxDays !== "number" || !Number.isInteger(waivers.maxDays) || waivers.maxDays < 1) {
        throw new GateInputError(`${source}: waivers.maxDays must be a whole number of days, at least 1`);
      }
      maxDays = waivers.maxDays;
    }
    if (waivers.allowAnyResource !== undefined) {
      if (typeof waivers.allowAnyResource !== "boolean") throw new GateInputError(`${source}: waivers.allowAnyResource must be true or false`);
      allowAnyResource = waivers.allowAnyResource;
    }
  }
  return {
    source,
    ...(trust ? { trust } : {}),
    ...(scope ? { scope } : {}),
    ...(parsed.data !== undefined ? { data: parsed.data as JsonObject } : {}),
    ...(waiversFile ? { waiversFile } : {}),
    waiverLimits: { maxDays, allowAnyResource },
    setKeys: Object.keys(parsed),
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new GateInputError(`cannot read trailgate configuration ${file}: ${describeError(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GateInputError(`trailgate configuration ${file} is not valid JSON: ${describeError(error)}`);
  }
}

/** Reads a configuration file: trailgate.config.json's shape, or a package.json's `trailgate` key. */
export function loadProjectConfig(file: string): ProjectConfig {
  const parsed = readJson(file);
  if (path.basename(file) === "package.json") {
    if (!isObject(parsed) || parsed.trailgate === undefined) throw new GateInputError(`${file} has no "trailgate" key`);
    return parseProjectConfig(parsed.trailgate, `${file}#trailgate`, path.dirname(file));
  }
  return parseProjectConfig(parsed, file, path.dirname(file));
}

/**
 * The project's configuration: the file TRAILGATE_CONFIG names, else the nearest
 * trailgate.config.json (or package.json with a `trailgate` key) from `start` up to
 * the project root (the first folder with a package.json or .git). Undefined: none.
 */
export function findProjectConfig(start: string = process.cwd()): ProjectConfig | undefined {
  const named = process.env.TRAILGATE_CONFIG;
  if (named) return loadProjectConfig(path.resolve(named));
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(file)) return loadProjectConfig(file);
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const parsed = readJson(manifest);
      return isObject(parsed) && parsed.trailgate !== undefined ? loadProjectConfig(manifest) : undefined;
    }
    if (fs.existsSync(path.join(dir, ".git")) || path.dirname(dir) === dir) return undefined;
  }
}

/** The named configuration file, else the one found from `start` (a file's folder, or a folder). */
export function projectConfig(file: string | undefined, start: string): ProjectConfig | undefined {
  if (file) return loadProjectConfig(file);
  const isDir = fs.existsSync(start) && fs.statSync(start).isDirectory();
  return findProjectConfig(isDir ? start : path.dirname(start));
}
