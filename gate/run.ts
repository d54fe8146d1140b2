import * as fs from "fs";
import { GateInputError } from "../core/errors";
import { JudgementOptions, prepareJudgement, waiversFileOf } from "./judgement";
import { evaluateDocuments } from "./gate";
import { loadDocuments, STDIN_NAME, textDocument } from "../terraform";
import { planSourcesFor } from "../terraform/plan-sources";
import { GateDocument } from "../terraform/types";
import { packageInfo } from "./paths";
import { InputBudget } from "../terraform/input-file";
import { appliedConfiguration, DocumentResult, GateRun } from "./report/model";
import { findingsInScope, scopeMatches } from "./scope";
import { requireJudgeable } from "./selection";
import { todayUtc } from "./waivers";

export interface RunGateOptions extends JudgementOptions {
  /** A cdk.tf.json, a cdktf.out directory, a plan JSON, a folder of *.tf.json, or "-" for standard input. */
  readonly path: string;
  /** Reads standard input for path "-". @default reads file descriptor 0 */
  readonly readStdin?: () => string;
  /** Input size limit in MiB, all files together. @default TRAILGATE_MAX_INPUT_MB or 64 */
  readonly maxInputMb?: number;
  /**
   * For a plan input: the root module folder it was planned in, read for the
   * locals a plan JSON does not record (`--config`). @default the plan file's
   * folder when it holds *.tf or *.tf.json files
   */
  readonly configDir?: string;
}

/** The most `trailgate check -` reads from standard input before it gives up. */
export const STDIN_LIMIT_BYTES = 512 * 1024 * 1024;

/** Reads standard input to its end, refusing more than `limit` bytes (STDIN_LIMIT_BYTES by default). */
export function readStdinText(limit = STDIN_LIMIT_BYTES): string {
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(1024 * 1024);
  let total = 0;
  for (;;) {
    let count: number;
    try {
      count = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        // A non-blocking pipe with nothing yet: wait a little and read again.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === "EOF") break;
      throw new GateInputError(`cannot read standard input: ${(error as Error).message}`);
    }
    if (count === 0) break;
    total += count;
    if (total > limit) {
      throw new GateInputError(`standard input is larger than the limit of ${limit} bytes; raise it with --max-input-mb N or TRAILGATE_MAX_INPUT_MB`);
    }
    chunks.push(Buffer.from(chunk.subarray(0, count)));
  }
  if (total === 0) throw new GateInputError("standard input is empty: pipe a plan, a cdk.tf.json or a Terraform JSON file into `trailgate check -`");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new GateInputError("standard input is not UTF-8 text");
  }
}

/** The normalised documents of `path` (or standard input), as check reads them; simulate reads them the same way. */
export function documentsFor(options: RunGateOptions): GateDocument[] {
  const budget = options.maxInputMb !== undefined ? InputBudget.fromMib(options.maxInputMb) : InputBudget.fromEnvironment();
  const load = { budget, planSources: options.path === "-" && !options.configDir ? undefined : planSourcesFor(options.path, options.configDir, budget) };
  if (options.path !== "-") return loadDocuments(options.path, load);
  const text = (options.readStdin ?? (() => readStdinText(budget.maxBytes)))();
  budget.take(Buffer.byteLength(text), STDIN_NAME);
  return [textDocument(STDIN_NAME, text, load)];
}

/**
 * The configuration's scope on synthesized stacks, as addPolicyGate applies it: only
 * findings under its construct paths (and configuration-wide ones) count.
 */
function scoped(results: DocumentResult[], roots: string[], source: string): DocumentResult[] {
  const synth = results.filter(({ document }) => document.input.format === "synth");
  if (synth.length > 0 && !synth.some(({ document }) => scopeMatches(document, roots))) {
    throw new GateInputError(`${source}: scope.constructPaths ${roots.join(", ")} name no resource of the synthesized stacks`);
  }
  return results.map((result) =>
    result.document.input.format === "synth" ? { ...result, findings: findingsInScope(result.document, result.findings, roots) } : result,
  );
}

/**
 * One gate run, as `trailgate check` does it: load the bundle (fail closed), apply the
 * rule selection, read and normalise the input, evaluate, apply waivers. Render the
 * result with `renderReport`; it passed when `summarize(run).failing === 0`.
 */
export function runGate(options: RunGateOptions): GateRun {
  const { bundle, rules, selection, waivers } = prepareJudgement(options, "waivers");
  const documents = documentsFor(options);
  requireJudgeable(rules, selection, documents.map((document) => document.input.format));
  const evaluated = evaluateDocuments(documents, bundle, waivers, options.today ?? todayUtc(), selection ? rules : undefined);
  const results = options.config?.scope ? scoped(evaluated, options.config.scope, options.config.source) : evaluated;
  return {
    toolVersion: packageInfo().version,
    rules,
    failOn: options.failOn ?? "low",
    documents: results,
    ...(selection ? { selection } : {}),
    applied: appliedConfiguration(bundle, waivers, waiversFileOf(options), results),
  };
}
