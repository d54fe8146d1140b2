import { forEachString } from "./common";
import { JsonValue } from "./types";

/** `type.name` at the start of a traversal (not after a dot: that is an attribute). */
const TRAVERSAL = /(?<![\w.\-\]])([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)/g;
/** `module.a.module.b.type.name`: a called module's resource, as a module output names it from here. */
const MODULE_TRAVERSAL = /(?<![\w.\-\]])((?:module\.[A-Za-z_][\w-]*\.)+[A-Za-z][\w-]*\.[A-Za-z_][\w-]*)/g;

/** The text inside each `${…}` of a Terraform JSON string (`$${` is a literal). */
function interpolations(text: string): string[] {
  const found: string[] = [];
  let start = text.indexOf("${");
  while (start !== -1) {
    if (start > 0 && text[start - 1] === "$") {
      start = text.indexOf("${", start + 2);
      continue;
    }
    let depth = 1;
    let end = start + 2;
    for (; end < text.length && depth > 0; end++) {
      if (text[end] === "{") depth++;
      else if (text[end] === "}") depth--;
    }
    found.push(text.slice(start + 2, end - 1));
    start = text.indexOf("${", end);
  }
  return found;
}

function addStringReferences(text: string, knownAddresses: Set<string>, found: Set<string>): void {
  for (const expression of interpolations(text)) {
    for (const match of expression.matchAll(TRAVERSAL)) {
      const address = `${match[1]}.${match[2]}`;
      if (knownAddresses.has(address)) found.add(address);
    }
    if (!expression.includes("module.")) continue;
    for (const match of expression.matchAll(MODULE_TRAVERSAL)) {
      if (knownAddresses.has(match[1])) found.add(match[1]);
    }
  }
}

/**
 * Addresses of known managed resources referred to anywhere inside `value`
 * (`${aws_s3_bucket.b.id}` -> aws_s3_bucket.b). Data sources, variables and locals
 * never match a managed resource address, so they drop out. Most arguments are
 * literals, so strings without "${" return before anything is allocated.
 */
export function interpolatedReferences(value: JsonValue, knownAddresses: Set<string>): string[] {
  if (typeof value !== "object" || value === null) {
    if (typeof value !== "string" || !value.includes("${")) return [];
  }
  const found = new Set<string>();
  forEachString(value, (text) => {
    if (text.includes("${")) addStringReferences(text, knownAddresses, found);
  });
  return [...found];
}

/** A traversal's root and its steps: `.name` attributes and `[…]` index expressions. */
const TRAVERSAL_CHAIN = /(?<![\w.\-\])])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[(?:"(?:[^"\\]|\\.)*"|[^\][]*)\])*)/g;
const STEP = /\.([A-Za-z_][\w-]*)|\[("(?:[^"\\]|\\.)*"|[^\][]*)\]/g;
/** Index expressions Terraform's `references` keep on an address: a number or a quoted key. */
const LITERAL_KEY = /^(\d+|"(?:[^"\\]|\\.)*")$/;
const SCOPED_ROOTS = new Set(["var", "local", "count", "each", "path", "terraform", "self"]);

interface Step {
  attribute?: string;
  key?: string;
}

function steps(chain: string): Step[] {
  return [...chain.matchAll(STEP)].map((match) => (match[1] !== undefined ? { attribute: match[1] } : { key: match[2].trim() }));
}

/**
 * One traversal as Terraform's `references` would list it, plus the traversals
 * inside a non-literal index (`aws_s3_bucket.b[count.index]` gives
 * `aws_s3_bucket.b` and `count.index`, as Terraform lists it). Roots that are no
 * Terraform object (a `for` iterator, a function's result) give nothing.
 */
function traversalReferences(root: string, chain: string, found: string[]): void {
  const list = steps(chain);
  const nested = (step: Step | undefined) => {
    if (step?.key !== undefined && !LITERAL_KEY.test(step.key)) collectTraversals(step.key, found);
  };
  for (const step of list) nested(step);
  const keyed = (address: string, step: Step | undefined) =>
    step?.key !== undefined && LITERAL_KEY.test(step.key) ? `${address}[${step.key}]` : address;
  if (SCOPED_ROOTS.has(root)) {
    if (list[0]?.attribute) found.push(`${root}.${list[0].attribute}`);
  } else if (root === "data") {
    if (list[0]?.attribute && list[1]?.attribute) found.push(keyed(`data.${list[0].attribute}.${list[1].attribute}`, list[2]));
  } else if (root === "module") {
    if (!list[0]?.attribute) return;
    const call = keyed(`module.${list[0].attribute}`, list[1]);
    const output = list[1]?.key !== undefined ? list[2] : list[1];
    found.push(output?.attribute ? `${call}.${output.attribute}` : call);
  } else if (root.includes("_") && list[0]?.attribute) {
    // Resource types always have a provider prefix and an underscore; `for`
    // iterators (`s.arn`) and most function results do not.
    found.push(keyed(`${root}.${list[0].attribute}`, list[1]));
  }
}

function collectTraversals(expression: string, found: string[]): void {
  for (const match of expression.matchAll(TRAVERSAL_CHAIN)) traversalReferences(match[1], match[2], found);
}

/**
 * The references of a Terraform JSON-syntax value (as @cdktf/hcl2json writes
 * HCL expressions: `"${local.a ? aws_sns_topic.t[0].arn : var.b}"`), in the form
 * of a plan's `references` lists: `var.x`, `local.y`, `module.m.out`,
 * `data.t.n[0]`, `aws_sns_topic.t[0]`, `count.index`. Text inside quoted strings
 * within an interpolation is read as well: that can only add references, never
 * lose one.
 */
export function expressionReferences(value: JsonValue): string[] {
  const found: string[] = [];
  forEachString(value, (text) => {
    if (!text.includes("${")) return;
    for (const expression of interpolations(text)) collectTraversals(expression, found);
  });
  return [...new Set(found)];
}
