import * as fs from "fs";
import { getHeapStatistics } from "v8";
import { describeError, GateInputError } from "../core/errors";

/**
 * Bounded reading of every file the gate is given (inputs, stacks, waivers,
 * data): only regular files, opened without blocking (a FIFO or a device is
 * refused, never waited on or read forever), up to a size limit, and only
 * valid UTF-8 (an error never echoes the bytes).
 */

const MIB = 1024 * 1024;

/**
 * Heap a check may need per byte of input. Measured: the bench's 35 MB synthesized
 * stack runs in a 348 MiB heap (10x) and peaks at 632 MB RSS; 11 MiB of small
 * bucket blocks abort in a 112 MiB heap (over 10x). An input past heap limit / 16
 * is refused with the reason instead of aborting with a V8 dump.
 */
const HEAP_BYTES_PER_INPUT_BYTE = 16;

/**
 * The heap the input must fit in. V8's heap_size_limit also counts the young
 * generation, which Node 24 sizes far larger (with --max-old-space-size=64 it reports
 * 256 MiB where Node 20 and 22 report 112), so an explicit --max-old-space-size, on
 * the command line or in NODE_OPTIONS, bounds it: past that node aborts.
 */
function oldSpaceLimitBytes(): number {
  const reported = getHeapStatistics().heap_size_limit;
  let flagged: number | undefined;
  for (const flag of [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)]) {
    const match = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(flag);
    if (match) flagged = Number(match[1]) * MIB;
  }
  return flagged === undefined ? reported : Math.min(reported, flagged);
}

/** The default limit on the bytes of input one check reads (all files together). */
export const DEFAULT_MAX_INPUT_MIB = 64;

/** A budget shared by all files of one check; `--max-input-mb` or TRAILGATE_MAX_INPUT_MB sets it. */
export class InputBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  static fromMib(mib: number): InputBudget {
    return new InputBudget(Math.floor(mib * MIB));
  }

  /** TRAILGATE_MAX_INPUT_MB when set (validated), else the default. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): InputBudget {
    const raw = env.TRAILGATE_MAX_INPUT_MB;
    return InputBudget.fromMib(raw === undefined || raw === "" ? DEFAULT_MAX_INPUT_MIB : parseInputLimit(raw, "TRAILGATE_MAX_INPUT_MB"));
  }

  /** Takes `bytes` from the budget or throws naming the file. */
  take(bytes: number, file: string): void {
    const heapLimit = oldSpaceLimitBytes();
    if ((this.used + bytes) * HEAP_BYTES_PER_INPUT_BYTE > heapLimit) {
      const mib = (n: number) => (n / MIB).toFixed(0);
      throw new GateInputError(
        `${file}: ${mib(this.used + bytes)} MiB of input needs about ${mib((this.used + bytes) * HEAP_BYTES_PER_INPUT_BYTE)} MiB of memory, ` +
          `more than node's heap limit of ${mib(heapLimit)} MiB; raise it with NODE_OPTIONS=--max-old-space-size=<MiB>`,
      );
    }
    if (this.used + bytes > this.maxBytes) {
      const mib = (n: number) => (n / MIB).toFixed(n < MIB ? 3 : 1);
      throw new GateInputError(
        `${file}: the input is larger than the limit of ${mib(this.maxBytes)} MiB (${mib(this.used + bytes)} MiB read); ` +
          "raise it with --max-input-mb N or TRAILGATE_MAX_INPUT_MB (and node's --max-old-space-size for very large inputs)",
      );
    }
    this.used += bytes;
  }

  /** Runs `read`; when it throws, the bytes it took are given back (an optional read that was given up). */
  givenBackOnFailure<T>(read: () => T): T {
    const used = this.used;
    try {
      return read();
    } catch (error) {
      this.used = used;
      throw error;
    }
  }
}

/** A positive number of MiB, e.g. "64" or "0.5". */
export function parseInputLimit(text: string, where: string): number {
  const value = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !(value > 0) || value > 1024 * 1024) {
    throw new GateInputError(`${where} must be a positive number of MiB, not ${JSON.stringify(text)}`);
  }
  return value;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The bytes of a regular file, at most what the budget has left. `what` names
 * the file's role in errors ("waiver file", "input").
 */
export function readRegularFile(file: string, what: string, budget: InputBudget): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new GateInputError(`cannot read ${what} ${file}: ${describeError(error)}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new GateInputError(`${what} ${file} is ${kindOf(stat)}; only regular files are read`);
    budget.take(stat.size, file);
    // The size can change while reading: read one byte past it to notice growth.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) throw new GateInputError(`${what} ${file} grew while it was being read`);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof GateInputError) throw error;
    throw new GateInputError(`cannot read ${what} ${file}: ${describeError(error)}`);
  } finally {
    fs.closeSync(fd);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a regular file; bytes that are not UTF-8 are an error that does not quote them. */
export function readTextFile(file: string, what: string, budget: InputBudget): string {
  const bytes = readRegularFile(file, what, budget);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new GateInputError(`${what} ${file} is not UTF-8 text`);
  }
}
