import { GateInputError } from "../errors";
import { buildDocument, impliedProviderName, joinAddress, literalAccountIds, providerAddress, ProviderRegistry, ResourceDraft } from "./common";
import {
  argument,
  assembleModule,
  hasNoInstances,
  ModuleConfig,
  moduleCallInputs,
  ModuleScope,
  SourceFile,
} from "./config-module";
import { invalid } from "./config-syntax";
import { ConfigPolicyDocuments } from "./config-policy-documents";
import { evaluateValue } from "./expressions";
import { POLICY_ARGUMENTS } from "./policy-document";
import { interpolatedReferences } from "./references";
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
}

class ModuleNormalizer {
  private readonly providers = new ProviderRegistry();
  private readonly drafts: ResourceDraft[] = [];

  constructor(private readonly format: "synth" | "module") {}

  run(root: LoadedModule, rootInputs: Map<string, { value: JsonValue; source: string }>): NormalizedDocument {
    this.visit({ path: "", loaded: root, scope: new ModuleScope(root.config, rootInputs), inherited: new Map() });
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

    const localAddresses = new Set(config.resources.keys());
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
      if (hasNoInstances(decl, address, instance.scope)) continue;
      const refs: Record<string, string[]> = {};
      const policies: Record<string, PolicyDocument> = {};
      const unresolved: Record<string, string[]> = {};
      for (const key of Object.keys(values)) {
        const rebuilt = POLICY_ARGUMENTS.has(key) ? documents.forValue(values[key]) : undefined;
        if (rebuilt) {
          policies[key] = rebuilt.document;
          if (rebuilt.unknownParts.length > 0) unresolved[key] = [...new Set(rebuilt.unknownParts)].sort();
        }
        const referenced = interpolatedReferences(rebuilt ? (rebuilt.document as unknown as JsonValue) : values[key], localAddresses);
        if (referenced.length > 0) refs[key] = referenced.map((ref) => joinAddress(instance.path, ref));
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
      });
    }

    for (const [name, call] of config.moduleCalls) {
      const where = `module "${name}"`;
      const path = joinAddress(instance.path, `module.${name}`);
      if (hasNoInstances(call, where, instance.scope)) continue;
      const source = argument(call, "source", where);
      if (typeof source !== "string") throw invalid(call.file, `${where} needs a literal "source"`);
      const child = instance.loaded.children?.get(name);
      if (!child) {
        throw new GateInputError(`${call.file}: ${where} (source ${source}) cannot be read here; gate the folder or the plan (terraform show -json) instead`);
      }
      const inputs = new Map<string, { value: JsonValue; source: string }>();
      for (const [key, value] of moduleCallInputs(call)) {
        if (inputs.has(key)) throw invalid(call.file, `${where}: the argument "${key}" is set more than once`);
        if (!child.config.variables.has(key)) throw invalid(call.file, `${where}: the module has no variable "${key}"`);
        inputs.set(key, { value: evaluateValue(value, instance.scope), source: call.file });
      }
      this.visit({ path, loaded: child, scope: new ModuleScope(child.config, inputs), inherited: this.passedProviders(call.entries, own, instance, where, call.file) });
    }
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
