import { IConstruct } from "constructs";

/**
 * Marks the constructs trailgate provides, so `addPolicyGate` can judge just them in
 * a stack that also holds other resources. A global symbol, so two copies of the
 * package in one app (or a re-scoped one) still recognise each other's constructs.
 */
const TRAILGATE_CONSTRUCT = Symbol.for("trailgate.construct");
/** The call stack at the construct's creation: the gate reports findings at the user's line of it. */
const CREATION_FRAMES = Symbol.for("trailgate.creationFrames");

export function markTrailgateConstruct(construct: IConstruct): void {
  Object.defineProperty(construct, TRAILGATE_CONSTRUCT, { value: true, enumerable: false });
  // One capture per trailgate construct (a handful per app), not per resource:
  // constructs no longer records stack traces for cdktf (its addMetadata default is off).
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  try {
    Object.defineProperty(construct, CREATION_FRAMES, { value: (new Error().stack ?? "").split("\n").slice(1), enumerable: false });
  } finally {
    Error.stackTraceLimit = previous;
  }
}

export function isTrailgateConstruct(construct: IConstruct): boolean {
  return (construct as unknown as Record<symbol, unknown>)[TRAILGATE_CONSTRUCT] === true;
}

/** The stack frames captured when a trailgate construct was created; undefined for any other construct. */
export function creationFrames(construct: IConstruct): string[] | undefined {
  const frames = (construct as unknown as Record<symbol, unknown>)[CREATION_FRAMES];
  return Array.isArray(frames) ? (frames as string[]) : undefined;
}
