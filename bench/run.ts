/**
 * `npm run bench` (node dist/bench/run.js [--quick] [--sizes 100,1000,...]): times `trailgate check`
 * against `opa eval` and a parse-only floor on generated estates of 100 to 50,000
 * resources in both input shapes, times synthesis of the example app against a
 * one-resource app, and prints the tables and PASS/MISS per target. Progress goes
 * to stderr, the report to stdout. Exit 1 if a run fails (trailgate exit 2) or
 * trailgate and opa eval disagree on a violation count; a missed target is
 * reported, not an error.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_MAX_INPUT_MIB } from "../terraform/input-file";
import { Estate, generateEstate, toPlanJson, toSynthJson } from "./generate";
import { InProcessResult } from "./in-process";
import { Command, HAS_GNU_TIME, runInterleaved, Series, Stats } from "./measure";
import { PolicySnapshot, snapshotPolicy } from "./policy-snapshot";
import { ValidateLogsBench } from "./validate-logs";

const REPO = path.resolve(__dirname, "..", "..");
const SEED = 20250105;
const FULL_SIZES = [100, 1_000, 10_000, 50_000];
const QUICK_SIZES = [100, 1_000];
const SHAPES = ["synth", "plan"] as const;
type Shape = (typeof SHAPES)[number];

/** Targets (issue #5), all on whole-process medians. */
const TARGET_SIZE = 10_000;
const MIN_SPEEDUP_OVER_OPA = 5;
const MAX_RATIO_TO_FLOOR = 3;
const SCALING_FROM = 1_000;
const MAX_SCALING = 12;

