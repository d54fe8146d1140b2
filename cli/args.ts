import { parseArgs } from "node:util";
import { GateInputError } from "../core/errors";

/** What one command accepts on its command line. */
export interface CommandLineSpec {
  /** The command's name, for messages (`see trailgate <command> --help`). */
  readonly command: string;
  /** Options that take a value (`--format json` or `--format=json`). */
  readonly values: readonly string[];
  /** Value options that may be given more than once (all values kept, in order). */
  readonly repeatable?: readonly string[];
  /** Options without a value. */
  readonly flags?: readonly string[];
  /** Whether positional arguments are allowed; a command that takes none names the first one it got. */
  readonly positionals: boolean;
  /** Refuse a non-repeatable option given twice (otherwise the last one counts). */
  readonly refuseRepeats?: boolean;
}

export interface CommandLine {
  /** `--help` or `-h` was given: the command prints its usage and does nothing else. */
  readonly help: boolean;
  /** The last value of each value option given. */
  readonly values: Map<string, string>;
  /** Every value of each repeatable option, in order. */
  readonly lists: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly positionals: string[];
}

const HELP = ["--help", "-h"];

/**
 * Parses one command's arguments with node:util parseArgs, after checking them itself
 * so every mistake is one line in trailgate's words: an unknown option, a missing or
 * empty value, an unwanted positional, a repeat. A value may start with a dash
 * (`--start-time -7d`, `--output -`): the option's next argument is its value.
 */
export function parseCommandLine(args: string[], spec: CommandLineSpec): CommandLine {
  const empty = { values: new Map(), lists: new Map(), flags: new Set<string>(), positionals: [] };
  const known = new Set([...spec.values, ...(spec.flags ?? [])]);
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      joined.push(...args.slice(i));
      break;
    }
    if (HELP.includes(arg)) return { help: true, ...empty };
    if (!arg.startsWith("-") || arg === "-") {
      joined.push(arg);
      continue;
    }
    const [flag, inlineValue] = arg.split(/=(.*)/s, 2);
    if (!known.has(flag)) throw new GateInputError(`unknown option ${flag} (see trailgate ${spec.command} --help)`);
    if (!spec.values.includes(flag)) {
      if (inlineValue !== undefined) throw new GateInputError(`${flag} takes no value`);
      joined.push(flag);
      continue;
    }
    const value = inlineValue ?? args[++i];
    if (value === undefined || value === "") throw new GateInputError(`${flag} needs a value`);
    joined.push(`${flag}=${value}`);
  }
  const options = Object.fromEntries([
    ...spec.values.map((flag) => [flag.slice(2), { type: "string" as const, multiple: true }]),
    ...(spec.flags ?? []).map((flag) => [flag.slice(2), { type: "boolean" as const, multiple: true }]),
  ]);
  const parsed = parseArgs({ args: joined, options, strict: true, allowPositionals: true });
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const [name, given] of Object.entries(parsed.values)) {
    const flag = `--${name}`;
    const all = given as Array<string | boolean>;
    if (!spec.values.includes(flag)) {
      flags.add(flag);
      continue;
    }
    const strings = all as string[];
    if (spec.repeatable?.includes(flag)) lists.set(flag, strings);
    else if (spec.refuseRepeats && strings.length > 1) throw new GateInputError(`${flag} given twice`);
    else values.set(flag, strings[strings.length - 1]);
  }
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new GateInputError(`${spec.command} takes no positional arguments (got "${parsed.positionals[0]}"; see trailgate ${spec.command} --help)`);
  }
  return { help: false, values, lists, flags, positionals: parsed.positionals };
}
