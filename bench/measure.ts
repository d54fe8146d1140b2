/** Timing a spawned process: wall time around spawnSync, peak RSS from GNU time. */
import { spawnSync } from "child_process";
import * as fs from "fs";

export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const GNU_TIME = "/usr/bin/time";
/** GNU time writes the child's peak RSS (KiB) to a file; without it the bench reports no CLI RSS. */
export const HAS_GNU_TIME = fs.existsSync(GNU_TIME);

export interface RunResult {
  ms: number;
  exitCode: number;
  /** Peak resident set of the child in MiB, null without GNU time. */
  maxRssMb: number | null;
}

export interface Command {
  label: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Exit codes that mean the command worked (trailgate: 0 pass, 1 violations). */
  okExitCodes: number[];
}

/**
 * Runs the command once; stdout goes to `stdoutFile` (or /dev/null), stderr is
 * captured for error messages. The timed span is the whole spawn, including GNU
 * time's own fork and exec (well under a millisecond).
 */
export function runOnce(command: Command, rssFile: string, stdoutFile = "/dev/null"): RunResult {
  const argv = HAS_GNU_TIME ? [GNU_TIME, "-f", "%M", "-o", rssFile, ...command.argv] : command.argv;
  const out = fs.openSync(stdoutFile, "w");
  try {
    const start = process.hrtime.bigint();
    const child = spawnSync(argv[0], argv.slice(1), {
      stdio: ["ignore", out, "pipe"],
      env: { ...process.env, ...command.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.error) throw child.error;
    const exitCode = child.status ?? -1;
    if (!command.okExitCodes.includes(exitCode)) {
      throw new Error(`${command.label} exited ${exitCode}: ${child.stderr.toString().trim().split("\n").slice(-3).join(" | ")}`);
    }
    const maxRssMb = HAS_GNU_TIME ? Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 : null;
    return { ms, exitCode, maxRssMb };
  } finally {
    fs.closeSync(out);
  }
}

export interface Series {
  time: Stats;
  /** Largest peak RSS over the runs (MiB), null without GNU time. */
  maxRssMb: number | null;
}

/** A command to time and where its warm-up run's stdout is kept (for cross-checks). */
export interface SeriesSpec {
  command: Command;
  outputFile: string;
}

/**
 * One untimed warm-up run of each command (page cache; its stdout kept), then
 * `runs` rounds that run every command once, in an order that rotates each round.
 * Interleaving spreads a noisy spell on a shared machine over all the commands
 * instead of landing on one command's whole series, so the ratios stay fair.
 */
export function runInterleaved(specs: SeriesSpec[], runs: number, rssFile: string): Series[] {
  for (const spec of specs) runOnce(spec.command, rssFile, spec.outputFile);
  const results: RunResult[][] = specs.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (let offset = 0; offset < specs.length; offset++) {
      const index = (round + offset) % specs.length;
      results[index].push(runOnce(specs[index].command, rssFile));
    }
  }
  return results.map((series) => {
    const rss = series.map((result) => result.maxRssMb);
    return {
      time: stats(series.map((result) => result.ms)),
      maxRssMb: rss.every((value): value is number => value !== null) ? Math.max(...rss) : null,
    };
  });
}
