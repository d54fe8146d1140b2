/**
 * The in-process half of the bench, run in a fresh child per input so each size
 * starts with a cold heap and its peak RSS is its own:
 *   node dist/bench/in-process.js FILE RUNS POLICY_DIR NORMALISED_OUT
 * Loads the policy once (timed), writes the normalised document of FILE to
 * NORMALISED_OUT (untimed: it is `opa eval`'s input), then times RUNS rounds of
 * parse-only, the gate's load+normalise, the policy evaluation alone and the
 * source-line scan.
 * Prints one JSON line (InProcessResult) on stdout.
 */
import * as fs from "fs";
import { loadDocuments } from "../terraform";
import { loadPolicyBundle } from "../gate/policy";
import { Stats, stats } from "./measure";

export interface InProcessResult {
  policyLoadMs: number;
  /** readFileSync + JSON.parse of the input. */
  parse: Stats;
  /** loadDocuments (read, parse, normalise) minus parse, per round. */
  normalise: Stats;
  /** The source-line scan a report that places findings triggers (synth and module inputs only). */
  sourceLines: Stats;
  /** bundle.evaluate: input serialisation into WASM memory, evaluation, result parse, checks and sort. */
  evaluate: Stats;
  /** JSON.stringify of the normalised input alone (the serialisation part of evaluate). */
  serialise: Stats;
  /** The first evaluation in the process (what a CLI run pays: no JIT warm-up). */
  firstEvaluateMs: number;
  violations: number;
  /** Normalised input size in bytes (what goes into WASM memory). */
  normalisedBytes: number;
  maxRssMb: number;
}

function time<T>(work: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const result = work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

function main(): void {
  const [file, runsText, policyDir, normalisedOut] = process.argv.slice(2);
  const runs = Number(runsText);
  if (!file || !(runs > 0) || !policyDir || !normalisedOut) {
    throw new Error("usage: in-process.js FILE RUNS POLICY_DIR NORMALISED_OUT");
  }
  const [bundle, policyLoadMs] = time(() => loadPolicyBundle({ policyDir }));

  const [first] = loadDocuments(file);
  // What the WASM policy reads: the normalised document plus the alert-path model (gate/alerts).
  const normalisedText = JSON.stringify(bundle.policyInput(first.input));
  fs.writeFileSync(normalisedOut, normalisedText);
  const [firstViolations, firstEvaluateMs] = time(() => bundle.evaluate(first.input));

  const parse: number[] = [];
  const normalise: number[] = [];
  const evaluate: number[] = [];
  const serialise: number[] = [];
  const sourceLines: number[] = [];
  for (let round = 0; round < runs; round++) {
    const [, parseMs] = time(() => JSON.parse(fs.readFileSync(file, "utf8")));
    const [documents, loadMs] = time(() => loadDocuments(file));
    const [violations, evaluateMs] = time(() => bundle.evaluate(documents[0].input));
    const [, serialiseMs] = time(() => JSON.stringify(documents[0].input));
    const [, sourceLinesMs] = time(() => documents[0].locations.size);
    if (violations.length !== firstViolations.length) throw new Error("evaluation is not deterministic");
    parse.push(parseMs);
    normalise.push(loadMs - parseMs);
    evaluate.push(evaluateMs);
    serialise.push(serialiseMs);
    sourceLines.push(sourceLinesMs);
  }
  const result: InProcessResult = {
    policyLoadMs,
    parse: stats(parse),
    normalise: stats(normalise),
    evaluate: stats(evaluate),
    serialise: stats(serialise),
    sourceLines: stats(sourceLines),
    firstEvaluateMs,
    violations: firstViolations.length,
    normalisedBytes: Buffer.byteLength(normalisedText),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
