import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "./errors";
import { isSeverity, loadPolicyBundle, loadRules, RuleInfo, Severity, SEVERITIES } from "./policy";
import { packageInfo, ruleHelpPath } from "./paths";
import { renderReport, REPORT_FORMATS, ReportFormat, summarize, summaryLine } from "./report";
import { parseInputLimit } from "./normalize/input-file";
import { forTerminalLine, writeOutputFile } from "./output-safety";
import { documentsFor, runGate } from "./run";
import { readEvent, renderSimulation, simulate, simulationExitCode } from "./alerts/simulate";
import { projectConfig, ProjectConfig } from "./project-config";
import { loadWaivers, parseWaivers } from "./waivers";
import { parseGateRecord } from "./recorded-settings";
import { parseRuleList } from "./selection";

export const USAGE = `usage:
  trailgate check <path> [--format text|json|sarif|junit|github] [--output FILE]
                         [--data overrides.json] [--waivers waivers.json]
                         [--fail-on low|medium|high|critical]
                         [--only IDS] [--skip IDS] [--config DIR] [--max-input-mb N]
                         [--trailgate-config FILE] [--source-root DIR] [--expand]
  trailgate pre-commit [options as for check] FILE...   (gates each file's folder)
  trailgate serve --run-task [--port N] [--hcp-url URL] [--hmac-key-file F] [options]
                   (an HCP Terraform run task; see trailgate serve --help)
  trailgate verify [--role-arn ARN] [--region REGION] [--trail NAME|ARN] [options as for check]
  trailgate simulate <EVENT.json|sample:MONITOR-ID> [<path>] [--format text|json]
                     [--data overrides.json] [--config DIR] [--max-input-mb N]
  trailgate explain <RULE-ID> [<cdktf.out or cdk.tf.json>] [--trailgate-config FILE]
  trailgate rules
  trailgate validate-logs --trail-arn ARN --start-time T [--end-time T] [--s3-bucket B]
                          [--s3-prefix P] [--account-id ID] [--public-keys FILE]...
                          [--format text|json|sarif|junit] [--output FILE]
  trailgate subject-access (--principal ARN | --bucket NAME[/PREFIX] | --source-ip IP)
                           --from TIME --to TIME [--log-group NAME] [--lake EVENT_DATA_STORE]
  trailgate init [DIR] [--management-account ID] [--log-archive-account ID] [--force] ...
                 (a new cdktf app with the estate, gated; see trailgate init --help)
  trailgate --help
  trailgate --version

<path> is a cdktf cdk.tf.json, a cdktf.out directory, the output of
\`terraform show -json PLANFILE\`, a module folder (*.tf and *.tf.json files, override
files, tfvars, local module calls, read as Terraform reads them), or - (standard input).
verify reads the deployed estate from AWS and judges it by the same rules
(see trailgate verify --help).

--data     a file {"trailgate":{"config":{...}}} overriding keys of policies/data.json
--waivers  a file {"waivers":[{"rule","resource","reason","expires":"YYYY-MM-DD"}]};
           resource is an address, a cdktf construct path, or a prefix ending in *;
           "*" alone only with waivers.allowAnyResource, "(configuration)" for
           findings on no resource; expires at most waivers.maxDays (365) ahead
--trailgate-config  the project's configuration (trust, scope, data, waivers), as
           addPolicyGate reads it; default: TRAILGATE_CONFIG, else the nearest
           trailgate.config.json (or package.json "trailgate" key) from <path> up to
           its project root. A synthesized stack also carries the settings
           addPolicyGate judged it with ("//".trailgate in cdk.tf.json); check applies
           them per setting after flags and the configuration file (flags >
           trailgate.config.json > recorded), and states them in every report
--fail-on  the lowest severity that fails the check (default: the failOn addPolicyGate
           recorded in a synthesized output, else low)
--only     judge only these rules: comma-separated ids or families (TG-LOG,TG-RET-002)
--skip     do not judge these rules (ids or families); every report states the selection
--max-input-mb  refuse inputs larger than this many MiB in all (default: 64,
           or TRAILGATE_MAX_INPUT_MB)
--format   github: workflow commands (::error file=…,line=…::) for inline PR annotations;
           an error is what fails at --fail-on, a notice what does not
--expand   text and github: list each finding, not one row per rule and resource with
           its members; long messages are cut there (json and sarif keep them whole)
--source-root  report file paths (sarif, github, json) relative to this folder, e.g.
           the repository root when trailgate runs in a subfolder (default: the
           working folder)
--config   for a plan: the root module folder it was planned in (after terraform
           init), read for the locals a plan does not record; default: the
           plan file's folder when it holds *.tf or *.tf.json files

exit codes: 0 no failing violation, 1 violations at or above --fail-on,
            2 usage or input error (bad path or file, missing/stale policy bundle)
environment: TRAILGATE_POLICY_DIR  use this policy bundle instead of build/policy
             TRAILGATE_HELP_BASE_URI  SARIF helpUri base (…/help/rules/); default: the
                 package.json repository (GitHub, at the version tag) or homepage,
                 else the installed pages as file:// URIs
             TRAILGATE_CONFIG  the project configuration file (see --trailgate-config)

simulate follows one CloudTrail event (a record of a log file, or a bundled sample,
sample:cis-4.3-root-account-use) through the configuration at <path> as the TG-ALR
rules do: the monitors it belongs to, each alarm that fires and after how long, the
topics and subscriptions it reaches, or where each path stops (exit 0 someone is paged
within the monitor's deadline, 1 nobody is paged or only late, 2 input error).

validate-logs verifies the trail's digest chain and log files (exit 0 all valid,
1 integrity failure, 2 input error or unreadable file); details: trailgate validate-logs --help
subject-access prints the queries that answer a subject access request (no AWS call);
details: trailgate subject-access --help
`;

