/**
 * Does a metric filter match a CloudTrail event? Evaluates the pattern the normaliser
 * parsed (INPUT.md "filter_pattern": disjunctive normal form of canonical comparisons)
 * against the event's JSON, with CloudWatch Logs semantics: `=` and `!=` compare text
 * (a `*` in the value is a wildcard, `%…%` a regular expression) or numbers when the
 * value is a number; `<`, `>`, `<=`, `>=` compare numbers; `IS TRUE/FALSE/NULL`;
 * `NOT EXISTS`. A comparison on a field the event lacks is false, except NOT EXISTS.
 * Term patterns look for the words in the event's text.
 */
import { ParsedFilterPattern } from "../../terraform/filter-pattern";
import { isObject, JsonValue } from "../../terraform/types";

/** true: matches; false: does not; "unknown": the pattern is not known before apply. */
export type MatchResult = boolean | "unknown";

const MISSING = Symbol("missing");
type Selected = JsonValue | typeof MISSING;

/** The values a selector such as `$.a.b[0]` or `$.items[*].name` picks from the event. */
export function select(event: JsonValue, selector: string): Selected[] {
  const steps = selector.slice(1).match(/\.[^.[\]]+|\[(?:\d+|\*)\]/g) ?? [];
  let current: Selected[] = [event];
  for (const step of steps) {
    const next: Selected[] = [];
    for (const value of current) {
      if (step.startsWith(".")) {
        const key = step.slice(1);
        next.push(isObject(value) && key in value ? value[key] : MISSING);
      } else if (Array.isArray(value)) {
        const index = step.slice(1, -1);
        if (index === "*") next.push(...value);
        else next.push(Number(index) < value.length ? value[Number(index)] : MISSING);
      } else {
        next.push(MISSING);
      }
    }
    current = next;
  }
  return current;
}

/** Compiled `=` values (wildcards and %regex%): estates repeat the same few, and every monitor asks again. */
const compiled = new Map<string, RegExp>();

function valueRegExp(expected: string): RegExp {
  let re = compiled.get(expected);
  if (!re) {
    const isRegex = expected.length > 1 && expected.startsWith("%") && expected.endsWith("%");
    const source = isRegex ? expected.slice(1, -1) : `^${expected.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`;
    compiled.set(expected, (re = new RegExp(source)));
  }
  return re;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function equals(actual: JsonValue, expected: string): boolean {
  if (actual === null || isObject(actual) || Array.isArray(actual)) return false;
  if (NUMBER.test(expected) && typeof actual === "number") return actual === Number(expected);
  return valueRegExp(expected).test(String(actual));
}

function compareNumbers(actual: JsonValue, operator: string, expected: string): boolean {
  const a = typeof actual === "number" ? actual : typeof actual === "string" && NUMBER.test(actual) ? Number(actual) : NaN;
  const b = Number(expected);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return operator === "<" ? a < b : operator === ">" ? a > b : operator === "<=" ? a <= b : a >= b;
}

/** One canonical comparison (`$.x = v`, `$.x IS TRUE`, `$.x NOT EXISTS`, `term w`, `regex %r%`). */
export function comparisonHolds(comparison: string, event: JsonValue, text: () => string): boolean {
  if (comparison.startsWith("term ")) return text().includes(comparison.slice(5));
  if (comparison.startsWith("regex ")) return valueRegExp(comparison.slice(6)).test(text());
  const space = comparison.indexOf(" ");
  const selector = comparison.slice(0, space);
  const rest = comparison.slice(space + 1);
  const values = select(event, selector);
  if (rest === "NOT EXISTS") return values.every((v) => v === MISSING);
  const present = values.filter((v): v is JsonValue => v !== MISSING);
  if (rest === "IS TRUE") return present.some((v) => v === true);
  if (rest === "IS FALSE") return present.some((v) => v === false);
  if (rest === "IS NULL") return present.some((v) => v === null);
  const [, operator, expected] = /^(!=|<=|>=|=|<|>) (.*)$/s.exec(rest) ?? [];
  if (operator === undefined) return false;
  if (operator === "=") return present.some((v) => equals(v, expected));
  if (operator === "!=") return present.length > 0 && present.every((v) => !equals(v, expected));
  return present.some((v) => compareNumbers(v, operator, expected));
}

/** Whether the parsed pattern matches the event. */
export function patternMatches(pattern: ParsedFilterPattern | undefined, event: JsonValue): MatchResult {
  if (!pattern || pattern.syntax === "unknown") return "unknown";
  let serialised: string | undefined;
  const text = () => (serialised ??= JSON.stringify(event));
  return pattern.alternatives.some((alternative) =>
    [...alternative.require, ...alternative.exclude].every((comparison) => comparisonHolds(comparison, event, text)),
  );
}
