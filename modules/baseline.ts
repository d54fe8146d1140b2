import { Token } from "cdktf";
import { ALERT_TIERS, AlertTier, MonitorDefinition } from "./alert-types";
import type { PolicyStatement } from "./iam";

/**
 * The UK baseline: the one place where a team changes region, retention floors and
 * the names and accounts of its audit-logging estate. Every construct takes its
 * defaults from here, and `resolveTrailgateConfig` validates a team's config once,
 * at construction time, with errors that name the field to fix.
 */

/** Defaults that make a configuration acceptable to a UK regulator. */
export const UK_BASELINE = {
  /** London: keeps audit records in the UK (UK GDPR Chapter V, FCA outsourcing expectations). */
  region: "eu-west-2",
  /** Floor for every retention setting: CIS AWS Foundations and the gate's TG-RET rules. */
  minimumRetentionDays: 365,
  /** Object Lock default retention on the log archive. */
  objectLockDays: 365,
  /**
   * How long log files are kept before they expire: seven years, covering FCA SYSC 9
   * record keeping (five years, up to seven on request) with margin.
   */
  logExpiryDays: 2557,
  /** CloudWatch Logs retention for the trail's log group. */
  logGroupRetentionDays: 365,
  /** When log files move to a cheaper storage class. */
  transitionToGlacierDays: 90,
} as const;

/** Retention values CloudWatch Logs accepts for `retention_in_days` (0 = never expire). */
export const CLOUDWATCH_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Alert tiers: how fast a monitor must reach a human. */
export interface AlertEmails {
  /** Addresses told of every occurrence of a critical event. @default [] */
  readonly critical?: string[];
  /** Addresses told within 30 minutes of a warning event. @default [] */
  readonly warning?: string[];
  /** Addresses sent a daily summary of informational events. @default [] */
  readonly info?: string[];
}

export interface VpcAccessPointConfig {
  /** Access point name (3-50 lowercase letters, digits, hyphens). */
  readonly name: string;
  /** The VPC that alone may use the access point. */
  readonly vpcId: string;
  /** IAM role ARNs allowed to read logs through this access point. */
  readonly readerRoleArns: string[];
}

export interface RetentionConfig {
  /** Object Lock default retention on log files, in days (>= 365). @default 365 */
  readonly objectLockDays?: number;
  /**
   * Object Lock mode. COMPLIANCE cannot be shortened by anyone, root included;
   * GOVERNANCE can be bypassed with s3:BypassGovernanceRetention.
   * @default "COMPLIANCE"
   */
  readonly objectLockMode?: "COMPLIANCE" | "GOVERNANCE";
  /** Days after which current log files expire (>= 365 and >= objectLockDays). @default 2557 */
  readonly logExpiryDays?: number;
  /** Days after which log files move to S3 Glacier Instant Retrieval. @default 90 */
  readonly transitionToGlacierDays?: number;
  /** CloudWatch Logs retention of the trail's log group (an accepted value >= 365, or 0 for never). @default 365 */
  readonly logGroupRetentionDays?: number;
}

/**
 * Resources the team already has, used instead of the ones trailgate would create
 * (aws-cdk-lib's "bring your own"). The gate cannot see inside what is not in the
 * configuration: a key's or bucket's own settings are the team's to prove.
 */
export interface ExistingResources {
  /**
   * ARN of a KMS key (in the config's region) that encrypts the log files: no
   * LogArchiveKey is created. Its key policy must let CloudTrail use it for this trail.
   * @default trailgate creates the key
   */
  readonly logArchiveKeyArn?: string;
  /**
   * Name of the bucket the trail writes to: no LogArchiveBucket (nor access-log bucket)
   * is created. Its policy must admit the trail (help/troubleshooting/s3-bucket-permissions.md).
   * @default trailgate creates the log bucket
   */
  readonly logBucketName?: string;
  /**
   * Name of a bucket that receives the log bucket's S3 server access logs (under
   * access-logs/): trailgate's log bucket logs there and no access-log bucket is created.
   * @default trailgate creates the access-log bucket
   */
  readonly accessLogBucketName?: string;
  /**
   * SNS topic ARNs per tier that alarms notify instead of topics trailgate creates
   * (no e-mail subscriptions are made for those tiers).
   * @default trailgate creates all three topics
   */
  readonly alertTopicArns?: Partial<Record<AlertTier, string>>;
}

