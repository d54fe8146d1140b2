/**
 * `trailgate verify`: collect (AWS, read-only) -> map to the normalised input ->
 * evaluate with the same policy bundle as `check` -> waivers -> the same reports and
 * exit codes. Registered in cli/main.ts and loaded only when verify runs.
 */
import * as fs from "fs";
import { describeError, GateInputError } from "../core/errors";
import { parseCommandLine } from "./args";
import { judgingOptions, JudgingOptions, JUDGING_FLAGS, JUDGING_VALUE_OPTIONS } from "./judging-options";
import { evaluateDocuments } from "../gate/gate";
import { prepareJudgement, waiversFileOf } from "../gate/judgement";
import { isObject } from "../terraform/types";
import { projectConfig } from "../gate/project-config";
import { writeOutputFile } from "../core/output-safety";
import { packageInfo } from "../core/paths";
import { Severity } from "../gate/policy";
import { appliedConfiguration, GateRun, renderReport, summarize, summaryLine } from "../gate/report";
import { requireJudgeable } from "../gate/selection";
import { todayUtc } from "../gate/waivers";
import { openSessions } from "../operations/verify/aws";
import { collectEstate } from "../operations/verify/collect";
import { LiveEstate } from "../operations/verify/estate";
import { liveDocument } from "../operations/verify/map";
import { Progress, terminalProgress } from "../operations/verify/progress";

export const VERIFY_USAGE = `usage:
  trailgate verify [--role-arn ARN] [--region REGION] [--profile NAME] [--trail NAME|ARN ...]
                   [--format text|json|sarif|junit|github] [--output FILE]
                   [--data overrides.json] [--waivers waivers.json]
                   [--fail-on low|medium|high|critical] [--only IDS] [--skip IDS]
                   [--save-estate FILE | --from-estate FILE] [--trailgate-config FILE] [--expand]

Reads the deployed CloudTrail estate (read-only) and judges it by the same rules as
\`trailgate check\`, plus the runtime rules TG-OPS-001..010. With no arguments it finds
the trails whose home is the account and region the AWS configuration points at, and
follows them to their buckets (and access-log bucket and access points), keys, log
group, metric filters, alarms, alert topics and subscriptions, EventBridge rules, the
trail's CloudWatch role and the region's CloudTrail Lake stores. Findings name live
resources by ARN (bucket settings by the bucket's ARN).

--role-arn     a role in the log-archive account, assumed (STS AssumeRole) with the
               management credentials to read the buckets, their key and access points
--region       default: AWS_REGION / AWS_DEFAULT_REGION / the profile's region
--profile      an AWS profile (default: AWS_PROFILE, else the default credential chain)
--trail        verify only this trail (repeatable); default: every trail homed in the region
--save-estate  also write what was read (JSON) to FILE, as evidence or to re-check offline
--from-estate  judge a saved estate instead of reading AWS (no AWS calls)
--data, --waivers, --fail-on, --only, --skip, --format, --output, --trailgate-config, --expand: as for
               \`trailgate check\`; waivers name resources by ARN, or an ARN prefix ending in *

AWS configuration is the SDK's own: credentials from the environment, profiles, SSO or
instance roles; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (e.g.
AWS_ENDPOINT_URL_S3) for private or emulated endpoints.

A call that is denied or not implemented by the endpoint leaves that part out (a
bucket, its access points, the log group, the alarms, a role, a topic, an account's
EventBridge rules, the Lake stores, a key): it becomes a TG-VER-005 finding naming the
call and the IAM action it needs, and everything else is still judged. Only the trails
themselves, the credentials and the region must be readable.

exit codes: 0 no failing finding, 1 findings at or above --fail-on (a part that could
            not be read is a critical TG-VER-005 finding),
            2 usage error, no credentials or region, the trails could not be read,
            any other AWS failure, or the policy could not be read
`;

interface VerifyOptions extends JudgingOptions {
  failOn: Severity;
  roleArn?: string;
  region?: string;
  profile?: string;
  trails: string[];
  saveEstate?: string;
  fromEstate?: string;
}

const VALUE_OPTIONS = ["--role-arn", "--region", "--profile", "--trail", "--save-estate", "--from-estate", ...JUDGING_VALUE_OPTIONS];

export function parseVerifyArguments(args: string[]): VerifyOptions | "help" {
  const line = parseCommandLine(args, { command: "verify", values: VALUE_OPTIONS, repeatable: ["--trail"], flags: JUDGING_FLAGS, positionals: false });
  if (line.help) return "help";
  const values = line.values;
  const trails = line.lists.get("--trail") ?? [];
  const judging = judgingOptions(line);
  const fromEstate = values.get("--from-estate");
  if (fromEstate) {
    const conflicting = ["--role-arn", "--region", "--profile", "--save-estate"].filter((f) => values.has(f));
    if (trails.length > 0) conflicting.push("--trail");
    if (conflicting.length > 0) throw new GateInputError(`--from-estate reads no AWS account, so it takes no ${conflicting.join(", ")}`);
  }
  return {
    roleArn: values.get("--role-arn"),
    region: values.get("--region"),
    profile: values.get("--profile"),
    trails,
    ...judging,
    failOn: judging.failOn ?? "low",
    saveEstate: values.get("--save-estate"),
    fromEstate,
  };
}

