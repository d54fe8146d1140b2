const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The index of the quote that closes the string whose body starts at `start`. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

/**
 * Finds the line of each resource and provider key in a Terraform JSON file with
 * one pass over the text (no second parse): `resource.<type>.<name>` and
 * `provider.<name>` map to the line their key is on. SARIF and the JSON report
 * point findings there. JSON strings hold no raw newlines, so string bodies are
 * skipped with indexOf and only keys at the three outer object levels are read.
 */
export function scanBlockLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  // Per open container: 1 for an object, 0 for an array (provider lists are arrays).
  const containers: number[] = [];
  // The current key of each open object, outermost first.
  const objectKeys: string[] = [];
  let expectKey = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === NEWLINE) {
      line++;
    } else if (char === QUOTE) {
      const end = closingQuote(text, i + 1);
      const depth = objectKeys.length;
      if (expectKey && depth <= 3) {
        const key = text.slice(i + 1, end);
        objectKeys[depth - 1] = key;
        if (depth === 3 && objectKeys[0] === "resource") recordFirst(lines, `${objectKeys[1]}.${key}`, line);
        else if (depth === 2 && objectKeys[0] === "provider") recordFirst(lines, `provider.${key}`, line);
      }
      expectKey = false;
      i = end;
    } else if (char === OPEN_OBJECT) {
      containers.push(1);
      objectKeys.push("");
      expectKey = true;
    } else if (char === OPEN_ARRAY) {
      containers.push(0);
      expectKey = false;
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      if (containers.pop() === 1) objectKeys.pop();
      expectKey = false;
    } else if (char === COMMA) {
      expectKey = containers[containers.length - 1] === 1;
    }
  }
  return lines;
}

function recordFirst(lines: Map<string, number>, key: string, line: number): void {
  if (!lines.has(key)) lines.set(key, line);
}

/** `resource "TYPE" "NAME" {` or `provider "NAME" {` at the start of a line of HCL (labels may be bare). */
const HCL_BLOCK = /^\s*(resource|provider)\s+"?([A-Za-z0-9_-]+)"?(?:\s+"?([A-Za-z0-9_-]+)"?)?\s*\{/;

/**
 * The line of each resource (`type.name`) and provider (`provider.name`) block
 * of a configuration file in JSON syntax or (`hcl`) HCL native syntax, where a
 * block opens on the line of its labels.
 */
export function declarationLines(text: string, hcl: boolean): Map<string, number> {
  if (!hcl) return scanBlockLines(text);
  const lines = new Map<string, number>();
  text.split("\n").forEach((content, index) => {
    const block = HCL_BLOCK.exec(content);
    if (!block) return;
    if (block[1] === "provider" && block[3] === undefined) recordFirst(lines, `provider.${block[2]}`, index + 1);
    else if (block[1] === "resource" && block[3] !== undefined) recordFirst(lines, `${block[2]}.${block[3]}`, index + 1);
  });
  return lines;
}
