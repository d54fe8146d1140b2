import { Block, deepEntries, fileBlocks, invalid } from "./config-syntax";
import { ConversionError, convertValue, CtyType, evaluateValue, Evaluated, parseTypeConstraint, Scope } from "./expressions";
import { entriesOf } from "./json-reader";
import { NUMBER_STRING } from "./numbers";
import { dataSourceSchema, resourceSchema, SchemaBlock } from "./schema";
import { isObject, JsonObject, JsonValue } from "./types";

/**
 * One module's configuration as Terraform assembles it from its files: the
 * primary files, then the override files (`override.tf(.json)`,
 * `*_override.tf(.json)`) merged into what they override, with Terraform's
 * rules (an argument replaces the argument; a nested block type replaces every
 * block of that type; an override needs something to override, except a
 * default provider configuration).
 */

export interface SourceFile {
  file: string;
  /** The parsed `.tf.json` (or a `.tf` file converted to JSON). */
  json: JsonValue;
  override: boolean;
}

export interface BodyDecl {
  file: string;
  entries: [string, JsonValue][];
}

export interface ResourceDecl extends BodyDecl {
  type: string;
  name: string;
}

export interface ProviderDecl extends BodyDecl {
  name: string;
  alias: string;
}

export interface VariableDecl {
  file: string;
  hasDefault: boolean;
  default: JsonValue;
  type: CtyType;
}

export interface ModuleConfig {
  resources: Map<string, ResourceDecl>;
  providers: Map<string, ProviderDecl>;
  variables: Map<string, VariableDecl>;
  locals: Map<string, { file: string; value: JsonValue }>;
  moduleCalls: Map<string, BodyDecl>;
  /** `type.name` of each data block -> its declaration (policy documents are rebuilt from it; a plan's sources are matched against them). */
  dataSources: Map<string, ResourceDecl>;
  /** Output name -> its `value` expression (a caller's `module.NAME.OUTPUT` reads it). */
  outputs: Map<string, BodyDecl>;
}

/** The single value of an argument in a body, or undefined; set twice is an error. */
export function argument(decl: BodyDecl, key: string, where: string): JsonValue | undefined {
  let found: JsonValue | undefined;
  let count = 0;
  for (let i = 0; i < decl.entries.length; i++) {
    if (decl.entries[i][0] !== key) continue;
    found = decl.entries[i][1];
    count++;
  }
  if (count > 1) throw invalid(decl.file, `${where}: the argument "${key}" is set more than once`);
  return found;
}

