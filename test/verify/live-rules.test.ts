/**
 * trailgate verify without AWS: a live estate as verify read it from the example app
 * applied to moto (fixtures/example-estate.json, written by `--save-estate`) is mapped
 * to the normalised input and judged by the real WASM bundle. The example passes; each
 * runtime fault and each drift fails with exactly its rule, on the live ARN; and the
 * WASM results equal `opa eval` on the Rego sources, messages included.
 */
import * as fs from "fs";
import * as path from "path";
import { loadPolicyBundle, Violation } from "../../gate/policy";
import { LiveEstate } from "../../operations/verify/estate";
import { liveDocument, topicTier } from "../../operations/verify/map";
import { EvaluatedCase, expectOpaEvalAgrees } from "../helpers/opa-differential";

const FIXTURE = path.join(__dirname, "fixtures", "example-estate.json");
const bundle = loadPolicyBundle();

const evaluated: EvaluatedCase[] = [];

function estate(): LiveEstate {
  return JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
}

function judge(e: LiveEstate): Violation[] {
  const input = liveDocument(e).input;
  const found = bundle.evaluate(input);
  evaluated.push({ name: `${expect.getState().currentTestName}`, input: bundle.policyInput(input), wasm: found });
  return found;
}

const base = estate();
const trailArn = base.trails[0].arn;
const logBucket = base.trails[0].s3BucketName!;
const bucketArn = `arn:aws:s3:::${logBucket}`;
const criticalTopic = base.topics.find((t) => t.name.endsWith("-alerts-critical"))!.arn;
const minutesAgo = (e: LiveEstate, minutes: number) => e.collectedAt - minutes * 60;

test("the example estate, read from moto after apply, passes with zero violations", () => {
  expect(judge(estate())).toEqual([]);
});

