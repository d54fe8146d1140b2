/**
 * `data.aws_iam_policy_document` rebuilt into a policy document from its planned
 * arguments, as the AWS provider (5.x) assembles its `json`: statements of
 * `source_json` and `source_policy_documents` first (a later one replaces an
 * earlier statement with the same Sid), then the block's own statements
 * (replacing source statements by Sid), then `override_policy_documents` and
 * `override_json` (replacing by Sid, else appended).
 * Values the plan does not know yet stay unknown ("${computed}"), so a document
 * whose bucket ARN is computed still shows its TLS deny at the first plan.
 */
import { isExpression } from "./common";
import { parsePolicyDocument } from "./policy-document";
import { isObject, JsonObject, JsonValue, PolicyDocument, PolicyStatement } from "./types";

export const UNKNOWN = "${computed}";

function stringList(value: JsonValue | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const strings = list.map((item) => (typeof item === "string" ? item : UNKNOWN));
  return strings.length > 0 ? strings : undefined;
}

function blocks(value: JsonValue | undefined): JsonValue[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function principals(value: JsonValue | undefined): Record<string, string[]> | undefined {
  const merged: Record<string, string[]> = {};
  for (const block of blocks(value)) {
    if (!isObject(block)) {
      // A whole principals block unknown: its type is unknown too.
      (merged.AWS ??= []).push(UNKNOWN);
      continue;
    }
    const type = typeof block.type === "string" && !isExpression(block.type) ? block.type : "AWS";
    const ids = stringList(block.identifiers) ?? [UNKNOWN];
    // The provider writes type "*" as `"Principal": "*"`; the gate's shape for that is AWS ["*"].
    (merged[type === "*" ? "AWS" : type] ??= []).push(...ids);
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function conditions(value: JsonValue | undefined): PolicyStatement["Condition"] {
  const merged: NonNullable<PolicyStatement["Condition"]> = {};
  for (const block of blocks(value)) {
    if (!isObject(block)) {
      merged[UNKNOWN] = { [UNKNOWN]: [UNKNOWN] };
      continue;
    }
    const test = typeof block.test === "string" ? block.test : UNKNOWN;
    const variable = typeof block.variable === "string" ? block.variable : UNKNOWN;
    const values = stringList(block.values) ?? [UNKNOWN];
    ((merged[test] ??= {})[variable] ??= []).push(...values);
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function statementFromBlock(block: JsonValue): PolicyStatement {
  if (!isObject(block)) return { Effect: UNKNOWN, Action: [UNKNOWN], Resource: [UNKNOWN] };
  const statement: PolicyStatement = {};
  if (typeof block.sid === "string" && block.sid !== "") statement.Sid = block.sid;
  statement.Effect = block.effect === null || block.effect === undefined ? "Allow" : block.effect;
  const lists: [string, "Action" | "NotAction" | "Resource" | "NotResource"][] = [
    ["actions", "Action"],
    ["not_actions", "NotAction"],
    ["resources", "Resource"],
    ["not_resources", "NotResource"],
  ];
  for (const [argument, key] of lists) {
    const list = stringList(block[argument]);
    if (list) statement[key] = list;
  }
  const principal = principals(block.principals);
  if (principal) statement.Principal = principal;
  const notPrincipal = principals(block.not_principals);
  if (notPrincipal) statement.NotPrincipal = notPrincipal;
  const condition = conditions(block.condition);
  if (condition) statement.Condition = condition;
  return statement;
}

/** Statements of `overriding` replace same-Sid ones in `base`; the rest are appended. */
function mergeBySid(base: PolicyStatement[], overriding: PolicyStatement[]): PolicyStatement[] {
  const result = [...base];
  for (const statement of overriding) {
    const index = typeof statement.Sid === "string" ? result.findIndex((existing) => existing.Sid === statement.Sid) : -1;
    if (index === -1) result.push(statement);
    else result[index] = statement;
  }
  return result;
}

/** What a rebuild gives: the document, and the arguments whose unknown value hides whole statements. */
export interface RebuiltDocument {
  document: PolicyDocument;
  /** e.g. ["source_policy_documents"]: statements there are not known before apply. */
  unknownParts: string[];
}

/**
 * The document of one aws_iam_policy_document from its planned values (unknowns
 * already written as "${…}" strings). `documentsFor` supplies the documents an
 * unknown `source_policy_documents` / `override_policy_documents` element came
 * from, when the caller can follow the references there.
 */
export function rebuildPolicyDocument(
  values: JsonObject,
  documentsFor: (argument: string) => PolicyDocument[] | undefined,
): RebuiltDocument | undefined {
  const known = parsePolicyDocument(values.json);
  if (known) return { document: known, unknownParts: [] };
  const unknownParts: string[] = [];
  const documentsOf = (argument: string): PolicyDocument[] => {
    const raw = values[argument];
    if (raw === null || raw === undefined) return [];
    const elements = Array.isArray(raw) ? raw : [raw];
    const parsed = elements.map((element) => parsePolicyDocument(element));
    if (parsed.every((document) => document !== undefined)) return parsed as PolicyDocument[];
    const followed = documentsFor(argument);
    const unknownCount = parsed.filter((document) => document === undefined).length;
    if (followed && followed.length === unknownCount) {
      return [...(parsed.filter((document) => document !== undefined) as PolicyDocument[]), ...followed];
    }
    unknownParts.push(argument);
    return parsed.filter((document) => document !== undefined) as PolicyDocument[];
  };
  if (isExpression(values.statement)) return undefined;
  let statements: PolicyStatement[] = [];
  for (const argument of ["source_json", "source_policy_documents"]) {
    for (const source of documentsOf(argument)) statements = mergeBySid(statements, source.Statement);
  }
  statements = mergeBySid(statements, blocks(values.statement).map(statementFromBlock));
  for (const argument of ["override_policy_documents", "override_json"]) {
    for (const override of documentsOf(argument)) statements = mergeBySid(statements, override.Statement);
  }
  const document: PolicyDocument = { Version: typeof values.version === "string" ? values.version : "2012-10-17", Statement: statements };
  if (typeof values.policy_id === "string") document.Id = values.policy_id;
  return { document, unknownParts };
}
