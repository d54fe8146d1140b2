import { GateInputError } from "../core/errors";
import {
  buildDocument,
  impliedProviderName,
  isExpression,
  joinAddress,
  literalAccountIds,
  providerAddress,
  ProviderRegistry,
  ResourceDraft,
  stripInstanceKeys,
} from "./common";
import { rebuildPolicyDocument, RebuiltDocument } from "./iam-policy-document";
import { PlanSources } from "./plan-sources";
import { POLICY_ARGUMENTS } from "./policy-document";
import { expressionReferences } from "./references";
import { isObject, JsonObject, JsonValue, NormalizedDocument, PolicyDocument } from "./types";

/** The parts of `terraform show -json PLANFILE` (format 1.x) the gate reads. */
interface PlannedResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  index?: JsonValue;
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
  type?: string;
  provider_config_key?: string;
  expressions?: JsonObject;
}
interface ConfigModule {
  resources?: ConfigResource[];
  module_calls?: Record<string, { expressions?: JsonObject; module?: ConfigModule }>;
  outputs?: Record<string, { expression?: JsonObject }>;
  variables?: Record<string, { default?: JsonValue }>;
}
interface ProviderConfig {
  name: string;
  alias?: string;
  module_address?: string;
  expressions?: JsonObject;
}
interface ResourceChange {
  address: string;
  mode?: string;
  change?: { after?: JsonValue; after_unknown?: JsonValue };
}
export interface PlanJson {
  format_version: string;
  variables?: Record<string, { value?: JsonValue }>;
  planned_values?: { root_module?: PlannedModule };
  prior_state?: { values?: { root_module?: PlannedModule } };
  resource_changes?: ResourceChange[];
  configuration?: { provider_config?: Record<string, ProviderConfig>; root_module?: ConfigModule };
}

const COMPUTED = "${computed}";
/** Guards reference resolution through variables, locals and outputs against cyclic input. */
const MAX_REFERENCE_DEPTH = 32;
/** References that name no object whose value or link is in question. */
const CONTEXT_ROOTS = new Set(["count", "each", "path", "terraform", "self"]);

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

/** "module.a[0].module.b" -> "a.b", the key of `.terraform/modules/modules.json`. */
function moduleKey(moduleInstance: string): string {
  return stripInstanceKeys(moduleInstance)
    .split(".")
    .filter((_, index) => index % 2 === 1)
    .join(".");
}

/** The instance key of the last module segment: `module.a["x"]` -> `["x"]`. */
function moduleInstanceKey(moduleInstance: string): string | undefined {
  const match = /(\[[^\]]*\])$/.exec(moduleInstance);
  return match?.[1];
}

/** Every `references` list anywhere inside a configuration expression (nested blocks included). */
function configurationReferences(expression: JsonValue | undefined): string[] {
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
 * aws_s3_bucket.b[1], aws_s3_bucket.b; module.m.out, module.m. The bare prefix of
 * an indexed traversal would mean every instance, and a bare module prefix every
 * output, so both are dropped when a longer form is listed.
 */
function mostSpecificReferences(references: string[]): string[] {
  const prefixes = new Set<string>();
  for (const reference of references) {
    const bracket = reference.indexOf("[");
    if (bracket !== -1) prefixes.add(reference.slice(0, bracket));
    const module = /^(module\.[\w-]+(?:\[[^\]]*\])?)\.[\w-]+/.exec(reference);
    if (module) prefixes.add(module[1]);
  }
  return references.filter((reference) => !prefixes.has(reference));
}

/** `aws_x.y.attribute`: an attribute of a managed resource, without an instance key. */
const RESOURCE_ATTRIBUTE = /^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$/;

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

/** Whether an `after_unknown` marker holds `true` anywhere. */
function containsUnknown(marker: JsonValue | undefined): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(containsUnknown);
  if (isObject(marker)) return Object.values(marker).some(containsUnknown);
  return false;
}

