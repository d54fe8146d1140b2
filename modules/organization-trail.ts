import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { markTrailgateConstruct } from "./marker";
import { Cloudtrail, CloudtrailAdvancedEventSelector } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudtrailEventDataStore } from "@cdktf/provider-aws/lib/cloudtrail-event-data-store";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { isTerraformValue, validateLakeRetention } from "./baseline";
import { KMS_ADMIN_ACTIONS, PolicyStatement, arns, policyDocument } from "./iam";

/** The only management event sources AWS lets a trail leave out (for cost). */
export const EXCLUDABLE_EVENT_SOURCES = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];

export interface OrganizationTrailProps {
  /** Provider of the Organizations management account. */
  readonly provider: TerraformProvider;
  /** Trail name. */
  readonly trailName: string;
  /** The trail's home region. */
  readonly region: string;
  /** Management account id (the trail's owner). */
  readonly managementAccountId: string;
  /** Name of the log-archive bucket the trail writes to. */
  readonly bucketName: string;
  /** ARN of the customer-managed key that encrypts the log files. */
  readonly kmsKeyArn: string;
  /** Name of the CloudWatch Logs group the trail also delivers to (in the management account). */
  readonly logGroupName: string;
  /**
   * What must exist before the trail: the bucket policy and the key (CloudTrail checks
   * both when the trail is created), and the log group.
   */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Record events of every account in the organisation.
   * @default true
   */
  readonly organizationTrail?: boolean;
  /**
   * Buckets (names) whose object-level S3 events are recorded. Never the trail's own
   * bucket: the trail would log its own writes in an endless loop.
   * @default []
   */
  readonly s3DataEventBuckets?: string[];
  /** Record CloudTrail Insights events (API call rate and error rate). @default false */
  readonly insights?: boolean;
  /**
   * Management event sources left out, for cost (e.g. "kms.amazonaws.com").
   * @default [] (every management event, read and write)
   */
  readonly excludeManagementEventSources?: string[];
  /** A CloudTrail Lake event data store with this retention (365-2555 days). @default no Lake store */
  readonly lakeRetentionDays?: number;
}

/**
 * The organisation trail in the management account: every region, global service
 * events, log file validation, KMS encryption, and delivery to CloudWatch Logs
 * through a role that can only write to that one log group.
 */
