import { GateInputError } from "../errors";
import {
  buildDocument,
  impliedProviderName,
  isExpression,
  literalAccountIds,
  providerAddress,
  ProviderRegistry,
  ResourceDraft,
  stripInstanceKeys,
} from "./common";
import { isObject, JsonObject, JsonValue, NormalizedDocument } from "./types";

/** The parts of `terraform show -json PLANFILE` (format 1.x) the gate reads. */
interface PlannedResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  provider_name?: string;
  values?: JsonObject;
}
interface PlannedModule {
  address?: string;
  resources?: PlannedResource[];
  child_modules?: PlannedModule[];
}
interface ConfigResource {
  address: string;
  mode: string;
  provider_config_key?: string;
  expressions?: JsonObject;
}
interface ConfigModule {
  resources?: ConfigResource[];
  module_calls?: Record<string, { expressions?: JsonObject; module?: ConfigModule }>;
  outputs?: Record<string, { expression?: JsonObject }>;
}
interface ProviderConfig {
  name: string;
  alias?: string;
  module_address?: string;
  expressions?: JsonObject;
}
export interface PlanJson {
  format_version: string;
  variables?: Record<string, { value?: JsonValue }>;
  planned_values?: { root_module?: PlannedModule };
  resource_changes?: { address: string; change?: { after_unknown?: JsonValue } }[];
  configuration?: { provider_config?: Record<string, ProviderConfig>; root_module?: ConfigModule };
}

const COMPUTED = "${computed}";
/** Guards reference resolution through variables and outputs against malformed cyclic input. */
const MAX_REFERENCE_DEPTH = 32;

function joinAddress(modulePath: string, local: string): string {
  return modulePath ? `${modulePath}.${local}` : local;
}

/** "module.a[0].module.b" -> "module.a[0]" (the module that calls the last one). */
function parentModule(moduleInstance: string): string {
  const last = moduleInstance.lastIndexOf(".module.");
  return last === -1 ? "" : moduleInstance.slice(0, last);
}

/** "module.a[0].module.b[\"x\"]" -> "b" */
function lastModuleName(moduleInstance: string): string {
  const segments = stripInstanceKeys(moduleInstance).split(".");
  return segments[segments.length - 1];
}

/** Every `references` list anywhere inside an expression (nested blocks included). */
function expressionReferences(expression: JsonValue | undefined): string[] {
  const found: string[] = [];
  const pending: JsonValue[] = expression === undefined ? [] : [expression];
  while (pending.length > 0) {
    const current = pending.pop() as JsonValue;
    if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (isObject(current)) {
      for (const key in current) {
        const value = current[key];
        if (key === "references" && Array.isArray(value)) {
          for (const reference of value) if (typeof reference === "string") found.push(reference);
        } else {
          pending.push(value);
        }
      }
    }
  }
  return found;
}

/**
 * Terraform lists each traversal with its shorter prefixes: aws_s3_bucket.b[1].id,
 * aws_s3_bucket.b[1], aws_s3_bucket.b. The bare prefix of an indexed traversal would
 * mean every instance, so it is dropped.
 */
function mostSpecificReferences(references: string[]): string[] {
  const indexedPrefixes = new Set<string>();
  for (const reference of references) {
    const bracket = reference.indexOf("[");
    if (bracket !== -1) indexedPrefixes.add(reference.slice(0, bracket));
  }
  return references.filter((reference) => !indexedPrefixes.has(reference));
}

/** Writes "${computed}" wherever `after_unknown` marks a value not known until apply. */
function fillUnknown(value: JsonValue | undefined, unknown: JsonValue): JsonValue | undefined {
  if (unknown === true) return COMPUTED;
  if (Array.isArray(unknown)) {
    const list: JsonValue[] = Array.isArray(value) ? value : [];
    unknown.forEach((item, index) => {
      const filled = fillUnknown(list[index], item);
      if (filled !== undefined) list[index] = filled;
    });
    for (let index = 0; index < list.length; index++) if (list[index] === undefined) list[index] = null;
    return list;
  }
  if (isObject(unknown)) {
    const object: JsonObject = isObject(value) ? value : {};
    for (const [key, item] of Object.entries(unknown)) {
      const filled = fillUnknown(object[key], item);
      if (filled !== undefined) object[key] = filled;
    }
    return object;
  }
  return value;
}

