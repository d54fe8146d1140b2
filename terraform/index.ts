import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../core/errors";
import { joinAddress } from "./common";
import { ConfigFile, isIgnoredFile, listDirectory, readConfigFiles, readModuleTree, RootFolder, treeFolders } from "./config-folder";
import { assembleModule } from "./config-module";
import { invalid } from "./config-syntax";
import { constructPaths, constructStackTraces } from "./construct-paths";
import { firstUserFrame } from "../core/source-frames";
import { InputBudget, readTextFile } from "./input-file";
import { entriesOf, parseJson } from "./json-reader";
import { declarationLines } from "./locations";
import { normalizePlan, PlanJson, sourcesMismatch } from "./plan";
import { PlanSources } from "./plan-sources";
import { planLocations } from "./plan-locations";
import { normalizeModule, normalizeTerraformJson } from "./terraform-json";
import { GateDocument, isObject, JsonObject, JsonValue, NormalizedDocument, SourceLocation } from "./types";

export * from "./types";

/** Top-level keys of Terraform's JSON configuration syntax. */
const TERRAFORM_JSON_KEYS = new Set([
  "//", "terraform", "provider", "variable", "locals", "output", "module",
  "resource", "data", "moved", "import", "removed", "check", "ephemeral",
]);

export interface LoadOptions {
  /** Bytes of input this check may read, all files together. @default TRAILGATE_MAX_INPUT_MB or 64 MiB */
  budget?: InputBudget;
  /** Environment for TF_VAR_* variable values (as Terraform reads them). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The configuration a plan input was made from (plan-sources.ts planSourcesFor). */
  planSources?: PlanSources;
}

/** LoadOptions with their defaults filled in. */
type ResolvedOptions = Required<Omit<LoadOptions, "planSources">> & Pick<LoadOptions, "planSources">;

/** The plan's sources, if they are the configuration it was made from. */
function matchingSources(plan: PlanJson, sources: PlanSources | undefined): PlanSources | undefined {
  if (!sources) return undefined;
  const mismatch = sourcesMismatch(plan, sources);
  if (!mismatch) return sources;
  if (sources.explicit) throw new GateInputError(`--config ${sources.rootDir} is not the configuration of this plan: ${mismatch}`);
  return undefined;
}

function isPlan(json: JsonValue): boolean {
  return isObject(json) && typeof json.format_version === "string" && ("planned_values" in json || "resource_changes" in json);
}

function isTerraformJson(json: JsonValue): boolean {
  if (Array.isArray(json)) return json.length > 0 && json.every((item) => isObject(item) && isTerraformJson(item));
  if (!isObject(json)) return false;
  const keys = Object.keys(json);
  return keys.length > 0 && keys.every((key) => TERRAFORM_JSON_KEYS.has(key));
}

/** A cdktf stack carries `"//": {"metadata": …}`; cdk.tf.json is its fixed file name. */
function isCdktfStack(file: string, json: JsonValue): boolean {
  const comment = isObject(json) ? json["//"] : undefined;
  return path.basename(file) === "cdk.tf.json" || (isObject(comment) && "metadata" in comment);
}

function unknownShape(file: string, json: JsonValue): GateInputError {
  const hint =
    isObject(json) && typeof json.format_version === "string" && "values" in json
      ? " (this looks like `terraform show -json` of a state; pass the JSON of a plan file)"
      : "";
  return new GateInputError(
    `${file} is not a cdktf cdk.tf.json, a \`terraform show -json\` plan or a Terraform JSON module${hint}`,
  );
}

/** Lines of resource and provider blocks (config-folder.ts reads the files of every input folder). */
function fileLocations(read: ConfigFile, prefix: string, locations: Map<string, SourceLocation>): void {
  for (const [key, line] of declarationLines(read.text, read.hcl)) {
    const address = joinAddress(prefix, key);
    if (!locations.has(address)) locations.set(address, { file: read.file, line });
  }
}

/**
 * A located resource also names its construct path; an unlocated one points at its
 * file. Where cdktf recorded the resource's creation stack trace, the resource points
 * at the first frame in the user's own source instead (source-frames.ts).
 */
function addConstructPaths(json: JsonValue, locations: Map<string, SourceLocation>, file: string, prefix = ""): void {
  if (!isObject(json)) return;
  const traces = constructStackTraces(json);
  for (const [local, constructPath] of constructPaths(json)) {
    const address = joinAddress(prefix, local);
    const frames = traces.get(local);
    const userFrame = frames ? firstUserFrame(frames) : undefined;
    const location = userFrame ?? locations.get(address);
    locations.set(address, { ...(location ?? { file, line: 1 }), constructPath });
  }
}

