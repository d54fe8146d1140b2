import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Violation } from "../../gate/policy";

const REPO = path.resolve(__dirname, "..", "..");
const OPA = path.join(REPO, ".tools/bin/opa");

/** One input as the WASM bundle judged it. */
export interface EvaluatedCase {
  name: string;
  input: unknown;
  wasm: Violation[];
}

/**
 * Asserts that `opa eval` on the Rego sources (not the compiled bundle) finds the
 * same violations as the WASM bundle did, input by input (each `input` as the bundle
 * evaluated it, `PolicyBundle.policyInput`, alert paths included): the bundle must not drift
 * from the policy it was built from.
 */
export function expectOpaEvalAgrees(evaluated: EvaluatedCase[]): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tg-differential-"));
  try {
    fs.writeFileSync(path.join(work, "cases.json"), JSON.stringify({ differential: evaluated.map((c) => c.input) }));
    const output = execFileSync(
      OPA,
      [
        "eval", "--format=json", "--ignore", "*_test.rego",
        "-d", path.join(REPO, "policies"), "-d", path.join(work, "cases.json"),
        "[v | some c in data.differential; v := data.trailgate.main.violations with input as c]",
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    const fromOpa = JSON.parse(output).result[0].expressions[0].value as Violation[][];
    expect(fromOpa).toHaveLength(evaluated.length);
    const key = (v: Violation) => `${v.id}|${v.resource}|${v.severity}|${v.title}|${v.help}|${v.message}`;
    evaluated.forEach((c, i) => {
      expect({ case: c.name, violations: fromOpa[i].map(key).sort() }).toEqual({ case: c.name, violations: c.wasm.map(key).sort() });
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
