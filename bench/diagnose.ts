/**
 * Where the gate's evaluation time goes, on one generated estate:
 *   node dist/bench/diagnose.js [--size 10000] [--shape synth|plan] [--entrypoint pkg/path/rule ...]
 * 1. WASM memory growth: the first evaluation as the gate runs it (opa-wasm's
 *    default 5-page memory, grown by OPA's allocator as it goes) against one with
 *    the memory sized up front, and a warm second evaluation.
 * 2. Input serialisation (JSON.stringify + UTF-8 encode, done by opa-wasm on every
 *    evaluate) and result size.
 * 3. Builtins opa-wasm implements in JavaScript: calls and time inside them.
 * 4. Each control family's `violations` (plus any --entrypoint) as its own WASM
 *    entrypoint, warm, so the expensive rules stand out.
 * 5. The fixed cost of getting the input into WASM (serialise, copy,
 *    opa_json_parse): a one-rule probe policy that only counts input.resources,
 *    first and warm evaluation.
 * Uses the same policy snapshot and generator as run.ts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPolicySync, LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { loadDocuments } from "../terraform";
import { ENTRYPOINT } from "../gate/policy";
import { generateEstate, toPlanJson, toSynthJson } from "./generate";
import { stats } from "./measure";
import { snapshotPolicy } from "./policy-snapshot";

const REPO = path.resolve(__dirname, "..", "..");
/** run.ts seeds each size with SEED + size; the same estate here. */
const SEED = 20250105;
const FAMILIES = ["residency", "encryption", "retention", "least_privilege", "logging"];
const PAGE = 65536;
const OPA = path.join(REPO, ".tools", "bin", "opa");

function time<T>(work: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const result = work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

function option(args: string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name && i + 1 < args.length ? [args[i + 1]] : []));
}

function load(wasm: Buffer, data: object, initialPages?: number): LoadedPolicy {
  const policy = initialPages === undefined ? loadPolicySync(wasm) : loadPolicySync(wasm, { initial: initialPages });
  policy.setData(data);
  return policy;
}

/** `opa build -t wasm` of `sources` with the given entrypoints into `outDir`; returns policy.wasm. */
function buildWasm(sources: string, entrypoints: string[], outDir: string): Buffer {
  fs.mkdirSync(outDir);
  const bundle = path.join(outDir, "bundle.tar.gz");
  execFileSync(OPA, ["build", "-t", "wasm", ...entrypoints.flatMap((e) => ["-e", e]), sources, "-o", bundle]);
  execFileSync("tar", ["-xzf", bundle, "-C", outDir, "/policy.wasm"]);
  return fs.readFileSync(path.join(outDir, "policy.wasm"));
}

function resultCount(resultSet: unknown): number {
  const result = (resultSet as { result?: unknown }[])[0]?.result;
  return Array.isArray(result) ? result.length : 0;
}

/** Wraps each JavaScript builtin of opa-wasm (shared module instance) to count calls and time. */
function instrumentBuiltins(): Map<string, { calls: number; ms: number }> {
  const builtinsFile = path.join(path.dirname(require.resolve("@open-policy-agent/opa-wasm")), "builtins", "index.js");
  const builtins = require(builtinsFile) as Record<string, (...args: unknown[]) => unknown>;
  const usage = new Map<string, { calls: number; ms: number }>();
  for (const [name, impl] of Object.entries(builtins)) {
    builtins[name] = (...args: unknown[]) => {
      const [result, ms] = time(() => impl(...args));
      const entry = usage.get(name) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += ms;
      usage.set(name, entry);
      return result;
    };
  }
  return usage;
}

