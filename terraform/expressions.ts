import { setKey } from "./json-reader";
import { formatNumber, NUMBER_STRING } from "./numbers";
import { chosenUnknown, evaluateOperators } from "./operators";
import { isObject, JsonObject, JsonValue } from "./types";

/**
 * What the gate evaluates of Terraform's expression language in JSON-syntax
 * strings (every string there is a template): literal interpolations
 * ("${30}", "${true}", "${\"x\"}"), `var.NAME` and `local.NAME` with attribute
 * and index steps, operators and conditionals over those (operators.ts), and text
 * around them. Anything else (a resource attribute, a function call) is not known
 * before apply: it stays as written, a string containing "${" (the shared
 * convention for unknowns, policies/INPUT.md).
 */

/** A cty type as `terraform providers schema -json` writes it. */
export type CtyType = string | [string, CtyType] | ["object", Record<string, CtyType>] | ["tuple", CtyType[]];

/** The result of evaluating a value: known, or unknown with the text to keep. */
export type Evaluated = { known: true; value: JsonValue } | { known: false; text: string };

export interface Scope {
  /** The value of var.NAME / local.NAME, or undefined when it has none the gate can know. */
  variable(name: string): Evaluated | undefined;
  local(name: string): Evaluated | undefined;
  /**
   * The value of module.CALL.OUTPUT, where the called module can be read; unknown
   * when it is one of that module's resources (its text then names the resource
   * from here: "${module.CALL.aws_s3_bucket.b.id}").
   */
  module?(call: string, output: string): Evaluated | undefined;
}

/** A value Terraform would refuse (a string that is not a number where one is required, ...). */
export class ConversionError extends Error {}

const UNKNOWN = (text: string): Evaluated => ({ known: false, text });

type TemplatePart = { literal: string } | { expression: string; source: string };

const DOLLAR = 0x24;
const PERCENT = 0x25;

/** Whether a JSON-syntax string holds an interpolation or a directive; any other string is its own value ("$${" holds "${"). */
function isTemplate(text: string): boolean {
  return text.includes("${") || text.includes("%{");
}

/**
 * Splits a template into literal text and `${…}` interpolations; null when it
 * holds a `%{…}` directive or an interpolation that does not close (the gate
 * treats both as unknown).
 */
function templateParts(text: string): TemplatePart[] | null {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    // Plain text up to the next "$" or "%" is copied in one piece.
    let plain = i;
    while (plain < text.length && text.charCodeAt(plain) !== DOLLAR && text.charCodeAt(plain) !== PERCENT) plain++;
    if (plain > i) {
      literal += text.slice(i, plain);
      i = plain;
      continue;
    }
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += `${text[i]}{`;
      i += 3;
    } else if (text.startsWith("${", i)) {
      const end = closingBrace(text, i + 2);
      if (end === -1) return null;
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ expression: text.slice(i + 2, end), source: text.slice(i, end + 1) });
      i = end + 1;
    } else if (text.startsWith("%{", i)) {
      return null;
    } else {
      literal += text[i++];
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

/** The index of the `}` closing an interpolation whose body starts at `start`, skipping quoted strings. */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

const NUMBER_LITERAL = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const TRAVERSAL_ROOT = /^(var|local|module)\.([A-Za-z_][A-Za-z0-9_-]*)/;
const OUTPUT_STEP = /^\.([A-Za-z_][A-Za-z0-9_-]*)/;
const PLAIN_TRAVERSAL = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[(?:\d+|"[^"\\]*"|\*)\])*$/;
const TRAVERSAL_STEP = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*([0-9]+)\s*\]|\[\s*"((?:[^"\\$%]|\\.)*)"\s*\])/;

/** A quoted HCL string literal without interpolation, or undefined. */
function quotedLiteral(expression: string): string | undefined {
  if (!/^"(?:[^"\\$%]|\\.|[$%](?!\{))*"$/.test(expression)) return undefined;
  try {
    return JSON.parse(expression.replace(/\\U([0-9a-fA-F]{8})/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))) as string;
  } catch {
    return undefined;
  }
}

/** What var.NAME, local.NAME or module.NAME.OUTPUT (its first step) stands for, and the steps after it. */
function lookup(kind: string, name: string, rest: string, scope: Scope): { base: Evaluated | undefined; rest: string } {
  if (kind === "var") return { base: scope.variable(name), rest };
  if (kind === "local") return { base: scope.local(name), rest };
  const output = OUTPUT_STEP.exec(rest);
  if (!output || !scope.module) return { base: undefined, rest };
  return { base: scope.module(name, output[1]), rest: rest.slice(output[0].length) };
}

/** The value of a var, local or module output traversal with attribute and index steps, or undefined when not known. */
function traverse(kind: string, name: string, steps: string, scope: Scope): JsonValue | undefined {
  const { base, rest } = lookup(kind, name, steps, scope);
  return base?.known ? follow(base.value, rest) : undefined;
}