/** `0` -> `[0]`, `"x"` -> `["x"]`: an instance key as written in addresses. */
function instanceKey(index: JsonValue | undefined): string | undefined {
  if (typeof index === "number") return `[${index}]`;
  if (typeof index === "string") return `[${JSON.stringify(index)}]`;
  return undefined;
}

/**
 * Arguments a provider fills in from the live object once it exists (AWS's default
 * SNS topic policy, an S3 bucket's copy of its separate versioning, logging or
 * policy resources). A later plan knows them, the first plan does not: unless the
 * configuration sets them they are left out, so both plans read the same.
 */
const COMPUTED_COPIES: Record<string, Set<string>> = {
  aws_s3_bucket: new Set([
    "acl", "cors_rule", "grant", "lifecycle_rule", "logging", "object_lock_configuration", "policy",
    "replication_configuration", "request_payer", "server_side_encryption_configuration", "versioning", "website",
  ]),
};

function isComputedCopy(type: string, argument: string): boolean {
  return POLICY_ARGUMENTS.has(argument) || (COMPUTED_COPIES[type]?.has(argument) ?? false);
}

/** Where a reference is evaluated: the module instance, and the instance key `count.index` / `each.key` stand for. */
interface Scope {
  moduleInstance: string;
  key?: string;
}

/** What a set of references leads to. */
class Resolution {
  readonly addresses = new Set<string>();
  readonly dataSources = new Set<string>();
  /** References that could not be followed to a resource, a data source or a static value. */
  readonly unresolved = new Set<string>();
}

interface DataInstance {
  type: string;
  values: JsonObject;
  unknown: JsonValue | undefined;
}

class PlanNormalizer {
  private readonly configByAddress = new Map<string, ConfigResource>();
  private readonly moduleByPath = new Map<string, ConfigModule>();
  private readonly plannedAddresses = new Set<string>();
  private readonly instancesByBase = new Map<string, string[]>();
  private readonly dataByAddress = new Map<string, DataInstance>();
  private readonly dataInstancesByBase = new Map<string, string[]>();
  private readonly documentCache = new Map<string, { rebuilt?: RebuiltDocument; unresolved: string[] }>();
  private readonly moduleInstanceCache = new Map<string, string[]>();
  private readonly providers = new ProviderRegistry();
  private readonly providerAddressByKey = new Map<string, string>();

  constructor(
    private readonly plan: PlanJson,
    private readonly sources: PlanSources | undefined,
  ) {}

  normalize(): NormalizedDocument {
    const root = this.plan.planned_values?.root_module;
    if (!isObject(root)) throw new GateInputError("the plan has no planned_values.root_module");
    this.indexConfiguration();
    this.indexProviders();
    this.indexDataSources();
    const planned = this.plannedResources(root, "managed");
    for (const { resource } of planned) {
      this.plannedAddresses.add(resource.address);
      addInstance(this.instancesByBase, resource.address);
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
      for (const resource of module.resources ?? []) this.configByAddress.set(joinAddress(path, resource.address), resource);
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
      const unresolved = new Set<string>();
      const region = this.staticString(config.expressions?.region, modulePath, 0, unresolved);
      const allowed = config.expressions?.allowed_account_ids;
      const accounts = literalAccountIds(isObject(allowed) ? allowed.constant_value : undefined);
      this.providers.add({
        address,
        name: config.name,
        alias,
        region,
        ...(region === null && unresolved.size > 0 ? { unresolved: { region: [...unresolved] } } : {}),
        ...(accounts ? { allowed_account_ids: accounts } : {}),
      });
      this.providerAddressByKey.set(key, address);
    }
  }