describe("the live document", () => {
  const input = liveDocument(estate()).input;
  const all = Object.values(input.resources).flat();

  test("is format live, one provider per account read, each resource addressed by its ARN", () => {
    expect(input.format).toBe("live");
    expect(input.providers.map((p) => [p.address, p.region])).toEqual([
      ["provider.aws", "eu-west-2"],
      ["provider.aws.log_archive", "eu-west-2"],
    ]);
    for (const r of all) expect(r.address).toMatch(/^arn:aws:/);
    expect(input.resources.aws_cloudtrail.map((r) => r.address)).toEqual([trailArn]);
    // Bucket settings carry the bucket's ARN, so a finding on them names the bucket.
    for (const type of ["aws_s3_bucket_policy", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block"]) {
      expect(input.resources[type].map((r) => r.address).sort()).toEqual(base.buckets.map((b) => `arn:aws:s3:::${b.name}`).sort());
    }
  });

  test("joins like the normaliser: the trail to its bucket, key, log group and role; configurations to their bucket", () => {
    const trail = input.resources.aws_cloudtrail[0];
    expect(trail.refs.s3_bucket_name).toEqual([bucketArn]);
    expect(trail.refs.kms_key_id).toEqual([base.trails[0].kmsKeyId]);
    expect(trail.refs.cloud_watch_logs_group_arn).toEqual([base.logGroups[0].arn]);
    expect(trail.refs.cloud_watch_logs_role_arn).toEqual([base.roles[0].arn]);
    const logging = input.resources.aws_s3_bucket_logging[0];
    expect(logging.refs).toEqual({ bucket: [bucketArn], target_bucket: [`arn:aws:s3:::${base.buckets[0].logging!.targetBucket}`] });
    expect(input.resources.aws_s3_bucket_policy.every((p) => p.policies.policy.Statement.length > 0)).toBe(true);
    expect(trail.region).toBe("eu-west-2");
    expect(input.resources.aws_s3_bucket.find((b) => b.address === bucketArn)!.provider).toBe("provider.aws.log_archive");
  });

  test("carries the runtime the TG-OPS rules read", () => {
    const runtime = input.runtime as Record<string, any>;
    expect(runtime.collected_at).toBe(base.collectedAt);
    expect(runtime.trails[0]).toMatchObject({ resource: trailArn, is_logging: true, delivers_to_cloudwatch_logs: true, log_file_validation: true });
    expect(runtime.topics.map((t: any) => t.tier).sort()).toEqual(["critical", "info", "warning"]);
    expect(runtime.event_data_store_count).toBe(1);
  });

  test("an alert topic's tier comes from its tag, else its name", () => {
    expect(topicTier("anything", { "trailgate:alert-tier": "critical" })).toBe("critical");
    expect(topicTier("acme-alerts-warning", {})).toBe("warning");
    expect(topicTier("security-pager", {})).toBeNull();
  });
});

/** alertPaths: the TG-ALR rules the same fault breaks for the monitors whose path it cuts. */
type Fault = [rule: string, what: string, resource: string | ((e: LiveEstate) => string), change: (e: LiveEstate) => void, alertPaths?: string[]];

const RUNTIME_FAULTS: Fault[] = [
  ["TG-OPS-001", "the trail is stopped", trailArn, (e) => Object.assign(e.trails[0].status, { isLogging: false, stopLoggingTime: minutesAgo(e, 3) })],
  ["TG-OPS-002", "no log file delivered for 40 minutes", trailArn, (e) => Object.assign(e.trails[0].status, { latestDeliveryTime: minutesAgo(e, 40) })],
  ["TG-OPS-003", "CloudTrail cannot write to the bucket", trailArn, (e) => Object.assign(e.trails[0].status, { latestDeliveryError: "AccessDenied" })],
  ["TG-OPS-004", "CloudTrail cannot deliver to CloudWatch Logs", trailArn, (e) => Object.assign(e.trails[0].status, { latestCloudWatchLogsDeliveryError: "CloudWatchLogsRoleAssumeFailed" })],
  ["TG-OPS-005", "digest delivery fails", trailArn, (e) => Object.assign(e.trails[0].status, { latestDigestDeliveryError: "KMS.DisabledException" })],
  [
    "TG-OPS-006",
    "a new critical subscriber has not confirmed",
    criticalTopic,
    (e) => e.topics.find((t) => t.arn === criticalTopic)!.subscriptions.push({ arn: "", protocol: "email", endpoint: "new@example.co.uk", pendingConfirmation: true }),
  ],
  ["TG-OPS-007", "the critical tier's subscription is gone", criticalTopic, (e) => (e.topics.find((t) => t.arn === criticalTopic)!.subscriptions = []), ["TG-ALR-008"]],
  [
    "TG-OPS-008",
    "an alarm INSUFFICIENT_DATA for a day",
    (e) => e.alarms.find((a) => a.period === 60)!.arn,
    (e) => Object.assign(e.alarms.find((a) => a.period === 60)!, { state: "INSUFFICIENT_DATA", stateUpdatedAt: minutesAgo(e, 1440) }),
  ],
  ["TG-OPS-009", "the Lake store stopped ingesting", (e) => e.eventDataStores[0].arn, (e) => (e.eventDataStores[0].status = "STOPPED_INGESTION")],
  ["TG-OPS-010", "eight of ten Lake stores used", "", (e) => (e.eventDataStoreCount = 8)],
];

/** Edits a live resource's policy document (a JSON string, as the API returns it) statement by statement. */
function editLivePolicy(holder: { policy?: string | null }, edit: (statements: any[]) => any[]): void {
  const document = JSON.parse(holder.policy as string);
  holder.policy = JSON.stringify({ ...document, Statement: edit(document.Statement) });
}

const DRIFTS: Fault[] = [
  ["TG-ENC-001", "the log bucket back on SSE-S3", bucketArn, (e) => (e.buckets.find((b) => b.name === logBucket)!.encryption = [{ sseAlgorithm: "AES256" }])],
  [
    "TG-ENC-001",
    "the log bucket on the AWS-managed aws/s3 key, named by its id",
    bucketArn,
    (e) => {
      e.keys.push({ account: "logArchive", arn: "arn:aws:kms:eu-west-2:222222222222:key/aws-s3", keyId: "aws-s3", keyManager: "AWS", rotationEnabled: true, policy: null });
      e.buckets.find((b) => b.name === logBucket)!.encryption = [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: "aws-s3" }];
    },
  ],
  ["TG-ENC-002", "rotation switched off on the log key", (e) => e.trails[0].kmsKeyId!, (e) => (e.keys.find((k) => k.arn === e.trails[0].kmsKeyId)!.rotationEnabled = false)],
  ["TG-RET-002", "Object Lock default retention cut to 30 days", bucketArn, (e) => (e.buckets.find((b) => b.name === logBucket)!.objectLockDefaultRetention = { mode: "COMPLIANCE", days: 30 })],
  ["TG-RET-003", "versioning suspended on the log bucket", bucketArn, (e) => (e.buckets.find((b) => b.name === logBucket)!.versioning = "Suspended")],
  ["TG-RET-004", "the log group kept 30 days", (e) => e.logGroups[0].arn, (e) => (e.logGroups[0].retentionInDays = 30)],
  ["TG-LP-006", "the access point opened to the internet", (e) => e.accessPoints[0].arn, (e) => Object.assign(e.accessPoints[0], { networkOrigin: "Internet", vpcId: undefined })],
  ["TG-LP-007", "a public access block switched off", bucketArn, (e) => (e.buckets.find((b) => b.name === logBucket)!.publicAccessBlock!.restrictPublicBuckets = false)],
  [
    "TG-LP-010",
    "the live bucket policy's CloudTrail write grant edited to name another trail",
    bucketArn,
    (e) => editLivePolicy(e.buckets.find((b) => b.name === logBucket)!, (st) => st.map((x) => (x.Sid === "CloudTrailWrite" ? { ...x, Condition: { StringEquals: { ...x.Condition.StringEquals, "aws:SourceArn": "arn:aws:cloudtrail:eu-west-2:111111111111:trail/another" } } } : x))),
  ],
  ["TG-LP-016", "the live bucket policy's deny of reads around the access points removed", bucketArn, (e) => editLivePolicy(e.buckets.find((b) => b.name === logBucket)!, (st) => st.filter((x) => x.Sid !== "DenyReadsNotThroughAccessPoints"))],
  [
    "TG-ENC-006",
    "the live TLS deny narrowed to another bucket",
    bucketArn,
    (e) => editLivePolicy(e.buckets.find((b) => b.name === logBucket)!, (st) => st.map((x) => (x.Sid === "DenyInsecureTransport" ? { ...x, Resource: ["arn:aws:s3:::another-bucket", "arn:aws:s3:::another-bucket/*"] } : x))),
  ],
  ["TG-LOG-001", "the trail made single-region", trailArn, (e) => (e.trails[0].isMultiRegionTrail = false)],
  ["TG-LOG-003", "log file validation switched off", trailArn, (e) => (e.trails[0].logFileValidationEnabled = false)],
  [
    "TG-LOG-006",
    "server access logging switched off",
    bucketArn,
    (e) => {
      const logs = e.buckets.find((b) => b.name === logBucket)!;
      // verify reaches the access-log bucket only through the logging setting, so it is not read either.
      e.buckets = e.buckets.filter((b) => b.name !== logs.logging!.targetBucket);
      logs.logging = null;
    },
  ],
  ["TG-LOG-008", "the trail deleted", "", (e) => (e.trails = [])],
  [
    "TG-LOG-014",
    "the heartbeat set to treat missing data as not breaching",
    (e) => e.alarms.find((a) => a.namespace === "AWS/Logs")!.arn,
    (e) => (e.alarms.find((a) => a.namespace === "AWS/Logs")!.treatMissingData = "notBreaching"),
  ],
  ["TG-LOG-015", "the trail tamper rule disabled", trailArn, (e) => (e.eventRules.find((r) => r.account === "management")!.state = "DISABLED")],
];

