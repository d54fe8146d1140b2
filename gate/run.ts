import * as fs from "fs";
import { GateInputError } from "../core/errors";
import { JudgementOptions, prepareJudgement, waiversFileOf } from "./judgement";
import { evaluateDocuments } from "./gate";
import { loadDocuments, STDIN_NAME, textDocument } from "../terraform";
import { planSourcesFor } from "../terraform/plan-sources";
import { GateDocument } from "../terraform/types";
import { packageInfo } from "../core/paths";
import { InputBudget } from "../terraform/input-file";
import { AppliedConfiguration, appliedConfiguration, DocumentResult, GateRun } from "./report/model";
import { ProjectConfig } from "./project-config";
import { parseGateRecord, RecordedGate, recordGroups, withRecordedSettings, withRecordedSources } from "./recorded-settings";
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

/** One document's recorded settings, parsed (fails closed on a malformed record). */
function recordOf(document: GateDocument): RecordedGate | undefined {
  return document.gateRecord ? parseGateRecord(document.gateRecord.raw, document.gateRecord.file) : undefined;
}

/** One applied configuration for a run judged in groups: each group's loosenings and waivers are all stated. */
function mergeApplied(list: AppliedConfiguration[]): AppliedConfiguration {
  if (list.length === 1) return list[0];
  const unique = <T>(items: T[]) => [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
  const files = unique(list.map((applied) => applied.data.file).filter((file): file is string => file !== undefined));
  const waiverFiles = unique(list.map((applied) => applied.waivers.file).filter((file): file is string => file !== undefined));
  const recorded = list.flatMap((applied) => applied.recorded ?? []);
  return {
    policy: list[0].policy,
    data: {
      ...(files.length > 0 ? { file: files.join(" and ") } : {}),
      overrides: unique(list.flatMap((applied) => applied.data.overrides)),
      loosened: unique(list.flatMap((applied) => applied.data.loosened)),
      widenedTrust: unique(list.flatMap((applied) => applied.data.widenedTrust)),
    },
    waivers: { ...(waiverFiles.length > 0 ? { file: waiverFiles.join(" and ") } : {}), entries: list.flatMap((applied) => applied.waivers.entries) },
    ...(recorded.length > 0 ? { recorded } : {}),
  };
}

/** The construct paths whose findings count in a synthesized document, or undefined (all). */
function scopeRoots(document: GateDocument, config: ProjectConfig | undefined, record: RecordedGate | undefined): { roots: string[]; source: string } | undefined {
  if (document.input.format !== "synth") return undefined;
  if (config?.scope) return { roots: config.scope, source: config.source };
  if (record?.config.scope) return { roots: record.config.scope, source: record.source };
  return undefined;
}

/**
 * Scope on synthesized stacks, as addPolicyGate applies it: only findings under the
 * construct paths (and configuration-wide ones) count. A scope that names no resource
 * of the stacks it governs is refused, never judged as empty.
 */
function scoped(results: DocumentResult[], scopes: ({ roots: string[]; source: string } | undefined)[]): DocumentResult[] {
  const governed = results.map((result, index) => ({ result, scope: scopes[index] })).filter(({ scope }) => scope !== undefined);
  const bySource = new Map<string, { roots: string[]; matched: boolean }>();
  for (const { result, scope } of governed) {
    const { roots, source } = scope as { roots: string[]; source: string };
    const entry = bySource.get(source) ?? { roots, matched: false };
    entry.matched ||= scopeMatches(result.document, roots);
    bySource.set(source, entry);
  }
  for (const [source, { roots, matched }] of bySource) {
    if (!matched) throw new GateInputError(`${source}: scope.constructPaths ${roots.join(", ")} name no resource of the synthesized stacks`);
  }
  return results.map((result, index) => {
    const scope = scopes[index];
    return scope ? { ...result, findings: findingsInScope(result.document, result.findings, scope.roots) } : result;
  });
}

/**
 * One gate run, as `trailgate check` does it: read and normalise the input, apply the
 * settings addPolicyGate recorded in it under the configuration and flags, load the
 * bundle (fail closed), apply the rule selection, evaluate, apply waivers. Render the
 * result with `renderReport`; it passed when `summarize(run).failing === 0`.
 */
export function runGate(options: RunGateOptions): GateRun {
  const loaded = documentsFor(options);
  const records = loaded.map(recordOf);
  const documents = loaded.map((document, index) => withRecordedSources(document, records[index]));
  const evaluated: DocumentResult[] = new Array(documents.length);
  const groups = recordGroups(records).map(({ record, indexes }) => {
    const effective = record ? withRecordedSettings(options, record) : { options, lines: [] };
    const judgement = prepareJudgement(effective.options, record && record.inlineWaivers.length > 0 ? `waivers (with those in the ${record.source})` : "waivers");
    const members = indexes.map((index) => documents[index]);
    requireJudgeable(judgement.rules, judgement.selection, members.map((document) => document.input.format));
    const results = evaluateDocuments(members, judgement.bundle, judgement.waivers, effective.options.today ?? todayUtc(), judgement.selection ? judgement.rules : undefined);
    indexes.forEach((index, position) => (evaluated[index] = results[position]));
    return { indexes, effective, judgement };
  });
  // One verdict needs one rule set and one threshold for every stack.
  const [first] = groups;
  const verdictOf = (group: (typeof groups)[number]) =>
    JSON.stringify({ failOn: group.effective.options.failOn ?? "low", rules: group.judgement.rules.map((rule) => rule.id) });
  const differing = groups.find((group) => verdictOf(group) !== verdictOf(first));
  if (differing) {
    const name = (group: (typeof groups)[number]) => documents[group.indexes[0]].name;
    throw new GateInputError(`${name(first)} and ${name(differing)} record a different failOn or rule selection; check each stack on its own`);
  }
  const scopes = documents.map((document, index) => scopeRoots(document, options.config, records[index]));
  const results = scoped(evaluated, scopes);
  const applied = groups.map(({ indexes, effective, judgement }) => {
    const lines = [...effective.lines];
    // A recorded scope leaves resources unjudged: each stack says which, never silently.
    for (const index of indexes) {
      const scope = scopes[index];
      if (scope && scope.source === records[index]?.source) {
        lines.push(`${documents[index].name}: judged only the resources under ${scope.roots.join(", ")} (scope in the ${scope.source}); the stack's other resources are not judged`);
      }
    }
    const groupResults = indexes.map((index) => results[index]);
    const configuration = appliedConfiguration(judgement.bundle, judgement.waivers, waiversFileOf(effective.options), groupResults);
    return lines.length > 0 ? { ...configuration, recorded: lines } : configuration;
  });
  return {
    toolVersion: packageInfo().version,
    rules: first.judgement.rules,
    failOn: first.effective.options.failOn ?? "low",
    documents: results,
    ...(first.judgement.selection ? { selection: first.judgement.selection } : {}),
    applied: mergeApplied(applied),
  };
}
