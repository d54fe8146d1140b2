/**
 * The configuration a plan was made from, read for what `terraform show -json`
 * leaves out: the expressions of `locals`. Terraform 1.11.4 lists `local.x` in a
 * resource's `references` but writes no locals anywhere in the plan JSON (measured:
 * test/gate/plan-fixtures/README.md), so a reference through a local can only be
 * followed with the module's source files beside the plan.
 */
import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../errors";
import { isObject, JsonObject, JsonValue } from "./types";

/** One module's declarations, by the module's key ("" for the root, "a.b" for module.a.module.b). */
export interface ModuleSource {
  dir: string;
  locals: Map<string, JsonValue>;
  /** `type.name` and `data.type.name` of every resource and data block. */
  blocks: Set<string>;
  moduleCalls: Set<string>;
}

export interface PlanSources {
  rootDir: string;
  modules: Map<string, ModuleSource>;
  /** Named with --config (a mismatch is an input error) rather than found beside the plan file. */
  explicit: boolean;
}

interface ModulesManifest {
  Modules?: { Key?: string; Source?: string; Dir?: string }[];
}

/** Terraform's override files: merged after the others, their locals replacing same-named ones. */
function isOverrideFile(name: string): boolean {
  return /^(override|.+_override)\.tf(\.json)?$/.test(name);
}

/** HCL's JSON syntax allows a block to be an object or an array of objects. */
function bodies(value: JsonValue | undefined): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

let hcl2json: typeof import("@cdktf/hcl2json") | undefined;

async function parseFile(file: string): Promise<JsonObject> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new GateInputError(`cannot read ${file}: ${describeError(error)}`);
  }
  try {
    if (file.endsWith(".json")) {
      const json = JSON.parse(text) as JsonValue;
      if (!isObject(json)) throw new Error("not a JSON object");
      return json;
    }
    hcl2json ??= await import("@cdktf/hcl2json");
    return (await hcl2json.parse(path.basename(file), text)) as JsonObject;
  } catch (error) {
    throw new GateInputError(`cannot parse ${file}: ${describeError(error)}`);
  }
}

/** Reads one module directory's `.tf` and `.tf.json` files. */
export async function readModuleSource(dir: string): Promise<ModuleSource> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => /\.tf(\.json)?$/.test(name) && fs.statSync(path.join(dir, name)).isFile());
  } catch (error) {
    throw new GateInputError(`cannot read module directory ${dir}: ${describeError(error)}`);
  }
  names.sort((a, b) => Number(isOverrideFile(a)) - Number(isOverrideFile(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const source: ModuleSource = { dir, locals: new Map(), blocks: new Set(), moduleCalls: new Set() };
  for (const name of names) {
    const json = await parseFile(path.join(dir, name));
    for (const block of bodies(json.locals)) for (const [local, value] of Object.entries(block)) source.locals.set(local, value);
    for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
      for (const body of bodies(json[kind])) {
        for (const [type, byName] of Object.entries(body)) {
          for (const named of bodies(byName)) for (const blockName of Object.keys(named)) source.blocks.add(`${prefix}${type}.${blockName}`);
        }
      }
    }
    for (const body of bodies(json.module)) for (const call of Object.keys(body)) source.moduleCalls.add(call);
  }
  return source;
}

/** True when `dir` holds Terraform configuration files (so a plan beside them may come from it). */
export function hasConfigurationFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((name) => /\.tf(\.json)?$/.test(name));
  } catch {
    return false;
  }
}

/**
 * Reads the root module in `rootDir` and every module `terraform init` installed
 * for it (`.terraform/modules/modules.json`, which lists local-path modules too).
 * Without that manifest, local-path module calls are followed from their source.
 */
export async function readPlanSources(rootDir: string, explicit = true): Promise<PlanSources> {
  const modules = new Map<string, ModuleSource>();
  modules.set("", await readModuleSource(rootDir));
  const manifestFile = path.join(rootDir, ".terraform", "modules", "modules.json");
  if (fs.existsSync(manifestFile)) {
    let manifest: ModulesManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as ModulesManifest;
    } catch (error) {
      throw new GateInputError(`cannot read ${manifestFile}: ${describeError(error)}`);
    }
    for (const entry of manifest.Modules ?? []) {
      if (!entry.Key || typeof entry.Dir !== "string") continue;
      modules.set(entry.Key, await readModuleSource(path.resolve(rootDir, entry.Dir)));
    }
    return { rootDir, modules, explicit };
  }
  const pending = [""];
  while (pending.length > 0) {
    const key = pending.pop()!;
    const module = modules.get(key)!;
    for (const file of fs.readdirSync(module.dir).filter((name) => /\.tf(\.json)?$/.test(name))) {
      const json = await parseFile(path.join(module.dir, file));
      for (const body of bodies(json.module)) {
        for (const [call, value] of Object.entries(body)) {
          const source = bodies(value)[0]?.source;
          if (typeof source !== "string" || !/^\.\.?\//.test(source)) continue;
          const childKey = key ? `${key}.${call}` : call;
          if (modules.has(childKey)) continue;
          modules.set(childKey, await readModuleSource(path.resolve(module.dir, source)));
          pending.push(childKey);
        }
      }
    }
  }
  return { rootDir, modules, explicit };
}

/**
 * The configuration to read beside a plan: `configDir` when given (`--config`),
 * else the folder of the input file when it holds Terraform files (the usual
 * `terraform show -json plan.bin > plan.json` in the root module). A folder found
 * that way that cannot be read is not used: references through locals then stay
 * unresolved, which the rules report.
 */
export async function planSourcesFor(inputPath: string, configDir?: string): Promise<PlanSources | undefined> {
  if (configDir !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(configDir).isDirectory();
    } catch (error) {
      throw new GateInputError(`--config ${configDir}: ${describeError(error)}`);
    }
    if (!isDirectory) throw new GateInputError(`--config ${configDir} is not a directory`);
    return readPlanSources(configDir, true);
  }
  let dir: string;
  try {
    if (!fs.statSync(inputPath).isFile()) return undefined;
    dir = path.dirname(inputPath);
  } catch {
    return undefined;
  }
  if (!hasConfigurationFiles(dir)) return undefined;
  try {
    return await readPlanSources(dir, false);
  } catch {
    return undefined;
  }
}
