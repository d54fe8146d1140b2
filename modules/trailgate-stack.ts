import { TerraformElement, TerraformOutput, TerraformProvider, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AlertTier } from "./alert-types";
import { AlertEmails, ResolvedTrailgateConfig, TrailgateConfig, resolveTrailgateConfig } from "./baseline";
import { LogArchiveBucket } from "./log-archive-bucket";
import { LogArchiveKey } from "./log-archive-key";
import { AuditDashboard } from "./audit-dashboard";
import { DeliveryHeartbeat } from "./delivery-heartbeat";
import { CloudTrailMonitoring, alertTopicName } from "./monitoring";
import { TamperAlerts, tamperAlertGrants } from "./tamper-alerts";
import { DataResidencyAlerts } from "./data-residency-alerts";
import { LogKeyUseAlerts } from "./log-key-use-alerts";
import { SubjectAccessQueries } from "./subject-access-queries";
import { CostBudgets, costBudgetGrants } from "./cost-budgets";
import { EvidenceRoles } from "./evidence-roles";
import { TrailConfigRules } from "./config-rules";
import { OrganizationTrail } from "./organization-trail";
import { arns, stableLogicalId } from "./iam";
import { markTrailgateConstruct } from "./marker";
import { MODULE_INPUT_PRECONDITIONS, moduleInputConfig } from "./module-inputs";
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

/** The two provider configurations the estate deploys with. */
export interface TrailgateProviders {
  /** The Organizations management account: trail, log group, alarms, topics. */
  readonly management: TerraformProvider;
  /** The log-archive account: log bucket, access-log bucket, log key, access points. */
  readonly logArchive: TerraformProvider;
}

export interface TrailgateProps {
  /** The estate: accounts, names, retention, monitors, what already exists. Validated at construction. */
  readonly config: TrailgateConfig;
  /** Provider configurations of the two accounts; the stack owns them (and its backend). */
  readonly providers: TrailgateProviders;
  /**
   * E-mail lists per tier that replace config.alertEmails without validation, e.g.
   * Terraform variable tokens (`variable.listValue`).
   * @default config.alertEmails
   */
  readonly alertEmails?: AlertEmails;
}

/**
 * The whole audit-logging estate as one construct, for any stack: the organisation
 * trail and its monitoring through the management account's provider, the log archive
 * and its key through the log-archive account's provider. It adds no backend and no
 * provider configuration of its own:
 *
 *   const management = new AwsProvider(stack, "aws", { region: "eu-west-2" });
 *   const logArchive = new AwsProvider(stack, "log_archive", { alias: "log_archive", region: "eu-west-2", assumeRole: [...] });
 *   new Trailgate(stack, "audit", { config, providers: { management, logArchive } });
 */
export class Trailgate extends Construct {
  readonly config: ResolvedTrailgateConfig;
  readonly trail: OrganizationTrail;
  /** The log archive, unless config.existing.logBucketName names the team's own bucket. */
  readonly archive?: LogArchiveBucket;
  /** The log key, unless config.existing.logArchiveKeyArn names the team's own key. */
  readonly key?: LogArchiveKey;
  readonly monitoring: CloudTrailMonitoring;
  readonly accessPoints: VpcAccessPoints;
  /** Alarms when no event reaches the trail's log group for 15 minutes (critical tier). */
  readonly heartbeat: DeliveryHeartbeat;
  /** EventBridge alerts on tampering with the trail and its log buckets (critical tier). */
  readonly tamperAlerts: TamperAlerts;
  /** Warning-tier alerts on writes outside the allowed regions and on copies, replications and exports. */
  readonly dataResidencyAlerts: DataResidencyAlerts;
  /** Warning-tier alert on use of the log key by anyone but CloudTrail and the named readers. */
  readonly logKeyUseAlerts: LogKeyUseAlerts;
  /** AWS Config managed rules on the trails and log buckets (config.awsConfigRules). */
  readonly configRules?: TrailConfigRules;
  /** Read-only roles for verify and validate-logs on a schedule (config.evidenceRoles). */
  readonly evidenceRoles?: EvidenceRoles;
  /** Monthly cost budgets notifying the warning tier (config.costBudgets). */
  readonly costBudgets?: CostBudgets;
  /** Saved Logs Insights queries for subject access requests, on the trail's log group. */
  readonly subjectAccessQueries: SubjectAccessQueries;
  /** Alarm states by tier, deliveries, the heartbeat and the monitors' matches. */
  readonly dashboard: AuditDashboard;
  /** ARN of the key that encrypts the log files (created or existing). */
  readonly logArchiveKeyArn: string;
  /** Name of the bucket the trail writes to (created or existing). */
  readonly logBucketName: string;

