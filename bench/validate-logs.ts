/**
 * The validate-logs row of the bench, run in a fresh child so its peak RSS is its own:
 *   node dist/bench/validate-logs.js DIGESTS LOGS_PER_DIGEST RUNS LATENCY_MS
 * Writes a synthetic signed chain (test/validate-logs/chain.ts: one account and region,
 * DIGESTS hourly digests each listing LOGS_PER_DIGEST gzipped log files of 20 events) into
 * an in-memory source, then times RUNS full validations (list, verify every signature,
 * check every link, gunzip and hash every log file). Every run must come out valid.
 * With LATENCY_MS > 0, one more run adds that delay to every list and read, a model of
 * S3's per-request latency (not a measurement of S3) that shows what the 16 parallel
 * reads buy. Prints one JSON line (ValidateLogsBench) on stdout.
 */
import { Readable } from "stream";
import { publicKeyEntry, StaticPublicKeyStore } from "../operations/validate-logs/keys";
import { parseTrailArn, Scope } from "../operations/validate-logs/layout";
import { MemorySource, ObjectSource } from "../operations/validate-logs/source";
import { DEFAULT_CONCURRENCY, validateLogs } from "../operations/validate-logs/validate";
import { buildChain, makeSigner } from "../test/validate-logs/chain";
import { Stats, stats } from "./measure";

export interface ValidateLogsBench {
  digests: number;
  logFiles: number;
  compressedMb: number;
  uncompressedMb: number;
  validate: Stats;
  logFilesPerSecond: number;
  latencyModel: { latencyMs: number; concurrency: number; ms: number } | null;
  /** Peak RSS after generating the chain (in memory), and at the end. */
  chainRssMb: number;
  maxRssMb: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withLatency(inner: ObjectSource, ms: number): ObjectSource {
  return {
    list: async (bucket, prefix, delimiter) => (await delay(ms), inner.list(bucket, prefix, delimiter)),
    get: async (bucket, key) => (await delay(ms), inner.get(bucket, key)),
    open: async (bucket, key): Promise<Readable> => (await delay(ms), inner.open(bucket, key)),
  };
}

async function main(): Promise<void> {
  const [digests, logsPerDigest, runs, latencyMs] = process.argv.slice(2).map(Number);
  if (!(digests > 0 && logsPerDigest > 0 && runs > 0 && latencyMs >= 0)) {
    throw new Error("usage: validate-logs.js DIGESTS LOGS_PER_DIGEST RUNS LATENCY_MS");
  }
  const trail = parseTrailArn("arn:aws:cloudtrail:eu-west-2:111111111111:trail/bench-trail")!;
  const scope: Scope = { organizationId: "o-benchorg001", accountId: "222222222222", region: "eu-west-2" };
  const signer = makeSigner();
  const firstEnd = new Date("2026-11-19T00:01:31Z");
  const chain = buildChain({ bucket: "bench-logs", trail, scope, firstEnd, digests, logsPerDigest, eventsPerLog: 20, signer });
  const source = new MemorySource();
  let compressed = 0;
  for (const file of chain.files) {
    source.put(file.bucket, file.key, file.body, file.metadata);
    compressed += file.body.length;
  }
  const logFiles = chain.digests.reduce((sum, digest) => sum + digest.logKeys.length, 0);
  // Peak RSS so far: generating and holding the chain, before any validation.
  const chainRssMb = process.resourceUsage().maxRSS / 1024;
  const keys = new StaticPublicKeyStore("bench key", [{ region: scope.region, entry: publicKeyEntry(signer.publicKeyDer, signer.fingerprint) }]);
  const options = {
    trail,
    bucket: "bench-logs",
    start: new Date(firstEnd.getTime() - 1_800_000),
    end: new Date(firstEnd.getTime() + (digests - 2) * 3_600_000),
    now: new Date(firstEnd.getTime() + (digests + 5) * 3_600_000),
    keys,
  };
  const samples: number[] = [];
  for (let round = 0; round < runs; round++) {
    const started = process.hrtime.bigint();
    const result = await validateLogs({ ...options, source });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.outcome !== "valid" || result.totals.digests.valid !== digests || result.totals.logs.valid !== logFiles) {
      throw new Error(`bench chain did not validate: ${result.outcome}, ${JSON.stringify(result.totals)}`);
    }
  }
  let latencyModel: ValidateLogsBench["latencyModel"] = null;
  if (latencyMs > 0) {
    const started = process.hrtime.bigint();
    const result = await validateLogs({ ...options, source: withLatency(source, latencyMs) });
    if (result.outcome !== "valid") throw new Error(`bench chain did not validate with latency: ${result.outcome}`);
    latencyModel = { latencyMs, concurrency: DEFAULT_CONCURRENCY, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }
  const validate = stats(samples);
  const report: ValidateLogsBench = {
    digests,
    logFiles,
    compressedMb: compressed / 1048576,
    uncompressedMb: chain.logBytes / 1048576,
    validate,
    logFilesPerSecond: logFiles / (validate.median / 1000),
    latencyModel,
    chainRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench validate-logs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
