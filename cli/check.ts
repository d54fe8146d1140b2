import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../core/errors";
import { forTerminalLine, writeOutputFile } from "../core/output-safety";
import { projectConfig } from "../gate/project-config";
import { renderReport, summarize, summaryLine } from "../gate/report";
import { runGate } from "../gate/run";
import { parseInputLimit } from "../terraform/input-file";
import { parseCommandLine } from "./args";
import { Io, reportError } from "./io";
import { judgingOptions, JudgingOptions, JUDGING_FLAGS, JUDGING_VALUE_OPTIONS } from "./judging-options";
import { USAGE } from "./usage";

interface CheckOptions extends JudgingOptions {
  path: string;
  /** Input size limit in MiB (--max-input-mb, else TRAILGATE_MAX_INPUT_MB, else 64). */
  maxInputMb?: number;
  config?: string;
  /** Report paths (SARIF, github, json) relative to this folder (--source-root). @default the working folder */
  sourceRoot?: string;
}

/** check's options (all but the path) and the positional arguments, as `check` and `pre-commit` take them. */
function parseGateOptions(args: string[], command: string): { positional: string[]; options: Omit<CheckOptions, "path"> } | "help" {
  const line = parseCommandLine(args, { command, values: [...JUDGING_VALUE_OPTIONS, "--config", "--max-input-mb", "--source-root"], flags: JUDGING_FLAGS, positionals: true });
  if (line.help) return "help";
  const options = {
    ...judgingOptions(line),
    maxInputMb: line.values.has("--max-input-mb") ? parseInputLimit(line.values.get("--max-input-mb") as string, "--max-input-mb") : undefined,
    config: line.values.get("--config"),
    sourceRoot: line.values.get("--source-root"),
  };
  return { positional: line.positionals, options };
}

/** `trailgate check <path>`: exit 0 pass, 1 failing findings, 2 input error. */
export function checkCommand(args: string[], io: Io): number {
  const parsed = parseGateOptions(args, "check");
  if (parsed === "help") return check("help", io);
  const { positional, options } = parsed;
  if (positional.length !== 1) {
    throw new GateInputError(positional.length === 0 ? "check needs a <path>" : `check takes one <path>, got ${positional.length}`);
  }
  return check({ path: positional[0], ...options }, io);
}

/** --source-root, which must be a folder (a typo would silently misplace every annotation). */
function sourceRootOf(sourceRoot: string | undefined): string | undefined {
  if (sourceRoot === undefined) return undefined;
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(sourceRoot).isDirectory();
  } catch (error) {
    throw new GateInputError(`--source-root ${sourceRoot}: ${describeError(error)}`);
  }
  if (!isDirectory) throw new GateInputError(`--source-root ${sourceRoot} is not a directory`);
  return path.resolve(sourceRoot);
}

function check(options: CheckOptions | "help", io: Io): number {
  if (options === "help") {
    io.stdout(USAGE);
    return 0;
  }
  const run = runGate({
    config: projectConfig(options.trailgateConfig, options.path === "-" ? process.cwd() : options.path),
    path: options.path,
    configDir: options.config,
    dataFile: options.data,
    waiversFile: options.waivers,
    failOn: options.failOn,
    only: options.only,
    skip: options.skip,
    maxInputMb: options.maxInputMb,
  });
  const report = renderReport(options.format, run, { expand: options.expand, sourceRoot: sourceRootOf(options.sourceRoot) });
  if (options.output) writeOutputFile(options.output, report, [options.path, options.data, options.waivers]);
  else io.stdout(report);
  // Machine formats on stdout or in a file: the outcome still belongs in the log.
  if (options.format !== "text" || options.output) io.stderr(`${forTerminalLine(summaryLine(run))}\n`);
  return summarize(run).failing > 0 ? 1 : 0;
}

/** The files pre-commit may pass: Terraform's own, which make up a module folder. */
const TERRAFORM_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * pre-commit's entry (.pre-commit-hooks.yaml): pre-commit passes the changed Terraform
 * files; each folder holding one is a module and is gated once, as `check <folder>`.
 * Exit 2 if any folder could not be read, else 1 if any has failing findings, else 0.
 */
export function preCommitCommand(args: string[], io: Io): number {
  const parsed = parseGateOptions(args, "pre-commit");
  if (parsed === "help") {
    io.stdout(USAGE);
    return 0;
  }
  const { positional, options } = parsed;
  if (positional.length === 0) throw new GateInputError("pre-commit needs the changed .tf/.tf.json files (pre-commit passes them)");
  const other = positional.find((file) => !TERRAFORM_FILE.test(file));
  if (other !== undefined) throw new GateInputError(`pre-commit takes .tf, .tf.json, .tfvars and .tfvars.json files, not ${other}`);
  if (options.format !== "text" && options.format !== "github") throw new GateInputError(`pre-commit reports as text or github, not ${options.format}`);
  if (options.output || options.config) throw new GateInputError("pre-commit takes neither --output nor --config: it gates each changed file's folder");
  const folders = [...new Set(positional.map((file) => path.dirname(file)))].sort();
  let worst = 0;
  for (const folder of folders) {
    if (options.format === "text") io.stdout(`== trailgate: ${forTerminalLine(folder)}\n`);
    let code: number;
    try {
      code = check({ path: folder, ...options }, io);
    } catch (error) {
      code = reportError(error, io);
    }
    worst = worst === 2 || code === 2 ? 2 : Math.max(worst, code);
  }
  return worst;
}