test.each([...RUNTIME_FAULTS, ...DRIFTS])("%s: %s", (rule, _what, resource, change, alertPaths = []) => {
  const e = estate();
  change(e);
  const found = judge(e);
  const wanted = typeof resource === "function" ? resource(e) : resource;
  expect(found.filter((v) => v.id === rule).map((v) => [v.id, v.resource])).toEqual([[rule, wanted]]);
  expect([...new Set(found.map((v) => v.id))].sort()).toEqual([rule, ...alertPaths].sort());
  expect(found[0].message.length).toBeGreaterThan(20);
});

/** The alert paths on live input: each fault cuts the path of the monitors it names, at its link. */
const rootAlarm = (e: LiveEstate) => e.alarms.find((a) => a.name === "trailgate-root-account-usage")!;
const ALERT_PATH_FAULTS: Array<[string, string, (e: LiveEstate) => string, (e: LiveEstate) => void, number]> = [
  ["TG-ALR-003", "the trail's log group in the INFREQUENT_ACCESS class", (e) => e.logGroups[0].arn, (e) => (e.logGroups[0].logGroupClass = "INFREQUENT_ACCESS"), 15],
  ["TG-ALR-005", "the root-usage filter publishing a dimension its alarm does not read", (e) => rootAlarm(e).arn, (e) => (e.metricFilters.find((f) => f.name === "trailgate-root-account-usage")!.transformations[0].dimensions = { User: "$.userIdentity.arn" }), 1],
  ["TG-ALR-005", "the root-usage alarm reading unit Count while the filter publishes None", (e) => rootAlarm(e).arn, (e) => (rootAlarm(e).unit = "Count"), 1],
  [
    "TG-ALR-006",
    "the root-usage alarm on the p90 of a filter with a default value",
    (e) => rootAlarm(e).arn,
    (e) => {
      rootAlarm(e).extendedStatistic = "p90";
      e.metricFilters.find((f) => f.name === "trailgate-root-account-usage")!.transformations[0].defaultValue = 0;
    },
    1,
  ],
  ["TG-ALR-006", "the root-usage alarm on LessThanThreshold 0", (e) => rootAlarm(e).arn, (e) => Object.assign(rootAlarm(e), { comparisonOperator: "LessThanThreshold", threshold: 0 }), 1],
  ["TG-ALR-007", "the root-usage alarm notifying the warning topic", (e) => rootAlarm(e).arn, (e) => (rootAlarm(e).alarmActions = [criticalTopic.replace(/critical$/, "warning")]), 1],
  ["TG-ALR-009", "the root-usage alarm on a 15-minute period", (e) => rootAlarm(e).arn, (e) => (rootAlarm(e).period = 900), 1],
];

