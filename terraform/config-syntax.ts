import { GateInputError } from "../core/errors";
import { entriesOf } from "./json-reader";
import { isObject, JsonObject, JsonValue } from "./types";

/**
 * The block structure of one Terraform JSON-syntax file, read as HCL's JSON
 * decoder reads it: the root is an object or an array of objects; a block type
 * key may repeat (`"resource"` twice) and may hold an array (`"resource": [...]`,
 * `"aws_s3_bucket": [{...}]`), and every occurrence counts; label levels are
 * objects or arrays of objects; a `null` body declares nothing. Anything else
 * is refused with the reason, as Terraform refuses it.
 */

/** One block: its type, labels and body (whose keys may repeat: see entriesOf). */
export interface Block {
  type: string;
  labels: string[];
  body: JsonObject;
  file: string;
}

/** Top-level block types of a configuration file and their label names. */
const FILE_BLOCK_LABELS: Record<string, string[]> = {
  terraform: [],
  provider: ["name"],
  variable: ["name"],
  locals: [],
  output: ["name"],
  module: ["name"],
  resource: ["type", "name"],
  data: ["type", "name"],
  ephemeral: ["type", "name"],
  moved: [],
  import: [],
  removed: [],
  check: ["name"],
};

export function invalid(file: string, message: string): GateInputError {
  return new GateInputError(`${file}: ${message} (Terraform refuses this configuration)`);
}

function kind(value: JsonValue): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The properties of an object, or of each object of an array, in order (HCL's
 * collectDeepAttrs); `null` has none.
 */
export function deepEntries(value: JsonValue, file: string, where: string): [string, JsonValue][] {
  if (value === null) return [];
  if (isObject(value)) return entriesOf(value);
  if (Array.isArray(value)) {
    const entries: [string, JsonValue][] = [];
    for (const item of value) {
      if (!isObject(item)) throw invalid(file, `${where} must be a JSON object or an array of objects, and holds ${kind(item)}`);
      entries.push(...entriesOf(item));
    }
    return entries;
  }
  throw invalid(file, `${where} must be a JSON object or an array of objects, not ${kind(value)}`);
}

/**
 * The blocks one block-type key declares: labels peeled one object level at a
 * time, then a body object (one block) or an array of bodies (one block each).
 */
export function unpackBlocks(value: JsonValue, type: string, labelNames: string[], file: string, out: Block[], labels: string[] = []): void {
  if (labels.length < labelNames.length) {
    const labelName = labelNames[labels.length];
    const where = `the ${labelName} labels of ${[type, ...labels].join(".")}`;
    const entries = deepEntries(value, file, where);
    if (entries.length === 0) throw invalid(file, `${where} are missing: an object property must name the ${type} block's ${labelName}`);
    for (const [label, inner] of entries) unpackBlocks(inner, type, labelNames, file, out, [...labels, label]);
    return;
  }
  if (value === null) return;
  if (isObject(value)) {
    out.push({ type, labels, body: value, file });
    return;
  }
  for (const body of Array.isArray(value) ? value : [value]) {
    if (!isObject(body)) throw invalid(file, `the body of ${[type, ...labels].join(".")} must be a JSON object, not ${kind(body)}`);
    out.push({ type, labels, body, file });
  }
}

/** Every top-level block of a parsed `.tf.json` file (or of a `.tf` file converted to JSON). */
export function fileBlocks(root: JsonValue, file: string): Block[] {
  if (!isObject(root) && !Array.isArray(root)) {
    throw invalid(file, "the root value must be a JSON object or an array of objects");
  }
  const blocks: Block[] = [];
  for (const [key, value] of deepEntries(root, file, "the root value")) {
    if (key === "//") continue;
    const labels = Object.prototype.hasOwnProperty.call(FILE_BLOCK_LABELS, key) ? FILE_BLOCK_LABELS[key] : undefined;
    if (!labels) throw invalid(file, `"${key}" is not a Terraform block type`);
    unpackBlocks(value, key, labels, file, blocks);
  }
  return blocks;
}