  /**
   * Data sources with their values: read during the plan (prior_state, all known),
   * or deferred to apply (resource_changes, with after_unknown marking the parts
   * that wait for other resources).
   */
  private indexDataSources(): void {
    const add = (address: string, type: string, values: JsonObject, unknown: JsonValue | undefined) => {
      if (!this.dataByAddress.has(address)) addInstance(this.dataInstancesByBase, address);
      this.dataByAddress.set(address, { type, values, unknown });
    };
    const prior = this.plan.prior_state?.values?.root_module;
    if (isObject(prior)) {
      for (const { resource } of this.plannedResources(prior, "data")) add(resource.address, resource.type, resource.values ?? {}, undefined);
    }
    for (const change of this.plan.resource_changes ?? []) {
      if (change.mode !== "data" || !isObject(change.change?.after)) continue;
      const type = stripInstanceKeys(change.address).split(".").slice(-2)[0];
      const unknown = change.change?.after_unknown;
      const values = (fillUnknown(structuredClone(change.change.after), unknown ?? false) ?? {}) as JsonObject;
      add(change.address, type, values, unknown);
    }
  }

  /**
   * A provider argument's value when it is a constant, or a variable, local or
   * data source attribute that resolves to one. References met on the way that
   * cannot be followed are added to `unresolved`.
   */
  private staticString(
    expression: JsonValue | undefined,
    modulePath: string,
    depth: number,
    unresolved: Set<string>,
  ): string | null {
    if (!isObject(expression) || depth > MAX_REFERENCE_DEPTH) return null;
    const constant = expression.constant_value;
    if (typeof constant === "string" && !isExpression(constant)) return constant;
    // JSON-syntax configurations give "${var.x}" as constant_value and var.x as its reference.
    const references = mostSpecificReferences(configurationReferences(expression));
    if (references.length !== 1) return null;
    return this.staticReference(references[0], modulePath, depth, unresolved);
  }

