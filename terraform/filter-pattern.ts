/**
 * A parser of CloudWatch Logs filter patterns (the `pattern` of an
 * aws_cloudwatch_log_metric_filter), so rules judge what a filter matches instead
 * of searching its text for words: `{ $.eventName != "ConsoleLogin" }` mentions
 * ConsoleLogin but matches every other event.
 *
 * The result (policies/INPUT.md "filter_pattern") is the pattern in disjunctive
 * normal form: a list of alternatives, each the comparisons an event must satisfy
 * (`require`) and those that only exclude events (`exclude`). Syntax, from the
 * CloudWatch Logs user guide ("Filter pattern syntax for metric filters"):
 * - JSON: `{ SELECTOR OP VALUE }` with `=`, `!=`, `<`, `>`, `<=`, `>=`; `IS TRUE`,
 *   `IS FALSE`, `IS NULL`, `NOT EXISTS`; `&&`, `||` and parentheses; values quoted,
 *   bare (`kms.amazonaws.com`, `*Unauthorized*`) or regular expressions (`%…%`).
 * - Terms: words or quoted phrases that must all appear, `?term` alternatives,
 *   `-term` exclusions; a standalone `%regex%`.
 * - Space-delimited `[a, b=1, ...]`: recognised, not analysed (no alternatives).
 */

export type FilterPatternSyntax = "json" | "terms" | "regex" | "delimited" | "all" | "unknown" | "invalid";

export interface FilterAlternative {
  /** Comparisons a matching event satisfies positively, canonical ("$.eventName = ConsoleLogin"). */
  require: string[];
  /** Comparisons that only exclude events ("$.eventType != AwsServiceEvent", "$.x NOT EXISTS", "term DEBUG"). */
  exclude: string[];
}

export interface ParsedFilterPattern {
  syntax: FilterPatternSyntax;
  /** The pattern in disjunctive normal form; [] for delimited, unknown and invalid patterns. */
  alternatives: FilterAlternative[];
  /** True when some alternative requires nothing and matches only by excluding (e.g. `{ $.x != "y" }`). */
  negated: boolean;
  /** Why an invalid pattern could not be parsed. */
  error?: string;
}

/** Beyond this many alternatives a pattern is reported as invalid rather than expanded further. */
const MAX_ALTERNATIVES = 1024;

class PatternError extends Error {}

type Node =
  | { kind: "comparison"; text: string; positive: boolean }
  | { kind: "and" | "or"; left: Node; right: Node };

/** Recursive-descent parser of the JSON form `{ ... }`. */
class JsonPatternParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Node {
    this.expect("{");
    const node = this.expression();
    this.expect("}");
    this.skipSpace();
    if (this.pos !== this.text.length) throw this.error("text after the closing }");
    return node;
  }

  private expression(): Node {
    let node = this.conjunction();
    while (this.accept("||")) node = { kind: "or", left: node, right: this.conjunction() };
    return node;
  }

  private conjunction(): Node {
    let node = this.unary();
    while (this.accept("&&")) node = { kind: "and", left: node, right: this.unary() };
    return node;
  }

  private unary(): Node {
    if (this.accept("(")) {
      const node = this.expression();
      this.expect(")");
      return node;
    }
    return this.comparison();
  }

  private comparison(): Node {
    const selector = this.selector();
    this.skipSpace();
    if (this.acceptWord("IS")) {
      for (const word of ["TRUE", "FALSE", "NULL"]) {
        if (this.acceptWord(word)) return { kind: "comparison", text: `${selector} IS ${word}`, positive: true };
      }
      throw this.error("IS must be followed by TRUE, FALSE or NULL");
    }
    if (this.acceptWord("NOT")) {
      if (!this.acceptWord("EXISTS")) throw this.error("NOT must be followed by EXISTS");
      return { kind: "comparison", text: `${selector} NOT EXISTS`, positive: false };
    }
    const operator = ["!=", "<=", ">=", "=", "<", ">"].find((op) => this.accept(op));
    if (!operator) throw this.error(`an operator after ${selector}`);
    const value = this.value();
    return { kind: "comparison", text: `${selector} ${operator} ${value}`, positive: operator !== "!=" };
  }

  /** `$` followed by `.name` and `[index]` / `[*]` steps. */
  private selector(): string {
    this.skipSpace();
    const match = /^\$(?:\.[A-Za-z0-9_@:-]+|\[(?:\d+|\*)\])*/.exec(this.text.slice(this.pos));
    if (!match || match[0] === "$") throw this.error("a selector such as $.eventName");
    this.pos += match[0].length;
    return match[0];
  }

  /** A quoted string (unescaped), a %regex%, or a bare token. */
  private value(): string {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith('"')) {
      let out = "";
      let i = 1;
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === "\\" && i + 1 < rest.length) i++;
        out += rest[i];
      }
      if (i >= rest.length) throw this.error("an unterminated quoted value");
      this.pos += i + 1;
      return out;
    }
    if (rest.startsWith("%")) {
      const end = rest.indexOf("%", 1);
      if (end === -1) throw this.error("an unterminated %regex%");
      this.pos += end + 1;
      return rest.slice(0, end + 1);
    }
    const bare = /^[^\s()}&|]+/.exec(rest);
    if (!bare) throw this.error("a value");
    this.pos += bare[0].length;
    return bare[0];
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private accept(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  /** A keyword, only as a whole word. */
  private acceptWord(word: string): boolean {
    this.skipSpace();
    const next = this.text.slice(this.pos, this.pos + word.length + 1);
    if (!new RegExp(`^${word}(?![A-Za-z0-9_])`).test(next)) return false;
    this.pos += word.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) throw this.error(`"${token}"`);
  }

  private error(expected: string): PatternError {
    return new PatternError(`expected ${expected} at character ${this.pos + 1}`);
  }
}

