import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { arns, policyDocument } from "./iam";

/** What `trailgate verify` reads in the management account (help/operations/README.md "Permissions"). */
export const VERIFY_MANAGEMENT_ACTIONS = [
  "cloudtrail:DescribeTrails",
  "cloudtrail:GetTrailStatus",
  "cloudtrail:GetEventSelectors",
  "cloudtrail:GetInsightSelectors",
  "cloudtrail:ListEventDataStores",
  "cloudtrail:GetEventDataStore",
  "logs:DescribeLogGroups",
  "logs:DescribeMetricFilters",
  "cloudwatch:DescribeAlarms",
  "iam:GetRole",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "sns:GetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:ListTagsForResource",
  "events:ListRuleNamesByTarget",
  "events:DescribeRule",
  "events:ListTargetsByRule",
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "kms:GetKeyPolicy",
] as const;

/** What `trailgate verify --role-arn` reads of the log buckets in the log-archive account. */
export const VERIFY_BUCKET_ACTIONS = [
  "s3:GetBucketLocation",
  "s3:GetEncryptionConfiguration",
  "s3:GetBucketVersioning",
  "s3:GetBucketObjectLockConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetBucketLogging",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketPolicy",
] as const;

/** The rest of verify's log-archive reads: access points, keys, EventBridge rules. */
export const VERIFY_LOG_ARCHIVE_ACTIONS = [
  "s3:ListAccessPoints",
  "s3:GetAccessPoint",
  "s3:GetAccessPointPolicy",
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "kms:GetKeyPolicy",
  "events:ListRuleNamesByTarget",
  "events:DescribeRule",
  "events:ListTargetsByRule",
] as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

export interface EvidenceRolesProps {
  readonly managementProvider: TerraformProvider;
  readonly logArchiveProvider: TerraformProvider;
  readonly managementAccountId: string;
  readonly logArchiveAccountId: string;
  /** Prefix of the role names. */
  readonly namePrefix: string;
  /**
   * The one principal that may assume the management role: the scheduled job's own
   * role (for example a GitHub Actions OIDC role). Nothing else may.
   */
  readonly ciPrincipalArn: string;
  /** The trail's log bucket and its access-log bucket, whose settings verify reads. */
  readonly bucketNames: string[];
  /** The bucket whose log files and digests validate-logs reads (the trail's). */
  readonly logBucketName: string;
}

/**
 * Read-only roles for evidence on a schedule: `<prefix>-evidence-reader` in the
 * management account (what `trailgate verify` reads there), assumable only by the named
 * CI principal, and `<prefix>-evidence-log-archive` in the log-archive account (verify's
 * `--role-arn`: the log buckets' settings, access points, keys, EventBridge rules; and
 * what `trailgate validate-logs` reads: the log files, the digests and CloudTrail's
 * public keys), assumable only by the management role. Exact actions, no write.
 * validate-logs also needs kms:Decrypt of the log key through S3: list the log-archive
 * role among the config's readerRoleArns (the key policy grants readers exactly that).
 */
export class EvidenceRoles extends Construct {
  readonly managementRole: IamRole;
  readonly logArchiveRole: IamRole;
  readonly managementRoleArn: string;
  readonly logArchiveRoleArn: string;

  constructor(scope: Construct, id: string, props: EvidenceRolesProps) {
    super(scope, id);
    if (!ROLE_ARN.test(props.ciPrincipalArn)) throw new Error(`EvidenceRoles ${id}: ciPrincipalArn must be an IAM role ARN (got "${props.ciPrincipalArn}")`);
    if (props.bucketNames.length === 0) throw new Error(`EvidenceRoles ${id}: bucketNames must name the log bucket`);
    const managementName = `${props.namePrefix}-evidence-reader`;
    const logArchiveName = `${props.namePrefix}-evidence-log-archive`;
    this.managementRoleArn = `arn:aws:iam::${props.managementAccountId}:role/${managementName}`;
    this.logArchiveRoleArn = `arn:aws:iam::${props.logArchiveAccountId}:role/${logArchiveName}`;

    this.managementRole = new IamRole(this, "management_role", {
      provider: props.managementProvider,
      name: managementName,
      description: "trailgate verify and validate-logs on a schedule: read-only, assumed only by the named CI principal",
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([{ Sid: "NamedCiPrincipal", Effect: "Allow", Principal: { AWS: props.ciPrincipalArn }, Action: "sts:AssumeRole" }]),
    });
    new IamRolePolicy(this, "management_policy", {
      provider: props.managementProvider,
      role: this.managementRole.name,
      name: "trailgate-evidence-read-only",
      policy: policyDocument([
        // Describe and list calls take no resource ARN (or any): read-only by the actions themselves.
        { Sid: "VerifyReads", Effect: "Allow", Action: [...VERIFY_MANAGEMENT_ACTIONS], Resource: "*" },
        { Sid: "ValidateLogsPublicKeys", Effect: "Allow", Action: "cloudtrail:ListPublicKeys", Resource: "*" },
        { Sid: "AssumeLogArchiveEvidenceRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: this.logArchiveRoleArn },
      ]),
    });

    this.logArchiveRole = new IamRole(this, "log_archive_role", {
      provider: props.logArchiveProvider,
      name: logArchiveName,
      description: "trailgate verify --role-arn and validate-logs: read-only, assumed only by the management evidence role",
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([{ Sid: "ManagementEvidenceRole", Effect: "Allow", Principal: { AWS: this.managementRoleArn }, Action: "sts:AssumeRole" }]),
    });
    new IamRolePolicy(this, "log_archive_policy", {
      provider: props.logArchiveProvider,
      role: this.logArchiveRole.name,
      name: "trailgate-evidence-read-only",
      policy: policyDocument([
        { Sid: "VerifyBucketSettings", Effect: "Allow", Action: [...VERIFY_BUCKET_ACTIONS], Resource: props.bucketNames.map((name) => arns.bucket(name)) },
        { Sid: "VerifyLogArchiveReads", Effect: "Allow", Action: [...VERIFY_LOG_ARCHIVE_ACTIONS], Resource: "*" },
        { Sid: "ValidateLogsList", Effect: "Allow", Action: "s3:ListBucket", Resource: arns.bucket(props.logBucketName) },
        { Sid: "ValidateLogsRead", Effect: "Allow", Action: "s3:GetObject", Resource: `${arns.bucket(props.logBucketName)}/AWSLogs/*` },
        { Sid: "ValidateLogsPublicKeys", Effect: "Allow", Action: "cloudtrail:ListPublicKeys", Resource: "*" },
      ]),
    });
  }
}