interface CheckOptions {
  path: string;
  format: ReportFormat;
  output?: string;
  data?: string;
  waivers?: string;
  /** --fail-on; unset: the failOn addPolicyGate recorded in the output, else low. */
  failOn?: Severity;
  only?: string[];
  skip?: string[];
  /** Input size limit in MiB (--max-input-mb, else TRAILGATE_MAX_INPUT_MB, else 64). */
  maxInputMb?: number;
  config?: string;
  trailgateConfig?: string;
  /** Report paths (SARIF, github, json) relative to this folder (--source-root). @default the working folder */
  sourceRoot?: string;
  expand: boolean;
}

/** Where console output goes; tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const VALUE_OPTIONS = ["--format", "--output", "--data", "--waivers", "--fail-on", "--only", "--skip", "--config", "--max-input-mb", "--trailgate-config", "--source-root"];

function parseCheckArguments(args: string[]): CheckOptions | "help" {
  const parsed = parseGateOptions(args);
  if (parsed === "help") return "help";
  const { positional, options } = parsed;
  if (positional.length !== 1) {
    throw new GateInputError(positional.length === 0 ? "check needs a <path>" : `check takes one <path>, got ${positional.length}`);
  }
  return { path: positional[0], ...options };
}

/** check's options (all but the path) and the positional arguments, as `check` and `pre-commit` take them. */
function parseGateOptions(args: string[]): { positional: string[]; options: Omit<CheckOptions, "path"> } | "help" {
  const values = new Map<string, string>();
  const positional: string[] = [];
  let expand = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--help" || args[i] === "-h") return "help";
    if (args[i] === "--expand") {
      expand = true;
      continue;
    }
    const [flag, inlineValue] = args[i].startsWith("--") ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    if (!flag.startsWith("-") || flag === "-") {
      positional.push(args[i]);
      continue;
    }
    if (!VALUE_OPTIONS.includes(flag)) throw new GateInputError(`unknown option ${flag} (see trailgate --help)`);
    const value = inlineValue ?? args[++i];
    if (value === undefined || value === "") throw new GateInputError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const format = values.get("--format") ?? "text";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new GateInputError(`--format must be one of ${REPORT_FORMATS.join(", ")}, not ${format}`);
  }
  const failOn = values.get("--fail-on");
  if (failOn !== undefined && !isSeverity(failOn)) throw new GateInputError(`--fail-on must be one of ${SEVERITIES.join(", ")}, not ${failOn}`);
  const options = {
    format: format as ReportFormat,
    output: values.get("--output"),
    data: values.get("--data"),
    waivers: values.get("--waivers"),
    failOn,
    only: values.has("--only") ? parseRuleList(values.get("--only") as string, "--only") : undefined,
    maxInputMb: values.has("--max-input-mb") ? parseInputLimit(values.get("--max-input-mb") as string, "--max-input-mb") : undefined,
    skip: values.has("--skip") ? parseRuleList(values.get("--skip") as string, "--skip") : undefined,
    config: values.get("--config"),
    trailgateConfig: values.get("--trailgate-config"),
    sourceRoot: values.get("--source-root"),
    expand,
  };
  return { positional, options };
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

