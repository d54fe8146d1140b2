import { JsonValue } from "./types";

/**
 * HCL's operators and conditional over values the gate knows, as Terraform
 * evaluates them: `var.create ? 1 : 0`, `var.bucket != null`, `!var.short`,
 * `var.days * 2`, `local.a && local.b`. The operands are number, string, bool
 * and null literals, parentheses and `var.*` / `local.*` / `module.*` traversals; anything
 * else (a function call, a resource attribute, a `for` expression) makes the whole
 * expression unknown, as does an operand of the wrong type (Terraform would
 * refuse it) or one not known. Precedence, lowest first: `?:`, `||`, `&&`,
 * `==` `!=`, `<` `<=` `>` `>=`, `+` `-`, `*` `/` `%`, unary `!` `-`.
 */

/** The value of a `var`/`local`/`module` traversal (`rest`: its steps, e.g. `.a[0]`), undefined when not known. */
export type Resolve = (kind: "var" | "local" | "module", name: string, rest: string) => JsonValue | undefined;

/** Not in the subset, not known, or an error in Terraform: the expression is unknown. */
class Unknown extends Error {}

type Token = { kind: "number"; value: number } | { kind: "string"; value: string } | { kind: "name"; value: string } | { kind: "op"; value: string };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", "(", ")", "[", "]", "."];
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;
const STRING = /^"(?:[^"\\$%]|\\.|[$%](?!\{))*"/;
const NUMBER_STRING = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

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
    const string = STRING.exec(rest);
    if (number) {
      tokens.push({ kind: "number", value: Number(number[0]) });
      i += number[0].length;
    } else if (name) {
      tokens.push({ kind: "name", value: name[0] });
      i += name[0].length;
    } else if (string) {
      let value: string;
      try {
        value = JSON.parse(string[0]) as string;
      } catch {
        throw new Unknown();
      }
      tokens.push({ kind: "string", value });
      i += string[0].length;
    } else {
      const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
      if (!op) throw new Unknown();
      tokens.push({ kind: "op", value: op });
      i += op.length;
    }
  }
  return tokens;
}

function toNumber(value: JsonValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMBER_STRING.test(value)) return Number(value);
  throw new Unknown();
}

function toBool(value: JsonValue): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new Unknown();
}

/** Terraform's == on primitive values: the same type and value (1 == "1" is false). */
function equal(a: JsonValue, b: JsonValue): boolean {
  if ((a !== null && typeof a === "object") || (b !== null && typeof b === "object")) throw new Unknown();
  return a === b;
}

/**
 * A conditional's result: arms of one type (or null). Terraform converts arms of
 * different types to a common one; the gate leaves that unknown rather than guess.
 */
function unify(chosen: JsonValue, other: JsonValue): JsonValue {
  if (chosen === null || other === null) return chosen;
  if (typeof chosen !== typeof other || Array.isArray(chosen) !== Array.isArray(other)) throw new Unknown();
  return chosen;
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly resolve: Resolve,
  ) {}

  parse(): JsonValue {
    const value = this.conditional();
    if (this.position !== this.tokens.length) throw new Unknown();
    return value;
  }

  private peek(op: string): boolean {
    const token = this.tokens[this.position];
    return token !== undefined && token.kind === "op" && token.value === op;
  }

  private take(op: string): boolean {
    if (!this.peek(op)) return false;
    this.position++;
    return true;
  }

  private conditional(): JsonValue {
    const condition = this.or();
    if (!this.take("?")) return condition;
    const whenTrue = this.conditional();
    if (!this.take(":")) throw new Unknown();
    const whenFalse = this.conditional();
    return toBool(condition) ? unify(whenTrue, whenFalse) : unify(whenFalse, whenTrue);
  }

  private or(): JsonValue {
    let value = this.and();
    while (this.take("||")) {
      const right = this.and();
      value = toBool(value) || toBool(right);
    }
    return value;
  }

  private and(): JsonValue {
    let value = this.equality();
    while (this.take("&&")) {
      const right = this.equality();
      value = toBool(value) && toBool(right);
    }
    return value;
  }

  private equality(): JsonValue {
    let value = this.comparison();
    for (;;) {
      if (this.take("==")) value = equal(value, this.comparison());
      else if (this.take("!=")) value = !equal(value, this.comparison());
      else return value;
    }
  }

  private comparison(): JsonValue {
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

  private additive(): JsonValue {
    let value = this.multiplicative();
    for (;;) {
      if (this.take("+")) value = toNumber(value) + toNumber(this.multiplicative());
      else if (this.take("-")) value = toNumber(value) - toNumber(this.multiplicative());
      else return value;
    }
  }

  private multiplicative(): JsonValue {
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

  private unary(): JsonValue {
    if (this.take("!")) return !toBool(this.unary());
    if (this.take("-")) return -toNumber(this.unary());
    return this.primary();
  }

  private primary(): JsonValue {
    const token = this.tokens[this.position++];
    if (!token) throw new Unknown();
    if (token.kind === "number" || token.kind === "string") return token.value;
    if (token.kind === "op") {
      if (token.value !== "(") throw new Unknown();
      const value = this.conditional();
      if (!this.take(")")) throw new Unknown();
      return value;
    }
    if (token.value === "true" || token.value === "false") return token.value === "true";
    if (token.value === "null") return null;
    if (token.value !== "var" && token.value !== "local" && token.value !== "module") throw new Unknown();
    if (!this.take(".")) throw new Unknown();
    const name = this.tokens[this.position++];
    if (!name || name.kind !== "name") throw new Unknown();
    const value = this.resolve(token.value, name.value, this.steps());
    if (value === undefined) throw new Unknown();
    return value;
  }

  /** `.attr`, `[0]` and `["key"]` steps, written back as text for the resolver. */
  private steps(): string {
    let rest = "";
    for (;;) {
      if (this.peek(".") && this.tokens[this.position + 1]?.kind === "name") {
        rest += `.${(this.tokens[this.position + 1] as { value: string }).value}`;
        this.position += 2;
      } else if (this.peek("[")) {
        const index = this.tokens[this.position + 1];
        if (!index || (index.kind !== "number" && index.kind !== "string") || !(this.tokens[this.position + 2]?.kind === "op" && this.tokens[this.position + 2].value === "]")) {
          throw new Unknown();
        }
        if (index.kind === "number" && !Number.isInteger(index.value)) throw new Unknown();
        rest += index.kind === "number" ? `[${index.value}]` : `[${JSON.stringify(index.value)}]`;
        this.position += 3;
      } else {
        return rest;
      }
    }
  }
}

/** The value of an expression in the subset above, or undefined when it is not known. */
export function evaluateOperators(text: string, resolve: Resolve): JsonValue | undefined {
  try {
    const value = new Parser(tokenize(text), resolve).parse();
    return typeof value === "number" && !Number.isFinite(value) ? undefined : value;
  } catch (error) {
    if (error instanceof Unknown) return undefined;
    throw error;
  }
}