/** The log-archive key's administration. */
export interface KeyConfig {
  /** Extra roles with key administration (never use of the key). @default [] */
  readonly adminRoleArns?: string[];
  /** Days before a deleted key is gone (7-30). @default 30 */
  readonly deletionWindowDays?: number;
}

/** The CloudWatch monitoring of the trail. */
export interface MonitoringConfig {
  /** Monitors to create. @default CIS_MONITORS (the full CIS AWS Foundations set) */
  readonly monitors?: readonly MonitorDefinition[];
  /** Move monitors to another tier, by monitor id. @default {} */
  readonly tierOverrides?: Record<string, AlertTier>;
  /** Extra roles with administration of the monitoring key. @default [] */
  readonly keyAdminRoleArns?: string[];
  /** Days before the deleted monitoring key is gone (7-30). @default 30 */
  readonly keyDeletionWindowDays?: number;
}

/** A team's whole audit-logging estate. Only the three identities are required. */
export interface TrailgateConfig {
  /** AWS Organizations id, e.g. "o-a1b2c3d4e5". */
  readonly organizationId: string;
  /** 12-digit id of the Organizations management account, where the trail lives. */
  readonly managementAccountId: string;
  /** 12-digit id of the dedicated log-archive account that holds the logs. */
  readonly logArchiveAccountId: string;
  /**
   * Role the deployment assumes in the log-archive account.
   * @default "TrailgateLogArchiveDeployer"
   */
  readonly logArchiveRoleName?: string;
  /** Region for every provider and resource. @default "eu-west-2" */
  readonly region?: string;
  /** Prefix of every name (trail, buckets, keys, topics); lowercase letters, digits, hyphens. @default "trailgate" */
  readonly namePrefix?: string;
  /** Retention settings. @default the UK_BASELINE values */
  readonly retention?: RetentionConfig;
  /** IAM role ARNs that may read and decrypt log files through the access points. @default [] */
  readonly readerRoleArns?: string[];
  /**
   * Declared break-glass roles that may read log files directly from the bucket, not
   * through an access point (an incident responder outside the VPC). Every other
   * direct read is denied by the bucket policy (TG-LP-016). @default []
   */
  readonly breakGlassReaders?: string[];
  /** VPC-only access points to the log archive. @default [] */
  readonly accessPoints?: VpcAccessPointConfig[];
  /** E-mail subscriptions per alert tier. @default no subscriptions */
  readonly alertEmails?: AlertEmails;
  /** Buckets (names) whose object-level S3 data events the trail records. @default [] */
  readonly s3DataEventBuckets?: string[];
  /** Turn on CloudTrail Insights (ApiCallRateInsight, ApiErrorRateInsight). @default false */
  readonly insights?: boolean;
  /**
   * High-volume management event sources to leave out, for cost: only
   * "kms.amazonaws.com" and "rdsdata.amazonaws.com", the two AWS accepts. The gate
   * reports an exclusion (TG-LOG-012) unless policy data allowed_excluded_event_sources
   * lists the source.
   * @default [] (record every management event)
   */
  readonly excludeManagementEventSources?: string[];
  /**
   * A CloudTrail Lake event data store for SQL queries over events; retention in days
   * (365-2555, default 2555). storageBudgetGiB: the storage the team budgets for the
   * region's Lake stores, drawn with its 80% line on the dashboard's storage panel
   * (default: no budget lines).
   * @default no Lake store
   */
  readonly lake?: { readonly retentionDays?: number; readonly storageBudgetGiB?: number };
  /** Tags on every resource (through each provider's default_tags). @default {} */
  readonly tags?: Record<string, string>;
  /**
   * An organisation trail (every account of the organisation). false: a trail of the
   * management account only, e.g. while trusted access is not yet enabled.
   * @default true
   */
  readonly organizationTrail?: boolean;
  /** Administration of the log-archive key. @default root of the log-archive account only, 30-day deletion window */
  readonly key?: KeyConfig;
  /** Monitors, tiers and the monitoring key. @default the CIS set at its default tiers */
  readonly monitoring?: MonitoringConfig;
  /** Bring your own key, log bucket, access-log bucket or alert topics. @default trailgate creates them all */
  readonly existing?: ExistingResources;
  /**
   * Extra statements merged into the log bucket's policy (S3 allows one policy), e.g.
   * read access for a SIEM's role. Each needs its own Sid; the gate judges them like
   * the rest of the policy.
   * @default []
   */
  readonly logBucketPolicyStatements?: PolicyStatement[];
  /** Warning-tier alerts on data leaving the allowed regions. @default writes outside `region` alert */
  readonly dataResidency?: DataResidencyConfig;
  /**
   * Monthly AWS Budgets on CloudTrail, S3 and CloudWatch spend that notify the warning
   * tier (CostBudgets).
   * @default no budgets
   */
  readonly costBudgets?: CostBudgetsConfig;
  /**
   * Read-only roles for running `trailgate verify` and `validate-logs` on a schedule
   * (EvidenceRoles), assumable only by this CI principal (a role ARN).
   * @default no evidence roles
   */
  readonly evidenceRoles?: { readonly ciPrincipalArn: string };
  /**
   * AWS Config managed rules on the trails and log buckets (TrailConfigRules), for teams
   * with a configuration recorder in both accounts.
   * @default false
   */
  readonly awsConfigRules?: boolean;
}

