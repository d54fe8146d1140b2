import { TerraformIterator, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { markTrailgateConstruct } from "./marker";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlertTier, MonitorDefinition } from "./alert-types";
import { AlertEmails, UK_BASELINE, validateLogGroupRetention } from "./baseline";
import { CIS_MONITORS } from "./cis-monitors";
import { KMS_ADMIN_ACTIONS, PolicyStatement, arns, policyDocument } from "./iam";

/**
 * How each tier turns events into alarms: the evaluation period decides how fast a
 * human hears. CloudTrail takes about 5 minutes to deliver an event to CloudWatch Logs
 * (policy data alert_delivery_minutes), so a tier's end-to-end time is 5 minutes plus
 * its period; the gate proves it (TG-ALR-009, policy data alert_deadline_minutes).
 */
export const ALERT_TIER_PERIOD_SECONDS: Record<AlertTier, number> = {
  critical: 60, // immediately: the shortest period a metric filter's one-minute data allows (about 6 minutes end to end)
  warning: 1500, // within 30 minutes end to end: 5 of delivery + 25
  info: 86400, // a daily count (an alarm per day with events; see help/rules/TG-ALR-009.md on the daily summary)
};

export const METRIC_NAMESPACE = "Trailgate/CloudTrail";

export interface CloudTrailMonitoringProps {
  /** Provider of the management account, where the trail and its log group live. */
  readonly provider: TerraformProvider;
  readonly region: string;
  /** Management account id. */
  readonly accountId: string;
  /** Prefix of the log group, key alias and topic names. */
  readonly namePrefix: string;
  /** Log group name the trail delivers to. */
  readonly logGroupName: string;
  /** Retention of the log group: an accepted CloudWatch value >= 365, or 0 (never expire). @default 365 */
  readonly retentionDays?: number;
  /**
   * E-mail subscriptions per tier: literal lists, or Terraform list tokens such as a
   * variable's `listValue`.
   * @default no subscriptions
   */
  readonly alertEmails?: AlertEmails;
  /** Monitors to create. @default CIS_MONITORS (the full CIS AWS Foundations set) */
  readonly monitors?: readonly MonitorDefinition[];
  /** Move monitors to another tier, by monitor id. @default {} */
  readonly tierOverrides?: Record<string, AlertTier>;
  /** Extra statements for a tier's topic policy, e.g. the tamper alerts' grants (TamperAlerts). @default {} */
  readonly additionalTopicStatements?: Partial<Record<AlertTier, PolicyStatement[]>>;
  /** Extra statements for the key policy of the log group and topics' key. @default [] */
  readonly additionalKeyStatements?: PolicyStatement[];
  /**
   * Existing SNS topics (ARNs) per tier that alarms notify instead of a topic created
   * here; no e-mail subscriptions are made for those tiers.
   * @default a KMS-encrypted topic per tier
   */
  readonly existingTopicArns?: Partial<Record<AlertTier, string>>;
  /** Extra principals with administration (never use) of the monitoring key. @default [] */
  readonly keyAdminRoleArns?: string[];
  /** Days before the deleted monitoring key is gone (7-30). @default 30 */
  readonly keyDeletionWindowDays?: number;
}

/** The topic name of an alert tier: `<prefix>-alerts-<tier>` (trailgate verify also reads the tier from it). */
export function alertTopicName(namePrefix: string, tier: AlertTier): string {
  return `${namePrefix}-alerts-${tier}`;
}

/** A monitor's alarm as created, for dashboards and runbooks. */
export interface MonitorAlarm {
  readonly alarmName: string;
  readonly tier: AlertTier;
  readonly title: string;
  readonly namespace: string;
  readonly metricName: string;
}

/**
 * CloudWatch Logs integration: a KMS-encrypted log group for the trail, a metric
 * filter and alarm per monitor, and three KMS-encrypted SNS topics (critical,
 * warning, info) with e-mail subscriptions.
 */
