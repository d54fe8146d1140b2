import { parseFilterPattern, ParsedFilterPattern } from "./filter-pattern";
import { parsePolicyDocument, POLICY_ARGUMENTS } from "./policy-document";
import {
  InputFormat,
  isObject,
  JsonObject,
  JsonValue,
  NormalizedDocument,
  NormalizedProvider,
  NormalizedResource,
  PolicyDocument,
} from "./types";

/** Calls `visit` with every string value (never an object key) anywhere inside `value`. */
export function forEachString(value: unknown, visit: (text: string) => void): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      visit(current);
    } else if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (typeof current === "object" && current !== null) {
      for (const key in current) pending.push((current as Record<string, unknown>)[key]);
    }
  }
}

/** A value Terraform only knows at apply time is written as a "${…}" string. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/**
 * A provider's `allowed_account_ids` as the literal account ids it lists, or
 * undefined when it lists none: the accounts the configuration deploys into,
 * which the least-privilege rules trust (INPUT.md "providers").
 */
export function literalAccountIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids = value.filter((id): id is string => typeof id === "string" && !isExpression(id));
  return ids.length > 0 ? ids : undefined;
}

/** `local` inside the module at `modulePath` ("" at the root): "module.a.aws_x.y". Also joins module keys ("a.b"). */
export function joinAddress(modulePath: string, local: string): string {
  return modulePath ? `${modulePath}.${local}` : local;
}

export function providerAddress(name: string, alias: string, modulePath = ""): string {
  return joinAddress(modulePath, alias ? `provider.${name}.${alias}` : `provider.${name}`);
}

/** "aws_s3_bucket" -> "aws": Terraform's implied provider for a resource type. */
export function impliedProviderName(resourceType: string): string {
  const underscore = resourceType.indexOf("_");
  return underscore === -1 ? resourceType : resourceType.slice(0, underscore);
}

/**
 * The provider configurations by address. A configuration a resource uses without
 * a provider block for it is added with region null: its region is unset.
 */
export class ProviderRegistry {
  private readonly byAddress = new Map<string, NormalizedProvider>();

  add(provider: NormalizedProvider): void {
    this.byAddress.set(provider.address, provider);
  }

  /** The address of the configuration, adding an implied one if it has no block. */
  use(name: string, alias: string): string {
    const address = providerAddress(name, alias);
    if (!this.byAddress.has(address)) this.byAddress.set(address, { address, name, alias, region: null });
    return address;
  }

  list(): NormalizedProvider[] {
    return [...this.byAddress.values()];
  }
}

/** A resource before the format-independent steps (policies, bucket links, region). */
export interface ResourceDraft {
  address: string;
  type: string;
  name: string;
  provider: string;
  /** The resource's own `region` argument: a string, null when set but not static, undefined when unset. */
  ownRegion: string | null | undefined;
  values: JsonObject;
  refs: Record<string, string[]>;
  /** Policy-like arguments whose document the normaliser rebuilt (e.g. from a data source): they win over `values`. */
  policies?: Record<string, PolicyDocument>;
  /** See NormalizedResource.unresolved. */
  unresolved?: Record<string, string[]>;
  /** See NormalizedResource.instances. */
  instancesUnknown?: boolean;
}

/**
 * Arguments that name an S3 bucket: given as a literal name they link to the
 * aws_s3_bucket with that `bucket` value (INPUT.md "refs"). `s3_bucket_name`
 * (aws_cloudtrail) is linked the same way so a trail writing to a literal bucket
 * name still has a trail log bucket.
 */
const BUCKET_NAME_ARGUMENTS = ["bucket", "target_bucket", "s3_bucket_name"];

function addRef(refs: Record<string, string[]>, argument: string, address: string): void {
  const list = refs[argument] ?? (refs[argument] = []);
  if (!list.includes(address)) list.push(address);
}

function linkLiteralBucketNames(drafts: ResourceDraft[]): void {
  const bucketsByName = new Map<string, string[]>();
  for (const draft of drafts) {
    const name = draft.values.bucket;
    if (draft.type !== "aws_s3_bucket" || typeof name !== "string" || isExpression(name)) continue;
    const list = bucketsByName.get(name) ?? [];
    list.push(draft.address);
    bucketsByName.set(name, list);
  }
  for (const draft of drafts) {
    if (draft.type === "aws_s3_bucket") continue;
    for (const argument of BUCKET_NAME_ARGUMENTS) {
      const name = draft.values[argument];
      if (typeof name !== "string" || isExpression(name)) continue;
      for (const address of bucketsByName.get(name) ?? []) addRef(draft.refs, argument, address);
    }
  }
}

/**
 * A plan made after apply knows every ARN: an argument that holds another
 * resource's literal ARN (a log group ARN may end in ":*") links to it as the
 * reference did at the first plan, so both plans read the same.
 */
