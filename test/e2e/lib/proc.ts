/**
 * Child processes for the e2e harness: every command runs in its own process group,
 * is tee'd to a log file, is killed (group-wide) on timeout, and is tracked so that
 * `killAllChildren` can end whatever a failed test left running. Only processes this
 * harness started are ever signalled, each by its own pid / process group id.
 */
import { spawn } from "child_process";
import * as fs from "fs";

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the command (and its process group) after this long. */
  timeoutMs: number;
  /** Append stdout+stderr here. */
  logFile: string;
}

export interface RunResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

const running = new Set<number>();

export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const command = [cmd, ...args].join(" ");
  const started = Date.now();
  const log = fs.createWriteStream(opts.logFile, { flags: "a" });
  log.write(`\n$ ${command}   (cwd ${opts.cwd})\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const pid = child.pid;
    if (pid === undefined) {
      log.end();
      reject(new Error(`could not start ${command}`));
      return;
    }
    running.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => { out.push(b); log.write(b); });
    child.stderr.on("data", (b: Buffer) => { err.push(b); log.write(b); });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      log.write(`\n!! timeout after ${opts.timeoutMs} ms: SIGTERM to process group ${pid}\n`);
      signalGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(pid);
      log.end();
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      running.delete(pid);
      // A provider plugin left in the group after terraform exited would be a leak.
      signalGroup(pid, "SIGKILL");
      const ms = Date.now() - started;
      log.write(`\n-> exit ${code ?? signal} in ${ms} ms\n`);
      log.end();
      resolve({
        command, code, signal, timedOut, ms,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* group already gone */
  }
}

/** Kill every command started by `run` that is still running (used in afterAll). */
export function killAllChildren(): number[] {
  const killed = [...running];
  for (const pid of killed) signalGroup(pid, "SIGKILL");
  running.clear();
  return killed;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Last `n` lines of a text, for error messages. */
export function tail(text: string, n = 40): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}

/** Throw a descriptive error unless the command exited with one of `okCodes`. */
export function expectExit(r: RunResult, okCodes: number[] = [0], what = r.command): RunResult {
  if (r.timedOut) throw new Error(`${what}: timed out after ${r.ms} ms\n${tail(r.stderr || r.stdout)}`);
  if (r.code === null || !okCodes.includes(r.code)) {
    throw new Error(`${what}: exit ${r.code ?? r.signal} (wanted ${okCodes.join(" or ")})\n--- stderr ---\n${tail(r.stderr)}\n--- stdout ---\n${tail(r.stdout)}`);
  }
  return r;
}
