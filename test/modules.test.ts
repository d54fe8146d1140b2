import "cdktf/lib/testing/adapters/jest";
import { App, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudtrailEventDataStore } from "@cdktf/provider-aws/lib/cloudtrail-event-data-store";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import {
  CIS_MONITORS,
  CloudTrailMonitoring,
  LogArchiveBucket,
  LogArchiveKey,
  OrganizationTrail,
  TrailgateConfig,
  TrailgateStack,
  VpcAccessPoints,
  resolveTrailgateConfig,
} from "../modules";
import { exampleConfig } from "../example-config";

type Synth = Record<string, any>;

const BASE: TrailgateConfig = {
  organizationId: "o-abcdefghij",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
};
const TRAIL_ARN = "arn:aws:cloudtrail:eu-west-2:111111111111:trail/trailgate-org-trail";

function synthStack(config: TrailgateConfig): { json: string; doc: Synth } {
  const app = Testing.app();
  const stack = new TrailgateStack(app, "test", config);
  const json = Testing.synth(stack);
  return { json, doc: JSON.parse(json) };
}

function only<T = Synth>(doc: Synth, type: string): T {
  const byName = doc.resource[type] ?? {};
  const names = Object.keys(byName);
  if (names.length !== 1) throw new Error(`expected one ${type}, found ${names.length}`);
  return byName[names[0]];
}

function named(doc: Synth, type: string, name: string): Synth {
  const resource = doc.resource[type]?.[name];
  if (!resource) throw new Error(`no ${type}.${name}; have ${Object.keys(doc.resource[type] ?? {}).join(", ")}`);
  return resource;
}

const statements = (policy: string) => JSON.parse(policy).Statement as Synth[];
const bySid = (policy: string, sid: string) => {
  const found = statements(policy).find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};

/** A stack holding one construct under test, with a provider to hand it. */
function scaffold(): { app: App; stack: TerraformStack; provider: AwsProvider } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "unit");
  const provider = new AwsProvider(stack, "aws", { region: "eu-west-2" });
  return { app, stack, provider };
}

