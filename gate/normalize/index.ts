import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../errors";
import { constructPaths } from "./construct-paths";
import { scanBlockLines } from "./locations";
import { planLocations } from "./plan-locations";
import { normalizePlan, PlanJson, sourcesMismatch } from "./plan";
import { PlanSources } from "./plan-sources";
import { normalizeTerraformJson, TerraformJsonFile } from "./terraform-json";
import { GateDocument, JsonObject, NormalizedDocument, SourceLocation } from "./types";

export * from "./types";

/** Top-level keys of Terraform's JSON configuration syntax. */
const TERRAFORM_JSON_KEYS = new Set([
  "//", "terraform", "provider", "variable", "locals", "output", "module",
  "resource", "data", "moved", "import", "removed", "check",
]);

interface ParsedFile {
  file: string;
  text: string;
  json: unknown;
}

function readJsonFile(file: string): ParsedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new GateInputError(`cannot read ${file}: ${describeError(error)}`);
  }
  try {
    return { file, text, json: JSON.parse(text) };
  } catch (error) {
    throw new GateInputError(`${file} is not valid JSON: ${describeError(error)}`);
  }
}

function isPlan(json: JsonObject): boolean {
  return typeof json.format_version === "string" && ("planned_values" in json || "resource_changes" in json);
}

function isTerraformJson(json: JsonObject): boolean {
  const keys = Object.keys(json);
  return keys.length > 0 && keys.every((key) => TERRAFORM_JSON_KEYS.has(key));
}

/** A cdktf stack carries `"//": {"metadata": …}`; cdk.tf.json is its fixed file name. */
function isCdktfStack(parsed: ParsedFile, json: JsonObject): boolean {
  const comment = json["//"];
  return path.basename(parsed.file) === "cdk.tf.json" || (typeof comment === "object" && comment !== null && "metadata" in comment);
}

function unknownShape(parsed: ParsedFile): GateInputError {
  const json = parsed.json as JsonObject;
  const hint =
    typeof json === "object" && json !== null && typeof json.format_version === "string" && "values" in json
      ? " (this looks like `terraform show -json` of a state; pass the JSON of a plan file)"
      : "";
  return new GateInputError(
    `${parsed.file} is not a cdktf cdk.tf.json, a \`terraform show -json\` plan or a Terraform JSON module${hint}`,
  );
}

function asObject(parsed: ParsedFile): JsonObject {
  const json = parsed.json;
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw unknownShape(parsed);
  return json as JsonObject;
}

/** Lines of `resource.<type>.<name>` keys, re-keyed by resource or provider address. */
function terraformJsonLocations(parsed: ParsedFile, locations: Map<string, SourceLocation>): void {
  for (const [key, line] of scanBlockLines(parsed.text)) {
    if (!locations.has(key)) locations.set(key, { file: parsed.file, line });
  }
}