/** Monthly cost budgets (CostBudgets). */
export interface CostBudgetsConfig {
  /** Monthly limits in USD, per service; a service left out gets no budget. */
  readonly monthlyLimitsUsd: { readonly cloudTrail?: number; readonly s3?: number; readonly cloudWatch?: number };
  /** Percentages of actual spend that notify. @default [80, 100] */
  readonly thresholdsPercent?: number[];
}

/** Where the organisation may keep data (DataResidencyAlerts). */
export interface DataResidencyConfig {
  /** Regions where write API calls are expected; a write anywhere else alerts. @default [region] */
  readonly allowedRegions?: string[];
}

/** A config with every default filled in. */
export interface ResolvedTrailgateConfig {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly logArchiveAccountId: string;
  readonly logArchiveRoleName: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly retention: Required<RetentionConfig>;
  readonly readerRoleArns: string[];
  readonly breakGlassReaders: string[];
  readonly accessPoints: VpcAccessPointConfig[];
  readonly alertEmails: Required<AlertEmails>;
  readonly s3DataEventBuckets: string[];
  readonly insights: boolean;
  readonly excludeManagementEventSources: string[];
  readonly lake?: { readonly retentionDays: number; readonly storageBudgetGiB?: number };
  readonly tags: Record<string, string>;
  readonly organizationTrail: boolean;
  readonly key: Required<KeyConfig>;
  readonly monitoring: MonitoringConfig;
  readonly existing: ExistingResources;
  readonly logBucketPolicyStatements: PolicyStatement[];
  readonly dataResidency: Required<DataResidencyConfig>;
  readonly costBudgets?: CostBudgetsConfig;
  readonly evidenceRoles?: { readonly ciPrincipalArn: string };
  readonly awsConfigRules: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const NAME_PREFIX = /^[a-z0-9][a-z0-9-]{1,20}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ACCESS_POINT_NAME = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;

/**
 * A value only Terraform knows (a variable of the exported module, a reference):
 * it is validated there (variable validation, preconditions), not here.
 */
export function isTerraformValue(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** Throws a configuration error that names the field. */
export function configError(field: string, problem: string): never {
  throw new Error(`trailgate config: ${field} ${problem}`);
}

/** Checks that a retention value is at least the UK floor. */
export function requireMinimumDays(field: string, days: number, floor: number = UK_BASELINE.minimumRetentionDays): void {
  if (isTerraformValue(days) || isTerraformValue(floor)) return;
  if (!Number.isInteger(days) || days < floor) {
    configError(field, `must be a whole number of days >= ${floor} (got ${days})`);
  }
}

/** Fills in defaults and validates a team's config. */
export function resolveTrailgateConfig(config: TrailgateConfig): ResolvedTrailgateConfig {
  if (!isTerraformValue(config.organizationId) && !ORGANIZATION_ID.test(config.organizationId ?? "")) {
    configError("organizationId", `must look like "o-" and 10-32 lowercase letters or digits (got "${config.organizationId}")`);
  }
  for (const field of ["managementAccountId", "logArchiveAccountId"] as const) {
    if (!isTerraformValue(config[field]) && !ACCOUNT_ID.test(config[field] ?? "")) configError(field, `must be a 12-digit AWS account id (got "${config[field]}")`);
  }
  if (config.managementAccountId === config.logArchiveAccountId) {
    configError("logArchiveAccountId", "must differ from managementAccountId: logs belong in a dedicated account");
  }
  const namePrefix = config.namePrefix ?? "trailgate";
  if (!isTerraformValue(namePrefix) && !NAME_PREFIX.test(namePrefix)) configError("namePrefix", `must be 2-21 lowercase letters, digits or hyphens (got "${namePrefix}")`);
  const region = config.region ?? UK_BASELINE.region;
  if (!isTerraformValue(region) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) configError("region", `is not an AWS region name (got "${region}")`);

  const retention: Required<RetentionConfig> = {
    objectLockDays: config.retention?.objectLockDays ?? UK_BASELINE.objectLockDays,
    objectLockMode: config.retention?.objectLockMode ?? "COMPLIANCE",
    logExpiryDays: config.retention?.logExpiryDays ?? UK_BASELINE.logExpiryDays,
    transitionToGlacierDays: config.retention?.transitionToGlacierDays ?? UK_BASELINE.transitionToGlacierDays,
    logGroupRetentionDays: config.retention?.logGroupRetentionDays ?? UK_BASELINE.logGroupRetentionDays,
  };
  validateRetention(retention);

  const readerRoleArns = config.readerRoleArns ?? [];
  readerRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn)) configError(`readerRoleArns[${i}]`, `must be an IAM role ARN (got "${arn}")`);
  });
  const breakGlassReaders = config.breakGlassReaders ?? [];
  breakGlassReaders.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn)) configError(`breakGlassReaders[${i}]`, `must be an IAM role ARN (got "${arn}")`);
  });
  const accessPoints = config.accessPoints ?? [];
  const seenNames = new Set<string>();
  accessPoints.forEach((point, i) => {
    if (!ACCESS_POINT_NAME.test(point.name)) configError(`accessPoints[${i}].name`, `must be 3-50 lowercase letters, digits or hyphens (got "${point.name}")`);
    if (seenNames.has(point.name)) configError(`accessPoints[${i}].name`, `"${point.name}" is used twice`);
    seenNames.add(point.name);
    if (!/^vpc-[0-9a-f]{8,17}$/.test(point.vpcId)) configError(`accessPoints[${i}].vpcId`, `must be a VPC id such as vpc-0a1b2c3d (got "${point.vpcId}")`);
    if (point.readerRoleArns.length === 0) configError(`accessPoints[${i}].readerRoleArns`, "must name at least one reader role");
    point.readerRoleArns.forEach((arn, j) => {
      if (!ROLE_ARN.test(arn)) configError(`accessPoints[${i}].readerRoleArns[${j}]`, `must be an IAM role ARN (got "${arn}")`);
    });
  });

  const alertEmails: Required<AlertEmails> = {
    critical: config.alertEmails?.critical ?? [],
    warning: config.alertEmails?.warning ?? [],
    info: config.alertEmails?.info ?? [],
  };
  for (const tier of ["critical", "warning", "info"] as const) {
    alertEmails[tier].forEach((email, i) => {
      if (!EMAIL.test(email)) configError(`alertEmails.${tier}[${i}]`, `is not an e-mail address (got "${email}")`);
    });
  }

  const lake = config.lake
    ? { retentionDays: config.lake.retentionDays ?? LAKE_MAX_RETENTION_DAYS, storageBudgetGiB: config.lake.storageBudgetGiB }
    : undefined;
  if (lake) validateLakeRetention("lake.retentionDays", lake.retentionDays);
  if (lake?.storageBudgetGiB !== undefined && !(Number.isFinite(lake.storageBudgetGiB) && lake.storageBudgetGiB > 0)) {
    configError("lake.storageBudgetGiB", `must be a positive number of GiB (got ${lake.storageBudgetGiB})`);
  }

  const key: Required<KeyConfig> = {
    adminRoleArns: config.key?.adminRoleArns ?? [],
    deletionWindowDays: config.key?.deletionWindowDays ?? 30,
  };
  key.adminRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn)) configError(`key.adminRoleArns[${i}]`, `must be an IAM role ARN (got "${arn}")`);
  });
  validateDeletionWindow("key.deletionWindowDays", key.deletionWindowDays);
  const monitoring = config.monitoring ?? {};
  (monitoring.keyAdminRoleArns ?? []).forEach((arn, i) => {
    if (!ROLE_ARN.test(arn)) configError(`monitoring.keyAdminRoleArns[${i}]`, `must be an IAM role ARN (got "${arn}")`);
  });
  if (monitoring.keyDeletionWindowDays !== undefined) validateDeletionWindow("monitoring.keyDeletionWindowDays", monitoring.keyDeletionWindowDays);
  for (const [id, tier] of Object.entries(monitoring.tierOverrides ?? {})) {
    if (!ALERT_TIERS.includes(tier)) configError(`monitoring.tierOverrides["${id}"]`, `must be one of ${ALERT_TIERS.join(", ")} (got "${tier}")`);
  }
  const existing = config.existing ?? {};
  validateExisting(existing, region, alertEmails, accessPoints.length > 0);
  const logBucketPolicyStatements = config.logBucketPolicyStatements ?? [];
  const sids = new Set<string>();
  logBucketPolicyStatements.forEach((statement, i) => {
    if (!/^[A-Za-z0-9]+$/.test(statement.Sid ?? "")) configError(`logBucketPolicyStatements[${i}].Sid`, `must be letters and digits (got "${statement.Sid}")`);
    if (sids.has(statement.Sid)) configError(`logBucketPolicyStatements[${i}].Sid`, `"${statement.Sid}" is used twice`);
    sids.add(statement.Sid);
  });
  if (existing.logBucketName !== undefined && logBucketPolicyStatements.length > 0) {
    configError("logBucketPolicyStatements", "apply only to the log bucket trailgate creates (existing.logBucketName is set)");
  }
  if (config.evidenceRoles && !ROLE_ARN.test(config.evidenceRoles.ciPrincipalArn)) {
    configError("evidenceRoles.ciPrincipalArn", `must be an IAM role ARN (got "${config.evidenceRoles.ciPrincipalArn}")`);
  }
  const allowedRegions = config.dataResidency?.allowedRegions ?? [region];
  if (allowedRegions.length === 0) configError("dataResidency.allowedRegions", "must name at least one region");
  allowedRegions.forEach((r, i) => {
    if (!isTerraformValue(r) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r)) configError(`dataResidency.allowedRegions[${i}]`, `is not an AWS region name (got "${r}")`);
  });

  return {
    organizationId: config.organizationId,
    managementAccountId: config.managementAccountId,
    logArchiveAccountId: config.logArchiveAccountId,
    logArchiveRoleName: config.logArchiveRoleName ?? "TrailgateLogArchiveDeployer",
    region,
    namePrefix,
    retention,
    readerRoleArns,
    breakGlassReaders,
    accessPoints,
    alertEmails,
    s3DataEventBuckets: config.s3DataEventBuckets ?? [],
    insights: config.insights ?? false,
    excludeManagementEventSources: config.excludeManagementEventSources ?? [],
    lake,
    tags: config.tags ?? {},
    organizationTrail: config.organizationTrail ?? true,
    key,
    monitoring,
    existing,
    logBucketPolicyStatements,
    dataResidency: { allowedRegions },
    ...(config.costBudgets ? { costBudgets: config.costBudgets } : {}),
    ...(config.evidenceRoles ? { evidenceRoles: config.evidenceRoles } : {}),
    awsConfigRules: config.awsConfigRules ?? false,
  };
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function validateDeletionWindow(field: string, days: number): void {
  if (!Number.isInteger(days) || days < 7 || days > 30) configError(field, `must be a whole number of days from 7 to 30 (got ${days})`);
}

