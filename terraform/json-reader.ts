import { GateInputError } from "../core/errors";
import { JsonObject, JsonValue } from "./types";

/**
 * A JSON parser that reads what Terraform's JSON syntax (HCL's json package)
 * reads, where JSON.parse differs:
 * - a key repeated in one object is kept: the object holds the last value (as
 *   JSON.parse would), and `entriesOf` gives every entry in order, so the
 *   configuration decoder can merge repeated blocks and reject repeated
 *   arguments as Terraform does;
 * - a lone UTF-16 surrogate escape (`"\ud800"`) becomes U+FFFD, as Go decodes it;
 * - numbers beyond the double range are refused (JSON.parse makes them
 *   Infinity, which serialises as null and would read as "not set");
 * - nesting is limited and parsed without recursion, so a deep document is a
 *   clear error instead of a stack overflow anywhere later;
 * - a key named `__proto__` is an ordinary key.
 */

/** Objects that had a repeated key, with all their entries in source order. */
const repeatedKeyEntries = new WeakMap<object, [string, JsonValue][]>();

/** Every entry of an object, repeated keys included, in source order where keys repeat. */
export function entriesOf(object: JsonObject): [string, JsonValue][] {
  return repeatedKeyEntries.get(object) ?? Object.entries(object);
}

/** Whether any key of this object was repeated in the source. */
export function hasRepeatedKeys(object: JsonObject): boolean {
  return repeatedKeyEntries.has(object);
}

/** Deeper than any real configuration; deep enough that nothing downstream recurses into trouble. */
export const MAX_NESTING_DEPTH = 500;

export class JsonSyntaxError extends GateInputError {}

/** Sets an own property, `__proto__` included (plain assignment would change the prototype). */
export function setKey(object: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

function addEntry(object: JsonObject, key: string, value: JsonValue): void {
  let entries = repeatedKeyEntries.get(object);
  if (!entries && Object.prototype.hasOwnProperty.call(object, key)) {
    entries = Object.entries(object);
    repeatedKeyEntries.set(object, entries);
  }
  // Once a key has repeated, every later entry goes to the list too (found by the fuzz suite).
  if (entries) entries.push([key, value]);
  setKey(object, key, value);
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

interface Frame {
  container: JsonObject | JsonValue[];
  /** The key whose value is being parsed (objects only). */
  key: string;
}

/**
 * Whether `text` needs the careful parser: some object repeats a key, a string
 * escapes a surrogate, a number may overflow, or nesting is deeper than
 * maxDepth. One pass that skips string bodies with indexOf; almost every input
 * is then read by the native JSON.parse.
 */
function needsCarefulParse(text: string, maxDepth: number): boolean {
  if (/\\u[dD][89a-fA-F]/.test(text) || /[eE][+-]?0*[0-9]{3,}|[0-9]{300,}/.test(text)) return true;
  // Per open container: its keys so far (objects; a Set once there are many) or null (arrays).
  const keys: (string[] | Set<string> | null)[] = [];
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return true; // malformed: let the careful parser say where
      if (expectKey) {
        const raw = text.slice(i + 1, end);
        let key = raw;
        if (raw.includes("\\")) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return true;
          }
        }
        const seen = keys[keys.length - 1] as string[] | Set<string>;
        if (Array.isArray(seen)) {
          if (seen.includes(key)) return true;
          seen.push(key);
          if (seen.length > 16) keys[keys.length - 1] = new Set(seen);
        } else {
          if (seen.has(key)) return true;
          seen.add(key);
        }
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b) {
      keys.push([]);
      if (keys.length > maxDepth) return true;
      expectKey = true;
    } else if (c === 0x5b) {
      keys.push(null);
      if (keys.length > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
    } else if (c === 0x2c) {
      expectKey = keys[keys.length - 1] !== null;
    }
  }
  return false;
}

/**
 * Parses `text` (already decoded from UTF-8) as Terraform reads JSON. Throws
 * JsonSyntaxError with the line and column of the problem; the message never
 * quotes the input.
 */
export function parseJson(text: string, what: string, maxDepth = MAX_NESTING_DEPTH): JsonValue {
  if (!needsCarefulParse(text, maxDepth)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Fall through: the careful parser reports where and why.
    }
  }
  return parseCarefully(text, what, maxDepth);
}