function main(): void {
  const args = process.argv.slice(2);
  const size = Number(option(args, "--size")[0] ?? 10_000);
  const shape = option(args, "--shape")[0] ?? "synth";
  if (!(size > 0) || !["synth", "plan"].includes(shape)) throw new Error("usage: diagnose.js [--size N] [--shape synth|plan] [--entrypoint path ...]");
  const extraEntrypoints = option(args, "--entrypoint");
  const usage = instrumentBuiltins();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-diagnose-"));
  try {
    const snapshot = snapshotPolicy(REPO, dir);
    const estate = generateEstate(size, SEED + size);
    const file = path.join(dir, shape === "synth" ? "estate.cdk.tf.json" : "estate.plan.json");
    fs.writeFileSync(file, shape === "synth" ? toSynthJson(estate, "diagnose") : toPlanJson(estate));
    const input = loadDocuments(file)[0].input;
    const wasm = fs.readFileSync(path.join(snapshot.bundleDir, "policy.wasm"));
    const data = JSON.parse(fs.readFileSync(path.join(snapshot.bundleDir, "data.json"), "utf8")) as object;
    const lines: string[] = [`## diagnose: ${size} resources, ${shape} shape, node ${process.version}`];

    // 1. Memory growth.
    const asGate = load(wasm, data);
    const startPages = asGate.mem.buffer.byteLength / PAGE;
    const [coldSet, coldMs] = time(() => asGate.evaluate(input, ENTRYPOINT));
    const endPages = asGate.mem.buffer.byteLength / PAGE;
    const [, warmMs] = time(() => asGate.evaluate(input, ENTRYPOINT));
    const presized = load(wasm, data, endPages);
    const [, presizedMs] = time(() => presized.evaluate(input, ENTRYPOINT));
    lines.push(
      "",
      "### 1. WASM memory growth (one evaluation of trailgate/main/violations)",
      `- as the gate loads it (opa-wasm default memory, ${startPages} pages after setData): first evaluate ${coldMs.toFixed(0)} ms, memory grew to ${endPages} pages (${((endPages * PAGE) / 1048576).toFixed(0)} MiB); OPA's allocator grows by (block/64 KiB)+1 pages, so about ${endPages - startPages} memory.grow calls`,
      `- same policy, second evaluate (memory already grown): ${warmMs.toFixed(0)} ms`,
      `- fresh policy with memory sized up front (loadPolicySync(wasm, {initial: ${endPages}})): first evaluate ${presizedMs.toFixed(0)} ms`,
      `- growth cost in the first evaluate: about ${(coldMs - presizedMs).toFixed(0)} ms`,
    );

    // 2. Serialisation and result size.
    const [inputText, stringifyMs] = time(() => JSON.stringify(input));
    const [, encodeMs] = time(() => new TextEncoder().encode(inputText));
    const resultBytes = Buffer.byteLength(JSON.stringify(coldSet));
    lines.push(
      "",
      "### 2. Input serialisation and result",
      `- JSON.stringify of the normalised input (${(inputText.length / 1048576).toFixed(1)} MiB): ${stringifyMs.toFixed(0)} ms; TextEncoder: ${encodeMs.toFixed(0)} ms (opa-wasm does both on every evaluate)`,
      `- result: ${resultCount(coldSet)} violations, ${(resultBytes / 1024).toFixed(0)} KiB of JSON`,
    );

    // 3. JavaScript builtins (counted over the three evaluations above).
    usage.clear();
    const [, instrumentedMs] = time(() => presized.evaluate(input, ENTRYPOINT));
    const builtinRows = [...usage.entries()].sort((a, b) => b[1].ms - a[1].ms);
    lines.push(
      "",
      "### 3. Builtins opa-wasm runs in JavaScript (one warm evaluate)",
      `- evaluate ${instrumentedMs.toFixed(0)} ms; inside JS builtins: ${builtinRows.reduce((sum, [, u]) => sum + u.ms, 0).toFixed(1)} ms (each call also copies its arguments out of and its result into WASM memory as JSON)`,
      ...builtinRows.map(([name, u]) => `  - ${name}: ${u.calls} calls, ${u.ms.toFixed(1)} ms`),
    );

    // 4. Families as separate entrypoints.
    const entrypoints = [...FAMILIES.map((family) => `trailgate/${family}/violations`), ...extraEntrypoints];
    const multi = load(buildWasm(snapshot.policiesDir, entrypoints, path.join(dir, "entrypoints")), data, endPages);
    lines.push("", "### 4. Entrypoints evaluated on their own (warm; median of 3; each includes input serialisation and the lib indexes it needs)");
    for (const entrypoint of entrypoints) {
      multi.evaluate(input, entrypoint);
      const samples: number[] = [];
      let count = 0;
      for (let i = 0; i < 3; i++) {
        const [set, ms] = time(() => multi.evaluate(input, entrypoint));
        samples.push(ms);
        count = resultCount(set);
      }
      lines.push(`- ${entrypoint}: ${stats(samples).median.toFixed(0)} ms (${count} results)`);
    }

    // 5. Input transfer alone.
    const probeSource = path.join(dir, "probe-source");
    fs.mkdirSync(probeSource);
    fs.writeFileSync(path.join(probeSource, "probe.rego"), "package trailgate_probe\n\nresource_types := count(input.resources)\n");
    const probe = load(buildWasm(probeSource, ["trailgate_probe/resource_types"], path.join(dir, "probe")), {}, endPages);
    const [, probeFirstMs] = time(() => probe.evaluate(input, "trailgate_probe/resource_types"));
    const probeWarm = Array.from({ length: 3 }, () => time(() => probe.evaluate(input, "trailgate_probe/resource_types"))[1]);
    lines.push(
      "",
      "### 5. Getting the input into WASM (probe policy: count(input.resources))",
      `- first evaluate ${probeFirstMs.toFixed(0)} ms, warm ${stats(probeWarm).median.toFixed(0)} ms (serialise, copy, opa_json_parse; no rules)`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
