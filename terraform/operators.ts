import { formatNumber, NUMBER_STRING } from "./numbers";
import { JsonValue } from "./types";

/**
 * HCL expressions over values the gate knows, evaluated as Terraform evaluates
 * them: operators and conditionals (`var.create ? 1 : 0`, `var.bucket != null`,
 * `!var.short`, `var.days * 2`), object and tuple constructors, templates
 * (`"arn:aws:s3:::${var.bucket}/*"`), `jsonencode(...)` and the collection functions
 * `toset`, `tolist`, `tomap` and `length`. The operands are literals, parentheses and
 * `var.*` / `local.*` / `module.*` traversals; anything else (another function, a
 * `for` expression) makes the whole expression unknown,
 * as does an operand of the wrong type (Terraform would refuse it) or one not
 * known. Precedence, lowest first: `?:`, `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=`,
 * `+` `-`, `*` `/` `%`, unary `!` `-`.
 *
 * Inside `jsonencode(...)` a value not known before apply (a resource attribute,
 * an unknown variable) becomes its own "${…}" text in the JSON, as a synthesized
 * stack writes it (`"Resource": "${aws_s3_bucket.logs.arn}/*"`), so a policy
 * built with jsonencode reads as a document with unknown values, not as an
 * unreadable expression. Operators never apply to such a value.
 */

/** The value of a `var`/`local`/`module` traversal (`rest`: its steps, e.g. `.a[0]`), undefined when not known. */
export type Resolve = (kind: "var" | "local" | "module", name: string, rest: string) => JsonValue | undefined;

/** Not in the subset, not known, or an error in Terraform: the expression is unknown. */
class Unknown extends Error {}

/** A value not known before apply inside jsonencode: written as its own "${…}" text. */
class Placeholder {
  constructor(readonly text: string) {}

  toJSON(): string {
    return this.text;
  }
}

type Value = JsonValue | Placeholder | Value[] | { [key: string]: Value };

type TemplatePart = { literal: string } | { expression: string };
type Token = { start: number; end: number } & (
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "template"; parts: TemplatePart[] }
  | { kind: "name"; value: string }
  | { kind: "op"; value: string }
);

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", "(", ")", "[", "]", "{", "}", ".", ",", "="];
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** The literal text of a piece of a quoted HCL string (escapes decoded). */
function decodeLiteral(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (match, escape: string | undefined) => {
    if (match === "$${") return "${";
    if (match === "%%{") return "%{";
    const code = escape as string;
    if (code.length > 1) return String.fromCodePoint(parseInt(code.slice(1), 16));
    if (!(code in ESCAPES)) throw new Unknown();
    return ESCAPES[code];
  });
}

/** The end (index after the closing `}`) of an interpolation whose body starts at `start`. */
function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i) - 1;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  throw new Unknown();
}

/** The end (index after the closing quote) of the quoted string starting at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) i += 2;
    else if (text.startsWith("${", i)) i = interpolationEnd(text, i + 2) - 1;
    else if (text.startsWith("%{", i)) throw new Unknown(); // template directives
    else if (text[i] === '"') return i + 1;
  }
  throw new Unknown();
}

/** A quoted string's literal pieces and interpolations. */
function templateParts(text: string, start: number, end: number): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  for (let i = start + 1; i < end - 1; i++) {
    if (text[i] === "\\") {
      literal += text.slice(i, i + 2);
      i++;
    } else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += text.slice(i, i + 3);
      i += 2;
    } else if (text.startsWith("${", i)) {
      if (literal) parts.push({ literal: decodeLiteral(literal) });
      literal = "";
      const close = interpolationEnd(text, i + 2);
      parts.push({ expression: text.slice(i + 2, close - 1) });
      i = close - 1;
    } else {
      literal += text[i];
    }
  }
  if (literal || parts.length === 0) parts.push({ literal: decodeLiteral(literal) });
  return parts;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    const name = NAME.exec(rest);
    if (number) {
      tokens.push({ kind: "number", value: Number(number[0]), start: i, end: i + number[0].length });
      i += number[0].length;
    } else if (name) {
      tokens.push({ kind: "name", value: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
    } else if (text[i] === '"') {
      const end = stringEnd(text, i);
      const parts = templateParts(text, i, end);
      const only = parts[0];
      if (parts.length === 1 && "literal" in only) tokens.push({ kind: "string", value: only.literal, start: i, end });
      else tokens.push({ kind: "template", parts, start: i, end });
      i = end;
    } else {
      const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
      if (!op) throw new Unknown();
      tokens.push({ kind: "op", value: op, start: i, end: i + op.length });
      i += op.length;
    }
  }
  return tokens;
}

