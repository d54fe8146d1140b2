import { GateInputError } from "../core/errors";
import { isObject, JsonObject, JsonValue } from "../terraform/types";

/**
 * The schema of the policy data (`data.trailgate.config`, policies/data.json and
 * `--data` overrides): every key's type and allowed range, and which way is
 * looser than the UK baseline (the shipped defaults). Every key of
 * policies/data.json must have an entry here (a test checks it); a key without
 * one, or a value outside its entry, makes the gate refuse to run.
 *
 * Looser means a `--data` override weakened the gate: TG-CFG-001 reports it.
 */

export type ValueSchema =
  | { type: "boolean" }
  | { type: "integer"; minimum: number; maximum: number }
  | { type: "string"; pattern?: RegExp; minLength?: number }
  | { type: "array"; items: ValueSchema; minItems?: number; uniqueBy?: string }
  | { type: "object"; properties: Record<string, ValueSchema>; required: string[] };

/**
 * How an override can weaken a key against the baseline:
 * - floor: a smaller number is looser; ceiling: a larger one;
 * - none: the key configures who is who (trusted accounts), not a control;
 * - required-true: false is looser;
 * - allow-list: an item the baseline does not allow is looser;
 * - require-list: a baseline item left out is looser; items are compared by
 *   `key`, and one that differs from the baseline's item (a changed pattern or
 *   match, an added alternative) counts as looser too;
 * - exceptions: any item not in the baseline (an exception to a rule) is looser;
 * - require-items: a baseline item (a string) left out is looser; for an object of
 *   lists, per list;
 * - ceiling-each: an object of numbers, each compared as a ceiling.
 */
export type Loosening =
  | { kind: "floor" }
  | { kind: "ceiling" }
  | { kind: "none" }
  | { kind: "required-true" }
  | { kind: "allow-list" }
  | { kind: "require-list"; key: string }
  | { kind: "exceptions" }
  | { kind: "require-items" }
  | { kind: "ceiling-each" };