function validateExisting(existing: ExistingResources, region: string, alertEmails: Required<AlertEmails>, hasAccessPoints: boolean): void {
  const keyArn = existing.logArchiveKeyArn;
  if (keyArn !== undefined) {
    const match = /^arn:aws:kms:([a-z0-9-]+):\d{12}:key\/[0-9a-f-]+$/.exec(keyArn);
    if (!match) configError("existing.logArchiveKeyArn", `must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID; got "${keyArn}")`);
    if (match[1] !== region) configError("existing.logArchiveKeyArn", `must be a key in ${region}, the estate's region (got ${match[1]})`);
  }
  for (const field of ["logBucketName", "accessLogBucketName"] as const) {
    const name = existing[field];
    if (name !== undefined && !BUCKET_NAME.test(name)) configError(`existing.${field}`, `is not a valid S3 bucket name (got "${name}")`);
  }
  if (existing.logBucketName !== undefined) {
    if (existing.accessLogBucketName !== undefined) {
      configError("existing.accessLogBucketName", "applies only to the log bucket trailgate creates; your own log bucket's access logging is yours to set");
    }
    if (hasAccessPoints) configError("accessPoints", "need the log bucket trailgate creates (its policy delegates reads to them); with existing.logBucketName, attach access points to your bucket yourself");
  }
  for (const [tier, arn] of Object.entries(existing.alertTopicArns ?? {})) {
    if (!ALERT_TIERS.includes(tier as AlertTier)) configError(`existing.alertTopicArns.${tier}`, `is not a tier (${ALERT_TIERS.join(", ")})`);
    const match = /^arn:aws:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/.exec(arn ?? "");
    if (!match) configError(`existing.alertTopicArns.${tier}`, `must be an SNS topic ARN (got "${arn}")`);
    if (match[1] !== region) configError(`existing.alertTopicArns.${tier}`, `must be a topic in ${region}, the estate's region (got ${match[1]})`);
    if (alertEmails[tier as AlertTier].length > 0) {
      configError(`alertEmails.${tier}`, `must be empty when existing.alertTopicArns.${tier} is set: subscribe to your own topic yourself`);
    }
  }
}