/** Provider addresses point at the `provider.<name>` key of their block. */
function locateProviders(input: NormalizedDocument, locations: Map<string, SourceLocation>): void {
  for (const provider of input.providers) {
    const block = locations.get(`provider.${provider.name}`);
    if (block && !locations.has(provider.address)) locations.set(provider.address, block);
  }
}

/** The root module's top-level `"//".trailgate` (addPolicyGate's recorded settings), when a synthesized stack has one. */
function gateRecordOf(input: NormalizedDocument, files: { read: ConfigFile; prefix: string }[]): GateDocument["gateRecord"] {
  if (input.format !== "synth") return undefined;
  for (const { read, prefix } of files) {
    const comment = prefix === "" && isObject(read.json) ? read.json["//"] : undefined;
    if (isObject(comment) && comment.trailgate !== undefined) return { raw: comment.trailgate, file: read.file };
  }
  return undefined;
}

function document(name: string, input: NormalizedDocument, files: { read: ConfigFile; prefix: string }[]): GateDocument {
  let locations: Map<string, SourceLocation> | undefined;
  const gateRecord = gateRecordOf(input, files);
  return {
    name,
    file: files[0].read.file,
    input,
    ...(gateRecord ? { gateRecord } : {}),
    // The scan reads every character of the files (about 20 ms at 10,000 resources)
    // and only a report that places findings needs it: a clean run never pays.
    get locations() {
      if (!locations) {
        locations = new Map();
        for (const { read, prefix } of files) fileLocations(read, prefix, locations);
        locateProviders(input, locations);
        for (const { read, prefix } of files) addConstructPaths(read.json, locations, read.file, prefix);
      }
      return locations;
    },
  };
}

/**
 * Root variable values from outside the configuration, in Terraform's order
 * (later wins): TF_VAR_<name> environment variables, terraform.tfvars,
 * terraform.tfvars.json, then *.auto.tfvars(.json) in name order.
 */
function rootVariableInputs(root: RootFolder, env: NodeJS.ProcessEnv): Map<string, { value: JsonValue; source: string }> {
  const inputs = new Map<string, { value: JsonValue; source: string }>();
  for (const [name, decl] of root.config.variables) {
    const value = env[`TF_VAR_${name}`];
    if (value === undefined) continue;
    const type = decl.type;
    let parsed: JsonValue = value;
    if (Array.isArray(type)) {
      try {
        parsed = JSON.parse(value) as JsonValue;
      } catch {
        parsed = `\${TF_VAR_${name}}`;
      }
    }
    inputs.set(name, { value: parsed, source: `environment variable TF_VAR_${name}` });
  }
  for (const { file, json } of root.variableFiles) {
    if (!isObject(json)) throw invalid(file, "a variables file must hold one object of variable values");
    const seen = new Set<string>();
    for (const [name, value] of entriesOf(json)) {
      if (name === "//") continue;
      if (seen.has(name)) throw invalid(file, `variable "${name}" is set more than once`);
      seen.add(name);
      // hcl2json gives HCL blocks as arrays of objects; a variables file has only attributes.
      inputs.set(name, { value, source: file });
    }
  }
  return inputs;
}

function folderDocument(dir: string, format: "synth" | "module", name: string, options: ResolvedOptions): GateDocument {
  const root = readModuleTree(dir, { budget: options.budget, missingModule: "refuse", variableFiles: true });
  const input = normalizeModule(format, root, rootVariableInputs(root, options.env));
  return document(name, input, treeFolders(root).flatMap((folder) => folder.files.map((read) => ({ read, prefix: folder.prefix }))));
}

function fileDocument(file: string, options: ResolvedOptions): GateDocument {
  const [read] = readConfigFiles([{ file, what: "input" }], options.budget);
  if (file.endsWith(".tf")) {
    const input = normalizeModule("module", { config: assembleModule([{ file, json: read.json, override: false }]) });
    return document(file, input, [{ read, prefix: "" }]);
  }
  return readDocument(read, options.planSources);
}

/** A plan, a cdk.tf.json or a Terraform JSON file, already read and parsed. */
function readDocument(read: ConfigFile, planSources?: PlanSources): GateDocument {
  const file = read.file;
  if (isPlan(read.json)) {
    // Findings point at the resource's block in the configuration the plan was made
    // from (the plan file's folder; the working folder for standard input), where it
    // can be found; else at line 1 of the plan, usually a single line.
    const json = read.json as JsonObject;
    const plan = json as unknown as PlanJson;
    const sources = matchingSources(plan, planSources);
    const input = normalizePlan(plan, sources);
    // --config names the folder the plan was made in; else the plan file's own folder.
    const rootDir = sources?.rootDir ?? (file === STDIN_NAME ? process.cwd() : path.dirname(path.resolve(file)));
    let locations: Map<string, SourceLocation> | undefined;
    return {
      name: file,
      file,
      input,
      get locations() {
        return (locations ??= planLocations(input, json.configuration, rootDir));
      },
    };
  }
  if (!isTerraformJson(read.json)) throw unknownShape(file, read.json);
  const format = isCdktfStack(file, read.json) ? "synth" : "module";
  const input = normalizeModule(format, { config: assembleModule([{ file, json: read.json, override: false }]) });
  return document(file, input, [{ read, prefix: "" }]);
}

