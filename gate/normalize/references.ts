import { forEachString } from "./common";
import { JsonValue } from "./types";

/** `type.name` at the start of a traversal (not after a dot: that is an attribute). */
const TRAVERSAL = /(?<![\w.\-\]])([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)/g;

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
