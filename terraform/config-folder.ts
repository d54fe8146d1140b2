import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../core/errors";
import { joinAddress } from "./common";
import { argument, assembleModule, ModuleConfig } from "./config-module";
import { invalid } from "./config-syntax";
import { convertHclFiles } from "./hcl";
import { InputBudget, readTextFile } from "./input-file";
import { parseJson } from "./json-reader";
import { isObject, JsonValue } from "./types";

/**
 * Configuration folders, read as Terraform loads them. Every input that has
 * them comes through here: a module folder or cdktf stack given to `trailgate
 * check` (index.ts) and the configuration a plan was made from
 * (plan-sources.ts). `*.tf` and `*.tf.json` files in byte order, hidden and
 * editor files ignored, override files merged last (config-module.ts), and the
 * folder of every module call: a local path beside the caller, anything else
 * where `terraform init` installed it. Files are read bounded (input-file.ts)
 * and as Terraform reads JSON (json-reader.ts); the HCL files of one level of
 * the module tree are converted together, in one child process (hcl.ts).
 */

/** A configuration file as read: its text (for locations) and its JSON form. */
export interface ConfigFile {
  file: string;
  text: string;
  json: JsonValue;
  hcl: boolean;
}

/** One module's folder: its files, their assembled configuration, and the folders of the modules it calls. */
export interface ModuleFolder {
  dir: string;
  /** "" for the root, "a.b" for module.a.module.b: the key of `.terraform/modules/modules.json`. */
  key: string;
  /** What the addresses of its resources start with: "" or "module.a.module.b". */
  prefix: string;
  files: ConfigFile[];
  config: ModuleConfig;
  /** By call name. Every call is loaded, whatever its count, as Terraform loads a configuration. */
  children: Map<string, ModuleFolder>;
}

export interface RootFolder extends ModuleFolder {
  /** terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) by name: Terraform's order (later wins). */
  variableFiles: ConfigFile[];
}

export interface ReadTreeOptions {
  budget: InputBudget;
  /**
   * A call of a module that is not here (not a local path, not installed by
   * `terraform init`): "refuse" it (a folder input cannot be judged without it),
   * or "leave out" (a plan's sources: the plan says which modules it needs).
   */
  missingModule: "refuse" | "leave out";
  /** Also read the root's variable files (tfvars). */
  variableFiles: boolean;
}

/** Nested module calls deeper than this are a loop (a module calling itself). */
const MAX_MODULE_DEPTH = 16;

/** Terraform's ignored names: hidden files, editor backups (`x~`, `#x#`). */
export function isIgnoredFile(name: string): boolean {
  return name.startsWith(".") || name.endsWith("~") || (name.startsWith("#") && name.endsWith("#"));
}

/** `override.tf`, `x_override.tf.json`, …: merged into the primary files after them. */
export function isOverrideFile(name: string): boolean {
  const base = name.replace(/\.tf(\.json)?$/, "");
  return base === "override" || base.endsWith("_override");
}

/** A folder's entries in byte order, as Terraform lists a directory. */
export function listDirectory(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    throw new GateInputError(`cannot read directory ${dir}: ${describeError(error)}`);
  }
}

/** The configuration files (`*.tf`, `*.tf.json`) of a folder, in Terraform's order. */
export function configFileNames(dir: string): string[] {
  return listDirectory(dir).filter((name) => !isIgnoredFile(name) && (name.endsWith(".tf") || name.endsWith(".tf.json")));
}

/** Whether `dir` holds configuration files (so a plan beside them may come from them); false when it cannot be listed. */
export function hasConfigurationFiles(dir: string): boolean {
  try {
    return configFileNames(dir).length > 0;
  } catch {
    return false;
  }
}

function variableFileNames(dir: string): string[] {
  const names = listDirectory(dir).filter((name) => !isIgnoredFile(name));
  return [
    ...names.filter((name) => name === "terraform.tfvars" || name === "terraform.tfvars.json"),
    ...names.filter((name) => name.endsWith(".auto.tfvars") || name.endsWith(".auto.tfvars.json")),
  ];
}

/**
 * Reads files (regular, bounded, UTF-8) and gives each its JSON form: HCL files
 * (`.tf`, `.tfvars`) through one conversion, the others as Terraform reads JSON.
 * `what` names the file's role in errors.
 */
export function readConfigFiles(files: { file: string; what: string }[], budget: InputBudget): ConfigFile[] {
  const read = files.map(({ file, what }) => ({ file, text: readTextFile(file, what, budget), hcl: file.endsWith(".tf") || file.endsWith(".tfvars") }));
  const converted = convertHclFiles(read.filter((entry) => entry.hcl));
  let next = 0;
  return read.map((entry) => ({ ...entry, json: entry.hcl ? converted[next++] : parseJson(entry.text, entry.file) }));
}

