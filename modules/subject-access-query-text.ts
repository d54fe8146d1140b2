/**
 * Queries that answer a subject access request from the audit trail: every event of
 * one principal, every access to one bucket (or object prefix), every call from one
 * source IP. The same conditions fill the saved CloudWatch Logs Insights query
 * definitions the constructs create (with placeholders) and the filled-in queries
 * `trailgate subject-access` prints, in Logs Insights and CloudTrail Lake SQL.
 * No AWS SDK and no cdktf here: the gate-only install can print them.
 */
import { isIP } from "net";
import { GateInputError } from "../core/errors";

/** Who or what the request is about. */
export type Subject =
  | { kind: "principal"; value: string }
  | { kind: "bucket"; bucket: string; prefix?: string }
  | { kind: "source-ip"; value: string };

/** The placeholders of the saved query definitions, replaced by hand in the console. */
export const PLACEHOLDERS = {
  principal: "arn:aws:iam::ACCOUNT_ID:role/REPLACE_WITH_ROLE_OR_USER",
  bucket: "REPLACE_WITH_BUCKET_NAME",
  prefix: "REPLACE_WITH_OBJECT_KEY_PREFIX",
  sourceIp: "REPLACE_WITH_SOURCE_IP",
} as const;

/** What each result row shows: when, where, who, what, on which object, and whether it failed. */
const INSIGHTS_FIELDS =
  "@timestamp, recipientAccountId, awsRegion, eventSource, eventName, userIdentity.arn, sourceIPAddress, userAgent, requestParameters.bucketName, requestParameters.key, errorCode";

/** Logs Insights returns at most 10,000 rows per query: a longer answer needs a shorter window. */
export const INSIGHTS_ROW_LIMIT = 10000;

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_\/-]+$/;
const PRINCIPAL_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// S3 keys may hold anything; a prefix here is limited to characters that need no quoting.
const PREFIX = /^[A-Za-z0-9!_.*'()\/=+@,-]{1,1024}$/;

const regexEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");

/** Checks a subject the user typed; every value ends up inside a query string. */
export function validateSubject(subject: Subject): Subject {
  switch (subject.kind) {
    case "principal":
      if (!PRINCIPAL_ARN.test(subject.value) && !PRINCIPAL_NAME.test(subject.value)) {
        throw new GateInputError(`--principal must be an IAM or STS ARN, or a user or role session name (letters, digits, + = , . @ _ -), not "${subject.value}"`);
      }
      return subject;
    case "bucket":
      if (!BUCKET.test(subject.bucket)) throw new GateInputError(`--bucket must be an S3 bucket name, optionally followed by /prefix, not "${subject.bucket}"`);
      if (subject.prefix !== undefined && !PREFIX.test(subject.prefix)) {
        throw new GateInputError(`the object prefix "${subject.prefix}" may hold only letters, digits and ! _ . * ' ( ) / = + @ , -`);
      }
      return subject;
    case "source-ip":
      if (isIP(subject.value) === 0) throw new GateInputError(`--source-ip must be an IPv4 or IPv6 address, not "${subject.value}"`);
      return subject;
  }
}

/** The Logs Insights filter for a subject (values as given: validate first, or placeholders). */
export function insightsFilter(subject: Subject): string {
  switch (subject.kind) {
    case "principal":
      return subject.value.startsWith("arn:")
        ? `userIdentity.arn = "${subject.value}" or userIdentity.sessionContext.sessionIssuer.arn = "${subject.value}"`
        : // A user name, or the session name at the end of an assumed-role ARN (SSO users' e-mail).
          `userIdentity.userName = "${subject.value}" or userIdentity.arn like /\\/${regexEscape(subject.value)}$/`;
    case "bucket":
      return `eventSource = "s3.amazonaws.com" and requestParameters.bucketName = "${subject.bucket}"${
        subject.prefix !== undefined ? ` and requestParameters.key like /^${regexEscape(subject.prefix)}/` : ""
      }`;
    case "source-ip":
      return `sourceIPAddress = "${subject.value}"`;
  }
}

/** A whole Logs Insights query: the subject's events in time order. */
export function insightsQuery(subject: Subject): string {
  return [`fields ${INSIGHTS_FIELDS}`, `| filter ${insightsFilter(subject)}`, "| sort @timestamp asc", `| limit ${INSIGHTS_ROW_LIMIT}`].join("\n");
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The CloudTrail Lake condition for a subject. */
function lakeCondition(subject: Subject): string {
  switch (subject.kind) {
    case "principal":
      return subject.value.startsWith("arn:")
        ? `userIdentity.arn = ${sqlString(subject.value)} OR userIdentity.sessionContext.sessionIssuer.arn = ${sqlString(subject.value)}`
        : `userIdentity.username = ${sqlString(subject.value)} OR userIdentity.arn LIKE ${sqlString(`%/${subject.value}`)}`;
    case "bucket": {
      const bucket = `eventSource = 's3.amazonaws.com' AND element_at(requestParameters, 'bucketName') = ${sqlString(subject.bucket)}`;
      if (subject.prefix === undefined) return bucket;
      const prefix = sqlString(subject.prefix);
      return `${bucket} AND substr(element_at(requestParameters, 'key'), 1, length(${prefix})) = ${prefix}`;
    }
    case "source-ip":
      return `sourceIPAddress = ${sqlString(subject.value)}`;
  }
}

/** "2026-11-01 00:00:00": the timestamp form Lake compares eventTime with (UTC). */
const lakeTime = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");

/** A CloudTrail Lake SQL query over one event data store and the window [from, to). */
export function lakeQuery(subject: Subject, eventDataStoreId: string, from: Date, to: Date): string {
  return [
    "SELECT eventTime, recipientAccountId, awsRegion, eventSource, eventName, userIdentity.arn, sourceIPAddress, userAgent,",
    "  element_at(requestParameters, 'bucketName') AS bucketName, element_at(requestParameters, 'key') AS objectKey, errorCode",
    `FROM ${eventDataStoreId}`,
    `WHERE eventTime >= '${lakeTime(from)}' AND eventTime < '${lakeTime(to)}'`,
    `  AND (${lakeCondition(subject)})`,
    "ORDER BY eventTime",
  ].join("\n");
}

/** The saved query definitions the constructs create: name suffix, what it finds, and its query. */
export const SAVED_QUERIES: ReadonlyArray<{ name: string; description: string; query: string }> = [
  { name: "one-principal", description: "every event of one principal", query: insightsQuery({ kind: "principal", value: PLACEHOLDERS.principal }) },
  { name: "one-bucket", description: "every access to one bucket", query: insightsQuery({ kind: "bucket", bucket: PLACEHOLDERS.bucket }) },
  {
    name: "one-object-prefix",
    description: "every access to one object prefix of a bucket",
    query: insightsQuery({ kind: "bucket", bucket: PLACEHOLDERS.bucket, prefix: PLACEHOLDERS.prefix }),
  },
  { name: "one-source-ip", description: "every call from one source IP address", query: insightsQuery({ kind: "source-ip", value: PLACEHOLDERS.sourceIp }) },
];