export class OrganizationTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly cloudWatchRole: IamRole;
  readonly eventDataStore?: CloudtrailEventDataStore;
  /** The customer-managed key of the Lake event data store (when there is one). */
  readonly lakeKey?: KmsKey;
  readonly trailArn: string;

  constructor(scope: Construct, id: string, props: OrganizationTrailProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    if (!isTerraformValue(props.trailName) && !/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(props.trailName)) {
      throw new Error(`OrganizationTrail ${id}: trailName "${props.trailName}" must be 3-128 letters, digits, . _ -`);
    }
    const dataBuckets = props.s3DataEventBuckets ?? [];
    if (dataBuckets.includes(props.bucketName)) {
      throw new Error(`OrganizationTrail ${id}: s3DataEventBuckets must not include the trail's own bucket "${props.bucketName}" (the trail would log its own writes in a loop)`);
    }
    const excluded = props.excludeManagementEventSources ?? [];
    for (const source of excluded) {
      if (!/^[a-z0-9-]+\.amazonaws\.com$/.test(source)) {
        throw new Error(`OrganizationTrail ${id}: "${source}" is not an event source such as kms.amazonaws.com`);
      }
      if (source === "cloudtrail.amazonaws.com") {
        throw new Error(`OrganizationTrail ${id}: changes to CloudTrail itself must always be recorded`);
      }
      if (!EXCLUDABLE_EVENT_SOURCES.includes(source)) {
        throw new Error(`OrganizationTrail ${id}: AWS lets a trail exclude only ${EXCLUDABLE_EVENT_SOURCES.join(" and ")} management events (got "${source}")`);
      }
    }
    if (props.lakeRetentionDays !== undefined) validateLakeRetention(`OrganizationTrail ${id}: lakeRetentionDays`, props.lakeRetentionDays);

    this.trailArn = arns.trail(props.region, props.managementAccountId, props.trailName);
    const logGroupArn = arns.logGroup(props.region, props.managementAccountId, props.logGroupName);

    this.cloudWatchRole = new IamRole(this, "cloudwatch_role", {
      provider: props.provider,
      name: `${props.trailName}-cloudwatch`,
      description: `Lets ${props.trailName} deliver events to ${props.logGroupName}, nothing else`,
      assumeRolePolicy: policyDocument([
        {
          Sid: "CloudTrailAssumes",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceArn": this.trailArn } },
        },
      ]),
    });
    const rolePolicy = new IamRolePolicy(this, "cloudwatch_role_policy", {
      provider: props.provider,
      role: this.cloudWatchRole.name,
      name: "deliver-to-log-group",
      policy: policyDocument([
        {
          Sid: "WriteTrailLogStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroupArn}:log-stream:*`,
        },
      ]),
    });

    this.trail = new Cloudtrail(this, "trail", {
      provider: props.provider,
      name: props.trailName,
      s3BucketName: props.bucketName,
      kmsKeyId: props.kmsKeyArn,
      isOrganizationTrail: props.organizationTrail ?? true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      cloudWatchLogsGroupArn: `${logGroupArn}:*`,
      cloudWatchLogsRoleArn: this.cloudWatchRole.arn,
      advancedEventSelector: eventSelectors(excluded, dataBuckets),
      insightSelector: props.insights
        ? [{ insightType: "ApiCallRateInsight" }, { insightType: "ApiErrorRateInsight" }]
        : undefined,
      dependsOn: [...props.dependsOn, rolePolicy],
    });

    if (props.lakeRetentionDays !== undefined) {
      this.lakeKey = new KmsKey(this, "lake_key", {
        provider: props.provider,
        description: `Encrypts the CloudTrail Lake event data store of ${props.trailName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyDocument(lakeKeyStatements(props.region, props.managementAccountId)),
      });
      this.eventDataStore = new CloudtrailEventDataStore(this, "lake", {
        provider: props.provider,
        name: `${props.trailName}-lake`,
        kmsKeyId: this.lakeKey.arn,
        retentionPeriod: props.lakeRetentionDays,
        multiRegionEnabled: true,
        organizationEnabled: props.organizationTrail ?? true,
        terminationProtectionEnabled: true,
        advancedEventSelector: [
          { name: "Management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
        ],
      });
    }
  }
}

/** Management events (read and write) minus excluded sources, plus S3 data events on named buckets. */
function eventSelectors(excludedSources: string[], dataBuckets: string[]): CloudtrailAdvancedEventSelector[] {
  const management: CloudtrailAdvancedEventSelector = {
    name: "Management events",
    fieldSelector: [
      { field: "eventCategory", equalTo: ["Management"] },
      ...(excludedSources.length > 0 ? [{ field: "eventSource", notEquals: excludedSources }] : []),
    ],
  };
  if (dataBuckets.length === 0) return [management];
  return [
    management,
    {
      name: "S3 data events on named buckets",
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Data"] },
        { field: "resources.type", equalTo: ["AWS::S3::Object"] },
        { field: "resources.ARN", startsWith: dataBuckets.map((name) => `${arns.bucket(name)}/`) },
      ],
    },
  ];
}

/**
 * The Lake key: the management account administers it without using it;
 * CloudTrail may only generate data keys and decrypt; principals of the account
 * may decrypt only through CloudTrail (Lake queries), as IAM allows them.
 * CloudTrail's statement carries no aws:SourceArn / aws:SourceAccount: AWS's
 * CloudTrail guide ("Configure AWS KMS key policies for CloudTrail") says those
 * keys are not supported in event data store key policies and gives no other
 * condition, so the key is confined instead by being dedicated to this store
 * (no trail, bucket or log group uses it) and by its two actions.
 */
function lakeKeyStatements(region: string, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: arns.accountRoot(accountId) },
      Action: KMS_ADMIN_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "CloudTrailLakeEncryptsTheStore",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
    },
    {
      Sid: "QueriesDecryptThroughCloudTrail",
      Effect: "Allow",
      Principal: { AWS: arns.accountRoot(accountId) },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": `cloudtrail.${region}.amazonaws.com` } },
    },
  ];
}
