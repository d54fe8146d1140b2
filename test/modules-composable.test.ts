/**
 * Composition in the aws-cdk-lib manner (issue #10): the Trailgate construct in an
 * application's own stack with its own backend and providers, bring-your-own key,
 * buckets and topics, and every construct option reachable from the config.
 */
import { App, S3Backend, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Trailgate, TrailgateConfig, TrailgateStack } from "../modules";

const BASE: TrailgateConfig = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222" };
const KEY_ARN = "arn:aws:kms:eu-west-2:222222222222:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const TOPIC_ARN = "arn:aws:sns:eu-west-2:111111111111:security-pager";

type Synth = Record<string, any>;

function synthStack(config: TrailgateConfig): Synth {
  return JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "t", config)));
}

const all = (doc: Synth, type: string): Synth[] => Object.values(doc.resource[type] ?? {});

describe("Trailgate in an application's own stack", () => {
  test("composes with the stack's own backend and providers; no backend or provider of its own", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "platform");
    new S3Backend(stack, { bucket: "platform-tfstate", key: "audit.tfstate", region: "eu-west-2" });
    const management = new AwsProvider(stack, "aws", { region: "eu-west-2" });
    const logArchive = new AwsProvider(stack, "archive", { alias: "archive", region: "eu-west-2" });
    const trailgate = new Trailgate(stack, "audit", { config: BASE, providers: { management, logArchive } });
    const doc = JSON.parse(Testing.synth(stack));
    expect(Object.keys(doc.terraform.backend)).toEqual(["s3"]);
    expect(doc.provider.aws).toHaveLength(2);
    expect(all(doc, "aws_cloudtrail")).toHaveLength(1);
    expect(all(doc, "aws_s3_bucket").every((bucket) => bucket.provider === "aws.archive")).toBe(true);
    expect(doc.variable).toBeUndefined();
    expect(trailgate.logBucketName).toBe("trailgate-cloudtrail-222222222222-eu-west-2");
  });

  test("TrailgateStack sets no backend, so a team adds its own without a clash", () => {
    const stack = new TrailgateStack(Testing.app(), "t", BASE);
    expect(JSON.parse(Testing.synth(stack)).terraform.backend).toBeUndefined();
    new S3Backend(stack, { bucket: "platform-tfstate", key: "audit.tfstate", region: "eu-west-2" });
    expect(Object.keys(JSON.parse(Testing.synth(stack)).terraform.backend)).toEqual(["s3"]);
  });
});

