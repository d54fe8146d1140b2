/**
 * `trailgate validate-logs`: proves a trail's digest chain and log files for a period.
 * Registered in cli/main.ts and loaded only when that command runs.
 */
import type { Io } from "./io";
import { GateInputError } from "../core/errors";
import { parseCommandLine } from "./args";
import { writeOutputFile } from "../core/output-safety";
import { packageInfo } from "../core/paths";
import { AwsSetupError, CloudTrailPublicKeyStore, describeTrail, S3ObjectSource } from "../operations/validate-logs/aws";
import { FilePublicKeyStore, PublicKeyError, PublicKeyStore } from "../operations/validate-logs/keys";
import { parseTrailArn, TrailRef } from "../operations/validate-logs/layout";
import { renderValidateLogsReport, summaryLine, VALIDATE_LOGS_FORMATS, ValidateLogsFormat } from "../operations/validate-logs/report";
import { ObjectSource } from "../operations/validate-logs/source";
import { validateLogs, ValidationInputError, ValidationResult } from "../operations/validate-logs/validate";

export const VALIDATE_LOGS_HELP = `usage:
  trailgate validate-logs --trail-arn ARN --start-time T [--end-time T]
                          [--s3-bucket B] [--s3-prefix P] [--account-id ID]
                          [--public-keys FILE]... [--format text|json|sarif|junit] [--output FILE]

validate-logs proves a CloudTrail trail's log file integrity for a period (read-only,
AWS SDK credentials and endpoints as usual, AWS_ENDPOINT_URL included):
--trail-arn    arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME
--start-time   UTC: 2026-11-20, 2026-11-20T09:00:00Z, or relative: -7d, -36h, -90m
--end-time     as --start-time (default: now)
--s3-bucket    the trail's bucket (default: from DescribeTrails); with --s3-prefix
--account-id   only this account (default: every account and region in the bucket)
--public-keys  the output of \`aws cloudtrail list-public-keys\` (repeatable; default:
               ListPublicKeys in each region)
exit codes: 0 every digest and log file valid, 1 integrity failure (digest invalid,
            missing or signed by an unknown key, chain break, log modified or deleted,
            no digest for part of the period), 2 input error or a file that could not
            be read (never counted valid)
`;

interface ValidateLogsOptions {
  trail: TrailRef;
  start: Date;
  end: Date;
  bucket?: string;
  prefix?: string;
  accountId?: string;
  publicKeys: string[];
  format: ValidateLogsFormat;
  output?: string;
}

/** Replaceable parts, for tests: where objects and keys come from, and the clock. */
export interface ValidateLogsDeps {
  source?: ObjectSource;
  keys?: PublicKeyStore;
  now?: Date;
}

const VALUE_OPTIONS = ["--trail-arn", "--start-time", "--end-time", "--s3-bucket", "--s3-prefix", "--account-id", "--public-keys", "--format", "--output"];