class PlanNormalizer {
  private readonly configByAddress = new Map<string, ConfigResource>();
  private readonly moduleByPath = new Map<string, ConfigModule>();
  private readonly plannedAddresses = new Set<string>();
  private readonly instancesByBase = new Map<string, string[]>();
  private readonly providers = new ProviderRegistry();
  private readonly providerAddressByKey = new Map<string, string>();

  constructor(private readonly plan: PlanJson) {}

  normalize(): NormalizedDocument {
    const root = this.plan.planned_values?.root_module;
    if (!isObject(root)) throw new GateInputError("the plan has no planned_values.root_module");
    this.indexConfiguration();
    this.indexProviders();
    const planned = this.plannedResources(root);
    for (const { resource } of planned) {
      this.plannedAddresses.add(resource.address);
      const base = stripInstanceKeys(resource.address);
      const instances = this.instancesByBase.get(base) ?? [];
      instances.push(resource.address);
      this.instancesByBase.set(base, instances);
    }
    const unknownByAddress = new Map<string, JsonValue>();
    for (const change of this.plan.resource_changes ?? []) {
      if (change.change?.after_unknown !== undefined) unknownByAddress.set(change.address, change.change.after_unknown);
    }
    const drafts = planned.map(({ resource, moduleInstance }) =>
      this.draft(resource, moduleInstance, unknownByAddress.get(resource.address)),
    );
    return buildDocument("plan", this.providers.list(), drafts);
  }

  private indexConfiguration(): void {
    const pending: { module: ConfigModule; path: string }[] = [];
    const root = this.plan.configuration?.root_module;
    if (root) pending.push({ module: root, path: "" });
    while (pending.length > 0) {
      const { module, path } = pending.pop()!;
      this.moduleByPath.set(path, module);
      for (const resource of module.resources ?? []) {
        if (resource.mode === "managed") this.configByAddress.set(joinAddress(path, resource.address), resource);
      }
      for (const [name, call] of Object.entries(module.module_calls ?? {})) {
        if (call.module) pending.push({ module: call.module, path: joinAddress(path, `module.${name}`) });
      }
    }
  }

  private indexProviders(): void {
    for (const [key, config] of Object.entries(this.plan.configuration?.provider_config ?? {})) {
      const alias = config.alias ?? "";
      const modulePath = config.module_address ?? "";
      const address = providerAddress(config.name, alias, modulePath);
      const allowed = config.expressions?.allowed_account_ids;
      const accounts = literalAccountIds(isObject(allowed) ? allowed.constant_value : undefined);
      this.providers.add({
        address,
        name: config.name,
        alias,
        region: this.staticString(config.expressions?.region, modulePath, 0),
        ...(accounts ? { allowed_account_ids: accounts } : {}),
      });
      this.providerAddressByKey.set(key, address);
    }
  }

  /** A provider argument's value when it is a constant or a variable that resolves to one. */
  private staticString(expression: JsonValue | undefined, modulePath: string, depth: number): string | null {
    if (!isObject(expression) || depth > MAX_REFERENCE_DEPTH) return null;
    const constant = expression.constant_value;
    if (typeof constant === "string" && !isExpression(constant)) return constant;
    // JSON-syntax configurations give "${var.x}" as constant_value and var.x as its reference.
    const references = expressionReferences(expression);
    const variable = references.length === 1 ? /^var\.([\w-]+)$/.exec(references[0]) : null;
    if (!variable) return null;
    if (modulePath === "") {
      const value = this.plan.variables?.[variable[1]]?.value;
      return typeof value === "string" ? value : null;
    }
    const call = this.moduleByPath.get(parentModule(modulePath))?.module_calls?.[lastModuleName(modulePath)];
    return this.staticString(call?.expressions?.[variable[1]], parentModule(modulePath), depth + 1);
  }

  private plannedResources(root: PlannedModule): { resource: PlannedResource; moduleInstance: string }[] {
    const found: { resource: PlannedResource; moduleInstance: string }[] = [];
    const pending: PlannedModule[] = [root];
    while (pending.length > 0) {
      const module = pending.pop()!;
      for (const resource of module.resources ?? []) {
        if (resource.mode === "managed") found.push({ resource, moduleInstance: module.address ?? "" });
      }
      for (const child of module.child_modules ?? []) pending.push(child);
    }
    return found;
  }

