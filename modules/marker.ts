import { IConstruct } from "constructs";

/**
 * Marks the constructs trailgate provides, so `addPolicyGate` can judge just them in
 * a stack that also holds other resources. A global symbol, so two copies of the
 * package in one app (or a re-scoped one) still recognise each other's constructs.
 */
const TRAILGATE_CONSTRUCT = Symbol.for("trailgate.construct");

export function markTrailgateConstruct(construct: IConstruct): void {
  Object.defineProperty(construct, TRAILGATE_CONSTRUCT, { value: true, enumerable: false });
}

export function isTrailgateConstruct(construct: IConstruct): boolean {
  return (construct as unknown as Record<symbol, unknown>)[TRAILGATE_CONSTRUCT] === true;
}