function simulateCommand(args: string[], io: Io): number {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inlineValue] = args[i].startsWith("--") ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    if (!flag.startsWith("-")) {
      positional.push(args[i]);
      continue;
    }
    if (!["--format", "--data", "--config", "--max-input-mb"].includes(flag)) throw new GateInputError(`unknown option ${flag} (see trailgate --help)`);
    const value = inlineValue ?? args[++i];
    if (value === undefined || value === "") throw new GateInputError(`${flag} needs a value`);
    values.set(flag, value);
  }
  if (positional.length < 1 || positional.length > 2) throw new GateInputError("simulate takes <EVENT.json|sample:MONITOR-ID> and an optional <path>");
  const format = values.get("--format") ?? "text";
  if (format !== "text" && format !== "json") throw new GateInputError(`--format must be text or json, not ${format}`);
  const { event, source, deprecation } = readEvent(positional[0]);
  if (deprecation) io.stderr(`trailgate: note: ${deprecation}\n`);
  const config = loadPolicyBundle({ dataFile: values.get("--data") }).config;
  const documents = positional[1]
    ? documentsFor({
        path: positional[1],
        configDir: values.get("--config"),
        maxInputMb: values.has("--max-input-mb") ? parseInputLimit(values.get("--max-input-mb") as string, "--max-input-mb") : undefined,
      }).map((d) => ({ name: d.name, input: d.input }))
    : [];
  const result = simulate(event, source, documents, config);
  io.stdout(format === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderSimulation(result));
  return simulationExitCode(result);
}

/** The files pre-commit may pass: Terraform's own, which make up a module folder. */
const TERRAFORM_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * pre-commit's entry (.pre-commit-hooks.yaml): pre-commit passes the changed Terraform
 * files; each folder holding one is a module and is gated once, as `check <folder>`.
 * Exit 2 if any folder could not be read, else 1 if any has failing findings, else 0.
 */