export class CloudTrailMonitoring extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly key: KmsKey;
  /** The topics created here (tiers without an existing topic). */
  readonly topics: Partial<Record<AlertTier, SnsTopic>>;
  /** The topic every tier's alarms notify: created here or existing. */
  readonly topicArns: Record<AlertTier, string>;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly monitorAlarms: MonitorAlarm[] = [];

  constructor(scope: Construct, id: string, props: CloudTrailMonitoringProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    const retentionDays = props.retentionDays ?? UK_BASELINE.logGroupRetentionDays;
    const keyDeletionWindowDays = props.keyDeletionWindowDays ?? 30;
    if (!Number.isInteger(keyDeletionWindowDays) || keyDeletionWindowDays < 7 || keyDeletionWindowDays > 30) {
      throw new Error(`CloudTrailMonitoring ${id}: keyDeletionWindowDays must be 7-30 (got ${keyDeletionWindowDays})`);
    }
    validateLogGroupRetention(`CloudTrailMonitoring ${id}: retentionDays`, retentionDays);
    const monitors = props.monitors ?? CIS_MONITORS;
    const knownIds = new Set(monitors.map((m) => m.id));
    for (const overridden of Object.keys(props.tierOverrides ?? {})) {
      if (!knownIds.has(overridden)) throw new Error(`CloudTrailMonitoring ${id}: tierOverrides names unknown monitor "${overridden}"`);
    }
    if (knownIds.size !== monitors.length) throw new Error(`CloudTrailMonitoring ${id}: monitor ids must be unique`);

    const logGroupArn = arns.logGroup(props.region, props.accountId, props.logGroupName);
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: `Encrypts ${props.logGroupName} and the ${props.namePrefix} alert topics`,
      enableKeyRotation: true,
      deletionWindowInDays: keyDeletionWindowDays,
      policy: policyDocument([
        {
          Sid: "KeyAdministration",
          Effect: "Allow",
          Principal: { AWS: props.keyAdminRoleArns?.length ? [arns.accountRoot(props.accountId), ...props.keyAdminRoleArns] : arns.accountRoot(props.accountId) },
          Action: KMS_ADMIN_ACTIONS,
          Resource: "*",
        },
        {
          Sid: "CloudWatchLogsUseForTrailLogGroup",
          Effect: "Allow",
          Principal: { Service: `logs.${props.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
        },
        {
          Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
        ...(props.additionalKeyStatements ?? []),
      ]),
    });
    new KmsAlias(this, "key_alias", { provider: props.provider, name: `alias/${props.namePrefix}-monitoring`, targetKeyId: this.key.keyId });

    this.logGroup = new CloudwatchLogGroup(this, "log_group", {
      provider: props.provider,
      name: props.logGroupName,
      retentionInDays: retentionDays,
      kmsKeyId: this.key.arn,
    });

    const emails = props.alertEmails ?? {};
    const tiers: AlertTier[] = ["critical", "warning", "info"];
    const existing = props.existingTopicArns ?? {};
    this.topics = Object.fromEntries(
      tiers.filter((tier) => existing[tier] === undefined).map((tier) => [tier, this.alertTopic(props, tier, emails[tier] ?? [])]),
    );
    this.topicArns = Object.fromEntries(
      tiers.map((tier) => [tier, existing[tier] ?? (this.topics[tier] as SnsTopic).arn]),
    ) as Record<AlertTier, string>;

    for (const monitor of monitors) {
      if (monitor.periodSeconds !== undefined && (!Number.isInteger(monitor.periodSeconds) || monitor.periodSeconds < 60 || monitor.periodSeconds % 60 !== 0)) {
        throw new Error(`CloudTrailMonitoring ${id}: monitor ${monitor.id} periodSeconds must be a multiple of 60 (metric filters publish one-minute data), got ${monitor.periodSeconds}`);
      }
      const tier = props.tierOverrides?.[monitor.id] ?? monitor.tier;
      const alarmName = `${props.namePrefix}-${monitor.id}`;
      this.monitorAlarms.push({ alarmName, tier, title: monitor.title, namespace: METRIC_NAMESPACE, metricName: monitor.metricName });
      const filter = new CloudwatchLogMetricFilter(this, `${monitor.id}_filter`, {
        provider: props.provider,
        name: `${props.namePrefix}-${monitor.id}`,
        logGroupName: this.logGroup.name,
        pattern: monitor.pattern,
        metricTransformation: { name: monitor.metricName, namespace: METRIC_NAMESPACE, value: "1" },
      });
      this.alarms.push(
        new CloudwatchMetricAlarm(this, `${monitor.id}_alarm`, {
          provider: props.provider,
          alarmName,
          alarmDescription: `${monitor.control}: ${monitor.title} (${tier})`,
          metricName: monitor.metricName,
          namespace: METRIC_NAMESPACE,
          statistic: "Sum",
          period: monitor.periodSeconds ?? ALERT_TIER_PERIOD_SECONDS[tier],
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [this.topicArns[tier]],
          dependsOn: [filter],
        }),
      );
    }
  }

  private alertTopic(props: CloudTrailMonitoringProps, tier: AlertTier, emails: string[]): SnsTopic {
    const name = alertTopicName(props.namePrefix, tier);
    const topicArn = arns.topic(props.region, props.accountId, name);
    const topic = new SnsTopic(this, `${tier}_topic`, {
      provider: props.provider,
      name,
      kmsMasterKeyId: this.key.arn,
      tags: { "trailgate:alert-tier": tier },
      policy: policyDocument([
        {
          Sid: "AccountManagesTopic",
          Effect: "Allow",
          Principal: { AWS: arns.accountRoot(props.accountId) },
          Action: [
            "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
            "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
          ],
          Resource: topicArn,
        },
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(props.additionalTopicStatements?.[tier] ?? []),
      ]),
    });
    // One subscription per address, keyed by the address: emails may be a Terraform
    // variable (the exported module's inputs), so the list is iterated by Terraform.
    const addresses = TerraformIterator.fromList(emails);
    new SnsTopicSubscription(this, `${tier}_email`, {
      provider: props.provider,
      forEach: addresses,
      topicArn: topic.arn,
      protocol: "email",
      endpoint: addresses.value,
    });
    return topic;
  }
}