function linkLiteralArns(drafts: ResourceDraft[]): void {
  const byArn = new Map<string, string>();
  for (const draft of drafts) {
    const arn = draft.values.arn;
    if (typeof arn === "string" && arn.startsWith("arn:")) byArn.set(arn, draft.address);
  }
  if (byArn.size === 0) return;
  for (const draft of drafts) {
    for (const argument in draft.values) {
      if (argument === "arn" || argument === "id") continue;
      const value = draft.values[argument];
      const candidates = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
      for (const candidate of candidates) {
        if (typeof candidate !== "string" || !candidate.startsWith("arn:")) continue;
        const target = byArn.get(candidate) ?? byArn.get(candidate.replace(/:\*$/, ""));
        if (target && target !== draft.address) addRef(draft.refs, argument, target);
      }
    }
  }
}

/**
 * Arguments no rule reads. They are left out of the document because opa-wasm
 * serialises and parses the whole input on every evaluation: tags alone were an
 * eighth of a 10,000-resource document.
 */
const UNREAD_ARGUMENTS = new Set(["tags", "tags_all", "timeouts"]);

/** The tags a rule does read (TG-UK-001's personal-data marker): only these are kept of tags and tags_all. */
const READ_TAGS = ["trailgate:personal-data"];

function readTags(value: JsonValue | undefined): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const kept: JsonObject = {};
  for (const key of READ_TAGS) if (key in value) kept[key] = value[key];
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/**
 * Splits a resource's arguments into `values` and `policies`: every policy-like
 * argument that parses goes to `policies`; one that does not stays in `values` as
 * written, for TG-LP-008 to report. Builds new objects rather than deleting keys,
 * which would switch V8 to slow dictionary objects.
 */
function splitArguments(
  raw: JsonObject,
  rebuilt: Record<string, PolicyDocument> = {},
): { values: JsonObject; policies: Record<string, PolicyDocument> } {
  const values: JsonObject = {};
  const policies: Record<string, PolicyDocument> = { ...rebuilt };
  for (const argument in raw) {
    if (argument === "tags" || argument === "tags_all") {
      const kept = readTags(raw[argument]);
      if (kept) values[argument] = kept;
      continue;
    }
    if (UNREAD_ARGUMENTS.has(argument) || argument in rebuilt) continue;
    const value = raw[argument];
    const document = POLICY_ARGUMENTS.has(argument) ? parsePolicyDocument(value) : undefined;
    if (document) policies[argument] = document;
    else values[argument] = value;
  }
  return { values, policies };
}

/**
 * Every string starting with "arn:" anywhere in a resource's values and parsed
 * policies, unique and sorted (INPUT.md "arns"). TG-RES-002 checks their regions;
 * collecting them here spares the policy a walk() over every value of every
 * resource, which was the costliest part of a WASM evaluation.
 */
function literalArns(values: JsonObject, policies: Record<string, PolicyDocument>): string[] {
  const found = new Set<string>();
  const collect = (text: string) => {
    if (text.startsWith("arn:")) found.add(text);
  };
  forEachString(values, collect);
  forEachString(policies, collect);
  return found.size === 0 ? [] : [...found].sort();
}

/** The format-independent last step shared by every normaliser. */
export function buildDocument(
  format: InputFormat,
  providers: NormalizedProvider[],
  drafts: ResourceDraft[],
): NormalizedDocument {
  const providerByAddress = new Map(providers.map((provider) => [provider.address, provider]));
  // Estates repeat the same few metric filter patterns: each is parsed once (the result is never changed).
  const patterns = new Map<unknown, ParsedFilterPattern>();
  linkLiteralBucketNames(drafts);
  linkLiteralArns(drafts);
  const resources: Record<string, NormalizedResource[]> = {};
  for (const draft of drafts) {
    const region =
      draft.ownRegion !== undefined ? draft.ownRegion : (providerByAddress.get(draft.provider)?.region ?? null);
    const { values, policies } = splitArguments(draft.values, draft.policies);
    const resource: NormalizedResource = {
      address: draft.address,
      type: draft.type,
      name: draft.name,
      provider: draft.provider,
      region,
      policies,
      values,
      refs: draft.refs,
      arns: literalArns(values, policies),
    };
    if (draft.unresolved && Object.keys(draft.unresolved).length > 0) resource.unresolved = draft.unresolved;
    if (draft.instancesUnknown) resource.instances = "unknown";
    if (draft.type === "aws_cloudwatch_log_metric_filter") {
      let pattern = patterns.get(values.pattern);
      if (!pattern) patterns.set(values.pattern, (pattern = parseFilterPattern(values.pattern)));
      resource.filter_pattern = pattern;
    }
    (resources[draft.type] ?? (resources[draft.type] = [])).push(resource);
  }
  return { format, providers, resources };
}

/** Drops Terraform's instance keys: module.a[0].aws_s3_bucket.b["x"] -> module.a.aws_s3_bucket.b */
export function stripInstanceKeys(address: string): string {
  if (!address.includes("[")) return address;
  let result = "";
  let depth = 0;
  let inString = false;
  for (let i = 0; i < address.length; i++) {
    const char = address[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === "[") depth++;
    else if (char === "]") depth--;
    else if (char === '"' && depth > 0) inString = true;
    else if (depth === 0) result += char;
  }
  return result;
}