/** The disjunctive normal form of a parsed JSON pattern. */
function normalForm(node: Node): FilterAlternative[] {
  if (node.kind === "comparison") {
    return [node.positive ? { require: [node.text], exclude: [] } : { require: [], exclude: [node.text] }];
  }
  const left = normalForm(node.left);
  const right = normalForm(node.right);
  if (node.kind === "or") {
    if (left.length + right.length > MAX_ALTERNATIVES) throw new PatternError(`more than ${MAX_ALTERNATIVES} alternatives`);
    return [...left, ...right];
  }
  if (left.length * right.length > MAX_ALTERNATIVES) throw new PatternError(`more than ${MAX_ALTERNATIVES} alternatives`);
  return left.flatMap((a) => right.map((b) => ({ require: [...a.require, ...b.require], exclude: [...a.exclude, ...b.exclude] })));
}

/** Splits a terms pattern into words and quoted phrases, keeping a leading ? or -. */
function termTokens(text: string): string[] {
  const tokens: string[] = [];
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    if (match[2] === undefined && match[3].includes('"')) throw new PatternError(`an unterminated quoted term near ${match[0]}`);
    tokens.push(match[1] + (match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]));
  }
  return tokens;
}

function termAlternatives(text: string): FilterAlternative[] {
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  for (const token of termTokens(text)) {
    if (token.startsWith("?") && token.length > 1) optional.push(`term ${token.slice(1)}`);
    else if (token.startsWith("-") && token.length > 1) excluded.push(`term ${token.slice(1)}`);
    else required.push(`term ${token}`);
  }
  if (optional.length === 0) return [{ require: required, exclude: excluded }];
  return optional.map((term) => ({ require: [...required, term], exclude: excluded }));
}

function result(syntax: FilterPatternSyntax, alternatives: FilterAlternative[]): ParsedFilterPattern {
  return { syntax, alternatives, negated: alternatives.some((a) => a.require.length === 0) };
}

/** Parses a metric filter pattern. Never throws: a pattern that does not parse is `invalid` with the reason. */
export function parseFilterPattern(pattern: unknown): ParsedFilterPattern {
  if (typeof pattern !== "string") return { syntax: "invalid", alternatives: [], negated: false, error: "the pattern is not a string" };
  if (pattern.includes("${")) return { syntax: "unknown", alternatives: [], negated: false };
  const text = pattern.trim();
  try {
    if (text === "") return { syntax: "all", alternatives: [{ require: [], exclude: [] }], negated: false };
    if (text.startsWith("{")) return result("json", normalForm(new JsonPatternParser(text).parse()));
    if (text.startsWith("[")) {
      if (!text.endsWith("]")) throw new PatternError("a space-delimited pattern must end with ]");
      return { syntax: "delimited", alternatives: [], negated: false };
    }
    if (/^%[^%]+%$/.test(text)) return result("regex", [{ require: [`regex ${text}`], exclude: [] }]);
    return result("terms", termAlternatives(text));
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    return { syntax: "invalid", alternatives: [], negated: false, error: error.message };
  }
}