test.each(ALERT_PATH_FAULTS)("%s (live): %s", (rule, _what, resource, change, monitors) => {
  const e = estate();
  change(e);
  const found = judge(e);
  expect(found.map((v) => v.id)).toEqual(Array(monitors).fill(rule));
  expect(new Set(found.map((v) => v.resource))).toEqual(new Set([resource(e)]));
});

test("TG-ALR-008 (live): a critical subscriber who has not confirmed yet pages nobody", () => {
  const e = estate();
  for (const s of e.topics.find((t) => t.arn === criticalTopic)!.subscriptions) s.pendingConfirmation = true;
  const ids = new Set(judge(e).map((v) => v.id));
  expect(ids).toEqual(new Set(["TG-OPS-006", "TG-OPS-007", "TG-ALR-008"]));
});

test("every TG-OPS rule is covered by a runtime fault above", () => {
  const covered = new Set(RUNTIME_FAULTS.map(([id]) => id));
  expect(bundle.rules.map((r) => r.id).filter((id) => id.startsWith("TG-OPS-") && !covered.has(id))).toEqual([]);
});

test("a trail that has just started logging is within its grace period (no TG-OPS-002 before the limit)", () => {
  const e = estate();
  Object.assign(e.trails[0].status, { startLoggingTime: minutesAgo(e, 5), latestDeliveryTime: null, latestCloudWatchLogsDeliveryTime: null, latestDigestDeliveryTime: null });
  expect(judge(e)).toEqual([]);
});

test("the WASM bundle and opa eval on the Rego sources agree on every live input above", () => {
  expect(evaluated.length).toBeGreaterThan(RUNTIME_FAULTS.length + DRIFTS.length);
  expectOpaEvalAgrees(evaluated);
});