  private staticReference(reference: string, modulePath: string, depth: number, unresolved: Set<string>): string | null {
    if (depth > MAX_REFERENCE_DEPTH) return null;
    const variable = /^var\.([\w-]+)$/.exec(reference);
    if (variable) {
      if (modulePath === "") {
        const value = this.plan.variables?.[variable[1]]?.value;
        if (typeof value === "string" && !isExpression(value)) return value;
        unresolved.add(reference);
        return null;
      }
      const call = this.moduleByPath.get(stripInstanceKeys(parentModule(modulePath)))?.module_calls?.[lastModuleName(modulePath)];
      const argument = call?.expressions?.[variable[1]];
      if (argument === undefined) {
        const fallback = this.moduleByPath.get(stripInstanceKeys(modulePath))?.variables?.[variable[1]]?.default;
        return typeof fallback === "string" && !isExpression(fallback) ? fallback : null;
      }
      return this.staticString(argument, parentModule(modulePath), depth + 1, unresolved);
    }
    const local = /^local\.([\w-]+)$/.exec(reference);
    if (local) {
      const expression = this.localExpression(modulePath, local[1]);
      if (expression === undefined) {
        unresolved.add(reference);
        return null;
      }
      if (typeof expression === "string" && !isExpression(expression)) return expression;
      const whole = typeof expression === "string" ? /^\$\{([^${}]+)\}$/.exec(expression.trim()) : null;
      const inner = whole ? expressionReferences(expression) : [];
      if (!whole || inner.length !== 1 || !/^[\w.[\]"-]+$/.test(whole[1].trim())) return null;
      return this.staticReference(inner[0], modulePath, depth + 1, unresolved);
    }
    const data = /^(data\.[\w-]+\.[\w-]+(?:\[[^\]]*\])?)\.([\w-]+)$/.exec(reference);
    if (data) {
      const value = this.dataByAddress.get(joinAddress(modulePath, data[1]))?.values[data[2]];
      return typeof value === "string" && !isExpression(value) ? value : null;
    }
    return null;
  }

  private localExpression(moduleInstance: string, name: string): JsonValue | undefined {
    return this.sources?.modules.get(moduleKey(moduleInstance))?.config.locals.get(name)?.value;
  }

  private plannedResources(root: PlannedModule, mode: string): { resource: PlannedResource; moduleInstance: string }[] {
    const found: { resource: PlannedResource; moduleInstance: string }[] = [];
    const pending: PlannedModule[] = [root];
    while (pending.length > 0) {
      const module = pending.pop()!;
      for (const resource of module.resources ?? []) {
        if (resource.mode === mode) found.push({ resource, moduleInstance: module.address ?? "" });
      }
      for (const child of module.child_modules ?? []) pending.push(child);
    }
    return found;
  }

  private draft(resource: PlannedResource, moduleInstance: string, unknown: JsonValue | undefined): ResourceDraft {
    const config = this.configByAddress.get(stripInstanceKeys(resource.address));
    const refs: Record<string, string[]> = {};
    const unresolved: Record<string, string[]> = {};
    const policies: Record<string, PolicyDocument> = {};
    const firstReferenceByArgument = new Map<string, string>();
    const expressions = config?.expressions ?? {};
    const scope: Scope = { moduleInstance, key: instanceKey(resource.index) };
    const values: JsonObject = {};
    for (const argument in resource.values ?? {}) {
      if (config && expressions[argument] === undefined && isComputedCopy(resource.type, argument)) continue;
      values[argument] = resource.values![argument];
    }
    const unknownMarkers: JsonObject = isObject(unknown) ? unknown : {};
    for (const argument in expressions) {
      const references = configurationReferences(expressions[argument]);
      if (references.length === 0) continue;
      firstReferenceByArgument.set(argument, references[0]);
      const resolution = new Resolution();
      this.resolveAll(references, scope, 0, resolution);
      if (resolution.addresses.size > 0) refs[argument] = [...resolution.addresses];
      // A value the plan already knows needs no reference followed; one it does not
      // know is only as good as the references that lead to it.
      const valueUnknown = containsUnknown(unknownMarkers[argument]) || !(argument in values);
      if (!valueUnknown) continue;
      const missing = new Set(resolution.unresolved);
      if (POLICY_ARGUMENTS.has(argument)) {
        const document = this.policyDocumentFor(resolution, missing);
        if (document) policies[argument] = document;
      }
      if (missing.size > 0) unresolved[argument] = [...missing].sort();
    }
    for (const argument in unknownMarkers) {
      const marker = unknownMarkers[argument];
      // An argument the configuration does not set but the provider computes (an
      // S3 bucket's `policy`, any `arn`) is not something the author wrote: it
      // stays absent, as it is in synthesized JSON.
      if (marker === true && config && config.expressions?.[argument] === undefined) continue;
      const firstReference = firstReferenceByArgument.get(argument);
      const filled =
        marker === true ? (firstReference ? `\${${firstReference}}` : COMPUTED) : fillUnknown(values[argument], marker);
      if (filled !== undefined) values[argument] = filled;
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
      policies,
      unresolved,
    };
  }

  /**
   * The document an unknown policy argument will hold, when its references lead to
   * exactly one aws_iam_policy_document. Parts of that document that cannot be
   * known are added to `missing`.
   */
  private policyDocumentFor(resolution: Resolution, missing: Set<string>): PolicyDocument | undefined {
    const documents = [...resolution.dataSources].filter((address) => this.dataByAddress.get(address)?.type === "aws_iam_policy_document");
    if (documents.length !== 1) {
      for (const address of documents) missing.add(address);
      return undefined;
    }
    const { rebuilt, unresolved } = this.rebuildDocument(documents[0], 0);
    for (const reference of unresolved) missing.add(reference);
    return rebuilt?.document;
  }

  private rebuildDocument(address: string, depth: number): { rebuilt?: RebuiltDocument; unresolved: string[] } {
    const cached = this.documentCache.get(address);
    if (cached) return cached;
    const data = this.dataByAddress.get(address)!;
    const config = this.configByAddress.get(stripInstanceKeys(address));
    const moduleInstance = address.slice(0, Math.max(0, address.lastIndexOf("data.") - 1));
    const scope: Scope = { moduleInstance, key: /(\[[^\]]*\])$/.exec(address)?.[1] };
    const unresolved = new Set<string>();
    const markers: JsonObject = isObject(data.unknown) ? data.unknown : {};
    const documentsFor = (argument: string): PolicyDocument[] | undefined => {
      if (depth > MAX_REFERENCE_DEPTH) return undefined;
      const resolution = new Resolution();
      this.resolveAll(configurationReferences(config?.expressions?.[argument]), scope, 0, resolution);
      const followed: PolicyDocument[] = [];
      for (const source of resolution.dataSources) {
        const nested = this.rebuildDocument(source, depth + 1);
        if (!nested.rebuilt) return undefined;
        for (const reference of nested.unresolved) unresolved.add(reference);
        followed.push(nested.rebuilt.document);
      }
      return followed;
    };
    const rebuilt = rebuildPolicyDocument(this.withReferencedElements(data.values, config?.expressions, scope), documentsFor);
    if (!rebuilt) unresolved.add(`${address}.statement`);
    for (const part of rebuilt?.unknownParts ?? []) unresolved.add(`${address}.${part}`);
    // References behind values the plan does not know: only those that cannot be followed matter.
    for (const argument in config?.expressions ?? {}) {
      if (!containsUnknown(markers[argument])) continue;
      const resolution = new Resolution();
      this.resolveAll(configurationReferences(config!.expressions![argument]), scope, 0, resolution);
      for (const reference of resolution.unresolved) unresolved.add(reference);
    }
    const result = { rebuilt, unresolved: [...unresolved] };
    this.documentCache.set(address, result);
    return result;
  }

