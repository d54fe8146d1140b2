/**
 * The live estate as `trailgate verify` reads it: plain data, in the AWS APIs' own
 * terms, with no SDK types (collect.ts fills it, map.ts turns it into the gate's
 * normalised input). Times are epoch seconds. Everything here is JSON-serialisable, so
 * a read estate can be saved, diffed and mapped again offline.
 */

/** Which credentials read a resource: the default ones, or the --role-arn session. */
export type AccountRole = "management" | "logArchive";

export interface AccountScope {
  role: AccountRole;
  accountId: string;
  region: string;
}

export interface TrailStatus {
  isLogging: boolean;
  startLoggingTime: number | null;
  stopLoggingTime: number | null;
  latestDeliveryTime: number | null;
  latestCloudWatchLogsDeliveryTime: number | null;
  latestDigestDeliveryTime: number | null;
  latestDeliveryError: string;
  latestCloudWatchLogsDeliveryError: string;
  latestDigestDeliveryError: string;
}

export interface FieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
  startsWith?: string[];
  notStartsWith?: string[];
  endsWith?: string[];
  notEndsWith?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: FieldSelector[];
}

export interface BasicEventSelector {
  readWriteType?: string;
  includeManagementEvents?: boolean;
  excludeManagementEventSources: string[];
  dataResources: Array<{ type: string; values: string[] }>;
}

export interface LiveTrail {
  account: AccountRole;
  arn: string;
  name: string;
  homeRegion: string;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  kmsKeyId?: string;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  isOrganizationTrail: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  snsTopicArn?: string;
  eventSelectors: BasicEventSelector[];
  advancedEventSelectors: AdvancedEventSelector[];
  insightTypes: string[];
  status: TrailStatus;
}

export interface LifecycleRule {
  id?: string;
  status: string;
  prefix?: string;
  expirationDays?: number;
  expirationDate?: string;
  expiredObjectDeleteMarker?: boolean;
  transitions: Array<{ days?: number; date?: string; storageClass?: string }>;
  noncurrentExpirationDays?: number;
}

export interface LiveBucket {
  account: AccountRole;
  name: string;
  region: string;
  /** ObjectLockEnabled "Enabled" on the bucket (it can only be set at creation or by AWS support). */
  objectLockEnabled: boolean;
  /** Default encryption rules; null when the bucket reports none. */
  encryption: Array<{ sseAlgorithm?: string; kmsMasterKeyId?: string; bucketKeyEnabled?: boolean }> | null;
  /** "Enabled" | "Suspended"; null when versioning was never enabled. */
  versioning: string | null;
  objectLockDefaultRetention: { mode?: string; days?: number; years?: number } | null;
  lifecycle: LifecycleRule[] | null;
  logging: { targetBucket: string; targetPrefix: string } | null;
  publicAccessBlock: {
    blockPublicAcls: boolean;
    blockPublicPolicy: boolean;
    ignorePublicAcls: boolean;
    restrictPublicBuckets: boolean;
  } | null;
  /** The bucket policy as S3 returns it; null when there is none. */
  policy: string | null;
}

export interface LiveKey {
  account: AccountRole;
  arn: string;
  keyId: string;
  /** CUSTOMER or AWS. Only customer-managed keys become resources. */
  keyManager: string;
  keyState?: string;
  keySpec?: string;
  keyUsage?: string;
  description?: string;
  rotationEnabled: boolean;
  policy: string | null;
}

export interface LiveLogGroup {
  account: AccountRole;
  name: string;
  arn: string;
  /** undefined: never expire. */
  retentionInDays?: number;
  kmsKeyId?: string;
  /** STANDARD, INFREQUENT_ACCESS or DELIVERY; undefined in estates saved before it was read (STANDARD). */
  logGroupClass?: string;
}

export interface LiveMetricFilter {
  account: AccountRole;
  name: string;
  logGroupName: string;
  pattern: string;
  transformations: Array<{ name: string; namespace: string; value: string; defaultValue?: number; dimensions?: Record<string, string>; unit?: string }>;
}

export interface LiveAlarm {
  account: AccountRole;
  arn: string;
  name: string;
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  statistic?: string;
  extendedStatistic?: string;
  unit?: string;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparisonOperator?: string;
  treatMissingData?: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
  state: string;
  stateUpdatedAt: number | null;
}

export interface LiveSubscription {
  /** "" while pending confirmation (SNS reports "PendingConfirmation" instead of an ARN). */
  arn: string;
  protocol: string;
  endpoint: string;
  pendingConfirmation: boolean;
}

export interface LiveTopic {
  account: AccountRole;
  arn: string;
  name: string;
  kmsMasterKeyId?: string;
  policy: string | null;
  tags: Record<string, string>;
  subscriptions: LiveSubscription[];
}

export interface LiveRole {
  account: AccountRole;
  arn: string;
  name: string;
  assumeRolePolicy: string | null;
  inlinePolicies: Array<{ name: string; document: string }>;
  attachedPolicyArns: string[];
}

export interface LiveEventRule {
  account: AccountRole;
  arn: string;
  name: string;
  eventBusName: string;
  eventPattern?: string;
  state?: string;
  targets: Array<{ id: string; arn: string; roleArn?: string }>;
}

export interface LiveAccessPoint {
  account: AccountRole;
  arn: string;
  name: string;
  bucket: string;
  accountId: string;
  networkOrigin?: string;
  vpcId?: string;
  publicAccessBlock: LiveBucket["publicAccessBlock"];
  policy: string | null;
}

export interface LiveEventDataStore {
  account: AccountRole;
  arn: string;
  name: string;
  status: string;
  retentionPeriod?: number;
  multiRegionEnabled?: boolean;
  organizationEnabled?: boolean;
  terminationProtectionEnabled?: boolean;
  kmsKeyId?: string;
  advancedEventSelectors: AdvancedEventSelector[];
}

/** Everything verify read in one run. */
/**
 * A part of the estate verify could not read because a call was denied or is not
 * implemented by the endpoint. The part is left out of the estate and reported as
 * TG-VER-005; everything else is judged.
 */
export interface UnreadPart {
  account: AccountRole;
  /** What was left out, e.g. "CloudTrail Lake event data stores". */
  part: string;
  /** The resource (ARN, or ARN pattern for a region-wide list) the part covers. */
  resource: string;
  /** The call that failed, as progress names it. */
  call: string;
  /** The IAM action that call needs. */
  permission: string;
  reason: "denied" | "not implemented";
  /** The SDK's error, as verify would have printed it. */
  message: string;
}

export interface LiveEstate {
  /** Epoch seconds when the reading started: the reference for every age. */
  collectedAt: number;
  region: string;
  accounts: { management: AccountScope; logArchive?: AccountScope };
  trails: LiveTrail[];
  buckets: LiveBucket[];
  keys: LiveKey[];
  logGroups: LiveLogGroup[];
  metricFilters: LiveMetricFilter[];
  alarms: LiveAlarm[];
  topics: LiveTopic[];
  roles: LiveRole[];
  eventRules: LiveEventRule[];
  accessPoints: LiveAccessPoint[];
  eventDataStores: LiveEventDataStore[];
  /** Every event data store in the management account's region, any status. */
  eventDataStoreCount: number;
  /** How many API calls the reading took. */
  apiCalls: number;
  /** Parts that could not be read (TG-VER-005); absent in estates saved before it existed. */
  unread?: UnreadPart[];
}
