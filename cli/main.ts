/**
 * The trailgate command line (bin/trailgate.js): one dispatcher on top of every
 * command's module. Nothing below cli/ imports it.
 */
import { GateInputError } from "../core/errors";
import { packageInfo } from "../core/paths";
import { checkCommand, preCommitCommand } from "./check";
import { explainCommand, rulesCommand } from "./explain";
import { Io, processIo, reportError } from "./io";
import { simulateCommand } from "./simulate";
import { USAGE } from "./usage";

export type { Io } from "./io";
export { USAGE } from "./usage";

/** A command whose module, and what it needs (the AWS SDK, an HTTP server), loads only when it runs. */
type LazyCommand = () => Promise<(args: string[], io: Io) => number | Promise<number>>;

const SYNC_COMMANDS: Record<string, (args: string[], io: Io) => number> = {
  check: checkCommand,
  "pre-commit": preCommitCommand,
  simulate: simulateCommand,
  explain: explainCommand,
  rules: rulesCommand,
};

const LAZY_COMMANDS: Record<string, LazyCommand> = {
  "validate-logs": () => import("./validate-logs").then((m) => m.validateLogsCommand),
  // check never loads the HTTP server.
  serve: () => import("./serve").then((m) => m.serveCommand),
  // check, explain and rules never load verify or the AWS SDK.
  verify: () => import("./verify").then((m) => m.verify),
  // Prints queries only: no AWS SDK, no cdktf.
  "subject-access": () => import("./subject-access").then((m) => m.subjectAccess),
  // Writes a new app's files; its templates load only when it runs.
  init: () => import("./init").then((m) => m.initCommand),
};

/**
 * Runs the CLI and returns its exit code: 0 pass, 1 violations, 2 usage or input error.
 * Commands that talk to AWS resolve to it asynchronously.
 */
export function main(argv: string[], io: Io = processIo): number | Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined) throw new GateInputError("no command given (see trailgate --help)");
    if (Object.prototype.hasOwnProperty.call(SYNC_COMMANDS, command)) return SYNC_COMMANDS[command](args, io);
    if (Object.prototype.hasOwnProperty.call(LAZY_COMMANDS, command)) {
      return LAZY_COMMANDS[command]()
        .then((run) => run(args, io))
        .catch((error: unknown) => reportError(error, io));
    }
    switch (command) {
      case "--version":
      case "-V":
        io.stdout(`trailgate ${packageInfo().version}\n`);
        return 0;
      case "--help":
      case "-h":
      case "help":
        io.stdout(USAGE);
        return 0;
      default:
        throw new GateInputError(`unknown command ${command} (see trailgate --help)`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}