  /**
   * A policy document's statement `resources` / `not_resources` with one element
   * unknown at plan time, whose expression names exactly one attribute of one
   * resource of the document's own module (`"${aws_cloudwatch_log_group.trail.arn}:*"`),
   * get that element as the reference (`"${aws_cloudwatch_log_group.trail.arn}"`)
   * instead of "${computed}", as a synthesized stack has it: a rule then sees that the
   * trail role's policy names the trail's log group at the first plan as after apply.
   * The plan records an expression's references, not its text: a literal prefix or
   * suffix, or a function applied to the attribute, is not seen.
   */
  private withReferencedElements(values: JsonObject, expressions: JsonObject | undefined, scope: Scope): JsonObject {
    const blocks = values.statement;
    const blockExpressions = expressions?.statement;
    if (!Array.isArray(blocks) || !Array.isArray(blockExpressions) || blocks.length !== blockExpressions.length) return values;
    let changed = false;
    const statements = blocks.map((block, index) => {
      const expression = blockExpressions[index];
      if (!isObject(block) || !isObject(expression)) return block;
      let copy: JsonObject | undefined;
      for (const argument of ["resources", "not_resources"]) {
        const list = block[argument];
        if (!Array.isArray(list) || list.filter((item) => item === COMPUTED).length !== 1) continue;
        const reference = this.soleAttributeReference(expression[argument], scope);
        if (!reference) continue;
        copy ??= { ...block };
        copy[argument] = list.map((item) => (item === COMPUTED ? `\${${reference}}` : item));
      }
      if (copy) changed = true;
      return copy ?? block;
    });
    return changed ? { ...values, statement: statements } : values;
  }

  /** `type.name.attribute` when an expression refers to that alone, and it is one planned resource of `scope`'s module. */
  private soleAttributeReference(expression: JsonValue | undefined, scope: Scope): string | undefined {
    const references = configurationReferences(expression);
    const attributes = references.filter((reference) => RESOURCE_ATTRIBUTE.test(reference));
    if (attributes.length !== 1) return undefined;
    const base = attributes[0].slice(0, attributes[0].lastIndexOf("."));
    if (references.some((reference) => reference !== attributes[0] && reference !== base)) return undefined;
    const resolution = new Resolution();
    this.resolveAll([base], { moduleInstance: scope.moduleInstance }, 0, resolution);
    return resolution.addresses.size === 1 && resolution.unresolved.size === 0 && resolution.dataSources.size === 0 ? attributes[0] : undefined;
  }

  private providerFor(resource: PlannedResource, config: ConfigResource | undefined): string {
    const known = config?.provider_config_key && this.providerAddressByKey.get(config.provider_config_key);
    if (known) return known;
    // No configuration entry: the default configuration of the provider named in the plan.
    const name = resource.provider_name?.split("/").pop() ?? impliedProviderName(resource.type);
    return this.providers.use(name, "");
  }