export interface KeySchema {
  description: string;
  schema: ValueSchema;
  loosening: Loosening;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$/;
const NON_EMPTY = { type: "string", minLength: 1 } as const;
/** A filter pattern's alternatives, each the list of terms it requires. */
const MATCH: ValueSchema = { type: "array", minItems: 1, items: { type: "array", minItems: 1, items: NON_EMPTY } };

/** One monitor: a CloudWatch Logs filter pattern and the parsed alternatives it must match. */
const MONITOR: ValueSchema = {
  type: "object",
  properties: {
    id: NON_EMPTY,
    title: NON_EMPTY,
    cis: NON_EMPTY,
    pattern: NON_EMPTY,
    match: MATCH,
    tier: { type: "string", pattern: /^[a-z0-9]+$/ },
    deadline_minutes: { type: "integer", minimum: 1, maximum: 10080 },
    also_accepted: {
      type: "array",
      items: { type: "object", properties: { cis: NON_EMPTY, pattern: NON_EMPTY, match: MATCH }, required: ["pattern", "match"] },
    },
  },
  required: ["id", "title", "pattern", "match"],
};

export const POLICY_DATA_SCHEMA: Record<string, KeySchema> = {
  allowed_regions: {
    description: "regions where providers and regional resources may be",
    schema: { type: "array", items: { type: "string", pattern: REGION }, minItems: 1 },
    loosening: { kind: "allow-list" },
  },
  min_retention_days: {
    description: "floor for S3 expiry, Object Lock, log groups and Lake, in days",
    schema: { type: "integer", minimum: 1, maximum: 36500 },
    loosening: { kind: "floor" },
  },
  require_organization_trail: {
    description: "at least one trail must be an organisation trail",
    schema: { type: "boolean" },
    loosening: { kind: "required-true" },
  },
  admin_principals: {
    description: "principal ARNs allowed service-wide actions besides account roots",
    schema: { type: "array", items: { type: "string", pattern: /^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:[A-Za-z0-9+=,.@_/-]+$/ } },
    loosening: { kind: "exceptions" },
  },
  required_monitors: {
    description: "the CIS monitoring set: id, title, pattern, its parsed match and accepted variants",
    schema: { type: "array", minItems: 1, uniqueBy: "id", items: MONITOR },
    loosening: { kind: "require-list", key: "id" },
  },
  additional_monitors: {
    description: "a team's own monitors TG-LOG-007 requires besides the CIS set (none by default), in the shape of required_monitors",
    schema: { type: "array", uniqueBy: "id", items: MONITOR },
    loosening: { kind: "require-list", key: "id" },
  },
  trusted_accounts: {
    description: "accounts whose principals may reach the log buckets and keys (TG-LP-009)",
    schema: { type: "array", items: { type: "string", pattern: /^[0-9]{12}$/ } },
    loosening: { kind: "none" },
  },
  organization_id: {
    description: "the trusted AWS Organizations id (o-...), or empty",
    schema: { type: "string", pattern: /^(o-[a-z0-9]{10,32})?$/ },
    loosening: { kind: "none" },
  },
  allowed_excluded_event_sources: {
    description: "management event sources a trail may leave out (TG-LOG-012); AWS accepts only kms and rdsdata",
    schema: { type: "array", items: { type: "string", pattern: /^(kms|rdsdata)\.amazonaws\.com$/ } },
    loosening: { kind: "exceptions" },
  },
  allowed_object_lock_modes: {
    description: "Object Lock default retention modes accepted on trail log buckets (TG-RET-006)",
    schema: { type: "array", items: { type: "string", pattern: /^(COMPLIANCE|GOVERNANCE)$/ }, minItems: 1 },
    loosening: { kind: "allow-list" },
  },
  min_key_deletion_window_days: {
    description: "shortest accepted deletion_window_in_days of a KMS key (TG-ENC-008), 7-30 as AWS allows",
    schema: { type: "integer", minimum: 7, maximum: 30 },
    loosening: { kind: "floor" },
  },
  max_key_rotation_period_days: {
    description: "longest accepted rotation_period_in_days of a KMS key (TG-ENC-002), 90-2560 as AWS allows",
    schema: { type: "integer", minimum: 90, maximum: 2560 },
    loosening: { kind: "ceiling" },
  },
  // trailgate verify's runtime rules (policies/operations) and the runtime alerts (policies/alerting).
  max_delivery_age_minutes: {
    description: "oldest accepted last delivery of log files to S3 and events to CloudWatch Logs, in minutes (TG-OPS-002, TG-LOG-014)",
    schema: { type: "integer", minimum: 1, maximum: 1440 },
    loosening: { kind: "ceiling" },
  },
  max_digest_delivery_age_minutes: {
    description: "oldest accepted last digest delivery, in minutes; CloudTrail delivers digests hourly (TG-OPS-002)",
    schema: { type: "integer", minimum: 60, maximum: 10080 },
    loosening: { kind: "ceiling" },
  },
  insufficient_data_grace_minutes: {
    description: "how long an alarm may be INSUFFICIENT_DATA before it counts as stuck, in minutes (TG-OPS-008)",
    schema: { type: "integer", minimum: 1, maximum: 10080 },
    loosening: { kind: "ceiling" },
  },
  alert_delivery_minutes: {
    description: "minutes CloudTrail takes to deliver an event to CloudWatch Logs, counted in every alert path's latency (TG-ALR-009); AWS documents about 5",
    schema: { type: "integer", minimum: 1, maximum: 60 },
    loosening: { kind: "floor" },
  },
  alert_deadline_minutes: {
    description: "per alert tier, the longest accepted time from an event to the page, in minutes (TG-ALR-009); a monitor's deadline_minutes overrides its tier's",
    schema: {
      type: "object",
      properties: {
        critical: { type: "integer", minimum: 1, maximum: 10080 },
        warning: { type: "integer", minimum: 1, maximum: 10080 },
        info: { type: "integer", minimum: 1, maximum: 10080 },
      },
      required: ["critical", "warning", "info"],
    },
    loosening: { kind: "ceiling-each" },
  },
  personal_data_buckets: {
    description: "S3 buckets (names) that hold personal data: some trail must record their object reads and writes (TG-UK-001)",
    schema: { type: "array", items: { type: "string", pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ } },
    loosening: { kind: "require-items" },
  },
  data_movement_events: {
    description: "API calls that copy, replicate or export data, each of which an alarmed metric filter on the trail's log group must match (TG-UK-002)",
    schema: { type: "array", items: { type: "string", pattern: /^[A-Za-z0-9]+$/ }, minItems: 1 },
    loosening: { kind: "require-items" },
  },
  log_key_use_events: {
    description: "KMS calls on the log key an alarmed metric filter must match (TG-UK-003)",
    schema: { type: "array", items: { type: "string", pattern: /^[A-Za-z0-9]+$/ }, minItems: 1 },
    loosening: { kind: "require-items" },
  },
  alert_tiers: {
    description: "alert tiers that must each reach a confirmed subscriber (TG-OPS-007)",
    schema: { type: "array", items: { type: "string", pattern: /^[a-z0-9]+$/ } },
    loosening: { kind: "require-items" },
  },
  lake_event_data_store_capacity: {
    description: "CloudTrail Lake event data stores a region may hold; AWS's quota is 10 (TG-OPS-010)",
    schema: { type: "integer", minimum: 1, maximum: 10 },
    loosening: { kind: "ceiling" },
  },
  lake_capacity_warn_percent: {
    description: "share of the Lake store capacity in use that is a finding (TG-OPS-010)",
    schema: { type: "integer", minimum: 1, maximum: 100 },
    loosening: { kind: "ceiling" },
  },
  tamper_alert_events: {
    description: "CloudTrail and S3 API calls an EventBridge rule must alert on (TG-LOG-015)",
    schema: {
      type: "object",
      properties: {
        cloudtrail: { type: "array", items: { type: "string", pattern: /^[A-Za-z]+$/ } },
        s3: { type: "array", items: { type: "string", pattern: /^[A-Za-z]+$/ } },
      },
      required: ["cloudtrail", "s3"],
    },
    loosening: { kind: "require-items" },
  },
};

function kindOf(value: JsonValue): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Problems of `value` against `schema`, each naming its path (empty when valid). */
export function validateValue(value: JsonValue, schema: ValueSchema, where: string): string[] {
  switch (schema.type) {
    case "boolean":
      return typeof value === "boolean" ? [] : [`${where} must be true or false, not ${kindOf(value)}`];
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return [`${where} must be an integer, not ${kindOf(value)}`];
      return value < schema.minimum || value > schema.maximum ? [`${where} must be between ${schema.minimum} and ${schema.maximum}, not ${value}`] : [];
    case "string":
      if (typeof value !== "string") return [`${where} must be a string, not ${kindOf(value)}`];
      if (schema.minLength !== undefined && value.length < schema.minLength) return [`${where} must not be empty`];
      return schema.pattern && !schema.pattern.test(value) ? [`${where} ${JSON.stringify(value)} does not match ${schema.pattern}`] : [];
    case "array": {
      if (!Array.isArray(value)) return [`${where} must be an array, not ${kindOf(value)}`];
      const problems = value.flatMap((item, index) => validateValue(item, schema.items, `${where}[${index}]`));
      if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${where} needs at least ${schema.minItems} item(s)`);
      if (schema.uniqueBy) {
        const seen = new Set<string>();
        for (const item of value) {
          const id = isObject(item) ? item[schema.uniqueBy] : undefined;
          if (typeof id !== "string") continue;
          if (seen.has(id)) problems.push(`${where} lists ${schema.uniqueBy} ${JSON.stringify(id)} twice`);
          seen.add(id);
        }
      }
      return problems;
    }
    case "object": {
      if (!isObject(value)) return [`${where} must be an object, not ${kindOf(value)}`];
      const problems: string[] = [];
      for (const key of Object.keys(value)) {
        const property = Object.prototype.hasOwnProperty.call(schema.properties, key) ? schema.properties[key] : undefined;
        if (!property) problems.push(`${where} has unknown key "${key}" (known: ${Object.keys(schema.properties).join(", ")})`);
        else problems.push(...validateValue(value[key], property, `${where}.${key}`));
      }
      for (const key of schema.required) if (!(key in value)) problems.push(`${where} needs "${key}"`);
      return problems;
    }
  }
}

/** Validates a whole `trailgate.config` object; throws one GateInputError listing every problem. */
export function validatePolicyConfig(config: JsonObject, where: string): void {
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    const entry = Object.prototype.hasOwnProperty.call(POLICY_DATA_SCHEMA, key) ? POLICY_DATA_SCHEMA[key] : undefined;
    if (!entry) problems.push(`unknown config key "${key}" (known: ${Object.keys(POLICY_DATA_SCHEMA).join(", ")})`);
    else problems.push(...validateValue(config[key], entry.schema, key));
  }
  problems.push(...monitorIdClashes(config));
  problems.push(...monitorTiersWithoutDeadline(config));
  if (problems.length > 0) throw new GateInputError(`${where}: ${problems.join("; ")}`);
}

/** TG-LOG-007 names monitors by id: an additional monitor may not reuse a required one's. */
function monitorIdClashes(config: JsonObject): string[] {
  const ids = (value: JsonValue | undefined) =>
    Array.isArray(value) ? value.flatMap((item) => (isObject(item) && typeof item.id === "string" ? [item.id] : [])) : [];
  const required = new Set(ids(config.required_monitors));
  return ids(config.additional_monitors)
    .filter((id) => required.has(id))
    .map((id) => `additional_monitors id "${id}" is already in required_monitors; give the team's monitor its own id`);
}

/** TG-ALR-009 needs a deadline for every monitor: its own deadline_minutes, or its tier's in alert_deadline_minutes. */
function monitorTiersWithoutDeadline(config: JsonObject): string[] {
  const deadlines = isObject(config.alert_deadline_minutes) ? config.alert_deadline_minutes : {};
  const monitors = [config.required_monitors, config.additional_monitors].flatMap((list) => (Array.isArray(list) ? list.filter(isObject) : []));
  return monitors
    .filter((m) => m.deadline_minutes === undefined && !(String(m.tier ?? "warning") in deadlines))
    .map((m) => `monitor ${JSON.stringify(m.id)} is in tier ${JSON.stringify(m.tier ?? "warning")}, which alert_deadline_minutes gives no deadline; set the monitor's deadline_minutes`);
}

/** One way an override is looser than the baseline, for TG-CFG-001 and the reports. */
export interface Loosened {
  key: string;
  message: string;
}

function show(value: JsonValue): string {
  return JSON.stringify(value);
}

/** JSON with object keys sorted: equal values give equal text whatever order their keys were written in. */
function stable(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stable(value[key])}`).join(",")}}`;
  return JSON.stringify(value);
}

/** Where `config` is looser than `baseline` (both already valid), key by key. */
export function loosenedKeys(config: JsonObject, baseline: JsonObject): Loosened[] {
  const found: Loosened[] = [];
  for (const key of Object.keys(config)) {
    const entry = POLICY_DATA_SCHEMA[key];
    const value = config[key];
    const base = baseline[key];
    if (!entry || base === undefined) continue;
    const rule = entry.loosening;
    if (rule.kind === "floor" && typeof value === "number" && typeof base === "number" && value < base) {
      found.push({ key, message: `${key} is ${value}, below the UK baseline of ${base}` });
    } else if (rule.kind === "ceiling" && typeof value === "number" && typeof base === "number" && value > base) {
      found.push({ key, message: `${key} is ${value}, above the UK baseline of ${base}` });
    } else if (rule.kind === "required-true" && value === false && base === true) {
      found.push({ key, message: `${key} is false; the UK baseline requires true` });
    } else if (rule.kind === "allow-list" && Array.isArray(value) && Array.isArray(base)) {
      const extra = value.filter((item) => !base.some((allowed) => show(allowed) === show(item)));
      if (extra.length > 0) found.push({ key, message: `${key} allows ${extra.map(show).join(", ")}, outside the UK baseline ${show(base)}` });
    } else if (rule.kind === "exceptions" && Array.isArray(value) && Array.isArray(base)) {
      const extra = value.filter((item) => !base.some((allowed) => show(allowed) === show(item)));
      if (extra.length > 0) found.push({ key, message: `${key} adds exceptions ${extra.map(show).join(", ")} to the UK baseline` });
    } else if (rule.kind === "ceiling-each" && isObject(value) && isObject(base)) {
      for (const part of Object.keys(base)) {
        const [own, baseline] = [value[part], base[part]];
        if (typeof own === "number" && typeof baseline === "number" && own > baseline) {
          found.push({ key, message: `${key}.${part} is ${own}, above the UK baseline of ${baseline}` });
        }
      }
    } else if (rule.kind === "require-items") {
      const lists: Array<[string, JsonValue, JsonValue]> =
        isObject(value) && isObject(base) ? Object.keys(base).map((list) => [`${key}.${list}`, value[list], base[list]]) : [[key, value, base]];
      for (const [where, items, required] of lists) {
        if (!Array.isArray(items) || !Array.isArray(required)) continue;
        const missing = required.filter((item) => !items.some((kept) => show(kept) === show(item)));
        if (missing.length > 0) found.push({ key, message: `${where} leaves out ${missing.map(show).join(", ")}, which the UK baseline requires` });
      }
    } else if (rule.kind === "require-list" && Array.isArray(value) && Array.isArray(base)) {
      for (const required of base) {
        if (!isObject(required)) continue;
        const id = required[rule.key];
        const present = value.find((item) => isObject(item) && item[rule.key] === id);
        if (!isObject(present)) {
          found.push({ key, message: `${key} leaves out ${rule.key} ${show(id)}, which the UK baseline requires` });
          continue;
        }
        if (stable(present) !== stable(required)) found.push({ key, message: `${key} ${show(id)} differs from the UK baseline's` });
      }
    }
  }
  return found;
}
