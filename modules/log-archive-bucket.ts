import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { markTrailgateConstruct } from "./marker";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { UK_BASELINE, isTerraformValue, requireMinimumDays } from "./baseline";
import { PolicyStatement, arns, denyInsecureTransport, policyDocument } from "./iam";

export interface LogArchiveBucketProps {
  /** Provider of the log-archive account. */
  readonly provider: TerraformProvider;
  /** Name of the bucket that receives the trail's log files. */
  readonly bucketName: string;
  /** Name of the second bucket that receives S3 server access logs of the first. */
  readonly accessLogBucketName: string;
  /**
   * The access-log bucket exists already (the team's own): it is not created here,
   * and its policy must admit logging.s3.amazonaws.com for this bucket.
   * @default false (the access-log bucket is created, locked down)
   */
  readonly existingAccessLogBucket?: boolean;
  /** The log-archive account id (owner of both buckets). */
  readonly logArchiveAccountId: string;
  /** Management account id: an organisation trail also writes under AWSLogs/<this id>/. */
  readonly managementAccountId: string;
  /** AWS Organizations id: member accounts' logs arrive under AWSLogs/<org id>/. */
  readonly organizationId: string;
  /**
   * Roles that may read log files directly, not through an access point of the
   * log-archive account (declared break-glass readers). Every other object read or
   * listing that does not come through such an access point is denied.
   * @default []
   */
  readonly breakGlassReaderArns?: string[];
  /** ARN of the only trail allowed to write. */
  readonly trailArn: string;
  /** ARN of the customer-managed KMS key for default encryption. */
  readonly kmsKeyArn: string;
  /** Object Lock default retention in days (>= 365). @default 365 */
  readonly objectLockDays?: number;
  /** Object Lock mode. @default "COMPLIANCE" */
  readonly objectLockMode?: "COMPLIANCE" | "GOVERNANCE";
  /** Days before current log files expire (>= objectLockDays). @default 2557 */
  readonly expireAfterDays?: number;
  /** Days before log files move to Glacier Instant Retrieval (< expireAfterDays). @default 90 */
  readonly transitionToGlacierDays?: number;
  /**
   * Extra read-only statements for the log bucket's policy, e.g. delegation to access
   * points. They are merged into the one bucket policy S3 allows.
   * @default []
   */
  readonly additionalStatements?: PolicyStatement[];
}

/**
 * The central log archive: a dedicated bucket that only the organisation trail can
 * write to, encrypted with a customer-managed key, under Object Lock, with a
 * retention lifecycle and server access logging into a second locked-down bucket.
 *
 * MFA delete is not set: Terraform cannot enable it without the root user's MFA
 * device (see help/troubleshooting/mfa-delete.md); Object Lock is the enforced
 * control against deletion instead.
 */
