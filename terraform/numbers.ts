/** A string Terraform converts to a number ("30", "3e1", "-1.5"). */
export const NUMBER_STRING = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Terraform's number-to-string conversion: no exponent form. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  const text = String(value);
  if (!text.includes("e")) return text;
  return value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}