const ESTATE_LISTS = [
  "trails", "buckets", "keys", "logGroups", "metricFilters", "alarms", "topics", "roles", "eventRules", "accessPoints", "eventDataStores",
] as const;

/** A saved estate must have the shape collect.ts writes; anything else is refused, never half-judged. */
export function readEstateFile(file: string): LiveEstate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new GateInputError(`cannot read estate file ${file}: ${describeError(error)}`);
  }
  const shape = `estate file ${file} is not an estate written by trailgate verify --save-estate`;
  if (!isObject(parsed) || typeof parsed.collectedAt !== "number" || typeof parsed.region !== "string") throw new GateInputError(`${shape} (no collectedAt/region)`);
  const accounts = parsed.accounts;
  if (!isObject(accounts) || !isObject(accounts.management) || typeof accounts.management.accountId !== "string") {
    throw new GateInputError(`${shape} (no accounts.management)`);
  }
  for (const list of ESTATE_LISTS) {
    if (!Array.isArray(parsed[list])) throw new GateInputError(`${shape} (${list} is not a list)`);
  }
  if (typeof parsed.eventDataStoreCount !== "number") throw new GateInputError(`${shape} (no eventDataStoreCount)`);
  if (parsed.unread !== undefined) {
    if (!Array.isArray(parsed.unread)) throw new GateInputError(`${shape} (unread is not a list)`);
    // An unread part that TG-VER-005 could not name would pass silently: refuse it instead.
    parsed.unread.forEach((u, i) => {
      const complete =
        isObject(u) &&
        ["part", "resource", "call", "permission"].every((k) => typeof u[k] === "string") &&
        (u.account === "management" || u.account === "logArchive") &&
        (u.reason === "denied" || u.reason === "not implemented");
      if (!complete) throw new GateInputError(`${shape} (unread[${i}] needs account, part, resource, call, permission and reason)`);
    });
  }
  return parsed as unknown as LiveEstate;
}

export interface VerifyIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The progress line; silent unless stderr is a terminal. */
  progress?: Progress;
}

/** Runs `trailgate verify` and returns its exit code (errors are thrown to the caller). */
export async function verify(args: string[], io: VerifyIo): Promise<number> {
  const options = parseVerifyArguments(args);
  if (options === "help") {
    io.stdout(VERIFY_USAGE);
    return 0;
  }
  // The policy, the rule selection and the waivers first: a broken bundle fails before any AWS call.
  const judgement = {
    dataFile: options.data,
    waiversFile: options.waivers,
    only: options.only,
    skip: options.skip,
    config: projectConfig(options.trailgateConfig, process.cwd()),
  };
  const { bundle, rules, selection, waivers } = prepareJudgement(judgement, "waivers");
  requireJudgeable(rules, selection, ["live"]);

  let estate: LiveEstate;
  if (options.fromEstate) {
    estate = readEstateFile(options.fromEstate);
  } else {
    const progress = io.progress ?? terminalProgress();
    const sessions = await openSessions({ region: options.region, profile: options.profile, roleArn: options.roleArn }, progress);
    try {
      estate = await collectEstate(sessions, { trails: options.trails });
    } finally {
      progress.done();
      sessions.destroy();
    }
    if (options.saveEstate) writeOutputFile(options.saveEstate, `${JSON.stringify(estate, null, 2)}\n`, [options.data, options.waivers]);
  }

  const document = liveDocument(estate);
  const results = evaluateDocuments([document], bundle, waivers, todayUtc(), selection ? rules : undefined);
  const run: GateRun = {
    toolVersion: packageInfo().version,
    rules,
    failOn: options.failOn,
    documents: results,
    ...(selection ? { selection } : {}),
    applied: appliedConfiguration(bundle, waivers, waiversFileOf(judgement), results),
  };
  const report = renderReport(options.format, run, { expand: options.expand });
  if (options.output) writeOutputFile(options.output, report, [options.data, options.waivers, options.fromEstate, options.saveEstate]);
  else io.stdout(report);
  if (options.format !== "text" || options.output) io.stderr(`${summaryLine(run)}\n`);
  if (!options.fromEstate) {
    io.stderr(`trailgate verify: read ${estate.trails.length} trail(s), ${estate.buckets.length} bucket(s), ${estate.alarms.length} alarm(s), ${estate.topics.length} topic(s) in ${estate.apiCalls} API calls\n`);
  }
  const unread = estate.unread ?? [];
  if (unread.length > 0) {
    io.stderr(`trailgate verify: partial verdict: ${unread.length} part(s) could not be read (TG-VER-005): ${unread.map((u) => `${u.part} (${u.permission} ${u.reason})`).join("; ")}\n`);
  }
  return summarize(run).failing > 0 ? 1 : 0;
}

