import { isObject, JsonValue, PolicyDocument, PolicyStatement } from "./types";

/** Arguments that hold an IAM policy document when their value is a JSON string. */
export const POLICY_ARGUMENTS = new Set(["policy", "assume_role_policy"]);

const STRING_LIST_KEYS = ["Action", "NotAction", "Resource", "NotResource"] as const;
const PRINCIPAL_KEYS = ["Principal", "NotPrincipal"] as const;

function toArray(value: JsonValue): JsonValue[] {
  return Array.isArray(value) ? value : [value];
}

/** Policy string lists must hold strings only; anything else makes the document unreadable. */
function toStringList(value: JsonValue): string[] | undefined {
  const list = toArray(value);
  return list.every((item) => typeof item === "string") ? (list as string[]) : undefined;
}

function normalizePrincipal(value: JsonValue): Record<string, string[]> | undefined {
  if (value === "*") return { AWS: ["*"] };
  if (!isObject(value)) return undefined;
  const principal: Record<string, string[]> = {};
  for (const [kind, ids] of Object.entries(value)) {
    const list = toStringList(ids);
    if (!list) return undefined;
    principal[kind] = list;
  }
  return principal;
}

function normalizeCondition(value: JsonValue): Record<string, Record<string, JsonValue[]>> | undefined {
  if (!isObject(value)) return undefined;
  const condition: Record<string, Record<string, JsonValue[]>> = {};
  for (const [operator, tests] of Object.entries(value)) {
    if (!isObject(tests)) return undefined;
    const normalized: Record<string, JsonValue[]> = {};
    for (const [key, expected] of Object.entries(tests)) normalized[key] = toArray(expected);
    condition[operator] = normalized;
  }
  return condition;
}

function normalizeStatement(raw: JsonValue): PolicyStatement | undefined {
  if (!isObject(raw)) return undefined;
  const statement: PolicyStatement = {};
  if ("Sid" in raw) statement.Sid = raw.Sid;
  if ("Effect" in raw) statement.Effect = raw.Effect;
  for (const key of STRING_LIST_KEYS) {
    if (!(key in raw)) continue;
    const list = toStringList(raw[key]);
    if (!list) return undefined;
    statement[key] = list;
  }
  for (const key of PRINCIPAL_KEYS) {
    if (!(key in raw)) continue;
    const principal = normalizePrincipal(raw[key]);
    if (!principal) return undefined;
    statement[key] = principal;
  }
  if ("Condition" in raw) {
    const condition = normalizeCondition(raw.Condition);
    if (!condition) return undefined;
    statement.Condition = condition;
  }
  return statement;
}

/**
 * Parses a policy-like argument. Returns undefined when the value is not a JSON
 * policy document (an expression, an unknown plan value, a malformed document):
 * the argument then stays only in `values`, and TG-LP-008 reports it.
 */
export function parsePolicyDocument(value: JsonValue | undefined): PolicyDocument | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!text.startsWith("{")) return undefined;
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const statements: PolicyStatement[] = [];
  for (const raw of "Statement" in parsed ? toArray(parsed.Statement) : []) {
    const statement = normalizeStatement(raw);
    if (!statement) return undefined;
    statements.push(statement);
  }
  const document: PolicyDocument = { Statement: statements };
  if ("Version" in parsed) document.Version = parsed.Version;
  if ("Id" in parsed) document.Id = parsed.Id;
  return document;
}