function parseCarefully(text: string, what: string, maxDepth: number): JsonValue {
  let i = 0;
  const length = text.length;

  const fail = (reason: string, at = i): never => {
    let line = 1;
    let lineStart = 0;
    for (let j = text.indexOf("\n"); j !== -1 && j < at; j = text.indexOf("\n", j + 1)) {
      line++;
      lineStart = j + 1;
    }
    throw new JsonSyntaxError(`${what} is not valid JSON: ${reason} at line ${line} column ${at - lineStart + 1}`);
  };

  const skipWhitespace = () => {
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };

  const readString = (): string => {
    // text[i] is the opening quote.
    const start = ++i;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return text.slice(start, i++);
      if (c === 0x5c) break;
      if (c < 0x20) fail("control character in string");
    }
    let out = text.slice(start, i);
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        out += text[i++];
        continue;
      }
      const escape = text[i + 1];
      if (escape === "u") {
        const code = readHex(i + 2);
        i += 6;
        if (code >= 0xd800 && code <= 0xdbff && text[i] === "\\" && text[i + 1] === "u") {
          const low = readHex(i + 2);
          if (low >= 0xdc00 && low <= 0xdfff) {
            out += String.fromCharCode(code, low);
            i += 6;
            continue;
          }
        }
        out += code >= 0xd800 && code <= 0xdfff ? "\ufffd" : String.fromCharCode(code);
        continue;
      }
      const replacement = escape === undefined ? undefined : ESCAPES[escape];
      if (replacement === undefined) fail("invalid escape in string", i);
      out += replacement;
      i += 2;
    }
    return fail("unterminated string");
  };

  const readHex = (at: number): number => {
    const hex = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape", at - 2);
    return parseInt(hex, 16);
  };

  const readScalar = (): JsonValue => {
    const c = text[i];
    if (c === '"') return readString();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match || match[0] === "-") return fail(i >= length ? "unexpected end of input" : "unexpected character");
    const value = Number(match[0]);
    if (!Number.isFinite(value)) fail("number out of range");
    i += match[0].length;
    return value;
  };

  const stack: Frame[] = [];
  let result: JsonValue | undefined;
  let done = false;

  // Each turn reads one value (opening containers pushes a frame), then
  // attaches it to the frame above and reads the separator that follows.
  skipWhitespace();
  while (!done) {
    let value: JsonValue;
    let opened = false;
    const c = text[i];
    if (c === "{" || c === "[") {
      if (stack.length >= maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
      i++;
      skipWhitespace();
      if (c === "{") {
        const object: JsonObject = {};
        if (text[i] === "}") {
          i++;
          value = object;
        } else {
          if (text[i] !== '"') fail("expected a string key");
          const key = readString();
          skipWhitespace();
          if (text[i] !== ":") fail("expected ':' after key");
          i++;
          skipWhitespace();
          stack.push({ container: object, key });
          opened = true;
          value = null;
        }
      } else {
        const array: JsonValue[] = [];
        if (text[i] === "]") {
          i++;
          value = array;
        } else {
          stack.push({ container: array, key: "" });
          opened = true;
          value = null;
        }
      }
    } else {
      value = readScalar();
    }
    if (opened) continue;

    // Attach the finished value and close every container it completes.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) {
        result = value;
        done = true;
        break;
      }
      skipWhitespace();
      if (Array.isArray(frame.container)) {
        frame.container.push(value);
        if (text[i] === ",") {
          i++;
          skipWhitespace();
          break;
        }
        if (text[i] !== "]") fail(i >= length ? "unexpected end of input" : "expected ',' or ']'");
      } else {
        addEntry(frame.container, frame.key, value);
        if (text[i] === ",") {
          i++;
          skipWhitespace();
          if (text[i] !== '"') fail("expected a string key");
          frame.key = readString();
          skipWhitespace();
          if (text[i] !== ":") fail("expected ':' after key");
          i++;
          skipWhitespace();
          break;
        }
        if (text[i] !== "}") fail(i >= length ? "unexpected end of input" : "expected ',' or '}'");
      }
      i++;
      stack.pop();
      value = frame.container;
    }
  }
  skipWhitespace();
  if (i < length) fail("unexpected data after the JSON value");
  return result as JsonValue;
}
