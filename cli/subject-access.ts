/**
 * `trailgate subject-access`: prints the filled-in queries for one subject and time
 * window (CloudWatch Logs Insights on the trail's log group, and CloudTrail Lake SQL
 * with --lake), with the AWS CLI commands that run them. It calls no AWS API itself:
 * the person answering the request runs the query with their own, audited, access.
 */
import { GateInputError } from "../core/errors";
import { parseCommandLine } from "./args";
import { insightsQuery, lakeQuery, Subject, validateSubject } from "../modules/subject-access-query-text";

export const SUBJECT_ACCESS_USAGE = `usage:
  trailgate subject-access (--principal ARN|NAME | --bucket NAME[/PREFIX] | --source-ip IP)
                           --from TIME --to TIME [--log-group NAME] [--lake EVENT_DATA_STORE]

Prints the CloudWatch Logs Insights query (and, with --lake, the CloudTrail Lake SQL)
that lists every event of one principal, every access to one bucket or object prefix,
or every call from one source IP between --from (inclusive) and --to (exclusive), with
the aws CLI command that runs it. Makes no AWS call. Runbook: help/operations/subject-access.md.

--principal  an IAM or STS ARN (a user, a role: its sessions match too), or a user name
             or role session name such as an SSO user's e-mail address
--bucket     a bucket name, optionally with /prefix (object keys under it)
--source-ip  an IPv4 or IPv6 address
--from, --to YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)
--log-group  the trail's log group (default: /trailgate/cloudtrail/org-trail)
--lake       a CloudTrail Lake event data store ID or ARN: print the Lake query too

exit codes: 0 printed, 2 usage error
`;

const DEFAULT_LOG_GROUP = "/trailgate/cloudtrail/org-trail";
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/;
const LOG_GROUP = /^[A-Za-z0-9_\-\/.#]{1,512}$/;
const EVENT_DATA_STORE = /^(arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/)?([A-Za-z0-9-]{1,64})$/;
const VALUE_OPTIONS = ["--principal", "--bucket", "--source-ip", "--from", "--to", "--log-group", "--lake"];

export interface SubjectAccessOptions {
  subject: Subject;
  from: Date;
  to: Date;
  logGroup: string;
  eventDataStoreId?: string;
}

function parseTime(flag: string, text: string | undefined): Date {
  if (text === undefined) throw new GateInputError(`${flag} is required (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)`);
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  // A well-formed but impossible date (2026-02-30) would roll over silently: refuse it.
  if (!TIME.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, text.length === 10 ? 10 : 19) !== text.replace(/Z$/, "")) {
    throw new GateInputError(`${flag} must be a UTC date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ, not "${text}"`);
  }
  return date;
}

export function parseSubjectAccessArguments(args: string[]): SubjectAccessOptions | "help" {
  const line = parseCommandLine(args, { command: "subject-access", values: VALUE_OPTIONS, positionals: false, refuseRepeats: true });
  if (line.help) return "help";
  const values = line.values;
  const given = ["--principal", "--bucket", "--source-ip"].filter((f) => values.has(f));
  if (given.length !== 1) throw new GateInputError("give exactly one of --principal, --bucket, --source-ip");
  let subject: Subject;
  if (given[0] === "--principal") subject = { kind: "principal", value: values.get("--principal") as string };
  else if (given[0] === "--source-ip") subject = { kind: "source-ip", value: values.get("--source-ip") as string };
  else {
    const [bucket, ...rest] = (values.get("--bucket") as string).split("/");
    subject = rest.length > 0 ? { kind: "bucket", bucket, prefix: rest.join("/") } : { kind: "bucket", bucket };
  }
  validateSubject(subject);
  const from = parseTime("--from", values.get("--from"));
  const to = parseTime("--to", values.get("--to"));
  if (from.getTime() >= to.getTime()) throw new GateInputError("--from must be before --to");
  const logGroup = values.get("--log-group") ?? DEFAULT_LOG_GROUP;
  if (!LOG_GROUP.test(logGroup)) throw new GateInputError(`--log-group must be a CloudWatch Logs log group name, not "${logGroup}"`);
  const lake = values.get("--lake");
  let eventDataStoreId: string | undefined;
  if (lake !== undefined) {
    const match = EVENT_DATA_STORE.exec(lake);
    if (!match) throw new GateInputError(`--lake must be an event data store ID or ARN, not "${lake}"`);
    eventDataStoreId = match[2];
  }
  return { subject, from, to, logGroup, ...(eventDataStoreId ? { eventDataStoreId } : {}) };
}

/** A shell word, single-quoted so the query reaches the aws CLI as written. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function renderSubjectAccess(options: SubjectAccessOptions): string {
  const query = insightsQuery(options.subject);
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
  const window = `${options.from.toISOString()} to ${options.to.toISOString()} (end excluded)`;
  const lines = [
    `# CloudWatch Logs Insights, log group ${options.logGroup}, ${window}`,
    query,
    "",
    "# Run it (then: aws logs get-query-results --query-id <queryId>):",
    `aws logs start-query --log-group-name ${shellQuote(options.logGroup)} --start-time ${seconds(options.from)} --end-time ${seconds(options.to) - 1} \\`,
    `  --query-string ${shellQuote(query)}`,
  ];
  if (options.eventDataStoreId) {
    const sql = lakeQuery(options.subject, options.eventDataStoreId, options.from, options.to);
    lines.push(
      "",
      `# CloudTrail Lake, event data store ${options.eventDataStoreId}`,
      sql,
      "",
      "# Run it (then: aws cloudtrail get-query-results --query-id <QueryId>):",
      `aws cloudtrail start-query --query-statement ${shellQuote(sql)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function subjectAccess(args: string[], io: { stdout(text: string): void }): number {
  const options = parseSubjectAccessArguments(args);
  if (options === "help") {
    io.stdout(SUBJECT_ACCESS_USAGE);
    return 0;
  }
  io.stdout(renderSubjectAccess(options));
  return 0;
}