/**
 * A cdktf.out directory: one document per stacks/<name>/, each read as the
 * folder Terraform runs in (cdk.tf.json plus any override files beside it).
 * A stack folder without cdk.tf.json, or a stack manifest.json names that is
 * missing, is an error: a stack must never be skipped silently.
 */
function cdktfOutDocuments(dir: string, options: ResolvedOptions): GateDocument[] {
  const stacksDir = path.join(dir, "stacks");
  const listed = new Set<string>();
  const manifestFile = path.join(dir, "manifest.json");
  if (fs.existsSync(manifestFile)) {
    const manifest = parseJson(readTextFile(manifestFile, "cdktf manifest", options.budget), manifestFile);
    const stacks = isObject(manifest) && isObject(manifest.stacks) ? manifest.stacks : {};
    for (const stack of Object.keys(stacks)) listed.add(stack);
  }
  const documents: GateDocument[] = [];
  const names = listDirectory(stacksDir).filter((name) => !isIgnoredFile(name));
  for (const name of names) {
    const stackDir = path.join(stacksDir, name);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(stackDir);
    } catch (error) {
      throw new GateInputError(`cannot read stack ${stackDir}: ${describeError(error)}`);
    }
    if (!stat.isDirectory()) throw new GateInputError(`${stackDir} is not a stack folder`);
    if (!fs.existsSync(path.join(stackDir, "cdk.tf.json"))) throw new GateInputError(`stack ${stackDir} has no cdk.tf.json (a failed or partial synth?)`);
    documents.push(folderDocument(stackDir, "synth", name, options));
  }
  for (const stack of listed) {
    if (!names.includes(stack)) throw new GateInputError(`${manifestFile} lists stack ${stack}, but ${path.join(stacksDir, stack)} is missing`);
  }
  if (documents.length === 0) throw new GateInputError(`${dir} has a stacks/ folder but no stacks/*/cdk.tf.json`);
  return documents;
}

function directoryDocuments(dir: string, options: ResolvedOptions): GateDocument[] {
  const stacks = path.join(dir, "stacks");
  if (fs.existsSync(stacks) && fs.statSync(stacks).isDirectory()) return cdktfOutDocuments(dir, options);
  // A stack's own folder (cdktf.out/stacks/<name>) holds cdk.tf.json.
  const format = fs.existsSync(path.join(dir, "cdk.tf.json")) ? "synth" : "module";
  return [folderDocument(dir, format, dir, options)];
}

/**
 * Loads and normalises what `trailgate check <path>` was given: a cdk.tf.json, a
 * cdktf.out directory, a `terraform show -json` plan, a `.tf` / `.tf.json` file,
 * or a module folder (`.tf` and `.tf.json` files, override files, tfvars, local
 * module calls), read as Terraform reads them. Anything else, and anything
 * Terraform would refuse, is a GateInputError naming the path.
 */
export function loadDocuments(inputPath: string, options: LoadOptions = {}): GateDocument[] {
  const resolved: ResolvedOptions = {
    budget: options.budget ?? InputBudget.fromEnvironment(),
    env: options.env ?? process.env,
    planSources: options.planSources,
  };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(inputPath);
  } catch (error) {
    throw new GateInputError(`cannot read ${inputPath}: ${describeError(error)}`);
  }
  return stat.isDirectory() ? directoryDocuments(inputPath, resolved) : [fileDocument(inputPath, resolved)];
}

/** The name standard input goes by in reports and errors. */
export const STDIN_NAME = "<stdin>";

/**
 * One document from text already read, e.g. standard input (`trailgate check -`):
 * a plan, a cdk.tf.json (recognised by its "//" metadata) or a Terraform JSON
 * file, read as Terraform reads JSON. The caller bounds the text's size.
 */
export function textDocument(name: string, text: string, options: LoadOptions = {}): GateDocument {
  return readDocument({ file: name, text, json: parseJson(text, name), hcl: false }, options.planSources);
}

/** The normalised document of an in-memory synthesized stack (for the synth-time gate). */
export function synthDocument(name: string, json: JsonObject): GateDocument {
  const locations = new Map<string, SourceLocation>();
  addConstructPaths(json, locations, name);
  return { name, file: name, input: normalizeTerraformJson("synth", [{ file: name, json }]), locations };
}
