import { GateInputError } from "../core/errors";
import { buildDocument, impliedProviderName, joinAddress, literalAccountIds, providerAddress, ProviderRegistry, ResourceDraft } from "./common";
import {
  argument,
  asEvaluated,
  assembleModule,
  BodyDecl,
  instancesOf,
  ModuleConfig,
  moduleCallInputs,
  ModuleScope,
  SourceFile,
} from "./config-module";
import { invalid } from "./config-syntax";
import { ConfigPolicyDocuments } from "./config-policy-documents";
import { evaluateValue } from "./expressions";
import { POLICY_ARGUMENTS } from "./policy-document";
import { expressionReferences, interpolatedReferences } from "./references";
import { decodeBody, PROVIDER_META_ARGUMENTS, providerSchema, RESOURCE_META_ARGUMENTS, resourceSchema } from "./schema";
import { isObject, JsonObject, JsonValue, NormalizedDocument, PolicyDocument } from "./types";

/** One parsed Terraform JSON file (a cdk.tf.json or one *.tf.json of a module). */
export interface TerraformJsonFile {
  file: string;
  json: JsonObject;
}

/** A module's configuration with the modules its calls name (by call name; config-folder.ts reads them). */
export interface LoadedModule {
  config: ModuleConfig;
  /** Undefined when the modules cannot be read here (a single file). */
  children?: Map<string, LoadedModule>;
}

/** Addresses of the resources of the modules a module calls, from it: `module.logs.aws_s3_bucket.b`. */
function descendantAddresses(loaded: LoadedModule, prefix: string): string[] {
  const found: string[] = [];
  for (const [call, child] of loaded.children ?? []) {
    const path = `${prefix}module.${call}.`;
    for (const key of child.config.resources.keys()) found.push(`${path}${key}`);
    found.push(...descendantAddresses(child, path));
  }
  return found;
}