/** An absolute UTC time, or a time relative to now (`-7d`, `-36h`, `-90m`); `now`. */
export function parseTime(text: string, flag: string, now: Date): Date {
  const relative = /^-(\d+)([mhd])$/.exec(text);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "m" | "h" | "d"];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (text === "now") return now;
  const absolute = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  if (absolute) {
    const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", zone = "Z"] = absolute;
    const local = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
    // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip does not exist.
    const roundTrip = new Date(local).toISOString().slice(0, 19) === `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    if (roundTrip) {
      const offset = /^[+-]/.test(zone) ? (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000 : 0;
      return new Date(local - offset + Math.round(Number(fraction || "0") * 1000));
    }
  }
  throw new GateInputError(`${flag} ${JSON.stringify(text)} is not a time (use 2026-11-20, 2026-11-20T09:00:00Z, or -7d / -36h / -90m)`);
}

function parseArguments(args: string[], now: Date): ValidateLogsOptions {
  const line = parseCommandLine(args, { command: "validate-logs", values: VALUE_OPTIONS, repeatable: ["--public-keys"], positionals: false, refuseRepeats: true });
  const values = line.values;
  const publicKeys = line.lists.get("--public-keys") ?? [];
  const arn = values.get("--trail-arn");
  if (!arn) throw new GateInputError("validate-logs needs --trail-arn");
  const trail = parseTrailArn(arn);
  if (!trail) throw new GateInputError(`--trail-arn ${JSON.stringify(arn)} is not a trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME)`);
  const startText = values.get("--start-time");
  if (!startText) throw new GateInputError("validate-logs needs --start-time");
  const start = parseTime(startText, "--start-time", now);
  const end = values.has("--end-time") ? parseTime(values.get("--end-time")!, "--end-time", now) : now;
  if (start.getTime() >= end.getTime()) throw new GateInputError(`--start-time ${start.toISOString()} is not before --end-time ${end.toISOString()}`);
  if (start.getTime() >= now.getTime()) throw new GateInputError(`--start-time ${start.toISOString()} is in the future`);
  const accountId = values.get("--account-id");
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new GateInputError(`--account-id must be 12 digits, not ${accountId}`);
  const bucket = values.get("--s3-bucket");
  if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new GateInputError(`--s3-bucket ${JSON.stringify(bucket)} is not a bucket name`);
  const format = values.get("--format") ?? "text";
  if (!(VALIDATE_LOGS_FORMATS as readonly string[]).includes(format)) {
    throw new GateInputError(`--format must be one of ${VALIDATE_LOGS_FORMATS.join(", ")}, not ${format}`);
  }
  return {
    trail,
    start,
    end,
    bucket,
    prefix: values.get("--s3-prefix"),
    accountId,
    publicKeys,
    format: format as ValidateLogsFormat,
    output: values.get("--output"),
  };
}

async function run(options: ValidateLogsOptions, io: Io, deps: ValidateLogsDeps, now: Date): Promise<ValidationResult> {
  let keys = deps.keys;
  if (!keys && options.publicKeys.length > 0) {
    try {
      keys = new FilePublicKeyStore(options.publicKeys);
    } catch (error) {
      if (error instanceof PublicKeyError) throw new GateInputError(error.message);
      throw error;
    }
  }
  let bucket = options.bucket;
  let prefix = options.prefix;
  if (!bucket) {
    const described = await describeTrail(options.trail);
    bucket = described.bucket;
    prefix = prefix ?? described.prefix;
    if (!described.logFileValidation) {
      io.stderr(`trailgate: warning: ${options.trail.arn} has log file validation turned off: CloudTrail delivers no digests while it is off\n`);
    }
  }
  const owned: Array<{ destroy(): void }> = [];
  try {
    let source = deps.source;
    if (!source) {
      const s3 = await S3ObjectSource.create(options.trail.homeRegion);
      owned.push(s3);
      source = s3;
    }
    if (!keys) {
      // The keys used in the period (the last digest is signed up to an hour or two after it).
      const cloudtrail = await CloudTrailPublicKeyStore.create(
        new Date(options.start.getTime() - 3_600_000),
        new Date(Math.min(options.end.getTime() + 2 * 3_600_000, now.getTime())),
        now,
      );
      owned.push(cloudtrail);
      keys = cloudtrail;
    }
    return await validateLogs({ trail: options.trail, bucket, prefix, accountId: options.accountId, start: options.start, end: options.end, now, source, keys });
  } finally {
    for (const client of owned) client.destroy();
  }
}

/** Runs validate-logs; resolves to the exit code, or rejects with a GateInputError (exit 2). */
export async function validateLogsCommand(args: string[], io: Io, deps: ValidateLogsDeps = {}): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(VALIDATE_LOGS_HELP);
    return 0;
  }
  const now = deps.now ?? new Date();
  const options = parseArguments(args, now);
  let result: ValidationResult;
  try {
    result = await run(options, io, deps, now);
  } catch (error) {
    if (error instanceof ValidationInputError || error instanceof AwsSetupError) throw new GateInputError(error.message);
    throw error;
  }
  const { version, homepage } = packageInfo();
  const report = renderValidateLogsReport(options.format, result, version, homepage);
  if (options.output) writeOutputFile(options.output, report, options.publicKeys);
  else io.stdout(report);
  if (options.format !== "text" || options.output) io.stderr(`${summaryLine(result)}\n`);
  return result.outcome === "valid" ? 0 : result.outcome === "integrity-failure" ? 1 : 2;
}
