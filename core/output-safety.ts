import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "./errors";

/**
 * What the gate prints comes partly from its input (resource names, file names,
 * messages quoting values): control characters there must not reach a
 * terminal (an ANSI escape could rewrite the screen or hide a finding) or a CI
 * log. Each is shown as a visible \u escape instead.
 */
export function forTerminal(text: string): string {
  // C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One line: newlines too become visible escapes. */
export function forTerminalLine(text: string): string {
  return forTerminal(text).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/** Characters XML 1.0 cannot carry, even escaped: most C0 controls, lone surrogates, U+FFFE, U+FFFF. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for an XML attribute or element: escaped, and what XML cannot hold replaced by U+FFFD. */
export function forXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(NOT_XML, "\ufffd");
}

function sameFile(a: string, b: string): boolean {
  try {
    const [statA, statB] = [fs.statSync(a), fs.statSync(b)];
    return statA.dev === statB.dev && statA.ino === statB.ino;
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

const CONFIGURATION_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * `--output` must not overwrite what the gate reads: the input file, a data or
 * waiver file, or a configuration file inside an input folder (which would
 * change the configuration the next run gates).
 */
export function refuseOverwritingInputs(output: string, inputs: (string | undefined)[]): void {
  for (const input of inputs) {
    if (!input) continue;
    if (sameFile(output, input)) throw new GateInputError(`--output ${output} is the same file as the input ${input}; write the report elsewhere`);
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(input).isDirectory();
    } catch {
      continue;
    }
    const relative = path.relative(path.resolve(input), path.resolve(output));
    if (isDirectory && !relative.startsWith("..") && !path.isAbsolute(relative) && CONFIGURATION_FILE.test(output)) {
      throw new GateInputError(`--output ${output} is a configuration file inside the input folder ${input}; write the report elsewhere`);
    }
  }
}

/** Writes a report (or other output) to `file`, never over one of the run's inputs. */
export function writeOutputFile(file: string, text: string, inputs: (string | undefined)[]): void {
  refuseOverwritingInputs(file, inputs);
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new GateInputError(`cannot write ${file}: ${describeError(error)}`);
  }
}