const RESOURCE_TRAVERSAL = /^(data\.)?([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)((?:\[(?:\d+|"[^"]*")\]|\.[A-Za-z_][\w-]*)*)$/;
const LOCAL_TRAVERSAL = /^local\.([A-Za-z_][\w-]*)$/;
const OUTPUT_TRAVERSAL = /^module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)((?:\[(?:\d+|"[^"]*")\]|\.[A-Za-z_][\w-]*)*)$/;

/**
 * The reference an output's value makes to one of its module's own resources or
 * data sources (`aws_s3_bucket.b.id`), directly, through a local, or through a
 * module it calls; undefined for anything else (a variable's value may name a
 * resource of the caller, so it is never rewritten as the module's own).
 */
function ownResource(raw: JsonValue, config: ModuleConfig, scope: ModuleScope, depth: number): string | undefined {
  if (typeof raw !== "string" || depth > 16) return undefined;
  const inner = /^\$\{\s*([^]*?)\s*\}$/.exec(raw)?.[1];
  if (inner === undefined) return undefined;
  const local = LOCAL_TRAVERSAL.exec(inner);
  if (local) {
    const decl = config.locals.get(local[1]);
    return decl ? ownResource(decl.value, config, scope, depth + 1) : undefined;
  }
  const output = OUTPUT_TRAVERSAL.exec(inner);
  if (output) {
    const value = scope.module(output[1], output[2]);
    const reference = value && !value.known ? /^\$\{(module\.[^]*)\}$/.exec(value.text)?.[1] : undefined;
    return reference === undefined ? undefined : `${reference}${output[3]}`;
  }
  const resource = RESOURCE_TRAVERSAL.exec(inner);
  if (!resource) return undefined;
  const key = `${resource[2]}.${resource[3]}`;
  return (resource[1] ? config.dataSources.has(key) : config.resources.has(key)) ? inner : undefined;
}

/** `"aws.log_archive"` or `"${aws.log_archive}"` -> "aws.log_archive". */
function providerReference(value: JsonValue | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  return value.replace(/^\$\{(.*)\}$/s, "$1").trim();
}

interface Instance {
  path: string;
  loaded: LoadedModule;
  scope: ModuleScope;
  /** Provider references ("aws", "aws.x") given by the caller, to addresses. */
  inherited: Map<string, string>;
  /** Whether this module instance exists is not known before apply (its call's, or a caller's, count / for_each). */
  mayNotExist: boolean;
}

class ModuleNormalizer {
  private readonly providers = new ProviderRegistry();
  private readonly drafts: ResourceDraft[] = [];
  /** Scopes of module instances by address, shared by the callers that read their outputs and the visit. */
  private readonly scopes = new Map<string, ModuleScope | null>();
  /** Per module instance: the resources (full addresses) each variable's value names in the caller. */
  private readonly variableLinks = new Map<string, Map<string, string[]>>();
  private readonly addresses = new Map<LoadedModule, Set<string>>();

  constructor(private readonly format: "synth" | "module") {}

  run(root: LoadedModule, rootInputs: Map<string, { value: JsonValue; source: string }>): NormalizedDocument {
    this.visit({ path: "", loaded: root, scope: this.scopeFor("", root, rootInputs), inherited: new Map(), mayNotExist: false });
    return buildDocument(this.format, this.providers.list(), this.drafts);
  }

  private visit(instance: Instance): void {
    const { config } = instance.loaded;
    const own = this.addProviders(instance);
    const resolveProvider = (reference: string): string => {
      const local = own.get(reference) ?? instance.inherited.get(reference);
      if (local) return local;
      // A configuration the module neither has nor is given: the root's (implied, region unset, if it has no block).
      const [name, alias = ""] = reference.split(".");
      return this.providers.use(name, alias);
    };

    const documents = new ConfigPolicyDocuments(config, instance.scope, instance.path);
    for (const decl of config.resources.values()) {
      const local = `${decl.type}.${decl.name}`;
      const address = joinAddress(instance.path, local);
      // Decoded even without instances: Terraform refuses a malformed body whatever its count.
      const values = decodeBody(decl.entries, resourceSchema(decl.type), address, {
        file: decl.file,
        scope: instance.scope,
        metaArguments: RESOURCE_META_ARGUMENTS,
      });
      const instances = instancesOf(decl, address, instance.scope);
      if (instances === "none") continue;
      const refs: Record<string, string[]> = {};
      const policies: Record<string, PolicyDocument> = {};
      const unresolved: Record<string, string[]> = {};
      for (const key of Object.keys(values)) {
        const rebuilt = POLICY_ARGUMENTS.has(key) ? documents.forValue(values[key]) : undefined;
        if (rebuilt) {
          policies[key] = rebuilt.document;
          if (rebuilt.unknownParts.length > 0) unresolved[key] = [...new Set(rebuilt.unknownParts)].sort();
        }
        const referenced = this.linksOf(rebuilt ? (rebuilt.document as unknown as JsonValue) : values[key], instance.path, instance.loaded);
        if (referenced.length > 0) refs[key] = referenced;
      }
      const reference = providerReference(argument(decl, "provider", address)) ?? impliedProviderName(decl.type);
      const region = values.region;
      this.drafts.push({
        address,
        type: decl.type,
        name: decl.name,
        provider: resolveProvider(reference),
        ownRegion: region === undefined || region === null ? undefined : typeof region === "string" && !region.includes("${") ? region : null,
        values,
        refs,
        policies,
        unresolved,
        instancesUnknown: instances === "unknown" || instance.mayNotExist,
      });
    }

    for (const [name, call] of config.moduleCalls) {
      const where = `module "${name}"`;
      const path = joinAddress(instance.path, `module.${name}`);
      const instances = instancesOf(call, where, instance.scope);
      if (instances === "none") continue;
      const source = argument(call, "source", where);
      if (typeof source !== "string") throw invalid(call.file, `${where} needs a literal "source"`);
      const child = instance.loaded.children?.get(name);
      if (!child) {
        throw new GateInputError(`${call.file}: ${where} (source ${source}) cannot be read here; gate the folder or the plan (terraform show -json) instead`);
      }
      const scope = this.childScope(instance.path, instance.loaded, instance.scope, name) ?? this.scopeFor(path, child, this.callInputs(call, child, where, instance, path));
      this.visit({
        path,
        loaded: child,
        scope,
        inherited: this.passedProviders(call.entries, own, instance, where, call.file),
        mayNotExist: instances === "unknown" || instance.mayNotExist,
      });
    }
  }

  /**
   * A module call's arguments, evaluated in the calling module: the called module's
   * variable values, and the resources each names in the caller (`variableLinks`),
   * so that `var.bucket` inside the module links to the caller's bucket.
   */
  private callInputs(
    call: BodyDecl,
    child: LoadedModule,
    where: string,
    caller: { path: string; loaded: LoadedModule; scope: ModuleScope },
    childPath: string,
  ): Map<string, { value: JsonValue; source: string }> {
    const inputs = new Map<string, { value: JsonValue; source: string }>();
    const links = new Map<string, string[]>();
    for (const [key, value] of moduleCallInputs(call)) {
      if (inputs.has(key)) throw invalid(call.file, `${where}: the argument "${key}" is set more than once`);
      if (!child.config.variables.has(key)) throw invalid(call.file, `${where}: the module has no variable "${key}"`);
      const evaluated = evaluateValue(value, caller.scope);
      inputs.set(key, { value: evaluated, source: call.file });
      const named = this.linksOf(evaluated, caller.path, caller.loaded);
      if (named.length > 0) links.set(key, named);
    }
    this.variableLinks.set(childPath, links);
    return inputs;
  }

  /**
   * The resources a value names, by full address: its own module's and, through
   * `module.CALL.…` outputs, those of the modules it calls; and, through `var.x`,
   * those the caller's expression for x names.
   */
  private linksOf(value: JsonValue, path: string, loaded: LoadedModule): string[] {
    let known = this.addresses.get(loaded);
    if (!known) this.addresses.set(loaded, (known = new Set([...loaded.config.resources.keys(), ...descendantAddresses(loaded, "")])));
    const found = interpolatedReferences(value, known).map((reference) => joinAddress(path, reference));
    const variables = this.variableLinks.get(path);
    if (!variables || variables.size === 0) return found;
    for (const reference of expressionReferences(value)) {
      if (!reference.startsWith("var.")) continue;
      for (const address of variables.get(reference.slice(4)) ?? []) if (!found.includes(address)) found.push(address);
    }
    return found;
  }

  /** The scope of one module instance, which reads the outputs of the modules it calls. */
  private scopeFor(path: string, loaded: LoadedModule, inputs: Map<string, { value: JsonValue; source: string }>): ModuleScope {
    const scope = new ModuleScope(loaded.config, inputs);
    const evaluating = new Set<string>();
    scope.bindModuleOutputs((call, output) => {
      const key = `${call}.${output}`;
      const child = loaded.children?.get(call);
      const decl = child?.config.outputs.get(output);
      const childScope = this.childScope(path, loaded, scope, call);
      if (!child || !decl || !childScope || evaluating.has(key)) return undefined;
      const value = argument(decl, "value", `output "${output}"`);
      if (value === undefined) return undefined;
      evaluating.add(key);
      try {
        const evaluated = asEvaluated(evaluateValue(value, childScope));
        if (evaluated.known) return evaluated;
        // Not known before apply: it links only when it names one of that module's resources.
        // As written, or as evaluated (a conditional over known values picks one reference).
        const reference = ownResource(value, child.config, childScope, 0) ?? ownResource(evaluated.text, child.config, childScope, 0);
        return reference ? { known: false, text: `\${module.${call}.${reference}}` } : undefined;
      } finally {
        evaluating.delete(key);
      }
    });
    return scope;
  }

  /**
   * The scope of a module call without count or for_each (one instance, whose
   * outputs a caller can name), created once; undefined for other calls.
   */
  private childScope(path: string, loaded: LoadedModule, scope: ModuleScope, call: string): ModuleScope | undefined {
    const childPath = joinAddress(path, `module.${call}`);
    if (this.scopes.has(childPath)) return this.scopes.get(childPath) ?? undefined;
    const decl = loaded.config.moduleCalls.get(call);
    const child = loaded.children?.get(call);
    const where = `module "${call}"`;
    this.scopes.set(childPath, null); // modules whose inputs name each other's outputs: unknown, not a loop
    if (!decl || !child || argument(decl, "count", where) !== undefined || argument(decl, "for_each", where) !== undefined) return undefined;
    const childScope = this.scopeFor(childPath, child, this.callInputs(decl, child, where, { path, loaded, scope }, childPath));
    this.scopes.set(childPath, childScope);
    return childScope;
  }

  /** Registers the module's own provider blocks; returns reference -> address. */
  private addProviders(instance: Instance): Map<string, string> {
    const own = new Map<string, string>();
    for (const [key, decl] of instance.loaded.config.providers) {
      const address = providerAddress(decl.name, decl.alias, instance.path);
      const values = decodeBody(decl.entries, providerSchema(decl.name), `provider "${key}"`, {
        file: decl.file,
        scope: instance.scope,
        metaArguments: PROVIDER_META_ARGUMENTS,
      });
      const region = values.region;
      const accounts = literalAccountIds(values.allowed_account_ids);
      this.providers.add({
        address,
        name: decl.name,
        alias: decl.alias,
        region: typeof region === "string" && !region.includes("${") ? region : null,
        ...(accounts ? { allowed_account_ids: accounts } : {}),
      });
      own.set(key, address);
    }
    return own;
  }

  /**
   * The provider configurations a module call passes: its `providers` map, and
   * the caller's default configurations, which a child inherits implicitly.
   */
  private passedProviders(entries: [string, JsonValue][], own: Map<string, string>, instance: Instance, where: string, file: string): Map<string, string> {
    const passed = new Map<string, string>();
    const callerReference = (reference: string) => own.get(reference) ?? instance.inherited.get(reference);
    for (const [reference, address] of [...instance.inherited, ...own]) if (!reference.includes(".")) passed.set(reference, address);
    const mapping = argument({ file, entries }, "providers", where);
    if (mapping !== undefined) {
      if (!isObject(mapping)) throw invalid(file, `${where}: "providers" must be an object`);
      for (const childReference of Object.keys(mapping)) {
        const parentReference = providerReference(mapping[childReference]);
        if (!parentReference) throw invalid(file, `${where}: providers.${childReference} must name a provider configuration`);
        const [name, alias = ""] = parentReference.split(".");
        passed.set(childReference, callerReference(parentReference) ?? this.providers.use(name, alias));
      }
    }
    return passed;
  }
}

/**
 * Normalises one module (a synthesized cdktf stack, or a folder's files) and
 * the local modules it calls. `rootInputs` are the root's variable values from
 * tfvars files and the environment.
 */
export function normalizeModule(
  format: "synth" | "module",
  root: LoadedModule,
  rootInputs: Map<string, { value: JsonValue; source: string }> = new Map(),
): NormalizedDocument {
  return new ModuleNormalizer(format).run(root, rootInputs);
}

/** Normalises parsed Terraform JSON files of one module (no override files, no tfvars). */
export function normalizeTerraformJson(format: "synth" | "module", files: TerraformJsonFile[]): NormalizedDocument {
  const sources: SourceFile[] = files.map(({ file, json }) => ({ file, json, override: false }));
  return normalizeModule(format, { config: assembleModule(sources) });
}