describe("TrailgateStack with defaults", () => {
  const { json, doc } = synthStack(BASE);

  test("puts every provider in eu-west-2, each pinned to its account", () => {
    const providers = doc.provider.aws as Synth[];
    expect(providers).toHaveLength(2);
    expect(providers.map((p) => p.region)).toEqual(["eu-west-2", "eu-west-2"]);
    expect(providers[0].allowed_account_ids).toEqual(["111111111111"]);
    const logArchive = providers.find((p) => p.alias === "log_archive")!;
    expect(logArchive.assume_role[0].role_arn).toBe("arn:aws:iam::222222222222:role/TrailgateLogArchiveDeployer");
    expect(logArchive.allowed_account_ids).toEqual(["222222222222"]);
  });

  test("organisation trail: every region, global events, validation, KMS, CloudWatch", () => {
    expect(json).toHaveResourceWithProperties(Cloudtrail, {
      name: "trailgate-org-trail",
      is_organization_trail: true,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      s3_bucket_name: "trailgate-cloudtrail-222222222222-eu-west-2",
      kms_key_id: "${aws_kms_key.log_archive_key_key.arn}",
      cloud_watch_logs_group_arn: "arn:aws:logs:eu-west-2:111111111111:log-group:/trailgate/cloudtrail/org-trail:*",
    });
    const trail = only(doc, "aws_cloudtrail");
    expect(trail.advanced_event_selector).toEqual([
      { name: "Management events", field_selector: [{ field: "eventCategory", equals: ["Management"] }] },
    ]);
    expect(trail.insight_selector).toBeUndefined();
    expect(trail.depends_on).toEqual(
      expect.arrayContaining(["aws_s3_bucket_policy.log_archive_bucket_policy", "aws_kms_key.log_archive_key_key"]),
    );
    expect(doc.resource.aws_cloudtrail_event_data_store).toBeUndefined();
  });

  test("the trail's CloudWatch role may only write streams of its own log group", () => {
    const policy = named(doc, "aws_iam_role_policy", "organization_trail_cloudwatch_role_policy").policy as string;
    expect(statements(policy)).toEqual([
      {
        Sid: "WriteTrailLogStreams",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "arn:aws:logs:eu-west-2:111111111111:log-group:/trailgate/cloudtrail/org-trail:log-stream:*",
      },
    ]);
    const assume = bySid(named(doc, "aws_iam_role", "organization_trail_cloudwatch_role").assume_role_policy, "CloudTrailAssumes");
    expect(assume.Condition).toEqual({ StringEquals: { "aws:SourceArn": TRAIL_ARN } });
    // IAM refuses a trust policy with a Resource element (MalformedPolicyDocument).
    expect(assume).not.toHaveProperty("Resource");
  });

  test("log bucket: versioning, SSE-KMS with the CMK and bucket key, public access blocks, Object Lock 365 days", () => {
    const bucket = named(doc, "aws_s3_bucket", "log_archive_bucket");
    expect(bucket).toMatchObject({ bucket: "trailgate-cloudtrail-222222222222-eu-west-2", object_lock_enabled: true, provider: "aws.log_archive" });
    expect(named(doc, "aws_s3_bucket_versioning", "log_archive_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(named(doc, "aws_s3_bucket_server_side_encryption_configuration", "log_archive_bucket_encryption").rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.log_archive_key_key.arn}" },
        bucket_key_enabled: true,
      },
    ]);
    for (const name of ["log_archive_bucket_public_access_block", "log_archive_access_logs_public_access_block"]) {
      expect(named(doc, "aws_s3_bucket_public_access_block", name)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    }
    expect(only(doc, "aws_s3_bucket_object_lock_configuration").rule).toEqual({ default_retention: { mode: "COMPLIANCE", days: 365 } });
  });

  test("lifecycle: Glacier IR at 90 days, expiry at seven years, never below 365, noncurrent versions expire", () => {
    const rule = named(doc, "aws_s3_bucket_lifecycle_configuration", "log_archive_lifecycle").rule[0];
    expect(rule.transition).toEqual([{ days: 90, storage_class: "GLACIER_IR" }]);
    expect(rule.expiration).toEqual([{ days: 2557 }]);
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 2557 }]);
    expect(rule.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
  });

  test("bucket policy: only CloudTrail writes, scoped to this trail and the org and management prefixes; TLS only", () => {
    const policy = named(doc, "aws_s3_bucket_policy", "log_archive_bucket_policy").policy as string;
    const bucketArn = "arn:aws:s3:::trailgate-cloudtrail-222222222222-eu-west-2";
    expect(bySid(policy, "CloudTrailAclCheck")).toEqual({
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
    });
    const write = bySid(policy, "CloudTrailWrite");
    expect(write.Action).toBe("s3:PutObject");
    expect(write.Resource).toEqual([`${bucketArn}/AWSLogs/111111111111/*`, `${bucketArn}/AWSLogs/o-abcdefghij/*`]);
    expect(write.Condition.StringEquals).toEqual({ "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" });
    expect(bySid(policy, "DenyInsecureTransport")).toMatchObject({
      Effect: "Deny",
      Action: "s3:*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    // Reads that do not come through an access point of the log-archive account are denied (TG-LP-016).
    expect(bySid(policy, "DenyReadsNotThroughAccessPoints")).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { StringNotEquals: { "s3:DataAccessPointAccount": "222222222222" } },
    });
    // No access points configured: no delegation statement.
    expect(statements(policy).map((s) => s.Sid)).toEqual(["CloudTrailAclCheck", "CloudTrailWrite", "DenyReadsNotThroughAccessPoints", "DenyInsecureTransport"]);
  });

  test("access-log bucket: SSE-S3 (the only encryption S3 log delivery supports), no Object Lock default, logging service only", () => {
    expect(named(doc, "aws_s3_bucket_server_side_encryption_configuration", "log_archive_access_logs_encryption").rule[0]
      .apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    expect(Object.keys(doc.resource.aws_s3_bucket_object_lock_configuration)).toEqual(["log_archive_bucket_object_lock"]);
    const delivery = bySid(named(doc, "aws_s3_bucket_policy", "log_archive_access_logs_policy").policy, "S3ServerAccessLogsDelivery");
    expect(delivery.Principal).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(delivery.Condition.ArnEquals).toEqual({ "aws:SourceArn": "arn:aws:s3:::trailgate-cloudtrail-222222222222-eu-west-2" });
    expect(only(doc, "aws_s3_bucket_logging")).toMatchObject({
      bucket: "${aws_s3_bucket.log_archive_bucket.id}",
      target_bucket: "${aws_s3_bucket.log_archive_access_logs.id}",
      depends_on: ["aws_s3_bucket_policy.log_archive_access_logs_policy"],
    });
  });

  test("log key: rotation, admins cannot decrypt, CloudTrail only GenerateDataKey* with trail context", () => {
    const key = named(doc, "aws_kms_key", "log_archive_key_key");
    expect(key.enable_key_rotation).toBe(true);
    const policy = key.policy as string;
    const admin = bySid(policy, "KeyAdministration");
    expect(admin.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root"] });
    expect(admin.Action).not.toContain("kms:Decrypt");
    expect(admin.Action).not.toContain("kms:*");
    expect(bySid(policy, "CloudTrailEncryptLogs")).toMatchObject({
      Action: "kms:GenerateDataKey*",
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN, "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL_ARN } },
    });
    // No readers configured: nobody may decrypt.
    expect(statements(policy).some((s) => [s.Action].flat().includes("kms:Decrypt"))).toBe(false);
  });

  test("monitoring: encrypted log group kept 365 days, the full CIS set with alarms into KMS-encrypted tier topics", () => {
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/trailgate/cloudtrail/org-trail",
      retention_in_days: 365,
      kms_key_id: "${aws_kms_key.monitoring_key.arn}",
    });
    // The monitors' filters and alarms; the delivery heartbeat is tested in
    // test/runtime-constructs.test.ts, the UK operations alerts in test/uk-alerts.test.ts.
    const monitoring = ([id]: [string, Synth]) => id.startsWith("monitoring_");
    const filters = Object.entries(doc.resource.aws_cloudwatch_log_metric_filter as Record<string, Synth>).filter(monitoring).map(([, f]) => f);
    const alarms = Object.entries(doc.resource.aws_cloudwatch_metric_alarm as Record<string, Synth>).filter(monitoring).map(([, a]) => a);
    expect(filters).toHaveLength(CIS_MONITORS.length);
    expect(alarms).toHaveLength(CIS_MONITORS.length);
    for (const monitor of CIS_MONITORS) {
      const filter = named(doc, "aws_cloudwatch_log_metric_filter", `monitoring_${monitor.id.replace(/-/g, "_")}_filter`);
      expect(filter.pattern).toBe(monitor.pattern);
      const alarm = named(doc, "aws_cloudwatch_metric_alarm", `monitoring_${monitor.id.replace(/-/g, "_")}_alarm`);
      expect(alarm).toMatchObject({
        metric_name: filter.metric_transformation.name,
        namespace: filter.metric_transformation.namespace,
        threshold: 1,
        alarm_actions: [`\${aws_sns_topic.monitoring_${monitor.tier}_topic.arn}`],
      });
    }
    const periods = Object.fromEntries(alarms.map((a) => [a.alarm_name, a.period]));
    expect(periods["trailgate-root-account-usage"]).toBe(60);
    // 5 minutes of CloudTrail delivery + the period = the tier's deadline (TG-ALR-009): warning 30, security groups 15.
    expect(periods["trailgate-unauthorized-api-calls"]).toBe(1500);
    expect(periods["trailgate-security-group-changes"]).toBe(600);
    expect(periods["trailgate-iam-policy-changes"]).toBe(60);
    expect(periods["trailgate-vpc-changes"]).toBe(86400);
    const topics = Object.values(doc.resource.aws_sns_topic) as Synth[];
    expect(topics.map((t) => t.name).sort()).toEqual(["trailgate-alerts-critical", "trailgate-alerts-info", "trailgate-alerts-warning"]);
    for (const topic of topics) expect(topic.kms_master_key_id).toBe("${aws_kms_key.monitoring_key.arn}");
  });

  test("the seed's three monitors are present: root login, IAM create/delete, security groups", () => {
    const patterns = (Object.values(doc.resource.aws_cloudwatch_log_metric_filter) as Synth[]).map((f) => f.pattern as string);
    expect(patterns.some((p) => p.includes('$.userIdentity.type = "Root"'))).toBe(true);
    expect(patterns.some((p) => p.includes("CreateUser") && p.includes("DeleteRole"))).toBe(true);
    expect(patterns.some((p) => p.includes("AuthorizeSecurityGroupIngress"))).toBe(true);
  });

  test("stable, readable resource addresses", () => {
    expect(Object.keys(doc.resource.aws_s3_bucket).sort()).toEqual(["log_archive_access_logs", "log_archive_bucket"]);
    expect(Object.keys(doc.resource.aws_cloudtrail)).toEqual(["organization_trail_trail"]);
  });
});

