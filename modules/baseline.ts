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
export type AlertTier = "critical" | "warning" | "info";

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
   * (365-2555, default 2555).
   * @default no Lake store
   */
  readonly lake?: { readonly retentionDays?: number };
  /** Tags on every resource (through each provider's default_tags). @default {} */
  readonly tags?: Record<string, string>;
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
  readonly accessPoints: VpcAccessPointConfig[];
  readonly alertEmails: Required<AlertEmails>;
  readonly s3DataEventBuckets: string[];
  readonly insights: boolean;
  readonly excludeManagementEventSources: string[];
  readonly lake?: { readonly retentionDays: number };
  readonly tags: Record<string, string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const NAME_PREFIX = /^[a-z0-9][a-z0-9-]{1,20}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ACCESS_POINT_NAME = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;

/** Throws a configuration error that names the field. */
export function configError(field: string, problem: string): never {
  throw new Error(`trailgate config: ${field} ${problem}`);
}

/** Checks that a retention value is at least the UK floor. */
export function requireMinimumDays(field: string, days: number, floor: number = UK_BASELINE.minimumRetentionDays): void {
  if (!Number.isInteger(days) || days < floor) {
    configError(field, `must be a whole number of days >= ${floor} (got ${days})`);
  }
}

/** Fills in defaults and validates a team's config. */
export function resolveTrailgateConfig(config: TrailgateConfig): ResolvedTrailgateConfig {
  if (!ORGANIZATION_ID.test(config.organizationId ?? "")) {
    configError("organizationId", `must look like "o-" and 10-32 lowercase letters or digits (got "${config.organizationId}")`);
  }
  for (const field of ["managementAccountId", "logArchiveAccountId"] as const) {
    if (!ACCOUNT_ID.test(config[field] ?? "")) configError(field, `must be a 12-digit AWS account id (got "${config[field]}")`);
  }
  if (config.managementAccountId === config.logArchiveAccountId) {
    configError("logArchiveAccountId", "must differ from managementAccountId: logs belong in a dedicated account");
  }
  const namePrefix = config.namePrefix ?? "trailgate";
  if (!NAME_PREFIX.test(namePrefix)) configError("namePrefix", `must be 2-21 lowercase letters, digits or hyphens (got "${namePrefix}")`);
  const region = config.region ?? UK_BASELINE.region;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) configError("region", `is not an AWS region name (got "${region}")`);

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

  const lake = config.lake ? { retentionDays: config.lake.retentionDays ?? LAKE_MAX_RETENTION_DAYS } : undefined;
  if (lake) validateLakeRetention("lake.retentionDays", lake.retentionDays);

  return {
    organizationId: config.organizationId,
    managementAccountId: config.managementAccountId,
    logArchiveAccountId: config.logArchiveAccountId,
    logArchiveRoleName: config.logArchiveRoleName ?? "TrailgateLogArchiveDeployer",
    region,
    namePrefix,
    retention,
    readerRoleArns,
    accessPoints,
    alertEmails,
    s3DataEventBuckets: config.s3DataEventBuckets ?? [],
    insights: config.insights ?? false,
    excludeManagementEventSources: config.excludeManagementEventSources ?? [],
    lake,
    tags: config.tags ?? {},
  };
}

function validateRetention(retention: Required<RetentionConfig>): void {
  requireMinimumDays("retention.objectLockDays", retention.objectLockDays);
  requireMinimumDays("retention.logExpiryDays", retention.logExpiryDays, retention.objectLockDays);
  if (!Number.isInteger(retention.transitionToGlacierDays) || retention.transitionToGlacierDays < 30 || retention.transitionToGlacierDays >= retention.logExpiryDays) {
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
  if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days)) {
    configError(field, `must be one of CloudWatch's values (${CLOUDWATCH_RETENTION_DAYS.join(", ")}) (got ${days})`);
  }
  if (days !== 0) requireMinimumDays(field, days);
}