function preCommit(args: string[], io: Io): number {
  const parsed = parseGateOptions(args);
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

function rulesTable(rules: RuleInfo[]): string {
  const idWidth = Math.max(2, ...rules.map((rule) => rule.id.length));
  const lines = [`${"ID".padEnd(idWidth)}  SEVERITY  TITLE`];
  for (const rule of [...rules].sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(`${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(8)}  ${rule.title}`);
  }
  return `${lines.join("\n")}\n`;
}

function explain(args: string[], io: Io): number {
  const positional = args.filter((arg, index) => arg !== "--trailgate-config" && args[index - 1] !== "--trailgate-config");
  const configIndex = args.indexOf("--trailgate-config");
  if (configIndex >= 0 && !args[configIndex + 1]) throw new GateInputError("--trailgate-config needs a value");
  if (positional.length !== 1 && positional.length !== 2) throw new GateInputError("explain needs one <RULE-ID> (and optionally a synthesized <path>)");
  const ruleId = positional[0].toUpperCase();
  const rules = loadRules();
  if (!rules.some((rule) => rule.id === ruleId)) {
    const valid = rules.map((rule) => rule.id).sort().join(", ");
    throw new GateInputError(`unknown rule ${positional[0]}; valid ids: ${valid}`);
  }
  let page: string;
  try {
    page = fs.readFileSync(ruleHelpPath(ruleId), "utf8");
  } catch {
    throw new GateInputError(`rule ${ruleId} has no help page at ${ruleHelpPath(ruleId)}`);
  }
  io.stdout(page);
  const outputPath = positional[1];
  const config = projectConfig(configIndex >= 0 ? args[configIndex + 1] : undefined, outputPath ?? process.cwd());
  const knownRuleIds = new Set(rules.map((rule) => rule.id));
  if (config) io.stdout(projectSection(ruleId, config, knownRuleIds));
  if (outputPath) io.stdout(recordedSection(ruleId, outputPath, config, knownRuleIds));
  return 0;
}

/**
 * What the settings addPolicyGate recorded in a synthesized output do to a rule, as
 * `check` applies them: a configuration file's setting takes precedence over a recorded one.
 */
function recordedSection(ruleId: string, outputPath: string, config: ProjectConfig | undefined, knownRuleIds: Set<string>): string {
  const lines: string[] = [];
  for (const document of documentsFor({ path: outputPath })) {
    if (!document.gateRecord) continue;
    const record = parseGateRecord(document.gateRecord.raw, document.gateRecord.file);
    lines.push(``, `## In ${document.name} (${record.source})`, ``);
    const fileWaivers = config?.setKeys?.includes("waivers") ? undefined : record.config.waiversFile;
    const waivers = [
      ...(fileWaivers ? loadWaivers(fileWaivers, knownRuleIds, record.config.waiverLimits) : []),
      ...parseWaivers({ waivers: record.inlineWaivers }, record.source, knownRuleIds, record.config.waiverLimits),
    ].filter((waiver) => waiver.rule === ruleId);
    if (waivers.length === 0) lines.push(`No waiver of ${ruleId}${fileWaivers ? ` in ${fileWaivers}` : ""} or in code.`);
    for (const waiver of waivers) lines.push(`- waived for ${waiver.resource} until ${waiver.expires}: ${waiver.reason}`);
    if (config?.setKeys?.includes("waivers")) lines.push(`(${config.source} sets waivers: its waiver file is used instead of the recorded one.)`);
    const scope = config?.scope ?? record.config.scope;
    lines.push(``, scope ? `Synthesized resources are judged only under ${scope.join(", ")}.` : `Every resource of the stack is judged.`);
    if (record.failOn !== "low") lines.push(`Fails only at ${record.failOn} or above unless --fail-on says otherwise.`);
  }
  if (lines.length === 0) lines.push(``, `${outputPath} records no gate settings (it was not synthesized with addPolicyGate).`);
  return `${lines.join("\n")}\n`;
}

/** What the project's configuration does to a rule: the waivers of it that check and synth apply. */
function projectSection(ruleId: string, config: ProjectConfig, knownRuleIds: Set<string>): string {
  const lines = [``, `## In this project (${config.source})`, ``];
  const waivers = config.waiversFile ? loadWaivers(config.waiversFile, knownRuleIds, config.waiverLimits).filter((waiver) => waiver.rule === ruleId) : [];
  if (waivers.length === 0) lines.push(`No waiver of ${ruleId}${config.waiversFile ? ` in ${config.waiversFile}` : ""}.`);
  for (const waiver of waivers) lines.push(`- waived for ${waiver.resource} until ${waiver.expires}: ${waiver.reason}`);
  if (config.scope) lines.push(``, `Synthesized resources are judged only under ${config.scope.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

/** One `trailgate: error: …` line, so CI logs show the reason next to exit code 2. */
function reportError(error: unknown, io: Io): number {
  const prefix = error instanceof GateInputError ? "" : "internal error: ";
  // One line, with control characters from the input shown as escapes, never raw.
  io.stderr(`trailgate: error: ${prefix}${forTerminalLine(describeError(error).replace(/\s*\n\s*/g, " "))}\n`);
  return 2;
}

/**
 * Runs the CLI and returns its exit code: 0 pass, 1 violations, 2 usage or input error.
 * Commands that talk to AWS (validate-logs) resolve to it asynchronously; their modules,
 * and the AWS SDK, load only when they run.
 */
export function main(argv: string[], io: Io = processIo): number | Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "validate-logs":
        return import("../operations/validate-logs/cli")
          .then(({ validateLogsCommand }) => validateLogsCommand(args, io))
          .catch((error: unknown) => reportError(error, io));
      case "check":
        return check(parseCheckArguments(args), io);
      case "pre-commit":
        return preCommit(args, io);
      case "serve":
        // Loaded on demand, as verify: check never loads the HTTP server.
        return import("./serve-cli").then((m) => m.serveCommand(args, io)).catch((error: unknown) => reportError(error, io));
      case "verify":
        // Loaded on demand: check, explain and rules never load verify or the AWS SDK.
        return import("../operations/verify/cli").then((m) => m.verify(args, io)).catch((error: unknown) => reportError(error, io));
      case "simulate":
        return simulateCommand(args, io);
      case "subject-access":
        // Prints queries only: no AWS SDK, no cdktf.
        return import("../operations/subject-access/cli").then((m) => m.subjectAccess(args, io)).catch((error: unknown) => reportError(error, io));
      case "explain":
        return explain(args, io);
      case "init":
        // Writes a new app's files; its templates load only when it runs.
        return import("./init").then((m) => m.initCommand(args, io)).catch((error: unknown) => reportError(error, io));
      case "rules":
        if (args.length > 0) throw new GateInputError("rules takes no arguments");
        io.stdout(rulesTable(loadRules()));
        return 0;
      case "--version":
      case "-V":
        io.stdout(`trailgate ${packageInfo().version}\n`);
        return 0;
      case "--help":
      case "-h":
      case "help":
        io.stdout(USAGE);
        return 0;
      case undefined:
        throw new GateInputError("no command given (see trailgate --help)");
      default:
        throw new GateInputError(`unknown command ${command} (see trailgate --help)`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}