  private resolveAll(references: string[], scope: Scope, depth: number, into: Resolution): void {
    const specific = mostSpecificReferences(references);
    // `x[count.index]` is listed as `x` plus `count.index`: the instance with the
    // referring object's own key, when there is one.
    const keyed = scope.key !== undefined && specific.some((reference) => /^(count\.index|each\.(key|value))$/.test(reference));
    for (const reference of specific) this.resolveReference(reference, keyed ? scope : { moduleInstance: scope.moduleInstance }, depth, into);
  }

  /**
   * Follows one configuration reference seen from `scope`: variables through the
   * module call's argument (or the plan's variable values at the root), locals
   * through their expressions in the plan's source files, module outputs through
   * the output's expression, data sources and resources to their planned
   * instances.
   */
  private resolveReference(reference: string, scope: Scope, depth: number, into: Resolution): void {
    if (depth > MAX_REFERENCE_DEPTH) {
      into.unresolved.add(reference);
      return;
    }
    const { moduleInstance } = scope;
    const root = reference.split(/[.[]/, 1)[0];
    if (CONTEXT_ROOTS.has(root)) return;
    const variable = /^var\.([\w-]+)/.exec(reference);
    if (variable) {
      if (moduleInstance === "") {
        // A root variable is a value given to the plan; it links to nothing.
        if (this.plan.variables && !(variable[1] in this.plan.variables)) into.unresolved.add(reference);
        return;
      }
      const parent = parentModule(moduleInstance);
      const call = this.moduleByPath.get(stripInstanceKeys(parent))?.module_calls?.[lastModuleName(moduleInstance)];
      // An argument the call does not set takes the variable's default: a static value.
      const argument = call?.expressions?.[variable[1]];
      if (argument === undefined) return;
      this.resolveAll(configurationReferences(argument), { moduleInstance: parent, key: moduleInstanceKey(moduleInstance) }, depth + 1, into);
      return;
    }
    const local = /^local\.([\w-]+)/.exec(reference);
    if (local) {
      const expression = this.localExpression(moduleInstance, local[1]);
      if (expression === undefined) {
        into.unresolved.add(reference);
        return;
      }
      this.resolveAll(expressionReferences(expression), { moduleInstance }, depth + 1, into);
      return;
    }
    const output = /^module\.([\w-]+)(\[[^\]]*\])?(?:\.([\w-]+))?/.exec(reference);
    if (output) {
      const childPath = joinAddress(moduleInstance, `module.${output[1]}`);
      const child = this.moduleByPath.get(stripInstanceKeys(childPath));
      if (!child) {
        into.unresolved.add(reference);
        return;
      }
      const names = output[3] ? [output[3]] : Object.keys(child.outputs ?? {});
      const instances = output[2] ? [`${childPath}${output[2]}`] : this.moduleInstances(childPath);
      for (const name of names) {
        const expression = child.outputs?.[name]?.expression;
        if (!expression) {
          into.unresolved.add(reference);
          continue;
        }
        for (const instance of instances) {
          this.resolveAll(configurationReferences(expression), { moduleInstance: instance }, depth + 1, into);
        }
      }
      return;
    }
    const data = /^data\.([\w-]+)\.([\w-]+)(\[[^\]]*\])?/.exec(reference);
    if (data) {
      const base = joinAddress(moduleInstance, `data.${data[1]}.${data[2]}`);
      for (const address of this.instances(this.dataInstancesByBase, base, data[3], scope)) into.dataSources.add(address);
      if (data[1] === "aws_iam_policy_document") {
        // The resources a policy document names are what the argument refers to.
        const config = this.configByAddress.get(stripInstanceKeys(base));
        for (const argument in config?.expressions ?? {}) {
          const inner = new Resolution();
          this.resolveAll(configurationReferences(config!.expressions![argument]), { moduleInstance }, depth + 1, inner);
          // Its own source documents are part of it, not further documents of the argument.
          for (const address of inner.addresses) into.addresses.add(address);
        }
        // A document the plan does not have (its data block is not in the plan) cannot be read.
        if (!this.dataInstancesByBase.has(stripInstanceKeys(base)) && !config) {
          into.unresolved.add(`data.${data[1]}.${data[2]}${data[3] ?? ""}`);
        }
      }
      return;
    }
    const traversal = /^([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)(\[[^\]]*\])?/.exec(reference);
    if (!traversal) return;
    const base = joinAddress(moduleInstance, `${traversal[1]}.${traversal[2]}`);
    for (const address of this.instances(this.instancesByBase, base, traversal[3], scope)) into.addresses.add(address);
  }

  /**
   * The instances `base` names: the one with `key` if given, else (without a key a
   * reference means every instance) those in the referring module instance,
   * narrowed to the referring object's own key when `count.index`/`each` chose it.
   */
  private instances(index: Map<string, string[]>, base: string, key: string | undefined, scope: Scope): string[] {
    const all = (index.get(stripInstanceKeys(base)) ?? []).filter((instance) => sameModuleInstances(instance, scope.moduleInstance));
    if (key !== undefined) return all.filter((instance) => instance === `${base}${key}`);
    if (scope.key !== undefined) {
      const own = all.filter((instance) => instance === `${base}${scope.key}`);
      if (own.length > 0) return own;
    }
    return all;
  }

  /** The planned instances of a module call (`module.a` -> module.a[0], module.a[1]). */
  private moduleInstances(childPath: string): string[] {
    const cached = this.moduleInstanceCache.get(childPath);
    if (cached) return cached;
    const found = new Set<string>();
    const prefix = stripInstanceKeys(childPath);
    for (const address of [...this.plannedAddresses, ...this.dataByAddress.keys()]) {
      const segments = [...address.matchAll(MODULE_SEGMENT)].map((match) => match[0]);
      for (let length = 1; length <= segments.length; length++) {
        const candidate = segments.slice(0, length).join(".");
        if (stripInstanceKeys(candidate) === prefix && sameModuleInstances(candidate, childPath)) found.add(candidate);
      }
    }
    const instances = found.size > 0 ? [...found] : [childPath];
    this.moduleInstanceCache.set(childPath, instances);
    return instances;
  }
}