/** A literal string argument (provider alias): templates are not allowed there. */
function literalString(decl: BodyDecl, key: string, where: string): string {
  const value = argument(decl, key, where);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string" || value.includes("${")) throw invalid(decl.file, `${where}: "${key}" must be a literal string`);
  return value;
}

/**
 * Terraform's body merge for overrides: every argument the override sets
 * replaces the base's; a nested block type the override has (statically or
 * as `dynamic`) replaces all base blocks of that type.
 */
function mergeEntries(base: [string, JsonValue][], override: [string, JsonValue][], schema: SchemaBlock | undefined, file: string): [string, JsonValue][] {
  const isBlockType = (key: string) => !!schema && Object.prototype.hasOwnProperty.call(schema.blocks, key);
  const overriddenArguments = new Set<string>();
  const overriddenBlocks = new Set<string>();
  for (const [key, value] of override) {
    if (key === "dynamic") for (const [blockType] of deepEntries(value, file, "dynamic")) overriddenBlocks.add(blockType);
    else if (isBlockType(key)) overriddenBlocks.add(key);
    else overriddenArguments.add(key);
  }
  const kept: [string, JsonValue][] = [];
  for (const [key, value] of base) {
    if (key === "dynamic") {
      const remaining: JsonObject = {};
      for (const [blockType, body] of deepEntries(value, file, "dynamic")) if (!overriddenBlocks.has(blockType)) remaining[blockType] = body;
      if (Object.keys(remaining).length > 0) kept.push([key, remaining]);
    } else if (!overriddenArguments.has(key) && !overriddenBlocks.has(key)) {
      kept.push([key, value]);
    }
  }
  return [...kept, ...override];
}

function variableDecl(block: Block): VariableDecl {
  const decl = { file: block.file, entries: entriesOf(block.body) };
  const where = `variable "${block.labels[0]}"`;
  const defaultValue = argument(decl, "default", where);
  return {
    file: block.file,
    hasDefault: defaultValue !== undefined,
    default: defaultValue ?? null,
    type: parseTypeConstraint(argument(decl, "type", where)),
  };
}

/** Assembles a module from its files (primary files first, then overrides, each in the order given). */
export function assembleModule(files: SourceFile[]): ModuleConfig {
  const module: ModuleConfig = {
    resources: new Map(),
    providers: new Map(),
    variables: new Map(),
    locals: new Map(),
    moduleCalls: new Map(),
    dataSources: new Map(),
    outputs: new Map(),
  };
  const ordered = [...files.filter((f) => !f.override), ...files.filter((f) => f.override)];
  for (const source of ordered) {
    for (const block of fileBlocks(source.json, source.file)) addBlock(module, block, source.override);
  }
  return module;
}

/**
 * A block Terraform allows once across the primary files (a resource, data source,
 * module call or output), which override files then merge into.
 */
function declareOrOverride<T extends BodyDecl>(
  declared: Map<string, T>,
  key: string,
  what: string,
  source: { file: string; entries: [string, JsonValue][]; override: boolean; schema?: SchemaBlock },
  create: () => T,
  [participle, verb] = ["declared", "declares"],
): void {
  const existing = declared.get(key);
  if (!source.override) {
    if (existing) throw invalid(source.file, `${what} is ${participle} more than once (also in ${existing.file})`);
    declared.set(key, create());
  } else {
    if (!existing) throw invalid(source.file, `the override file has ${what}, which no primary file ${verb}`);
    existing.entries = mergeEntries(existing.entries, source.entries, source.schema, source.file);
  }
}

function addBlock(module: ModuleConfig, block: Block, override: boolean): void {
  const { file } = block;
  const entries = entriesOf(block.body);
  switch (block.type) {
    case "resource":
    case "data": {
      const [type, name] = block.labels;
      const key = `${type}.${name}`;
      const [declared, schema] = block.type === "resource" ? [module.resources, resourceSchema(type)] : [module.dataSources, dataSourceSchema(type)];
      declareOrOverride(declared, key, `${block.type} ${key}`, { file, entries, override, schema }, () => ({ type, name, file, entries }));
      return;
    }
    case "provider": {
      const [name] = block.labels;
      const alias = literalString({ file, entries }, "alias", `provider "${name}"`);
      const key = alias ? `${name}.${alias}` : name;
      const existing = module.providers.get(key);
      if (!override) {
        if (existing) throw invalid(file, `provider configuration ${key} is declared more than once (also in ${existing.file})`);
        module.providers.set(key, { name, alias, file, entries });
      } else if (existing) {
        existing.entries = mergeEntries(existing.entries, entries, undefined, file);
      } else if (!alias) {
        module.providers.set(key, { name, alias, file, entries });
      } else {
        throw invalid(file, `the override file configures provider ${key}, which no primary file declares`);
      }
      return;
    }
    case "variable": {
      const [name] = block.labels;
      const existing = module.variables.get(name);
      const decl = variableDecl(block);
      if (!override) {
        if (existing) throw invalid(file, `variable "${name}" is declared more than once (also in ${existing.file})`);
        module.variables.set(name, decl);
      } else {
        if (!existing) throw invalid(file, `the override file has variable "${name}", which no primary file declares`);
        const declared = new Set(entries.map(([key]) => key));
        if (declared.has("default")) {
          existing.hasDefault = true;
          existing.default = decl.default;
        }
        if (declared.has("type")) existing.type = decl.type;
      }
      return;
    }
    case "locals": {
      const names = new Set<string>();
      for (const [name, value] of entries) {
        if (name === "//") continue;
        if (names.has(name)) throw invalid(file, `local value "${name}" is set more than once in one locals block`);
        names.add(name);
        const existing = module.locals.get(name);
        if (!override && existing) throw invalid(file, `local value "${name}" is defined more than once (also in ${existing.file})`);
        if (override && !existing) throw invalid(file, `the override file sets local value "${name}", which no primary file defines`);
        module.locals.set(name, { file, value });
      }
      return;
    }
    case "module": {
      const [name] = block.labels;
      declareOrOverride(module.moduleCalls, name, `module "${name}"`, { file, entries, override }, () => ({ file, entries }), ["called", "calls"]);
      return;
    }
    case "output": {
      const [name] = block.labels;
      declareOrOverride(module.outputs, name, `output "${name}"`, { file, entries, override }, () => ({ file, entries }));
      return;
    }
    default:
      // terraform, moved, import, removed, check, ephemeral: no rule reads them.
      return;
  }
}

/** Variable values from outside the configuration: tfvars files and TF_VAR_ environment variables. */
export interface VariableInputs {
  /** name -> value, the last source winning (Terraform's precedence order). */
  values: Map<string, { value: JsonValue; source: string }>;
}

/**
 * Scope of one module instance: var.* from its inputs (the root's: tfvars and
 * environment; a child's: the module call's arguments), then defaults; local.*
 * from its locals, evaluated on first use.
 */
export class ModuleScope implements Scope {
  private readonly variableCache = new Map<string, Evaluated | undefined>();
  private readonly localCache = new Map<string, Evaluated | undefined>();
  private readonly evaluating = new Set<string>();
  private outputs?: (call: string, output: string) => Evaluated | undefined;

  /** Lets `module.CALL.OUTPUT` read the called modules' outputs (terraform-json.ts knows them). */
  bindModuleOutputs(outputs: (call: string, output: string) => Evaluated | undefined): void {
    this.outputs = outputs;
  }

  module(call: string, output: string): Evaluated | undefined {
    return this.outputs?.(call, output);
  }

  constructor(
    private readonly config: ModuleConfig,
    /** Given values: already evaluated (a call's arguments in the caller's scope) or literal (tfvars). */
    private readonly inputs: Map<string, { value: JsonValue; source: string }>,
  ) {}

  variable(name: string): Evaluated | undefined {
    if (this.variableCache.has(name)) return this.variableCache.get(name);
    const decl = this.config.variables.get(name);
    let result: Evaluated | undefined;
    if (decl) {
      const input = this.inputs.get(name);
      const raw = input ? input.value : decl.hasDefault ? evaluateValue(decl.default, this) : undefined;
      if (raw !== undefined) {
        try {
          result = asEvaluated(convertValue(raw, decl.type));
        } catch (error) {
          if (!(error instanceof ConversionError)) throw error;
          throw invalid(input?.source ?? decl.file, `the value of variable "${name}" does not match its type: ${error.message}`);
        }
      }
    }
    this.variableCache.set(name, result);
    return result;
  }

  local(name: string): Evaluated | undefined {
    if (this.localCache.has(name)) return this.localCache.get(name);
    const local = this.config.locals.get(name);
    // A local that refers to itself through others is a cycle Terraform refuses; it stays unknown here.
    if (!local || this.evaluating.has(name)) return undefined;
    this.evaluating.add(name);
    const result = asEvaluated(evaluateValue(local.value, this));
    this.evaluating.delete(name);
    this.localCache.set(name, result);
    return result;
  }
}

/** A value whose strings hold no "${": fully known. One unknown string is passed on as its text. */
export function asEvaluated(value: JsonValue): Evaluated {
  if (typeof value === "string" && value.includes("${")) return { known: false, text: value };
  return containsUnknown(value) ? { known: false, text: "" } : { known: true, value };
}

function containsUnknown(value: JsonValue): boolean {
  const pending: JsonValue[] = [value];
  while (pending.length > 0) {
    const current = pending.pop() as JsonValue;
    if (typeof current === "string") {
      if (current.includes("${")) return true;
    } else if (Array.isArray(current)) pending.push(...current);
    else if (isObject(current)) for (const key of Object.keys(current)) pending.push(current[key]);
  }
  return false;
}

/**
 * What a resource's or module call's count / for_each says about its instances:
 * "none" (a known 0, or an empty list, set or map), "known" (no count or for_each, or
 * a known count or collection), or "unknown" (a value not known before apply, such
 * as `toset(var.x)` whose variable the caller sets from a resource).
 */
export function instancesOf(decl: ResourceDecl | BodyDecl, where: string, scope: Scope): "none" | "known" | "unknown" {
  const count = argument(decl, "count", where);
  if (count !== undefined) {
    const value = evaluateValue(count, scope);
    if (value === 0 || value === "0") return "none";
    if (typeof value !== "number" && !(typeof value === "string" && NUMBER_STRING.test(value))) return "unknown";
  }
  const forEach = argument(decl, "for_each", where);
  if (forEach !== undefined) {
    const value = evaluateValue(forEach, scope);
    if ((Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0)) return "none";
    // A set's elements are its instance keys; a map's keys are known even where its values are not.
    if (Array.isArray(value) ? containsUnknown(value) : !isObject(value)) return "unknown";
  }
  return "known";
}

/** Whether a resource's count / for_each says it has no instances (a known 0, [] or {}). */
export function hasNoInstances(decl: ResourceDecl | BodyDecl, where: string, scope: Scope): boolean {
  return instancesOf(decl, where, scope) === "none";
}

/** A module call's arguments that are input variables (not Terraform's own meta-arguments). */
export function moduleCallInputs(decl: BodyDecl): [string, JsonValue][] {
  const meta = new Set(["source", "version", "count", "for_each", "providers", "depends_on", "//"]);
  return decl.entries.filter(([key]) => !meta.has(key));
}