/** The folder of a local module source (`./x`, `../x`) beside its caller's; undefined for any other source. */
export function localModuleDir(callerDir: string, source: string): string | undefined {
  return source.startsWith("./") || source.startsWith("../") ? path.resolve(callerDir, source) : undefined;
}

/** Where `terraform init` installed each module (`.terraform/modules/modules.json`), read once when first needed. */
class ModuleManifest {
  private dirs: Map<string, string> | undefined;

  constructor(
    private readonly rootDir: string,
    private readonly budget: InputBudget,
  ) {}

  dir(key: string): string | undefined {
    this.dirs ??= this.read();
    return this.dirs.get(key);
  }

  private read(): Map<string, string> {
    const dirs = new Map<string, string>();
    const file = path.join(this.rootDir, ".terraform", "modules", "modules.json");
    if (!fs.existsSync(file)) return dirs;
    const manifest = parseJson(readTextFile(file, "module manifest", this.budget), file);
    for (const entry of isObject(manifest) && Array.isArray(manifest.Modules) ? manifest.Modules : []) {
      if (isObject(entry) && typeof entry.Key === "string" && typeof entry.Dir === "string") dirs.set(entry.Key, path.resolve(this.rootDir, entry.Dir));
    }
    return dirs;
  }
}

interface PendingFolder {
  dir: string;
  key: string;
  prefix: string;
  /** The folders of the modules that call it, the root first. */
  callers: string[];
  /** The caller's `children` entry, once read. */
  attach: (folder: ModuleFolder) => void;
}

/**
 * Reads a root module folder and, level by level, the folders of every module
 * it calls: one read of each file, one HCL conversion per level of the tree.
 * Anything Terraform would refuse (a duplicate declaration, an override of
 * nothing, a module calling itself, a module not installed) is a GateInputError.
 */
export function readModuleTree(rootDir: string, options: ReadTreeOptions): RootFolder {
  const manifest = new ModuleManifest(rootDir, options.budget);
  let root: RootFolder | undefined;
  let level: PendingFolder[] = [{ dir: rootDir, key: "", prefix: "", callers: [], attach: () => undefined }];
  while (level.length > 0) {
    const requests: { file: string; what: string }[] = [];
    const ranges = level.map(({ dir, callers }) => {
      const names = configFileNames(dir);
      if (names.length === 0) {
        throw new GateInputError(`${dir} has no Terraform configuration files (*.tf, *.tf.json)${callers.length === 0 ? " and no cdktf stacks/ folder" : ""}`);
      }
      const start = requests.length;
      for (const name of names) requests.push({ file: path.join(dir, name), what: "input" });
      return { start, end: requests.length };
    });
    const variablesStart = requests.length;
    if (!root && options.variableFiles) {
      for (const name of variableFileNames(rootDir)) requests.push({ file: path.join(rootDir, name), what: "variables file" });
    }
    const read = readConfigFiles(requests, options.budget);
    const next: PendingFolder[] = [];
    level.forEach((pending, index) => {
      const files = read.slice(ranges[index].start, ranges[index].end);
      const config = assembleModule(files.map(({ file, json }) => ({ file, json, override: isOverrideFile(path.basename(file)) })));
      const folder: ModuleFolder = { dir: pending.dir, key: pending.key, prefix: pending.prefix, files, config, children: new Map() };
      if (pending.callers.length === 0) root = Object.assign(folder, { variableFiles: read.slice(variablesStart) });
      pending.attach(folder);
      for (const [name, call] of config.moduleCalls) {
        const where = `module "${name}"`;
        const source = argument(call, "source", where);
        if (typeof source !== "string") throw invalid(call.file, `${where} needs a literal "source"`);
        const key = joinAddress(pending.key, name);
        const dir = localModuleDir(pending.dir, source) ?? manifest.dir(key);
        const callers = [...pending.callers, pending.dir];
        // A folder that calls itself would nest without end: refused now, before a level of the tree doubles 16 times.
        if (callers.length > MAX_MODULE_DEPTH || (dir !== undefined && callers.includes(dir))) {
          throw invalid(call.file, `${where}: module calls nest deeper than ${MAX_MODULE_DEPTH} levels (a module that calls itself?)`);
        }
        if (dir === undefined) {
          if (options.missingModule === "leave out") continue;
          throw new GateInputError(
            `${call.file}: module "${key}" has source ${source}, which is not a local path and is not installed in .terraform/modules; ` +
              "run `terraform init` first, or gate the plan (terraform show -json)",
          );
        }
        const prefix = joinAddress(pending.prefix, `module.${name}`);
        next.push({ dir, key, prefix, callers, attach: (child) => folder.children.set(name, child) });
      }
    });
    level = next;
  }
  return root as RootFolder;
}

/** Every folder of a tree, the root first. */
export function treeFolders(root: ModuleFolder): ModuleFolder[] {
  const folders: ModuleFolder[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.shift() as ModuleFolder;
    folders.push(folder);
    pending.push(...folder.children.values());
  }
  return folders;
}