  constructor(scope: Construct, id: string, props: TrailgateProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    const c = resolveTrailgateConfig(props.config);
    this.config = c;
    const names = trailgateNames(c);
    const management = props.providers.management;
    const logArchive = props.providers.logArchive;
    const existing = c.existing;

    const trailArn = arns.trail(c.region, c.managementAccountId, names.trail);
    const allReaders = [...new Set([...c.readerRoleArns, ...c.accessPoints.flatMap((p) => p.readerRoleArns)])];

    if (existing.logArchiveKeyArn === undefined) {
      this.key = new LogArchiveKey(this, "log_archive_key", {
        provider: logArchive,
        region: c.region,
        keyAccountId: c.logArchiveAccountId,
        trailArn,
        aliasName: names.keyAlias,
        readerRoleArns: [...allReaders, ...c.breakGlassReaders],
        adminRoleArns: c.key.adminRoleArns,
        deletionWindowDays: c.key.deletionWindowDays,
      });
    }
    this.logArchiveKeyArn = existing.logArchiveKeyArn ?? (this.key as LogArchiveKey).key.arn;
    this.logBucketName = existing.logBucketName ?? names.bucket;

    if (existing.logBucketName === undefined) {
      this.archive = new LogArchiveBucket(this, "log_archive", {
        provider: logArchive,
        bucketName: names.bucket,
        accessLogBucketName: existing.accessLogBucketName ?? names.accessLogBucket,
        existingAccessLogBucket: existing.accessLogBucketName !== undefined,
        logArchiveAccountId: c.logArchiveAccountId,
        managementAccountId: c.managementAccountId,
        organizationId: c.organizationId,
        trailArn,
        breakGlassReaderArns: c.breakGlassReaders,
        kmsKeyArn: this.logArchiveKeyArn,
        objectLockDays: c.retention.objectLockDays,
        objectLockMode: c.retention.objectLockMode,
        expireAfterDays: c.retention.logExpiryDays,
        transitionToGlacierDays: c.retention.transitionToGlacierDays,
        additionalStatements: [
          ...(c.accessPoints.length > 0 ? [accessPointDelegation(arns.bucket(names.bucket), c.logArchiveAccountId)] : []),
          ...c.logBucketPolicyStatements,
        ],
      });
    }

    this.accessPoints = new VpcAccessPoints(this, "access_points", {
      provider: logArchive,
      region: c.region,
      accountId: c.logArchiveAccountId,
      bucketName: names.bucket,
      accessPoints: c.accessPoints,
    });
    if (this.archive) this.accessPoints.node.addDependency(this.archive.bucket);

    // The runtime side: who may publish tamper alerts to the critical topic belongs in
    // that topic's (and its key's) policy, so the grants go to the monitoring construct.
    // An existing critical topic is the team's to grant (help/rules/TG-LOG-015.md).
    const tamperIdentity = {
      region: c.region,
      managementAccountId: c.managementAccountId,
      logArchiveAccountId: c.logArchiveAccountId,
      namePrefix: c.namePrefix,
    };
    const criticalTopicArn =
      existing.alertTopicArns?.critical ?? arns.topic(c.region, c.managementAccountId, alertTopicName(c.namePrefix, "critical"));
    const tamperGrants = tamperAlertGrants(tamperIdentity, criticalTopicArn);
    const warningTopicArn = existing.alertTopicArns?.warning ?? arns.topic(c.region, c.managementAccountId, alertTopicName(c.namePrefix, "warning"));
    const budgetGrants = c.costBudgets ? costBudgetGrants(c.managementAccountId, warningTopicArn) : { topicStatements: [], keyStatements: [] };
    this.monitoring = new CloudTrailMonitoring(this, "monitoring", {
      additionalTopicStatements: { critical: tamperGrants.topicStatements, warning: budgetGrants.topicStatements },
      additionalKeyStatements: [...tamperGrants.keyStatements, ...budgetGrants.keyStatements],
      provider: management,
      region: c.region,
      accountId: c.managementAccountId,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      retentionDays: c.retention.logGroupRetentionDays,
      alertEmails: props.alertEmails ?? c.alertEmails,
      monitors: c.monitoring.monitors,
      tierOverrides: c.monitoring.tierOverrides,
      existingTopicArns: existing.alertTopicArns,
      keyAdminRoleArns: c.monitoring.keyAdminRoleArns,
      keyDeletionWindowDays: c.monitoring.keyDeletionWindowDays,
    });

    const accessLogBucketName = existing.logBucketName === undefined ? (existing.accessLogBucketName ?? names.accessLogBucket) : existing.accessLogBucketName;
    this.heartbeat = new DeliveryHeartbeat(this, "delivery_heartbeat", {
      provider: management,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      alarmTopicArn: this.monitoring.topicArns.critical,
    });
    this.tamperAlerts = new TamperAlerts(this, "tamper_alerts", {
      ...tamperIdentity,
      managementProvider: management,
      logArchiveProvider: logArchive,
      // Literal names, so the event pattern is a readable document in plans.
      bucketNames: [this.logBucketName, ...(accessLogBucketName ? [accessLogBucketName] : [])],
      alertTopicArn: criticalTopicArn,
      // The targets name the topic by its literal ARN (so plans show whole policies).
      dependsOn: this.monitoring.topics.critical ? [this.monitoring.topics.critical] : [],
    });
    this.dataResidencyAlerts = new DataResidencyAlerts(this, "data_residency_alerts", {
      provider: management,
      namePrefix: c.namePrefix,
      logGroupName: this.monitoring.logGroup.name,
      alarmTopicArn: this.monitoring.topicArns.warning,
      allowedRegions: c.dataResidency.allowedRegions,
    });
    this.logKeyUseAlerts = new LogKeyUseAlerts(this, "log_key_use_alerts", {
      provider: management,
      namePrefix: c.namePrefix,
      logGroupName: this.monitoring.logGroup.name,
      alarmTopicArn: this.monitoring.topicArns.warning,
      // The created key's ARN is known only after apply: the log-archive account's keys stand for it.
      keyArnPattern: existing.logArchiveKeyArn ?? `arn:aws:kms:${c.region}:${c.logArchiveAccountId}:key/*`,
      readerRoleArns: allReaders,
    });
    if (c.costBudgets) {
      this.costBudgets = new CostBudgets(this, "cost_budgets", {
        provider: management,
        namePrefix: c.namePrefix,
        monthlyLimitsUsd: c.costBudgets.monthlyLimitsUsd,
        thresholdsPercent: c.costBudgets.thresholdsPercent,
        alarmTopicArn: warningTopicArn,
      });
    }
    if (c.awsConfigRules) {
      this.configRules = new TrailConfigRules(this, "config_rules", {
        managementProvider: management,
        logArchiveProvider: logArchive,
        namePrefix: c.namePrefix,
        logBucketNames: [this.logBucketName, ...(accessLogBucketName ? [accessLogBucketName] : [])],
      });
    }
    if (c.evidenceRoles) {
      this.evidenceRoles = new EvidenceRoles(this, "evidence_roles", {
        managementProvider: management,
        logArchiveProvider: logArchive,
        managementAccountId: c.managementAccountId,
        logArchiveAccountId: c.logArchiveAccountId,
        namePrefix: c.namePrefix,
        ciPrincipalArn: c.evidenceRoles.ciPrincipalArn,
        bucketNames: [this.logBucketName, ...(accessLogBucketName ? [accessLogBucketName] : [])],
        logBucketName: this.logBucketName,
      });
    }
    this.subjectAccessQueries = new SubjectAccessQueries(this, "subject_access_queries", {
      provider: management,
      namePrefix: c.namePrefix,
      logGroupName: this.monitoring.logGroup.name,
    });
    const alarmsByTier = { critical: [this.heartbeat.alarmName], warning: [] as string[], info: [] as string[] };
    for (const alarm of this.monitoring.monitorAlarms) alarmsByTier[alarm.tier].push(alarm.alarmName);
    alarmsByTier.warning.push(...this.dataResidencyAlerts.alarmNames, this.logKeyUseAlerts.alarmName);
    this.dashboard = new AuditDashboard(this, "dashboard", {
      provider: management,
      region: c.region,
      accountId: c.managementAccountId,
      namePrefix: c.namePrefix,
      logGroupName: names.logGroup,
      alarmsByTier,
      heartbeatAlarmName: this.heartbeat.alarmName,
      lake: c.lake !== undefined,
      lakeStorageBudgetGiB: c.lake?.storageBudgetGiB,
      monitors: [
        ...this.monitoring.monitorAlarms.map((m) => ({ namespace: m.namespace, metricName: m.metricName, label: m.title })),
        ...this.dataResidencyAlerts.metrics,
        this.logKeyUseAlerts.metric,
      ],
      dependsOn: [
        this.heartbeat.alarm,
        ...this.monitoring.alarms,
        this.dataResidencyAlerts.regionAlarm,
        this.dataResidencyAlerts.movementAlarm,
        this.logKeyUseAlerts.alarm,
      ],
    });

    this.trail = new OrganizationTrail(this, "organization_trail", {
      provider: management,
      trailName: names.trail,
      region: c.region,
      managementAccountId: c.managementAccountId,
      bucketName: this.logBucketName,
      kmsKeyArn: this.logArchiveKeyArn,
      logGroupName: names.logGroup,
      dependsOn: [...(this.archive ? [this.archive.bucketPolicy] : []), ...(this.key ? [this.key.key] : []), this.monitoring.logGroup],
      organizationTrail: c.organizationTrail,
      s3DataEventBuckets: c.s3DataEventBuckets,
      insights: c.insights,
      excludeManagementEventSources: c.excludeManagementEventSources,
      lakeRetentionDays: c.lake?.retentionDays,
    });
  }
}

