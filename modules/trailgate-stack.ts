import { LocalBackend, TerraformElement, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AlertTier, ResolvedTrailgateConfig, TrailgateConfig, resolveTrailgateConfig } from "./baseline";
import { LogArchiveBucket } from "./log-archive-bucket";
import { LogArchiveKey } from "./log-archive-key";
import { AuditDashboard } from "./audit-dashboard";
import { DeliveryHeartbeat } from "./delivery-heartbeat";
import { CloudTrailMonitoring, alertTopicName } from "./monitoring";
import { TamperAlerts, tamperAlertGrants } from "./tamper-alerts";
import { OrganizationTrail } from "./organization-trail";
import { arns, stableLogicalId } from "./iam";
import { VpcAccessPoints, accessPointDelegation } from "./vpc-access-points";

/** Alias of the provider configuration that deploys into the log-archive account. */
export const LOG_ARCHIVE_PROVIDER_ALIAS = "log_archive";

/** The names every resource gets, derived once from the config. */
export function trailgateNames(config: ResolvedTrailgateConfig) {
  const { namePrefix, logArchiveAccountId, region } = config;
  return {
    trail: `${namePrefix}-org-trail`,
    bucket: `${namePrefix}-cloudtrail-${logArchiveAccountId}-${region}`,
    accessLogBucket: `${namePrefix}-access-logs-${logArchiveAccountId}-${region}`,
    logGroup: `/${namePrefix}/cloudtrail/org-trail`,
    keyAlias: `${namePrefix}-cloudtrail-logs`,
  };
}

/**
 * The whole estate in one stack: the organisation trail and its monitoring in the
 * management account (default provider), the log archive and its key in the
 * log-archive account (provider alias "log_archive", reached by assume_role).
 */
export class TrailgateStack extends TerraformStack {
  readonly config: ResolvedTrailgateConfig;
  readonly trail: OrganizationTrail;
  readonly archive: LogArchiveBucket;
  readonly key: LogArchiveKey;
  readonly monitoring: CloudTrailMonitoring;
  readonly accessPoints: VpcAccessPoints;
  readonly heartbeat: DeliveryHeartbeat;
  readonly tamperAlerts: TamperAlerts;
  readonly dashboard: AuditDashboard;