describe("bring your own", () => {
  test("key: no log-archive key is created; the bucket and the trail use the given ARN", () => {
    const doc = synthStack({ ...BASE, existing: { logArchiveKeyArn: KEY_ARN } });
    expect(Object.keys(doc.resource.aws_kms_key)).toEqual(["monitoring_key"]);
    const encryption = doc.resource.aws_s3_bucket_server_side_encryption_configuration.log_archive_bucket_encryption;
    expect(encryption.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(KEY_ARN);
    expect(all(doc, "aws_cloudtrail")[0].kms_key_id).toBe(KEY_ARN);
    expect(doc.output.log_archive_key_arn.value).toBe(KEY_ARN);
  });

  test("log bucket: no buckets are created and the trail writes to it", () => {
    const doc = synthStack({ ...BASE, existing: { logBucketName: "acme-org-cloudtrail" } });
    expect(doc.resource.aws_s3_bucket).toBeUndefined();
    expect(all(doc, "aws_cloudtrail")[0].s3_bucket_name).toBe("acme-org-cloudtrail");
    expect(doc.output.log_bucket_name.value).toBe("acme-org-cloudtrail");
    expect(doc.output.access_log_bucket_name).toBeUndefined();
  });

  test("access-log bucket: only the log bucket is created, logging into the given bucket", () => {
    const doc = synthStack({ ...BASE, existing: { accessLogBucketName: "acme-s3-access-logs" } });
    expect(Object.keys(doc.resource.aws_s3_bucket)).toEqual(["log_archive_bucket"]);
    expect(doc.resource.aws_s3_bucket_logging.log_archive_access_logging.target_bucket).toBe("acme-s3-access-logs");
  });

  test("topics: alarms of that tier notify the given topic; no topic, subscription or variable for it", () => {
    const doc = synthStack({ ...BASE, existing: { alertTopicArns: { critical: TOPIC_ARN } } });
    expect(Object.keys(doc.resource.aws_sns_topic).sort()).toEqual(["monitoring_info_topic", "monitoring_warning_topic"]);
    const critical = all(doc, "aws_cloudwatch_metric_alarm").filter((alarm) => alarm.alarm_description.endsWith("(critical)"));
    expect(critical.length).toBeGreaterThan(0);
    for (const alarm of critical) expect(alarm.alarm_actions).toEqual([TOPIC_ARN]);
    expect(Object.keys(doc.variable).sort()).toEqual(["info_alert_emails", "warning_alert_emails"]);
    expect(doc.output.critical_alerts_topic_arn.value).toBe(TOPIC_ARN);
  });

  test.each<[string, TrailgateConfig, RegExp]>([
    ["a key ARN in another region", { ...BASE, existing: { logArchiveKeyArn: KEY_ARN.replace("eu-west-2", "eu-west-1") } }, /existing.logArchiveKeyArn must be a key in eu-west-2/],
    ["a key alias instead of a key ARN", { ...BASE, existing: { logArchiveKeyArn: "alias/logs" } }, /existing.logArchiveKeyArn must be a KMS key ARN/],
    ["an access-log bucket with an existing log bucket", { ...BASE, existing: { logBucketName: "acme-logs", accessLogBucketName: "acme-access" } }, /existing.accessLogBucketName applies only/],
    ["access points on an existing log bucket", { ...BASE, existing: { logBucketName: "acme-logs" }, accessPoints: [{ name: "reader", vpcId: "vpc-0a1b2c3d", readerRoleArns: ["arn:aws:iam::222222222222:role/r"] }] }, /accessPoints need the log bucket trailgate creates/],
    ["e-mails for a tier with an existing topic", { ...BASE, alertEmails: { critical: ["a@example.co.uk"] }, existing: { alertTopicArns: { critical: TOPIC_ARN } } }, /alertEmails.critical must be empty/],
    ["a topic that is not an SNS ARN", { ...BASE, existing: { alertTopicArns: { info: "security-pager" } } }, /existing.alertTopicArns.info must be an SNS topic ARN/],
    ["a bad deletion window", { ...BASE, key: { deletionWindowDays: 3 } }, /key.deletionWindowDays must be a whole number of days from 7 to 30/],
    ["an unknown tier", { ...BASE, monitoring: { tierOverrides: { "root-account-usage": "urgent" as never } } }, /monitoring.tierOverrides\["root-account-usage"\] must be one of/],
  ])("refuses %s at construction time", (_name, config, message) => {
    expect(() => new TrailgateStack(Testing.app(), "t", config)).toThrow(message);
  });
});

describe("every construct option is reachable from the config", () => {
  test("key administration, deletion windows, monitors, tiers and an account trail", () => {
    const admin = "arn:aws:iam::222222222222:role/KeyAdmins";
    const monitoringAdmin = "arn:aws:iam::111111111111:role/KeyAdmins";
    const doc = synthStack({
      ...BASE,
      organizationTrail: false,
      key: { adminRoleArns: [admin], deletionWindowDays: 14 },
      monitoring: {
        tierOverrides: { "root-account-usage": "warning" },
        keyAdminRoleArns: [monitoringAdmin],
        keyDeletionWindowDays: 7,
      },
    });
    const logKey = doc.resource.aws_kms_key.log_archive_key_key;
    expect(logKey.deletion_window_in_days).toBe(14);
    expect(JSON.parse(logKey.policy).Statement[0].Principal.AWS).toEqual(["arn:aws:iam::222222222222:root", admin]);
    const monitoringKey = doc.resource.aws_kms_key.monitoring_key;
    expect(monitoringKey.deletion_window_in_days).toBe(7);
    expect(JSON.parse(monitoringKey.policy).Statement[0].Principal.AWS).toEqual(["arn:aws:iam::111111111111:root", monitoringAdmin]);
    const root = all(doc, "aws_cloudwatch_metric_alarm").find((alarm) => alarm.alarm_name === "trailgate-root-account-usage");
    expect(root?.period).toBe(1500);
    expect(root?.alarm_description).toMatch(/\(warning\)$/);
    expect(all(doc, "aws_cloudtrail")[0].is_organization_trail).toBe(false);
  });

  test("extra statements for the log bucket's policy, merged into the one policy", () => {
    const siem = { Sid: "SiemReadsLogs", Effect: "Allow" as const, Principal: { AWS: "arn:aws:iam::222222222222:role/Siem" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::trailgate-cloudtrail-222222222222-eu-west-2/AWSLogs/*" };
    const doc = synthStack({ ...BASE, logBucketPolicyStatements: [siem] });
    const statements = JSON.parse(doc.resource.aws_s3_bucket_policy.log_archive_bucket_policy.policy).Statement;
    expect(statements.map((statement: { Sid: string }) => statement.Sid)).toEqual(["CloudTrailAclCheck", "CloudTrailWrite", "SiemReadsLogs", "DenyReadsNotThroughAccessPoints", "DenyInsecureTransport"]);
    expect(() => synthStack({ ...BASE, logBucketPolicyStatements: [siem, siem] })).toThrow(/logBucketPolicyStatements\[1\].Sid "SiemReadsLogs" is used twice/);
    expect(() => synthStack({ ...BASE, logBucketPolicyStatements: [{ ...siem, Sid: "CloudTrailWrite" }] })).toThrow(/Sid "CloudTrailWrite" is one of the bucket's own/);
  });

  test("a subset of monitors", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TrailgateStack(app, "t", {
      ...BASE,
      monitoring: { monitors: [{ id: "root", control: "CIS 4.3", title: "Root", metricName: "Root", pattern: '{ $.userIdentity.type = "Root" }', tier: "critical" }] },
    });
    const doc = JSON.parse(Testing.synth(stack));
    expect(Object.keys(doc.resource.aws_cloudwatch_log_metric_filter).filter((id) => id.startsWith("monitoring_"))).toEqual(["monitoring_root_filter"]);
  });
});
