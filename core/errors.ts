/**
 * An error in what the user gave the gate (a path, a file, a flag, the policy
 * bundle). The CLI reports it as one `trailgate: error: …` line and exits 2, so a
 * pipeline can tell "the gate could not run" apart from "the gate found violations".
 */
export class GateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GateInputError";
  }
}

/** The message of any thrown value (opa-wasm throws bare strings). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