function addInstance(index: Map<string, string[]>, address: string): void {
  const base = stripInstanceKeys(address);
  const instances = index.get(base) ?? [];
  instances.push(address);
  index.set(base, instances);
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

/**
 * Normalises a plan. `sources` (the configuration's files, see plan-sources.ts)
 * lets references through `locals` be followed; without them such a reference
 * behind an unknown value is listed in the resource's `unresolved`.
 */
export function normalizePlan(plan: PlanJson, sources?: PlanSources): NormalizedDocument {
  return new PlanNormalizer(plan, sources).normalize();
}

/**
 * Why `sources` cannot be the configuration `plan` was made from (a module, a
 * resource or a data block the plan has but the files do not), or undefined when
 * they match.
 */
export function sourcesMismatch(plan: PlanJson, sources: PlanSources): string | undefined {
  const pending: { module: ConfigModule; key: string }[] = [];
  if (plan.configuration?.root_module) pending.push({ module: plan.configuration.root_module, key: "" });
  while (pending.length > 0) {
    const { module, key } = pending.pop()!;
    const source = sources.modules.get(key);
    const where = key ? `module ${key}` : "the root module";
    if (!source) return `${where} is not installed under ${sources.rootDir} (run terraform init there)`;
    for (const resource of module.resources ?? []) {
      const declared = resource.mode === "data" ? source.config.dataSources : source.config.resources;
      if (!declared.has(resource.address.replace(/^data\./, ""))) return `${resource.address} of ${where} is not declared in ${source.dir}`;
    }
    for (const [name, call] of Object.entries(module.module_calls ?? {})) {
      if (!source.config.moduleCalls.has(name)) return `module call ${name} of ${where} is not declared in ${source.dir}`;
      if (call.module) pending.push({ module: call.module, key: joinAddress(key, name) });
    }
  }
  return undefined;
}