export interface TrailgateStackOptions {
  /**
   * Make the accounts, organisation, name prefix, region and retention Terraform
   * variables (validated; defaults from the config where it has them), so the stack
   * exports as a reusable module (`export/`). The config then supplies the defaults and
   * the settings that stay fixed (readers, access points, monitors, data events, Lake).
   * @default false (every value literal, as the gate reads best)
   */
  readonly moduleInputs?: boolean;
}

/**
 * The whole estate in its own stack: the two provider configurations (the management
 * account as the default provider, the log-archive account as alias "log_archive",
 * reached by assume_role), alert e-mail lists as Terraform variables, a Trailgate
 * construct and outputs. No backend is set: add your own (`new S3Backend(stack, …)`),
 * or none for local state. Resource addresses are stable and readable
 * (`aws_s3_bucket.log_archive_bucket`), for waivers and plans.
 */
export class TrailgateStack extends TerraformStack {
  readonly config: ResolvedTrailgateConfig;
  readonly trailgate: Trailgate;
  readonly trail: OrganizationTrail;
  readonly archive?: LogArchiveBucket;
  readonly key?: LogArchiveKey;
  readonly monitoring: CloudTrailMonitoring;
  readonly accessPoints: VpcAccessPoints;
  readonly heartbeat: DeliveryHeartbeat;
  readonly tamperAlerts: TamperAlerts;
  readonly dashboard: AuditDashboard;