  constructor(scope: Construct, id: string, config: TrailgateConfig) {
    super(scope, id);
    const c = resolveTrailgateConfig(config);
    // State next to the stack's own directory; teams with a remote backend add theirs.
    new LocalBackend(this, { path: "terraform.tfstate" });
    this.config = c;
    const names = trailgateNames(c);
    const defaultTags = Object.keys(c.tags).length > 0 ? [{ tags: c.tags }] : undefined;

    const management = new AwsProvider(this, "aws", {
      region: c.region,
      allowedAccountIds: [c.managementAccountId],
      defaultTags,
    });
    const logArchive = new AwsProvider(this, "aws_log_archive", {
      alias: LOG_ARCHIVE_PROVIDER_ALIAS,
      region: c.region,
      allowedAccountIds: [c.logArchiveAccountId],
      assumeRole: [
        {
          roleArn: `arn:aws:iam::${c.logArchiveAccountId}:role/${c.logArchiveRoleName}`,
          sessionName: `${c.namePrefix}-deploy`,
        },
      ],
      defaultTags,
    });

    const trailArn = arns.trail(c.region, c.managementAccountId, names.trail);
    const allReaders = [...new Set([...c.readerRoleArns, ...c.accessPoints.flatMap((p) => p.readerRoleArns)])];

    this.key = new LogArchiveKey(this, "log_archive_key", {
      provider: logArchive,
      region: c.region,
      keyAccountId: c.logArchiveAccountId,
      trailArn,
      aliasName: names.keyAlias,
      readerRoleArns: allReaders,
    });

    this.archive = new LogArchiveBucket(this, "log_archive", {
      provider: logArchive,
      bucketName: names.bucket,
      accessLogBucketName: names.accessLogBucket,
      logArchiveAccountId: c.logArchiveAccountId,
      managementAccountId: c.managementAccountId,
      organizationId: c.organizationId,
      trailArn,
      kmsKeyArn: this.key.key.arn,
      objectLockDays: c.retention.objectLockDays,
      objectLockMode: c.retention.objectLockMode,
      expireAfterDays: c.retention.logExpiryDays,
      transitionToGlacierDays: c.retention.transitionToGlacierDays,
      additionalStatements:
        c.accessPoints.length > 0 ? [accessPointDelegation(arns.bucket(names.bucket), c.logArchiveAccountId)] : [],
    });

    this.accessPoints = new VpcAccessPoints(this, "access_points", {
      provider: logArchive,
      region: c.region,
      accountId: c.logArchiveAccountId,
      bucketName: names.bucket,
      accessPoints: c.accessPoints,
    });
    this.accessPoints.node.addDependency(this.archive.bucket);

    // The runtime side: who may publish tamper alerts to the critical topic is part of
    // that topic's (and its key's) policy, so the grants go to the monitoring construct.
    const tamperIdentity = {
      region: c.region,
      managementAccountId: c.managementAccountId,
      logArchiveAccountId: c.logArchiveAccountId,
      namePrefix: c.namePrefix,
    };
    const criticalTopicArn = arns.topic(c.region, c.managementAccountId, alertTopicName(c.namePrefix, "critical"));
    const tamperGrants = tamperAlertGrants(tamperIdentity, criticalTopicArn);
    this.monitoring = new CloudTrailMonitoring(this, "monitoring", {
      additionalTopicStatements: { critical: tamperGrants.topicStatements },
      additionalKeyStatements: tamperGrants.keyStatements,
      provider: management,
      region: c.region,
      accountId: c.managementAccountId,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      retentionDays: c.retention.logGroupRetentionDays,
      alertEmails: {
        critical: this.alertEmailsVariable("critical", c.alertEmails.critical).listValue,
        warning: this.alertEmailsVariable("warning", c.alertEmails.warning).listValue,
        info: this.alertEmailsVariable("info", c.alertEmails.info).listValue,
      },
    });

    this.heartbeat = new DeliveryHeartbeat(this, "delivery_heartbeat", {
      provider: management,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      alarmTopicArn: this.monitoring.topics.critical.arn,
    });
    this.tamperAlerts = new TamperAlerts(this, "tamper_alerts", {
      ...tamperIdentity,
      managementProvider: management,
      logArchiveProvider: logArchive,
      bucketNames: [names.bucket, names.accessLogBucket],
      alertTopicArn: this.monitoring.topics.critical.arn,
      alertKeyArn: this.monitoring.key.arn,
    });
    const alarmsByTier = { critical: [this.heartbeat.alarmName], warning: [] as string[], info: [] as string[] };
    for (const alarm of this.monitoring.monitorAlarms) alarmsByTier[alarm.tier].push(alarm.alarmName);
    this.dashboard = new AuditDashboard(this, "dashboard", {
      provider: management,
      region: c.region,
      accountId: c.managementAccountId,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      alarmsByTier,
      heartbeatAlarmName: this.heartbeat.alarmName,
      monitors: this.monitoring.monitorAlarms.map((m) => ({ namespace: m.namespace, metricName: m.metricName, label: m.title })),
    });
    this.dashboard.node.addDependency(this.heartbeat, this.monitoring);

    this.trail = new OrganizationTrail(this, "organization_trail", {
      provider: management,
      trailName: names.trail,
      region: c.region,
      managementAccountId: c.managementAccountId,
      bucketName: names.bucket,
      kmsKeyArn: this.key.key.arn,
      logGroupName: names.logGroup,
      dependsOn: [this.archive.bucketPolicy, this.key.key, this.monitoring.logGroup],
      s3DataEventBuckets: c.s3DataEventBuckets,
      insights: c.insights,
      excludeManagementEventSources: c.excludeManagementEventSources,
      lakeRetentionDays: c.lake?.retentionDays,
    });

    new TerraformOutput(this, "trail_arn", { value: this.trail.trail.arn, description: "ARN of the organisation trail" });
    new TerraformOutput(this, "log_bucket_name", { value: this.archive.bucket.bucket, description: "Bucket that holds the log files" });
    new TerraformOutput(this, "access_log_bucket_name", { value: this.archive.accessLogBucket.bucket, description: "Bucket that holds S3 server access logs of the log bucket" });
    new TerraformOutput(this, "log_archive_key_arn", { value: this.key.key.arn, description: "KMS key that encrypts the log files" });
    new TerraformOutput(this, "log_group_name", { value: this.monitoring.logGroup.name, description: "CloudWatch Logs group the trail delivers to" });
    for (const tier of ["critical", "warning", "info"] as const) {
      new TerraformOutput(this, `${tier}_alerts_topic_arn`, { value: this.monitoring.topics[tier].arn, description: `SNS topic of ${tier} alerts` });
    }
  }

  /** Alert addresses are Terraform variables (defaulting to the config) so the exported module takes them as inputs. */
  private alertEmailsVariable(tier: AlertTier, defaults: string[]): TerraformVariable {
    return new TerraformVariable(this, `${tier}_alert_emails`, {
      type: "list(string)",
      default: defaults,
      description: `E-mail addresses subscribed to ${tier} alerts`,
      validation: [
        {
          condition: `\${alltrue([for address in var.${tier}_alert_emails : can(regex("^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$", address))])}`,
          errorMessage: `Every ${tier}_alert_emails entry must be an e-mail address.`,
        },
      ],
    });
  }

  protected allocateLogicalId(element: TerraformElement): string {
    return stableLogicalId(this, element);
  }
}