  private draft(resource: PlannedResource, moduleInstance: string, unknown: JsonValue | undefined): ResourceDraft {
    const config = this.configByAddress.get(stripInstanceKeys(resource.address));
    const refs: Record<string, string[]> = {};
    const firstReferenceByArgument = new Map<string, string>();
    const expressions = config?.expressions ?? {};
    for (const argument in expressions) {
      const references = expressionReferences(expressions[argument]);
      if (references.length === 0) continue;
      firstReferenceByArgument.set(argument, references[0]);
      const addresses = new Set(this.resolveAll(references, moduleInstance, 0));
      if (addresses.size > 0) refs[argument] = [...addresses];
    }
    const values: JsonObject = resource.values ?? {};
    if (isObject(unknown)) {
      for (const argument in unknown) {
        const marker = unknown[argument];
        // An argument the configuration does not set but the provider computes (an
        // S3 bucket's `policy`, any `arn`) is not something the author wrote: it
        // stays absent, as it is in synthesized JSON.
        if (marker === true && config && config.expressions?.[argument] === undefined) continue;
        const firstReference = firstReferenceByArgument.get(argument);
        const filled =
          marker === true ? (firstReference ? `\${${firstReference}}` : COMPUTED) : fillUnknown(values[argument], marker);
        if (filled !== undefined) values[argument] = filled;
      }
    }
    // Only a `region` the configuration sets is the resource's own; a computed one follows the provider.
    const region = config?.expressions?.region !== undefined || !config ? values.region : undefined;
    return {
      address: resource.address,
      type: resource.type,
      name: resource.name,
      provider: this.providerFor(resource, config),
      ownRegion: region === undefined || region === null ? undefined : typeof region === "string" && !isExpression(region) ? region : null,
      values,
      refs,
    };
  }

  private providerFor(resource: PlannedResource, config: ConfigResource | undefined): string {
    const known = config?.provider_config_key && this.providerAddressByKey.get(config.provider_config_key);
    if (known) return known;
    // No configuration entry: the default configuration of the provider named in the plan.
    const name = resource.provider_name?.split("/").pop() ?? impliedProviderName(resource.type);
    return this.providers.use(name, "");
  }

  private resolveAll(references: string[], moduleInstance: string, depth: number): string[] {
    return mostSpecificReferences(references).flatMap((reference) =>
      this.resolveReference(reference, moduleInstance, depth),
    );
  }

  /**
   * The planned resource addresses a configuration reference points at, seen from
   * a resource in `moduleInstance`. Variables resolve through the module call's
   * argument, module outputs through the output's expression.
   */
  private resolveReference(reference: string, moduleInstance: string, depth: number): string[] {
    if (depth > MAX_REFERENCE_DEPTH) return [];
    const variable = /^var\.([\w-]+)/.exec(reference);
    if (variable) {
      if (moduleInstance === "") return [];
      const parent = parentModule(moduleInstance);
      const call = this.moduleByPath.get(stripInstanceKeys(parent))?.module_calls?.[lastModuleName(moduleInstance)];
      return this.resolveAll(expressionReferences(call?.expressions?.[variable[1]]), parent, depth + 1);
    }
    const output = /^module\.([\w-]+)(\[[^\]]*\])?\.([\w-]+)/.exec(reference);
    if (output) {
      const child = joinAddress(moduleInstance, `module.${output[1]}${output[2] ?? ""}`);
      const expression = this.moduleByPath.get(stripInstanceKeys(child))?.outputs?.[output[3]]?.expression;
      return this.resolveAll(expressionReferences(expression), child, depth + 1);
    }
    const traversal = /^([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)(\[[^\]]*\])?/.exec(reference);
    if (!traversal || ["data", "local", "each", "count", "path", "terraform", "self", "module"].includes(traversal[1])) {
      return [];
    }
    const address = joinAddress(moduleInstance, `${traversal[1]}.${traversal[2]}${traversal[3] ?? ""}`);
    if (this.plannedAddresses.has(address)) return [address];
    // Without an instance key a reference means every instance in its module scope.
    return (this.instancesByBase.get(stripInstanceKeys(address)) ?? []).filter((instance) =>
      sameModuleInstances(instance, moduleInstance),
    );
  }
}

const MODULE_SEGMENT = /module\.[\w-]+(\[[^\]]*\])?/g;

/**
 * Whether `instance` (already known to have the same module names) lies in the
 * module instances `scope` names: a scope segment without a key matches every key.
 */
function sameModuleInstances(instance: string, scope: string): boolean {
  const instanceKeys = [...instance.matchAll(MODULE_SEGMENT)].map((match) => match[1]);
  return [...scope.matchAll(MODULE_SEGMENT)].every((match, index) => !match[1] || match[1] === instanceKeys[index]);
}

export function normalizePlan(plan: PlanJson): NormalizedDocument {
  return new PlanNormalizer(plan).normalize();
}