/** A known value followed through attribute and index steps; undefined where a step leads nowhere. */
function follow(start: JsonValue, steps: string): JsonValue | undefined {
  let value = start;
  let rest = steps;
  while (rest.length > 0) {
    const step = TRAVERSAL_STEP.exec(rest);
    if (!step) return undefined;
    rest = rest.slice(step[0].length);
    if (step[2] !== undefined) {
      if (!Array.isArray(value)) return undefined;
      value = value[Number(step[2])];
    } else {
      const key = step[1] ?? (JSON.parse(`"${step[3]}"`) as string);
      if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
      value = value[key];
    }
    if (value === undefined) return undefined;
  }
  return value;
}

function evaluateExpression(expression: string, scope: Scope, source: string): Evaluated {
  const trimmed = expression.trim();
  if (NUMBER_LITERAL.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? { known: true, value } : UNKNOWN(source);
  }
  if (trimmed === "true" || trimmed === "false") return { known: true, value: trimmed === "true" };
  if (trimmed === "null") return { known: true, value: null };
  const literal = quotedLiteral(trimmed);
  if (literal !== undefined) return { known: true, value: literal };
  const root = TRAVERSAL_ROOT.exec(trimmed);
  if (root && isTraversal(trimmed.slice(root[0].length))) {
    const rest = trimmed.slice(root[0].length);
    // A local or module output that is itself one unknown expression
    // ("${aws_s3_bucket.b.id}") stands in for it, so references through them still
    // link resources; steps after a reference are kept on it (".id" of a whole resource).
    // A variable's unknown value is the caller's expression, naming the caller's
    // resources: it stays `var.x` here, a link the gate says it cannot follow.
    const { base, rest: after } = lookup(root[1], root[2], rest, scope);
    if (base && !base.known && root[1] !== "var") {
      if (after === "" && /^\$\{[^]*\}$/.test(base.text)) return UNKNOWN(base.text);
      const reference = SINGLE_REFERENCE.exec(base.text);
      if (reference) return UNKNOWN(`\${${reference[1]}${after}}`);
    }
    const value = base?.known ? follow(base.value, after) : undefined;
    return value === undefined ? UNKNOWN(source) : { known: true, value };
  }
  // A resource or data source attribute, most of a synthesized stack's interpolations:
  // not known before apply, without parsing it as an expression.
  if (PLAIN_TRAVERSAL.test(trimmed)) return UNKNOWN(source);
  // Operators and conditionals over known values (`var.create ? 1 : 0`); anything
  // else (a function, a resource attribute) stays unknown, as written.
  const resolve = (kind: "var" | "local" | "module", name: string, rest: string) => traverse(kind, name, rest, scope);
  const value = evaluateOperators(trimmed, resolve);
  if (value !== undefined) return { known: true, value };
  // A conditional over known values that picks one reference is that reference, so it still links.
  return UNKNOWN(chosenUnknown(trimmed, resolve) ?? source);
}