function toNumber(value: Value): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMBER_STRING.test(value)) return Number(value);
  throw new Unknown();
}

function toBool(value: Value): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new Unknown();
}

/** Terraform's == on primitive values: the same type and value (1 == "1" is false). */
function equal(a: Value, b: Value): boolean {
  if ((a !== null && typeof a === "object") || (b !== null && typeof b === "object")) throw new Unknown();
  return a === b;
}

/**
 * A conditional's result: arms of one type (or null). Terraform converts arms of
 * different types to a common one; the gate leaves that unknown rather than guess.
 */
function unify(chosen: Value, other: Value): Value {
  if (chosen === null || other === null) return chosen;
  if (typeof chosen !== typeof other || Array.isArray(chosen) !== Array.isArray(other)) throw new Unknown();
  return chosen;
}

/** A value in a template: strings, numbers and bools as Terraform writes them. */
function templateText(value: Value): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  throw new Unknown();
}

function hasPlaceholder(value: Value): boolean {
  if (value instanceof Placeholder) return true;
  if (Array.isArray(value)) return value.some(hasPlaceholder);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasPlaceholder);
  return false;
}

/**
 * Elements of one kind (all strings, all numbers, all bools, or with `structured` all
 * objects or all lists), else Unknown: Terraform would convert them or refuse, and the
 * gate does not guess which.
 */
function oneElementKind(items: Value[], structured = false): void {
  const kinds = new Set(items.map((item) => (item === null ? "null" : Array.isArray(item) ? "list" : typeof item)));
  if (kinds.has("null") || kinds.size > 1) throw new Unknown();
  if (!structured && (kinds.has("list") || kinds.has("object"))) throw new Unknown();
}

/**
 * The collection functions modules use on `count` and `for_each` (`toset(var.names)`,
 * `length(var.subscribers)`), over known values. A set is written as the list of its
 * distinct elements, sorted as Terraform orders a set of strings or numbers.
 */
const COLLECTION_FUNCTIONS: Record<string, (value: Value) => Value> = {
  toset: (value) => {
    if (!Array.isArray(value)) throw new Unknown();
    oneElementKind(value);
    const distinct = [...new Set(value as (string | number | boolean)[])];
    return distinct.every((item) => typeof item === "number")
      ? (distinct as number[]).sort((a, b) => a - b)
      : distinct.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  },
  tolist: (value) => {
    if (!Array.isArray(value)) throw new Unknown();
    oneElementKind(value, true);
    return value;
  },
  tomap: (value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Unknown();
    oneElementKind(Object.values(value), true);
    return value;
  },
  length: (value) => {
    if (typeof value === "string") return [...value].length;
    if (Array.isArray(value)) return value.length;
    if (value !== null && typeof value === "object") return Object.keys(value).length;
    throw new Unknown();
  },
};