export class LogArchiveBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The access-log bucket, unless it is the team's own (existingAccessLogBucket). */
  readonly accessLogBucket?: S3Bucket;
  readonly bucketPolicy: S3BucketPolicy;
  readonly accessLogBucketPolicy?: S3BucketPolicy;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: LogArchiveBucketProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    const objectLockDays = props.objectLockDays ?? UK_BASELINE.objectLockDays;
    const expireAfterDays = props.expireAfterDays ?? UK_BASELINE.logExpiryDays;
    const transitionDays = props.transitionToGlacierDays ?? UK_BASELINE.transitionToGlacierDays;
    requireMinimumDays(`LogArchiveBucket ${id}: objectLockDays`, objectLockDays);
    requireMinimumDays(`LogArchiveBucket ${id}: expireAfterDays`, expireAfterDays, objectLockDays);
    if (![transitionDays, expireAfterDays].some(isTerraformValue) && (transitionDays < 30 || transitionDays >= expireAfterDays)) {
      throw new Error(`LogArchiveBucket ${id}: transitionToGlacierDays must be >= 30 and below expireAfterDays (got ${transitionDays})`);
    }
    for (const name of [props.bucketName, props.accessLogBucketName]) {
      if (!isTerraformValue(name) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
        throw new Error(`LogArchiveBucket ${id}: "${name}" is not a valid S3 bucket name`);
      }
    }
    const builtIn = ["CloudTrailAclCheck", "CloudTrailWrite", "DenyReadsNotThroughAccessPoints", "DenyInsecureTransport"];
    for (const statement of props.additionalStatements ?? []) {
      if (builtIn.includes(statement.Sid)) throw new Error(`LogArchiveBucket ${id}: additional statement Sid "${statement.Sid}" is one of the bucket's own`);
    }
    if (props.bucketName === props.accessLogBucketName) {
      throw new Error(`LogArchiveBucket ${id}: access logs must go to a different bucket than the logs themselves`);
    }

    this.bucketArn = arns.bucket(props.bucketName);
    const accessLogBucketArn = arns.bucket(props.accessLogBucketName);

    // Access logs: S3 delivers them only with SSE-S3 and never into a bucket with an
    // Object Lock default retention, so this bucket has Object Lock on but no default.
    const accessLogs = props.existingAccessLogBucket ? undefined : lockedDownBucket(this, "access_logs", props.provider, props.accessLogBucketName, { sseAlgorithm: "AES256" }, [
      {
        Sid: "S3ServerAccessLogsDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${accessLogBucketArn}/access-logs/*`,
        Condition: {
          ArnEquals: { "aws:SourceArn": this.bucketArn },
          StringEquals: { "aws:SourceAccount": props.logArchiveAccountId },
        },
      },
      denyInsecureTransport([accessLogBucketArn, `${accessLogBucketArn}/*`]),
    ]);
    if (accessLogs) {
      this.accessLogBucket = accessLogs.bucket;
      this.accessLogBucketPolicy = accessLogs.policy;
      retentionLifecycle(this, "access_logs_lifecycle", props.provider, accessLogs.bucket, [accessLogs.versioning], { transitionDays, expireAfterDays });
    }

    const trailCondition = { "aws:SourceArn": props.trailArn };
    const logs = lockedDownBucket(
      this,
      "bucket",
      props.provider,
      props.bucketName,
      { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
      [
        {
          Sid: "CloudTrailAclCheck",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: this.bucketArn,
          Condition: { StringEquals: trailCondition },
        },
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: [
            `${this.bucketArn}/AWSLogs/${props.managementAccountId}/*`,
            `${this.bucketArn}/AWSLogs/${props.organizationId}/*`,
          ],
          Condition: { StringEquals: { ...trailCondition, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
        ...(props.additionalStatements ?? []),
        denyReadsNotThroughAccessPoints(this.bucketArn, props.logArchiveAccountId, props.breakGlassReaderArns ?? []),
        denyInsecureTransport([this.bucketArn, `${this.bucketArn}/*`]),
      ],
      objectLockDays,
      props.objectLockMode ?? "COMPLIANCE",
    );
    this.bucket = logs.bucket;
    this.bucketPolicy = logs.policy;
    retentionLifecycle(this, "lifecycle", props.provider, logs.bucket, [logs.versioning], { transitionDays, expireAfterDays });

    new S3BucketLoggingA(this, "access_logging", {
      provider: props.provider,
      bucket: logs.bucket.id,
      targetBucket: accessLogs ? accessLogs.bucket.id : props.accessLogBucketName,
      targetPrefix: "access-logs/",
      // S3 refuses the logging target until its policy admits the logging service.
      dependsOn: accessLogs ? [accessLogs.policy] : undefined,
    });
  }
}

interface LockedDownBucket {
  bucket: S3Bucket;
  policy: S3BucketPolicy;
  versioning: S3BucketVersioningA;
}

/** A bucket with every public access block, ACLs disabled, versioning, default encryption and a policy. */
function lockedDownBucket(
  scope: Construct,
  id: string,
  provider: TerraformProvider,
  name: string,
  encryption: { sseAlgorithm: "AES256" | "aws:kms"; kmsMasterKeyId?: string },
  statements: PolicyStatement[],
  objectLockDays?: number,
  objectLockMode?: "COMPLIANCE" | "GOVERNANCE",
): LockedDownBucket {
  const bucket = new S3Bucket(scope, id, { provider, bucket: name, objectLockEnabled: true, forceDestroy: false });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, `${id}_public_access_block`, {
    provider,
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${id}_ownership`, {
    provider,
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  const versioning = new S3BucketVersioningA(scope, `${id}_versioning`, {
    provider,
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}_encryption`, {
    provider,
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: encryption,
        bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms",
      },
    ],
  });
  if (objectLockDays !== undefined) {
    new S3BucketObjectLockConfigurationA(scope, `${id}_object_lock`, {
      provider,
      bucket: bucket.id,
      rule: { defaultRetention: { mode: objectLockMode ?? "COMPLIANCE", days: objectLockDays } },
      dependsOn: [versioning],
    });
  }
  // The public access block must exist first: a policy with a "*" principal is
  // otherwise briefly evaluated against an unblocked bucket.
  const policy = new S3BucketPolicy(scope, `${id}_policy`, {
    provider,
    bucket: bucket.id,
    policy: policyDocument(statements),
    dependsOn: [publicAccessBlock],
  });
  return { bucket, policy, versioning };
}

/** Moves log files to a cheaper class, expires them after the retention period, cleans up old versions. */
function retentionLifecycle(
  scope: Construct,
  id: string,
  provider: TerraformProvider,
  bucket: S3Bucket,
  dependsOn: ITerraformDependable[],
  days: { transitionDays: number; expireAfterDays: number },
): void {
  new S3BucketLifecycleConfiguration(scope, id, {
    provider,
    bucket: bucket.id,
    rule: [
      {
        id: "retention",
        status: "Enabled",
        filter: [{ prefix: "" }],
        transition: [{ days: days.transitionDays, storageClass: "GLACIER_IR" }],
        expiration: [{ days: days.expireAfterDays }],
        // A noncurrent version only exists once a current one was overwritten or
        // deleted; keep it as long as the record it replaced would have been kept.
        noncurrentVersionExpiration: [{ noncurrentDays: days.expireAfterDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ],
    dependsOn,
  });
}

/**
 * Reads of log objects (and listing) must come through an access point of the
 * log-archive account, whose VPC-only network origin and policy name the readers:
 * without this deny, any role of the account whose own policy allows s3:GetObject
 * reads every log from anywhere. KMS cannot see the access point a request came
 * through, so this bucket policy is what enforces the path.
 */
function denyReadsNotThroughAccessPoints(bucketArn: string, accountId: string, breakGlassReaderArns: string[]): PolicyStatement {
  return {
    Sid: "DenyReadsNotThroughAccessPoints",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: {
      StringNotEquals: { "s3:DataAccessPointAccount": accountId },
      ...(breakGlassReaderArns.length > 0 ? { ArnNotEquals: { "aws:PrincipalArn": breakGlassReaderArns } } : {}),
    },
  };
}
