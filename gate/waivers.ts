import { describeError, GateInputError } from "../core/errors";
import { InputBudget, readTextFile } from "../terraform/input-file";
import { Violation } from "./policy";

/**
 * A waiver accepts one rule's finding on one resource until a date, with a reason
 * an auditor can read. `resource` is an exact address (a Terraform address, or an
 * ARN for verify), a cdktf construct path (`app/audit/monitoring/log_group`, for
 * synthesized input, instead of cdktf's hashed address), or a prefix of either
 * ending in `*` (`aws_s3_bucket.logs*` covers every instance). `(configuration)` names
 * findings on no resource, such as TG-LOG-008; `*` alone, allowed only with
 * WaiverLimits.allowAnyResource, covers every finding of the rule. A waiver applies through its `expires` day (UTC) and stops waiving
 * the day after.
 */
export interface Waiver {
  rule: string;
  resource: string;
  reason: string;
  /** YYYY-MM-DD */
  expires: string;
}

export interface Finding extends Violation {
  /** The normalised document (stack, plan, module) the violation is in. */
  document: string;
  waived: boolean;
  /** The waiver that matched, expired or not; null when none did. */
  waiver: (Waiver & { expired: boolean }) | null;
}

/** What a waiver may claim: how far ahead it may expire, and whether it may cover every resource. */
export interface WaiverLimits {
  /** Latest expiry accepted, in days after today: a waiver is re-approved at least this often. @default 365 */
  readonly maxDays?: number;
  /** Accept `"resource": "*"` (the rule waived everywhere). @default false */
  readonly allowAnyResource?: boolean;
  /** YYYY-MM-DD the expiry cap counts from. @default today (UTC) */
  readonly today?: string;
}

export const DEFAULT_WAIVER_MAX_DAYS = 365;

const WAIVER_KEYS = ["rule", "resource", "reason", "expires"];

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Today's date in UTC as YYYY-MM-DD, the form waivers compare against. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Reads and validates a waiver file `{"waivers":[{rule, resource, reason, expires}]}`.
 * Any defect is a GateInputError: a waiver that silently failed to parse would
 * turn into a failing build nobody can explain, or worse, a typo'd rule id that
 * never matches.
 */
export function loadWaivers(file: string, knownRuleIds: Set<string>, limits: WaiverLimits = {}): Waiver[] {
  // A regular file of bounded size only: a FIFO or a device must not block or exhaust the gate.
  const text = readTextFile(file, "waiver file", new InputBudget(16 * 1024 * 1024));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GateInputError(`waiver file ${file} is not valid JSON: ${describeError(error)}`);
  }
  return parseWaivers(parsed, `waiver file ${file}`, knownRuleIds, limits);
}

/** Validates waivers given as data (a parsed waiver file, or addPolicyGate's option). */
export function parseWaivers(parsed: unknown, where: string, knownRuleIds: Set<string>, limits: WaiverLimits = {}): Waiver[] {
  const list = typeof parsed === "object" && parsed !== null ? (parsed as { waivers?: unknown }).waivers : undefined;
  if (!Array.isArray(list) || Object.keys(parsed as object).length !== 1) {
    throw new GateInputError(`${where} must be {"waivers":[{"rule","resource","reason","expires"}]}`);
  }
  return list.map((entry, index) => validateWaiver(entry, `${where}: waivers[${index}]`, knownRuleIds, limits));
}

function validateWaiver(entry: unknown, where: string, knownRuleIds: Set<string>, limits: WaiverLimits): Waiver {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new GateInputError(`${where} is not an object`);
  const waiver = entry as Record<string, unknown>;
  const unknownKey = Object.keys(waiver).find((key) => !WAIVER_KEYS.includes(key));
  if (unknownKey) throw new GateInputError(`${where} has unknown key "${unknownKey}" (allowed: ${WAIVER_KEYS.join(", ")})`);
  for (const key of WAIVER_KEYS) {
    if (typeof waiver[key] !== "string" || (waiver[key] as string).trim() === "") {
      throw new GateInputError(`${where} needs a non-empty "${key}"`);
    }
  }
  const { rule, resource, reason, expires } = waiver as unknown as Waiver;
  if (!knownRuleIds.has(rule)) throw new GateInputError(`${where} names unknown rule ${rule} (see \`trailgate rules\`)`);
  if (!isIsoDate(expires)) throw new GateInputError(`${where} has expires "${expires}", which is not a YYYY-MM-DD date`);
  const maxDays = limits.maxDays ?? DEFAULT_WAIVER_MAX_DAYS;
  const latest = addDays(limits.today ?? todayUtc(), maxDays);
  if (expires > latest) {
    throw new GateInputError(`${where} expires ${expires}, more than ${maxDays} days ahead (latest ${latest}); review it sooner, or raise waivers.maxDays in trailgate.config.json`);
  }
  if (resource.trim() === "*" && !limits.allowAnyResource) {
    throw new GateInputError(
      `${where} waives ${rule} on every resource ("*"); name the resources (an address, a construct path, or a prefix ending in *), or set waivers.allowAnyResource in trailgate.config.json`,
    );
  }
  return { rule, resource, reason, expires };
}

function matchesName(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** The waiver resource naming findings about the configuration as a whole (no resource, e.g. TG-LOG-008). */
export const CONFIGURATION_RESOURCE = "(configuration)";

function covers(waiver: Waiver, violation: Violation, constructPath: string | undefined): boolean {
  if (waiver.rule !== violation.id) return false;
  if (waiver.resource === CONFIGURATION_RESOURCE) return violation.resource === "";
  return matchesName(waiver.resource, violation.resource) || (constructPath !== undefined && matchesName(waiver.resource, constructPath));
}

/**
 * Marks each violation waived or failing. Waived findings stay in the report; an
 * expired waiver does not waive, and the finding's message says when it expired.
 * `constructPathOf` gives a resource's cdktf construct path (synthesized input), so a
 * waiver may name the construct rather than its hashed address.
 */
export function applyWaivers(
  violations: Violation[],
  waivers: Waiver[],
  today: string,
  document: string,
  constructPathOf: (resource: string) => string | undefined = () => undefined,
): Finding[] {
  return violations.map((violation) => {
    const constructPath = violation.resource === "" ? undefined : constructPathOf(violation.resource);
    const matching = waivers.filter((waiver) => covers(waiver, violation, constructPath));
    const active = matching.find((waiver) => waiver.expires >= today);
    if (active) return { ...violation, document, waived: true, waiver: { ...active, expired: false } };
    const expired = matching.sort((a, b) => b.expires.localeCompare(a.expires))[0];
    if (expired) {
      const message = `${violation.message} (waiver expired on ${expired.expires})`;
      return { ...violation, message, document, waived: false, waiver: { ...expired, expired: true } };
    }
    return { ...violation, document, waived: false, waiver: null };
  });
}
