import { GateInputError } from "../core/errors";
import { isSeverity, Severity, SEVERITIES } from "../gate/policy";
import { REPORT_FORMATS, ReportFormat } from "../gate/report";
import { parseRuleList } from "../gate/selection";
import { CommandLine } from "./args";

/** What every judging command (check, pre-commit, verify) takes: the judgement's inputs and the report's form. */
export interface JudgingOptions {
  format: ReportFormat;
  output?: string;
  data?: string;
  waivers?: string;
  /** --fail-on; unset: the command's default (check: the failOn addPolicyGate recorded, else low). */
  failOn?: Severity;
  only?: string[];
  skip?: string[];
  trailgateConfig?: string;
  expand: boolean;
}

export const JUDGING_VALUE_OPTIONS = ["--format", "--output", "--data", "--waivers", "--fail-on", "--only", "--skip", "--trailgate-config"];
export const JUDGING_FLAGS = ["--expand"];

export function judgingOptions(line: CommandLine): JudgingOptions {
  const { values } = line;
  const format = values.get("--format") ?? "text";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new GateInputError(`--format must be one of ${REPORT_FORMATS.join(", ")}, not ${format}`);
  }
  const failOn = values.get("--fail-on");
  if (failOn !== undefined && !isSeverity(failOn)) throw new GateInputError(`--fail-on must be one of ${SEVERITIES.join(", ")}, not ${failOn}`);
  return {
    format: format as ReportFormat,
    output: values.get("--output"),
    data: values.get("--data"),
    waivers: values.get("--waivers"),
    failOn,
    only: values.has("--only") ? parseRuleList(values.get("--only") as string, "--only") : undefined,
    skip: values.has("--skip") ? parseRuleList(values.get("--skip") as string, "--skip") : undefined,
    trailgateConfig: values.get("--trailgate-config"),
    expand: line.flags.has("--expand"),
  };
}