class Parser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly resolve: Resolve,
    /** Inside jsonencode: values not known before apply become placeholders. */
    private readonly placeholders: boolean,
  ) {}

  parse(): Value {
    const value = this.conditional();
    if (this.position !== this.tokens.length) throw new Unknown();
    return value;
  }

  private peek(op: string, offset = 0): boolean {
    const token = this.tokens[this.position + offset];
    return token !== undefined && token.kind === "op" && token.value === op;
  }

  private take(op: string): boolean {
    if (!this.peek(op)) return false;
    this.position++;
    return true;
  }

  private expect(op: string): void {
    if (!this.take(op)) throw new Unknown();
  }

  private conditional(): Value {
    const condition = this.or();
    if (!this.take("?")) return condition;
    const whenTrue = this.conditional();
    this.expect(":");
    const whenFalse = this.conditional();
    return toBool(condition) ? unify(whenTrue, whenFalse) : unify(whenFalse, whenTrue);
  }

  private or(): Value {
    let value = this.and();
    while (this.take("||")) {
      const right = this.and();
      value = toBool(value) || toBool(right);
    }
    return value;
  }

  private and(): Value {
    let value = this.equality();
    while (this.take("&&")) {
      const right = this.equality();
      value = toBool(value) && toBool(right);
    }
    return value;
  }

  private equality(): Value {
    let value = this.comparison();
    for (;;) {
      if (this.take("==")) value = equal(value, this.comparison());
      else if (this.take("!=")) value = !equal(value, this.comparison());
      else return value;
    }
  }

  private comparison(): Value {
    let value = this.additive();
    for (;;) {
      const op = ["<=", ">=", "<", ">"].find((candidate) => this.peek(candidate));
      if (!op) return value;
      this.position++;
      const left = toNumber(value);
      const right = toNumber(this.additive());
      value = op === "<" ? left < right : op === ">" ? left > right : op === "<=" ? left <= right : left >= right;
    }
  }

  private additive(): Value {
    let value = this.multiplicative();
    for (;;) {
      if (this.take("+")) value = toNumber(value) + toNumber(this.multiplicative());
      else if (this.take("-")) value = toNumber(value) - toNumber(this.multiplicative());
      else return value;
    }
  }

  private multiplicative(): Value {
    let value = this.unary();
    for (;;) {
      const op = ["*", "/", "%"].find((candidate) => this.peek(candidate));
      if (!op) return value;
      this.position++;
      const left = toNumber(value);
      const right = toNumber(this.unary());
      // Division or modulo by zero is an error in Terraform.
      if (op !== "*" && right === 0) throw new Unknown();
      value = op === "*" ? left * right : op === "/" ? left / right : left % right;
    }
  }

  private unary(): Value {
    if (this.take("!")) return !toBool(this.unary());
    if (this.take("-")) return -toNumber(this.unary());
    return this.primary();
  }

  private primary(): Value {
    const token = this.tokens[this.position++];
    if (!token) throw new Unknown();
    switch (token.kind) {
      case "number":
      case "string":
        return token.value;
      case "template":
        return this.template(token.parts);
      case "op":
        if (token.value === "(") {
          const value = this.conditional();
          this.expect(")");
          return value;
        }
        if (token.value === "{") return this.object();
        if (token.value === "[") return this.tuple();
        throw new Unknown();
      case "name":
        return this.named(token);
    }
  }

  private named(token: Token & { kind: "name" }): Value {
    if (token.value === "true" || token.value === "false") return token.value === "true";
    if (token.value === "null") return null;
    if (this.peek("(")) return this.call(token.value);
    if (token.value === "var" || token.value === "local" || token.value === "module") {
      this.expect(".");
      const name = this.tokens[this.position++];
      if (!name || name.kind !== "name") throw new Unknown();
      const value = this.resolve(token.value, name.value, this.steps());
      if (value !== undefined) return value;
      return this.unknown(token.start);
    }
    // A resource or data source attribute: not known before apply.
    if (!this.peek(".")) throw new Unknown();
    this.steps();
    return this.unknown(token.start);
  }

  /** A value not known before apply: a placeholder of its source text inside jsonencode, else unknown. */
  private unknown(start: number): Placeholder {
    if (!this.placeholders) throw new Unknown();
    return new Placeholder(`\${${this.text.slice(start, this.tokens[this.position - 1].end)}}`);
  }

  private call(name: string): Value {
    this.expect("(");
    if (name === "jsonencode") {
      const argument = new Parser(this.text, this.tokens, this.resolve, true);
      argument.position = this.position;
      const value = argument.conditional();
      this.position = argument.position;
      this.expect(")");
      return JSON.stringify(value);
    }
    const convert = COLLECTION_FUNCTIONS[name];
    if (!convert) throw new Unknown();
    const value = this.conditional();
    this.expect(")");
    if (value instanceof Placeholder || hasPlaceholder(value)) throw new Unknown();
    return convert(value);
  }

  private template(parts: TemplatePart[]): Value {
    let text = "";
    let known = true;
    for (const part of parts) {
      if ("literal" in part) {
        text += part.literal;
        continue;
      }
      const value = new Parser(part.expression, tokenize(part.expression), this.resolve, this.placeholders).parse();
      if (value instanceof Placeholder) {
        known = false;
        text += value.text;
      } else {
        text += templateText(value);
      }
    }
    return known ? text : new Placeholder(text);
  }

  private object(): Value {
    const object: { [key: string]: Value } = {};
    while (!this.take("}")) {
      const key = this.tokens[this.position++];
      if (!key || (key.kind !== "name" && key.kind !== "string")) throw new Unknown();
      if (!this.take("=")) this.expect(":");
      Object.defineProperty(object, key.value, { value: this.conditional(), enumerable: true, writable: true, configurable: true });
      this.take(",");
    }
    return object;
  }

  private tuple(): Value {
    const items: Value[] = [];
    while (!this.take("]")) {
      items.push(this.conditional());
      if (!this.take(",")) {
        this.expect("]");
        break;
      }
    }
    return items;
  }

  /** `.attr`, `[0]` and `["key"]` steps, written back as text for the resolver. */
  private steps(): string {
    let rest = "";
    for (;;) {
      const next = this.tokens[this.position + 1];
      if (this.peek(".") && next?.kind === "name") {
        rest += `.${next.value}`;
        this.position += 2;
      } else if (this.peek("[") && (next?.kind === "number" || next?.kind === "string") && this.peek("]", 2)) {
        if (next.kind === "number" && !Number.isInteger(next.value)) throw new Unknown();
        rest += next.kind === "number" ? `[${next.value}]` : `[${JSON.stringify(next.value)}]`;
        this.position += 3;
      } else {
        return rest;
      }
    }
  }
}

/**
 * The one value not known before apply that an expression comes to, as its "${…}"
 * text: `var.enabled ? aws_cloudwatch_log_group.g[0].name : null` with a known
 * condition is "${aws_cloudwatch_log_group.g[0].name}", so a module output written
 * that way still links the resource (a template around it stays around it:
 * "${aws_s3_bucket.b.arn}/*"). Undefined when the expression is known, not in the
 * subset, or holds such a value inside a collection or under an operator.
 */
export function chosenUnknown(text: string, resolve: Resolve): string | undefined {
  try {
    const value = new Parser(text, tokenize(text), resolve, true).parse();
    return value instanceof Placeholder ? value.text : undefined;
  } catch (error) {
    if (error instanceof Unknown) return undefined;
    throw error;
  }
}

/** The value of an expression in the subset above, or undefined when it is not known. */
export function evaluateOperators(text: string, resolve: Resolve): JsonValue | undefined {
  try {
    const value = new Parser(text, tokenize(text), resolve, false).parse();
    if (hasPlaceholder(value) || (typeof value === "number" && !Number.isFinite(value))) return undefined;
    return value as JsonValue;
  } catch (error) {
    if (error instanceof Unknown) return undefined;
    throw error;
  }
}
