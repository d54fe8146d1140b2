import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { ConfigConfigRule } from "@cdktf/provider-aws/lib/config-config-rule";

/** AWS Config managed rules on the account's trails (identifiers from the AWS Config managed rules list). */
export const TRAIL_CONFIG_RULES = [
  { id: "CLOUD_TRAIL_ENABLED", name: "cloudtrail-enabled" },
  { id: "MULTI_REGION_CLOUD_TRAIL_ENABLED", name: "multi-region-cloudtrail-enabled" },
  { id: "CLOUD_TRAIL_ENCRYPTION_ENABLED", name: "cloudtrail-encryption-enabled" },
  { id: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", name: "cloudtrail-log-file-validation-enabled" },
  { id: "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED", name: "cloudtrail-cloudwatch-logs-enabled" },
] as const;

/** AWS Config managed rules on the trail's log buckets, each scoped to one bucket. */
export const LOG_BUCKET_CONFIG_RULES = [
  { id: "S3_BUCKET_LOGGING_ENABLED", name: "s3-bucket-logging-enabled" },
  { id: "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", name: "s3-bucket-level-public-access-prohibited" },
  { id: "S3_BUCKET_PUBLIC_READ_PROHIBITED", name: "s3-bucket-public-read-prohibited" },
  { id: "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", name: "s3-bucket-public-write-prohibited" },
] as const;

export interface TrailConfigRulesProps {
  /** Provider of the management account (the trail's). */
  readonly managementProvider: TerraformProvider;
  /** Provider of the log-archive account (the log buckets'). */
  readonly logArchiveProvider: TerraformProvider;
  /** Prefix of the rule names. */
  readonly namePrefix: string;
  /** The trail's log bucket, and its access-log bucket: the S3 rules check only these. */
  readonly logBucketNames: string[];
}

/**
 * AWS Config managed rules for the CloudTrail side of the estate, for teams that run a
 * configuration recorder in both accounts (the rules need one; this construct creates
 * none): trail enabled, multi-region, encrypted, log file validation, CloudWatch Logs
 * delivery in the management account; logging and no public access on the log buckets
 * in the log-archive account. Cost: AWS Config bills each rule evaluation, and the
 * recorder each configuration item it records (AWS Config pricing); the trail rules run
 * once a day, the bucket rules on each change of a log bucket. They repeat part of what
 * `trailgate verify` checks, continuously and in AWS's own console; the gate's rules
 * remain the fuller check.
 */
export class TrailConfigRules extends Construct {
  readonly rules: ConfigConfigRule[] = [];

  constructor(scope: Construct, id: string, props: TrailConfigRulesProps) {
    super(scope, id);
    if (props.logBucketNames.length === 0) throw new Error(`TrailConfigRules ${id}: logBucketNames must name the log bucket`);
    for (const rule of TRAIL_CONFIG_RULES) {
      this.rules.push(
        new ConfigConfigRule(this, rule.name.replace(/-/g, "_"), {
          provider: props.managementProvider,
          name: `${props.namePrefix}-${rule.name}`,
          description: `trailgate: AWS Config managed rule ${rule.id}`,
          source: { owner: "AWS", sourceIdentifier: rule.id },
          // Periodic rules: the trail rules are evaluated on a schedule, not on change.
          maximumExecutionFrequency: "TwentyFour_Hours",
        }),
      );
    }
    props.logBucketNames.forEach((bucket, i) => {
      for (const rule of LOG_BUCKET_CONFIG_RULES) {
        this.rules.push(
          new ConfigConfigRule(this, `${rule.name.replace(/-/g, "_")}_${i}`, {
            provider: props.logArchiveProvider,
            name: `${props.namePrefix}-${rule.name}-${i}`,
            description: `trailgate: AWS Config managed rule ${rule.id} on ${bucket}`,
            source: { owner: "AWS", sourceIdentifier: rule.id },
            scope: { complianceResourceTypes: ["AWS::S3::Bucket"], complianceResourceId: bucket },
          }),
        );
      }
    });
  }
}