/** A located resource also names its construct path; an unlocated one points at its file. */
function addConstructPaths(json: JsonObject, locations: Map<string, SourceLocation>, file: string): void {
  for (const [address, constructPath] of constructPaths(json)) {
    const location = locations.get(address);
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

function terraformJsonDocument(format: "synth" | "module", name: string, files: ParsedFile[]): GateDocument {
  const input = normalizeTerraformJson(
    format,
    files.map((parsed): TerraformJsonFile => ({ file: parsed.file, json: asObject(parsed) })),
  );
  let locations: Map<string, SourceLocation> | undefined;
  return {
    name,
    file: files[0].file,
    input,
    // The scan reads every character of the file (about 20 ms at 10,000 resources)
    // and only a report that places findings needs it: a clean run never pays.
    get locations() {
      if (!locations) {
        locations = new Map();
        for (const parsed of files) terraformJsonLocations(parsed, locations);
        locateProviders(input, locations);
        for (const parsed of files) addConstructPaths(asObject(parsed), locations, parsed.file);
      }
      return locations;
    },
  };
}

/** Options of loadDocuments. */
export interface LoadOptions {
  /** The configuration a plan input was made from (plan-sources.ts planSourcesFor). */
  planSources?: PlanSources;
}

/** The plan's sources, if they are the configuration it was made from. */
function matchingSources(plan: PlanJson, sources: PlanSources | undefined): PlanSources | undefined {
  if (!sources) return undefined;
  const mismatch = sourcesMismatch(plan, sources);
  if (!mismatch) return sources;
  if (sources.explicit) throw new GateInputError(`--config ${sources.rootDir} is not the configuration of this plan: ${mismatch}`);
  return undefined;
}

function fileDocument(file: string, options: LoadOptions): GateDocument {
  return parsedDocument(readJsonFile(file), options);
}

function parsedDocument(parsed: ParsedFile, options: LoadOptions = {}): GateDocument {
  const file = parsed.file;
  const json = asObject(parsed);
  if (isPlan(json)) {
    // Findings point at the resource's block in the configuration the plan was made
    // from (the plan file's folder; the working folder for standard input), where it
    // can be found; else at line 1 of the plan, usually a single line.
    const plan = json as unknown as PlanJson;
    const input = normalizePlan(plan, matchingSources(plan, options.planSources));
    const rootDir = parsed.file === STDIN_NAME ? process.cwd() : path.dirname(path.resolve(file));
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
  if (isTerraformJson(json)) return terraformJsonDocument(isCdktfStack(parsed, json) ? "synth" : "module", file, [parsed]);
  throw unknownShape(parsed);
}

function listDirectory(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new GateInputError(`cannot read directory ${dir}: ${describeError(error)}`);
  }
}

/** A cdktf.out directory: one document per `stacks/<name>/cdk.tf.json`. */
function cdktfOutDocuments(dir: string): GateDocument[] {
  const stacksDir = path.join(dir, "stacks");
  const documents: GateDocument[] = [];
  for (const entry of listDirectory(stacksDir).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(stacksDir, entry.name, "cdk.tf.json");
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const parsed = readJsonFile(file);
    if (!isTerraformJson(asObject(parsed))) throw unknownShape(parsed);
    documents.push(terraformJsonDocument("synth", entry.name, [parsed]));
  }
  if (documents.length === 0) throw new GateInputError(`${dir} has a stacks/ folder but no stacks/*/cdk.tf.json`);
  return documents;
}

function directoryDocuments(dir: string): GateDocument[] {
  const entries = listDirectory(dir);
  if (entries.some((entry) => entry.isDirectory() && entry.name === "stacks")) return cdktfOutDocuments(dir);
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".tf.json"))
    .map((entry) => entry.name)
    .sort();
  if (files.length === 0) throw new GateInputError(`${dir} has no *.tf.json files and no cdktf stacks/ folder`);
  const parsed = files.map((name) => readJsonFile(path.join(dir, name)));
  for (const file of parsed) if (!isTerraformJson(asObject(file))) throw unknownShape(file);
  // A stack's own folder (cdktf.out/stacks/<name>) holds just cdk.tf.json.
  const format = files.length === 1 && files[0] === "cdk.tf.json" ? "synth" : "module";
  return [terraformJsonDocument(format, dir, parsed)];
}

/**
 * Loads and normalises what `trailgate check <path>` was given: a cdk.tf.json, a
 * cdktf.out directory, a `terraform show -json` plan, or a folder of *.tf.json.
 * Anything else is a GateInputError naming the path.
 */
export function loadDocuments(inputPath: string, options: LoadOptions = {}): GateDocument[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(inputPath);
  } catch (error) {
    throw new GateInputError(`cannot read ${inputPath}: ${describeError(error)}`);
  }
  return stat.isDirectory() ? directoryDocuments(inputPath) : [fileDocument(inputPath, options)];
}

/**
 * One document from text already read, e.g. standard input (`trailgate check -`):
 * a plan, a cdk.tf.json (recognised by its "//" metadata) or a Terraform JSON file.
 */
export const STDIN_NAME = "<stdin>";

export function textDocument(name: string, text: string, options: LoadOptions = {}): GateDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GateInputError(`${name} is not valid JSON: ${describeError(error)}`);
  }
  return parsedDocument({ file: name, text, json }, options);
}

/** The normalised document of an in-memory synthesized stack (for the synth-time gate). */
export function synthDocument(name: string, json: JsonObject): GateDocument {
  const locations = new Map<string, SourceLocation>();
  addConstructPaths(json, locations, name);
  return { name, file: name, input: normalizeTerraformJson("synth", [{ file: name, json }]), locations };
}
