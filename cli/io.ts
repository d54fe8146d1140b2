import { describeError, GateInputError } from "../core/errors";
import { forTerminalLine } from "../core/output-safety";

/** Where console output goes; tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** One `trailgate: error: …` line, so CI logs show the reason next to exit code 2. */
export function reportError(error: unknown, io: Io): number {
  const prefix = error instanceof GateInputError ? "" : "internal error: ";
  // One line, with control characters from the input shown as escapes, never raw.
  io.stderr(`trailgate: error: ${prefix}${forTerminalLine(describeError(error).replace(/\s*\n\s*/g, " "))}\n`);
  return 2;
}