  constructor(scope: Construct, id: string, config: TrailgateConfig, options: TrailgateStackOptions = {}) {
    super(scope, id);
    markTrailgateConstruct(this);
    if (options.moduleInputs) config = moduleInputConfig(this, config, resolveTrailgateConfig(config));
    const c = resolveTrailgateConfig(config);
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

    // Alert lists for tiers that use trailgate's topics become module inputs.
    const existingTopics = c.existing.alertTopicArns ?? {};
    const alertEmails = (tier: AlertTier) =>
      existingTopics[tier] === undefined ? this.alertEmailsVariable(tier, c.alertEmails[tier]).listValue : [];
    this.trailgate = new Trailgate(this, TRAILGATE_CONSTRUCT_ID, {
      config,
      providers: { management, logArchive },
      alertEmails: { critical: alertEmails("critical"), warning: alertEmails("warning"), info: alertEmails("info") },
    });
    this.config = this.trailgate.config;
    this.trail = this.trailgate.trail;
    this.archive = this.trailgate.archive;
    this.key = this.trailgate.key;
    this.monitoring = this.trailgate.monitoring;
    this.accessPoints = this.trailgate.accessPoints;
    this.heartbeat = this.trailgate.heartbeat;
    this.tamperAlerts = this.trailgate.tamperAlerts;
    this.dashboard = this.trailgate.dashboard;
    if (options.moduleInputs) {
      this.trail.trail.addOverride(
        "lifecycle.precondition",
        MODULE_INPUT_PRECONDITIONS.map(({ condition, errorMessage }) => ({ condition, error_message: errorMessage })),
      );
    }

    new TerraformOutput(this, "trail_arn", { value: this.trail.trail.arn, description: "ARN of the organisation trail" });
    new TerraformOutput(this, "log_bucket_name", { value: this.archive ? this.archive.bucket.bucket : this.trailgate.logBucketName, description: "Bucket that holds the log files" });
    if (this.archive?.accessLogBucket) {
      new TerraformOutput(this, "access_log_bucket_name", { value: this.archive.accessLogBucket.bucket, description: "Bucket that holds S3 server access logs of the log bucket" });
    }
    new TerraformOutput(this, "log_archive_key_arn", { value: this.trailgate.logArchiveKeyArn, description: "KMS key that encrypts the log files" });
    new TerraformOutput(this, "log_group_name", { value: this.monitoring.logGroup.name, description: "CloudWatch Logs group the trail delivers to" });
    for (const tier of ["critical", "warning", "info"] as const) {
      new TerraformOutput(this, `${tier}_alerts_topic_arn`, { value: this.monitoring.topicArns[tier], description: `SNS topic of ${tier} alerts` });
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

  /** Addresses below the Trailgate construct read as if it were the stack: `log_archive_bucket`, not `trailgate_log_archive_bucket`. */
  protected allocateLogicalId(element: TerraformElement): string {
    return stableLogicalId(this, element, this.node.tryFindChild(TRAILGATE_CONSTRUCT_ID));
  }
}

/** The Trailgate construct's id inside a TrailgateStack. */
const TRAILGATE_CONSTRUCT_ID = "trailgate";