function validateRetention(retention: Required<RetentionConfig>): void {
  requireMinimumDays("retention.objectLockDays", retention.objectLockDays);
  requireMinimumDays("retention.logExpiryDays", retention.logExpiryDays, retention.objectLockDays);
  const transition = retention.transitionToGlacierDays;
  const known = ![transition, retention.logExpiryDays].some(isTerraformValue);
  if (known && (!Number.isInteger(transition) || transition < 30 || transition >= retention.logExpiryDays)) {
    configError("retention.transitionToGlacierDays", `must be a whole number >= 30 and below logExpiryDays (got ${retention.transitionToGlacierDays})`);
  }
  validateLogGroupRetention("retention.logGroupRetentionDays", retention.logGroupRetentionDays);
}

/** The longest retention the AWS provider accepts for a Lake event data store. */
export const LAKE_MAX_RETENTION_DAYS = 2555;

/** Lake retention: at least the UK floor, at most what the provider accepts. */
export function validateLakeRetention(field: string, days: number): void {
  requireMinimumDays(field, days);
  if (days > LAKE_MAX_RETENTION_DAYS) configError(field, `must be <= ${LAKE_MAX_RETENTION_DAYS} (got ${days})`);
}

/** A log group retention must be a value CloudWatch accepts and, unless 0 (never expire), >= 365. */
export function validateLogGroupRetention(field: string, days: number): void {
  if (isTerraformValue(days)) return;
  if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days)) {
    configError(field, `must be one of CloudWatch's values (${CLOUDWATCH_RETENTION_DAYS.join(", ")}) (got ${days})`);
  }
  if (days !== 0) requireMinimumDays(field, days);
}