describe("TrailgateStack props", () => {
  test("the example config synthesizes with access points, data events, Insights and Lake on its own key", () => {
    const { json, doc } = synthStack(exampleConfig);
    expect(json).toHaveResourceWithProperties(S3AccessPoint, {
      name: "security-tooling",
      account_id: "222222222222",
      vpc_configuration: { vpc_id: "vpc-0a1b2c3d4e5f60718" },
    });
    const trail = only(doc, "aws_cloudtrail");
    expect(trail.insight_selector).toEqual([{ insight_type: "ApiCallRateInsight" }, { insight_type: "ApiErrorRateInsight" }]);
    expect(trail.advanced_event_selector[0].field_selector).toEqual([{ field: "eventCategory", equals: ["Management"] }]);
    expect(trail.advanced_event_selector[1].field_selector[2]).toEqual({
      field: "resources.ARN",
      starts_with: ["arn:aws:s3:::example-customer-data-eu-west-2/"],
    });
    expect(json).toHaveResourceWithProperties(CloudtrailEventDataStore, { retention_period: 2555, organization_enabled: true, multi_region_enabled: true });
    expect(only(doc, "aws_cloudtrail_event_data_store").kms_key_id).toBe("${aws_kms_key.organization_trail_lake_key.arn}");
    // AWS does not support aws:SourceArn / aws:SourceAccount in event data store key
    // policies: CloudTrail's grant is confined by its two actions and a dedicated key.
    const lakeGrant = bySid(named(doc, "aws_kms_key", "organization_trail_lake_key").policy, "CloudTrailLakeEncryptsTheStore");
    expect(lakeGrant.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
    expect(lakeGrant.Action).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
    expect(lakeGrant.Condition).toBeUndefined();
    expect(only(doc, "aws_cloudtrail").kms_key_id).not.toBe("${aws_kms_key.organization_trail_lake_key.arn}");
    const bucketPolicy = named(doc, "aws_s3_bucket_policy", "log_archive_bucket_policy").policy;
    expect(bySid(bucketPolicy, "DelegateReadsToAccessPoints").Condition).toEqual({ StringEquals: { "s3:DataAccessPointAccount": "222222222222" } });
    const readers = bySid(named(doc, "aws_kms_key", "log_archive_key_key").policy, "ReadersDecryptThroughS3");
    expect(readers.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:role/SecurityAuditReader"] });
    expect(readers.Condition.StringEquals).toEqual({ "kms:ViaService": "s3.eu-west-2.amazonaws.com" });
    expect(doc.variable.critical_alert_emails.default).toEqual(["security-oncall@example.co.uk"]);
    expect(named(doc, "aws_sns_topic_subscription", "monitoring_critical_email").for_each).toBe("${toset(var.critical_alert_emails)}");
    expect(doc.provider.aws[0].default_tags).toEqual([{ tags: exampleConfig.tags }]);
  });

  test("retention, region, prefix and Object Lock mode come from the one config object", () => {
    const { doc } = synthStack({
      ...BASE,
      region: "eu-west-1",
      namePrefix: "acme",
      retention: { objectLockDays: 730, objectLockMode: "GOVERNANCE", logExpiryDays: 3650, transitionToGlacierDays: 180, logGroupRetentionDays: 0 },
    });
    expect((doc.provider.aws as Synth[]).map((p) => p.region)).toEqual(["eu-west-1", "eu-west-1"]);
    expect(only(doc, "aws_s3_bucket_object_lock_configuration").rule).toEqual({ default_retention: { mode: "GOVERNANCE", days: 730 } });
    const rule = named(doc, "aws_s3_bucket_lifecycle_configuration", "log_archive_lifecycle").rule[0];
    expect(rule.expiration).toEqual([{ days: 3650 }]);
    expect(rule.transition).toEqual([{ days: 180, storage_class: "GLACIER_IR" }]);
    expect(only(doc, "aws_cloudwatch_log_group").retention_in_days).toBe(0);
    expect(only(doc, "aws_cloudtrail").name).toBe("acme-org-trail");
    expect(named(doc, "aws_s3_bucket", "log_archive_bucket").bucket).toBe("acme-cloudtrail-222222222222-eu-west-1");
  });

  test.each<[string, Partial<TrailgateConfig>, RegExp]>([
    ["bad organisation id", { organizationId: "org-1" }, /organizationId must look like "o-"/],
    ["bad account id", { managementAccountId: "1234" }, /managementAccountId must be a 12-digit/],
    ["same accounts", { logArchiveAccountId: "111111111111" }, /must differ from managementAccountId/],
    ["short Object Lock", { retention: { objectLockDays: 90 } }, /retention.objectLockDays must be a whole number of days >= 365 \(got 90\)/],
    ["expiry before lock ends", { retention: { objectLockDays: 400, logExpiryDays: 380 } }, /retention.logExpiryDays must be a whole number of days >= 400/],
    ["log group below a year", { retention: { logGroupRetentionDays: 180 } }, /retention.logGroupRetentionDays must be a whole number of days >= 365/],
    ["log group value CloudWatch refuses", { retention: { logGroupRetentionDays: 500 } }, /must be one of CloudWatch's values/],
    ["transition after expiry", { retention: { transitionToGlacierDays: 3000 } }, /transitionToGlacierDays must be a whole number >= 30 and below logExpiryDays/],
    ["bad reader ARN", { readerRoleArns: ["arn:aws:iam::222222222222:user/bob"] }, /readerRoleArns\[0\] must be an IAM role ARN/],
    ["access point without VPC id", { accessPoints: [{ name: "ap1", vpcId: "", readerRoleArns: ["arn:aws:iam::222222222222:role/R"] }] }, /accessPoints\[0\].vpcId must be a VPC id/],
    ["access point without readers", { accessPoints: [{ name: "ap1", vpcId: "vpc-0a1b2c3d", readerRoleArns: [] }] }, /accessPoints\[0\].readerRoleArns must name at least one reader role/],
    ["bad e-mail", { alertEmails: { critical: ["not-an-address"] } }, /alertEmails.critical\[0\] is not an e-mail address/],
    ["Lake below a year", { lake: { retentionDays: 90 } }, /lake.retentionDays must be a whole number of days >= 365/],
    ["Lake beyond the provider's range", { lake: { retentionDays: 3000 } }, /lake.retentionDays must be <= 2555/],
    ["bad prefix", { namePrefix: "Trail_Gate" }, /namePrefix must be 2-21 lowercase/],
  ])("rejects %s with a clear error", (_name, change, message) => {
    expect(() => resolveTrailgateConfig({ ...BASE, ...change })).toThrow(message);
  });

  test("data events on the trail's own bucket are refused (they would log their own writes)", () => {
    expect(() => synthStack({ ...BASE, s3DataEventBuckets: ["trailgate-cloudtrail-222222222222-eu-west-2"] })).toThrow(
      /must not include the trail's own bucket/,
    );
  });
});

describe("constructs on their own", () => {
  test("LogArchiveKey: reader decrypt only through S3; refuses a short deletion window and an aws/ alias", () => {
    const { stack, provider } = scaffold();
    new LogArchiveKey(stack, "key", { provider, region: "eu-west-2", keyAccountId: "222222222222", trailArn: TRAIL_ARN, aliasName: "logs", readerRoleArns: ["arn:aws:iam::222222222222:role/R"], adminRoleArns: ["arn:aws:iam::222222222222:role/KeyAdmin"] });
    const doc = JSON.parse(Testing.synth(stack));
    const policy = only(doc, "aws_kms_key").policy;
    expect(bySid(policy, "KeyAdministration").Principal.AWS).toEqual(["arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:role/KeyAdmin"]);
    expect(bySid(policy, "ReadersDecryptThroughS3").Action).toBe("kms:Decrypt");
    expect(only(doc, "aws_kms_alias").name).toBe("alias/logs");
    expect(() => new LogArchiveKey(stack, "k2", { provider, region: "eu-west-2", keyAccountId: "222222222222", trailArn: TRAIL_ARN, aliasName: "x", deletionWindowDays: 3 })).toThrow(/deletionWindowDays must be 7-30/);
    expect(() => new LogArchiveKey(stack, "k3", { provider, region: "eu-west-2", keyAccountId: "222222222222", trailArn: TRAIL_ARN, aliasName: "aws/s3" })).toThrow(/must be letters, digits/);
  });

  test("CloudTrailMonitoring: a monitor's own period must be whole minutes (metric filters publish one-minute data)", () => {
    const { stack, provider } = scaffold();
    const monitoring = (id: string, periodSeconds: number) =>
      new CloudTrailMonitoring(stack, id, {
        provider, region: "eu-west-2", accountId: "111111111111", namePrefix: id, logGroupName: `/${id}`,
        monitors: [{ ...CIS_MONITORS[0], periodSeconds }],
      });
    expect(() => monitoring("m30", 30)).toThrow(/monitor unauthorized-api-calls periodSeconds must be a multiple of 60/);
    expect(() => monitoring("m90", 90)).toThrow(/multiple of 60/);
    expect(monitoring("m300", 300).alarms).toHaveLength(1);
    const alarm = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_cloudwatch_metric_alarm as Record<string, Synth>).find((a) => a.alarm_name === "m300-unauthorized-api-calls");
    expect(alarm?.period).toBe(300);
  });

  test("LogArchiveBucket: refuses short Object Lock, expiry before the lock ends, one bucket for both, bad names", () => {
    const { stack, provider } = scaffold();
    const props = {
      provider,
      bucketName: "logs-bucket",
      accessLogBucketName: "access-logs-bucket",
      logArchiveAccountId: "222222222222",
      managementAccountId: "111111111111",
      organizationId: "o-abcdefghij",
      trailArn: TRAIL_ARN,
      kmsKeyArn: "arn:aws:kms:eu-west-2:222222222222:key/1234",
    };
    new LogArchiveBucket(stack, "ok", props);
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(json).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, { rule: { default_retention: { mode: "COMPLIANCE", days: 365 } } });
    expect(json).toHaveResourceWithProperties(S3BucketLoggingA, { target_prefix: "access-logs/" });
    expect(json).toHaveResource(S3BucketLifecycleConfiguration);
    expect(json).toHaveResource(S3BucketPublicAccessBlock);
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: props.kmsKeyArn }, bucket_key_enabled: true }],
    });
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket: "logs-bucket", object_lock_enabled: true });
    expect(() => new LogArchiveBucket(stack, "a", { ...props, objectLockDays: 30 })).toThrow(/objectLockDays must be a whole number of days >= 365/);
    expect(() => new LogArchiveBucket(stack, "b", { ...props, objectLockDays: 500, expireAfterDays: 400 })).toThrow(/expireAfterDays must be a whole number of days >= 500/);
    expect(() => new LogArchiveBucket(stack, "c", { ...props, accessLogBucketName: "logs-bucket" })).toThrow(/different bucket/);
    expect(() => new LogArchiveBucket(stack, "d", { ...props, bucketName: "Logs_Bucket" })).toThrow(/not a valid S3 bucket name/);
  });

  test("VpcAccessPoints: VPC-only, all public access blocks, read-only policy for named readers", () => {
    const { stack, provider } = scaffold();
    new VpcAccessPoints(stack, "ap", {
      provider,
      region: "eu-west-2",
      accountId: "222222222222",
      bucketName: "logs-bucket",
      accessPoints: [{ name: "siem", vpcId: "vpc-0a1b2c3d", readerRoleArns: ["arn:aws:iam::222222222222:role/Siem"] }],
    });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(S3AccessPoint, {
      bucket: "logs-bucket",
      vpc_configuration: { vpc_id: "vpc-0a1b2c3d" },
      public_access_block_configuration: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    });
    const policy = only(JSON.parse(json), "aws_s3_access_point").policy;
    expect(statements(policy)).toEqual([
      {
        Sid: "ReadersReadLogs",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222222222222:role/Siem"] },
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        Resource: ["arn:aws:s3:eu-west-2:222222222222:accesspoint/siem", "arn:aws:s3:eu-west-2:222222222222:accesspoint/siem/object/*"],
      },
    ]);
    expect(() => new VpcAccessPoints(stack, "bad", { provider, region: "eu-west-2", accountId: "222222222222", bucketName: "b", accessPoints: [{ name: "x1", vpcId: "", readerRoleArns: ["arn:aws:iam::222222222222:role/R"] }] })).toThrow(/needs a vpcId/);
  });

  test("OrganizationTrail: non-org trail option, exclusions validated, CloudTrail changes never excluded", () => {
    const { stack, provider } = scaffold();
    const props = { provider, trailName: "trail-one", region: "eu-west-2", managementAccountId: "111111111111", bucketName: "b1", kmsKeyArn: "arn:aws:kms:eu-west-2:2:key/k", logGroupName: "/lg", dependsOn: [] };
    new OrganizationTrail(stack, "trail", { ...props, organizationTrail: false });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Cloudtrail, { is_organization_trail: false, is_multi_region_trail: true });
    expect(Testing.synth(stack)).toHaveResource(IamRolePolicy);
    expect(() => new OrganizationTrail(stack, "x", { ...props, excludeManagementEventSources: ["cloudtrail.amazonaws.com"] })).toThrow(/must always be recorded/);
    expect(() => new OrganizationTrail(stack, "y", { ...props, excludeManagementEventSources: ["kms"] })).toThrow(/not an event source/);
    expect(() => new OrganizationTrail(stack, "w", { ...props, excludeManagementEventSources: ["iam.amazonaws.com"] })).toThrow(/exclude only kms.amazonaws.com and rdsdata.amazonaws.com/);
    new OrganizationTrail(stack, "v", { ...props, trailName: "trail-two", excludeManagementEventSources: ["rdsdata.amazonaws.com"] });
    expect(() => new OrganizationTrail(stack, "z", { ...props, trailName: "x" })).toThrow(/trailName "x" must be 3-128/);
  });

  test("CloudTrailMonitoring: tier overrides move a monitor; unknown overrides and short retention are refused", () => {
    const { stack, provider } = scaffold();
    new CloudTrailMonitoring(stack, "mon", { provider, region: "eu-west-2", accountId: "111111111111", namePrefix: "tg", logGroupName: "/lg", tierOverrides: { "vpc-changes": "critical" } });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "tg-vpc-changes", period: 60 });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "tg-nacl-changes", period: 86400 });
    expect(json).toHaveResourceWithProperties(CloudwatchLogMetricFilter, { name: "tg-root-account-usage" });
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(json).toHaveResourceWithProperties(SnsTopic, { name: "tg-alerts-info" });
    expect(() => new CloudTrailMonitoring(stack, "m2", { provider, region: "eu-west-2", accountId: "111111111111", namePrefix: "tg", logGroupName: "/lg2", tierOverrides: { nope: "info" } })).toThrow(/unknown monitor "nope"/);
    expect(() => new CloudTrailMonitoring(stack, "m3", { provider, region: "eu-west-2", accountId: "111111111111", namePrefix: "tg", logGroupName: "/lg3", retentionDays: 90 })).toThrow(/retentionDays must be a whole number of days >= 365/);
  });
});