interface Measurement {
  size: number;
  shape: Shape;
  fileBytes: number;
  misconfigured: number;
  trailgate: Series;
  opa: Series;
  floor: Series;
  inProcess: InProcessResult;
  trailgateViolations: number;
  opaViolations: number;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const span = (s: Stats) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
const mb = (value: number | null) => (value === null ? "n/a" : value.toFixed(0));
const ratio = (value: number) => `${value.toFixed(2)}x`;

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function trailgateCount(reportFile: string): number {
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { documents: { findings: unknown[] }[] };
  return report.documents.reduce((sum, document) => sum + document.findings.length, 0);
}

function opaCount(outputFile: string): number {
  const output = JSON.parse(fs.readFileSync(outputFile, "utf8")) as { result?: { expressions: { value: unknown[] }[] }[] };
  const value = output.result?.[0]?.expressions[0]?.value;
  if (!Array.isArray(value)) throw new Error(`opa eval gave no violation set in ${outputFile}`);
  return value.length;
}

function writeInput(estate: Estate, shape: Shape, size: number, dir: string): string {
  const file = path.join(dir, shape === "synth" ? `estate-${size}.cdk.tf.json` : `estate-${size}.plan.json`);
  fs.writeFileSync(file, shape === "synth" ? toSynthJson(estate, `bench-${size}`) : toPlanJson(estate));
  return file;
}

function measure(size: number, shape: Shape, estate: Estate, runs: number, snapshot: PolicySnapshot, dir: string): Measurement {
  const file = writeInput(estate, shape, size, dir);
  const label = `${shape} ${size}`;
  const scratch = (name: string) => path.join(dir, `${shape}-${size}.${name}`);
  const normalised = scratch("normalised.json");
  // The 50,000-resource plan (101 MiB) is past the gate's default 64 MiB input limit: raised for it, as a user would.
  const inputMib = Math.ceil(fs.statSync(file).size / (1024 * 1024));
  const limit = inputMib > DEFAULT_MAX_INPUT_MIB ? String(inputMib) : undefined;

  log(`${label}: in-process (${runs} rounds)`);
  const inProcess = JSON.parse(
    execFileSync(process.execPath, [path.join(__dirname, "in-process.js"), file, String(runs), snapshot.bundleDir, normalised], {
      maxBuffer: 1024 * 1024,
      env: limit ? { ...process.env, TRAILGATE_MAX_INPUT_MB: limit } : process.env,
    }).toString(),
  ) as InProcessResult;

  const rss = scratch("rss");
  const trailgate: Command = {
    label: `trailgate check ${label}`,
    argv: [process.execPath, path.join(REPO, "bin", "trailgate.js"), "check", file, "--format", "json", ...(limit ? ["--max-input-mb", limit] : [])],
    env: { TRAILGATE_POLICY_DIR: snapshot.bundleDir },
    okExitCodes: [0, 1],
  };
  const opa: Command = {
    label: `opa eval ${label}`,
    argv: [path.join(REPO, ".tools", "bin", "opa"), "eval", "--format=json", "-d", snapshot.policiesDir, "-i", normalised, "data.trailgate.main.violations"],
    okExitCodes: [0],
  };
  const floor: Command = {
    label: `parse floor ${label}`,
    argv: [process.execPath, "-e", "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))", file],
    okExitCodes: [0],
  };
  log(`${label}: trailgate check, opa eval and parse floor, interleaved x${runs}`);
  const [trailgateSeries, opaSeries, floorSeries] = runInterleaved(
    [
      { command: trailgate, outputFile: scratch("trailgate.json") },
      { command: opa, outputFile: scratch("opa.json") },
      { command: floor, outputFile: scratch("floor.out") },
    ],
    runs,
    rss,
  );
  return {
    size,
    shape,
    fileBytes: fs.statSync(file).size,
    misconfigured: estate.misconfigured,
    trailgate: trailgateSeries,
    opa: opaSeries,
    floor: floorSeries,
    inProcess,
    trailgateViolations: trailgateCount(scratch("trailgate.json")),
    opaViolations: opaCount(scratch("opa.json")),
  };
}

interface SynthResult {
  full: Series;
  minimal: Series;
  fullResources: number;
}

function countResources(outdir: string): number {
  const stacks = path.join(outdir, "stacks");
  let total = 0;
  for (const stack of fs.readdirSync(stacks)) {
    const json = JSON.parse(fs.readFileSync(path.join(stacks, stack, "cdk.tf.json"), "utf8")) as { resource?: Record<string, object> };
    for (const byName of Object.values(json.resource ?? {})) total += Object.keys(byName).length;
  }
  return total;
}

function measureSynth(runs: number, snapshot: PolicySnapshot, dir: string): SynthResult {
  const fullOut = path.join(dir, "synth-full");
  const minimalOut = path.join(dir, "synth-minimal");
  log(`synth: example app and minimal app, interleaved x${runs}`);
  const [full, minimal] = runInterleaved(
    [
      {
        command: {
          label: "example app synth",
          argv: [process.execPath, path.join(REPO, "dist", "main.js")],
          env: { CDKTF_OUTDIR: fullOut, TRAILGATE_POLICY_DIR: snapshot.bundleDir },
          okExitCodes: [0],
        },
        outputFile: "/dev/null",
      },
      {
        command: {
          label: "minimal app synth",
          argv: [process.execPath, path.join(__dirname, "minimal-app.js")],
          env: { CDKTF_OUTDIR: minimalOut },
          okExitCodes: [0],
        },
        outputFile: "/dev/null",
      },
    ],
    runs,
    path.join(dir, "synth.rss"),
  );
  return { full, minimal, fullResources: countResources(fullOut) };
}

/** A day of CloudTrail logs through validate-logs, in a fresh node (bench/validate-logs.ts). */
function measureValidateLogs(quick: boolean): ValidateLogsBench {
  const [digests, logsPerDigest, runs, latencyMs] = quick ? [24, 50, 3, 0] : [24, 500, 5, 20];
  log(`validate-logs: ${digests} digests x ${logsPerDigest} log files, ${runs} runs${latencyMs ? `, then one with ${latencyMs} ms per request` : ""}`);
  const args = [path.join(__dirname, "validate-logs.js"), ...[digests, logsPerDigest, runs, latencyMs].map(String)];
  return JSON.parse(execFileSync(process.execPath, args, { maxBuffer: 1024 * 1024 }).toString()) as ValidateLogsBench;
}

function validateLogsLines(v: ValidateLogsBench): string[] {
  return [
    "### validate-logs (in process, objects in memory)",
    table(
      ["digests", "log files", "MB gzipped / uncompressed", "validate ms", "log files/s", "max RSS MB: chain in memory / end"],
      [[String(v.digests), v.logFiles.toLocaleString("en-GB"), `${v.compressedMb.toFixed(1)} / ${v.uncompressedMb.toFixed(1)}`, span(v.validate), v.logFilesPerSecond.toFixed(0), `${mb(v.chainRssMb)} / ${mb(v.maxRssMb)}`]],
    ),
    "Every digest's SHA256withRSA signature verified, every chain link checked, every log file gunzipped and hashed; every run must come out valid.",
    ...(v.latencyModel
      ? [`With ${v.latencyModel.latencyMs} ms added to every list and read (a model of S3 request latency, not a measurement of S3), ${v.latencyModel.concurrency} reads in flight: ${ms(v.latencyModel.ms)} ms.`]
      : []),
  ];
}

function targetLines(results: Measurement[]): string[] {
  const find = (size: number, shape: Shape) => results.find((m) => m.size === size && m.shape === shape);
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const lines: string[] = [];
  for (const shape of SHAPES) {
    const at = find(TARGET_SIZE, shape);
    const from = find(SCALING_FROM, shape);
    if (!at || !from) {
      lines.push(`- ${shape}: targets are measured at ${TARGET_SIZE.toLocaleString("en-GB")} resources: not run in --quick mode`);
      continue;
    }
    const speedup = at.opa.time.median / at.trailgate.time.median;
    const toFloor = at.trailgate.time.median / at.floor.time.median;
    const scaling = at.trailgate.time.median / from.trailgate.time.median;
    lines.push(
      `- ${shape}, whole process at 10k: opa eval / trailgate = ${ratio(speedup)} (target >= ${MIN_SPEEDUP_OVER_OPA}x): ${verdict(speedup >= MIN_SPEEDUP_OVER_OPA)}`,
      `- ${shape}, whole process at 10k: trailgate / parse floor = ${ratio(toFloor)} (target <= ${MAX_RATIO_TO_FLOOR}x): ${verdict(toFloor <= MAX_RATIO_TO_FLOOR)}`,
      `- ${shape}, whole process: time(10k) / time(1k) = ${ratio(scaling)} (target <= ${MAX_SCALING}): ${verdict(scaling <= MAX_SCALING)}`,
    );
  }
  return lines;
}

function report(results: Measurement[], synth: SynthResult, validateLogs: ValidateLogsBench, runs: number, snapshot: PolicySnapshot, quick: boolean): string {
  const key = (m: Measurement) => [m.size.toLocaleString("en-GB"), m.shape];
  const out: string[] = [];
  out.push(
    `## trailgate bench${quick ? " (--quick)" : ""}: node ${process.version}, ${os.cpus().length} CPUs, load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${runs} timed runs per cell after 1 warm-up, times in ms as median (min–max); the commands of one row run interleaved`,
    `policy sources sha256 ${snapshot.sourceHash} (snapshot of policies/ built with scripts/build-policy.sh)`,
    "",
    "### Inputs and correctness cross-check",
    table(
      ["resources", "shape", "file MB", "normalised MB", "misconfigured groups", "violations trailgate", "violations opa eval", "violations in-process", "counts"],
      results.map((m) => {
        const same = m.trailgateViolations === m.opaViolations && m.opaViolations === m.inProcess.violations;
        return [
          ...key(m),
          (m.fileBytes / 1048576).toFixed(1),
          (m.inProcess.normalisedBytes / 1048576).toFixed(1),
          String(m.misconfigured),
          String(m.trailgateViolations),
          String(m.opaViolations),
          String(m.inProcess.violations),
          same ? "same" : "MISMATCH",
        ];
      }),
    ),
    "",
    "### Whole process",
    table(
      ["resources", "shape", "trailgate check", "opa eval ¹", "parse floor ²", "trailgate/opa", "trailgate/floor", `max RSS MB trailgate / opa / floor${HAS_GNU_TIME ? "" : " ³"}`],
      results.map((m) => [
        ...key(m),
        span(m.trailgate.time),
        span(m.opa.time),
        span(m.floor.time),
        ratio(m.trailgate.time.median / m.opa.time.median),
        ratio(m.trailgate.time.median / m.floor.time.median),
        `${mb(m.trailgate.maxRssMb)} / ${mb(m.opa.maxRssMb)} / ${mb(m.floor.maxRssMb)}`,
      ]),
    ),
    "",
    "¹ `opa eval --format=json -d <policies snapshot> -i <normalised.json> 'data.trailgate.main.violations'`: the same Rego sources (without *_test.rego) and query, fed the document trailgate's normaliser produced for that file (written once, outside the timing), so opa eval does no normalising; trailgate's normalise step is timed separately below.",
    "² `node -e` that only reads and JSON.parses the input file.",
    ...(HAS_GNU_TIME ? [] : ["³ /usr/bin/time is not available: see the in-process max RSS below."]),
    "",
    "### In process (policy loaded once; fresh node per input)",
    table(
      ["resources", "shape", "policy load", "parse", "normalise ⁴", "source lines ⁶", "serialise ⁵", "evaluate (first)", "evaluate", "max RSS MB"],
      results.map((m) => [
        ...key(m),
        ms(m.inProcess.policyLoadMs),
        span(m.inProcess.parse),
        span(m.inProcess.normalise),
        span(m.inProcess.sourceLines),
        span(m.inProcess.serialise),
        ms(m.inProcess.firstEvaluateMs),
        span(m.inProcess.evaluate),
        mb(m.inProcess.maxRssMb),
      ]),
    ),
    "",
    "⁴ loadDocuments (read, parse, normalise) minus read+parse in the same round.",
    "⁵ JSON.stringify of the normalised input, which opa-wasm does inside every evaluate before copying it into WASM memory; evaluate includes it.",
    "⁶ the scan for each resource's line in a synth or module file; it runs only when a report places a finding (json, sarif), so a clean run skips it. For a plan, the scan of the configuration files in the plan's folder (the bench's folder has none, so it only lists it).",
    "",
    "### Synthesis",
    table(
      ["app", "resources", "synth (node … with CDKTF_OUTDIR)", "max RSS MB"],
      [
        ["example app (dist/main.js)", String(synth.fullResources), span(synth.full.time), mb(synth.full.maxRssMb)],
        ["minimal app (dist/bench/minimal-app.js)", "1", span(synth.minimal.time), mb(synth.minimal.maxRssMb)],
      ],
    ),
    `example / minimal: ${ratio(synth.full.time.median / synth.minimal.time.median)}. The example app's synth includes its synth-time policy gate (addPolicyGate) against the snapshot bundle; the stack passes it with no waiver.`,
    "",
    ...validateLogsLines(validateLogs),
    "",
    "### Targets",
    ...targetLines(results),
  );
  return `${out.join("\n")}\n`;
}

function main(): number {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const sizesAt = args.indexOf("--sizes");
  const sizes = sizesAt === -1 ? (quick ? QUICK_SIZES : FULL_SIZES) : (args[sizesAt + 1] ?? "").split(",").map(Number);
  const known = args.filter((arg, i) => arg === "--quick" || arg === "--sizes" || (sizesAt !== -1 && i === sizesAt + 1));
  if (known.length !== args.length || sizes.some((size) => !Number.isInteger(size) || size < 100)) {
    process.stderr.write("usage: node dist/bench/run.js [--quick] [--sizes 100,1000,10000]\n");
    return 2;
  }
  const runs = quick ? 3 : 5;
  process.chdir(REPO);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-bench-"));
  try {
    log(`work dir ${dir}; building a policy snapshot`);
    const snapshot = snapshotPolicy(REPO, dir);
    const results: Measurement[] = [];
    for (const size of sizes) {
      log(`generating ${size} resources (seed ${SEED + size})`);
      const estate = generateEstate(size, SEED + size);
      for (const shape of SHAPES) results.push(measure(size, shape, estate, runs, snapshot, dir));
    }
    const synth = measureSynth(runs, snapshot, dir);
    const validateLogs = measureValidateLogs(quick);
    process.stdout.write(report(results, synth, validateLogs, runs, snapshot, quick));
    const mismatches = results.filter((m) => m.trailgateViolations !== m.opaViolations || m.opaViolations !== m.inProcess.violations);
    if (mismatches.length > 0) {
      log(`violation counts differ for ${mismatches.map((m) => `${m.shape} ${m.size}`).join(", ")}`);
      return 1;
    }
    return 0;
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