/** "${aws_s3_bucket.b}" or "${module.m.aws_s3_bucket.b[0]}": one resource reference, without attributes. */
const SINGLE_REFERENCE = /^\$\{\s*((?:module\.[A-Za-z_][\w-]*\.)*(?:data\.)?[A-Za-z][\w-]*\.[A-Za-z_][\w-]*(?:\[(?:\d+|"[^"]*")\])?)\s*\}$/;

/** Whether text is only attribute and index steps. */
function isTraversal(rest: string): boolean {
  while (rest.length > 0) {
    const step = TRAVERSAL_STEP.exec(rest);
    if (!step) return false;
    rest = rest.slice(step[0].length);
  }
  return true;
}

function templateText(value: JsonValue): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * Evaluates one JSON-syntax string. A string that is one interpolation gives
 * that value with its own type ("${30}" is the number 30); text around
 * interpolations gives a string. Parts the gate cannot know stay as written
 * and make the result unknown.
 */
export function evaluateTemplate(text: string, scope: Scope): Evaluated {
  if (!isTemplate(text)) return { known: true, value: text };
  const parts = templateParts(text);
  if (!parts) return UNKNOWN(text);
  if (parts.length === 1 && "expression" in parts[0]) {
    return evaluateExpression(parts[0].expression, scope, parts[0].source);
  }
  let out = "";
  let known = true;
  for (const part of parts) {
    if ("literal" in part) {
      // Keep a literal "${" escaped while the result is still a template.
      out += part.literal.replace(/([$%])\{/g, "$1$1{");
      continue;
    }
    const result = evaluateExpression(part.expression, scope, part.source);
    const piece = result.known ? templateText(result.value) : undefined;
    if (piece === undefined) {
      known = false;
      out += part.source;
    } else {
      out += piece.replace(/([$%])\{/g, "$1$1{");
    }
  }
  if (!known) return UNKNOWN(out);
  // Fully known: undo the escaping that kept literal "${" apart from interpolations.
  return { known: true, value: out.replace(/([$%])\1\{/g, "$1{") };
}

/**
 * Evaluates every string inside a JSON value. Unknown parts stay as their
 * "${…}" text, so the result is the value with what the gate can know filled in.
 */
export function evaluateValue(value: JsonValue, scope: Scope): JsonValue {
  if (typeof value === "string") {
    if (!isTemplate(value)) return value;
    const result = evaluateTemplate(value, scope);
    return result.known ? result.value : result.text;
  }
  // A structure whose strings hold no template is returned as it is, and copied
  // only from its first changed item: most are unchanged, and copying them was
  // most of the reader's garbage.
  if (Array.isArray(value)) {
    let items: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const evaluated = evaluateValue(value[i], scope);
      if (items === undefined && evaluated !== value[i]) items = value.slice(0, i);
      if (items !== undefined) items.push(evaluated);
    }
    return items ?? value;
  }
  if (isObject(value)) {
    let object: JsonObject | undefined;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const evaluated = evaluateValue(value[keys[i]], scope);
      if (object === undefined && evaluated !== value[keys[i]]) {
        object = {};
        for (let j = 0; j < i; j++) setKey(object, keys[j], value[keys[j]]);
      }
      if (object !== undefined) setKey(object, keys[i], evaluated);
    }
    return object ?? value;
  }
  return value;
}


function describe(value: JsonValue): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `a ${typeof value === "boolean" ? "bool" : typeof value}`;
}

/**
 * Converts a known value to a schema type as Terraform (cty) does: "30" and
 * "3e1" to the number 30, "true"/"1" to true, 30 to "30", recursively through
 * collections. Strings still holding "${" are unknown and kept. A value
 * Terraform would refuse is a ConversionError.
 */
export function convertValue(value: JsonValue, type: CtyType): JsonValue {
  if (value === null || type === "dynamic") return value;
  if (typeof value === "string" && value.includes("${")) return value;
  if (type === "string") {
    if (typeof value === "string") return value;
    if (typeof value === "number") return formatNumber(value);
    if (typeof value === "boolean") return String(value);
    throw new ConversionError(`a string is required, not ${describe(value)}`);
  }
  if (type === "number") {
    if (typeof value === "number") return value;
    if (typeof value === "string" && NUMBER_STRING.test(value)) {
      const number = Number(value);
      if (Number.isFinite(number)) return number;
      throw new ConversionError(`the number "${value}" is out of range`);
    }
    throw new ConversionError(`a number is required, not ${describe(value)}`);
  }
  if (type === "bool") {
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    throw new ConversionError(`a bool is required, not ${describe(value)}`);
  }
  if (!Array.isArray(type)) return value;
  const [kind, element] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) throw new ConversionError(`a ${kind} is required, not ${describe(value)}`);
    const items = value.map((item) => convertValue(item, element as CtyType));
    if (kind === "set") {
      const seen = new Set<string>();
      return items.filter((item) => {
        const key = JSON.stringify(item);
        return !seen.has(key) && !!seen.add(key);
      });
    }
    return items;
  }
  if (kind === "map") {
    if (!isObject(value)) throw new ConversionError(`a map is required, not ${describe(value)}`);
    const map: JsonObject = {};
    for (const key of Object.keys(value)) setKey(map, key, convertValue(value[key], element as CtyType));
    return map;
  }
  if (kind === "object") {
    if (!isObject(value)) throw new ConversionError(`an object is required, not ${describe(value)}`);
    const attributes = element as Record<string, CtyType>;
    const object: JsonObject = {};
    for (const key of Object.keys(value)) {
      setKey(object, key, Object.prototype.hasOwnProperty.call(attributes, key) ? convertValue(value[key], attributes[key]) : value[key]);
    }
    return object;
  }
  if (kind === "tuple") {
    if (!Array.isArray(value)) throw new ConversionError(`a tuple is required, not ${describe(value)}`);
    const elements = element as CtyType[];
    return value.map((item, index) => (index < elements.length ? convertValue(item, elements[index]) : item));
  }
  return value;
}

/**
 * A variable's `type` as JSON syntax writes it ("number", "${number}",
 * "list(string)"); "dynamic" for `any`, object types and anything the gate
 * does not model.
 */
export function parseTypeConstraint(value: JsonValue | undefined): CtyType {
  if (typeof value !== "string") return "dynamic";
  const text = value.replace(/^\$\{(.*)\}$/s, "$1").replace(/\s+/g, "");
  const parse = (t: string): CtyType => {
    if (t === "string" || t === "number" || t === "bool") return t;
    const collection = /^(list|set|map)\((.*)\)$/.exec(t);
    if (collection) return [collection[1], parse(collection[2])];
    return "dynamic";
  };
  return parse(text);
}
