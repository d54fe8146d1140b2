import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PolicyStatement, policyDocument } from "./iam";

/** CloudTrail API calls that switch the trail off or change what it records. */
export const TRAIL_TAMPER_EVENTS = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors"] as const;

/** S3 API calls that loosen the log bucket's protections. */
export const BUCKET_TAMPER_EVENTS = [
  "PutBucketPolicy",
  "DeleteBucketPolicy",
  "PutObjectLockConfiguration",
  "PutBucketVersioning",
  "PutBucketLogging",
  "PutBucketEncryption",
  "DeleteBucketEncryption",
  "PutBucketPublicAccessBlock",
  "DeleteBucketPublicAccessBlock",
] as const;

/** Where the alerts go and who the two rules are; everything the topic and key policies must name. */
export interface TamperAlertIdentity {
  readonly region: string;
  /** Account of the trail and of the alert topic. */
  readonly managementAccountId: string;
  /** Account of the log bucket (EventBridge sees its API calls there). */
  readonly logArchiveAccountId: string;
  /** Prefix of the rule and role names. */
  readonly namePrefix: string;
}

/** The names and ARNs of the rules and the publishing role, derived from the identity alone. */
export function tamperAlertNames(id: TamperAlertIdentity) {
  const trailRule = `${id.namePrefix}-trail-tampering`;
  const bucketRule = `${id.namePrefix}-log-bucket-tampering`;
  const publisherRole = `${id.namePrefix}-tamper-alerts-publisher`;
  return {
    trailRule,
    bucketRule,
    publisherRole,
    trailRuleArn: `arn:aws:events:${id.region}:${id.managementAccountId}:rule/${trailRule}`,
    bucketRuleArn: `arn:aws:events:${id.region}:${id.logArchiveAccountId}:rule/${bucketRule}`,
    publisherRoleArn: `arn:aws:iam::${id.logArchiveAccountId}:role/${publisherRole}`,
  };
}

/**
 * What the alert topic's policy and its KMS key's policy must add so the rules can
 * publish: EventBridge itself for the trail rule (same account, scoped to that rule by
 * aws:SourceArn) and the log-archive account's publisher role for the bucket rule
 * (EventBridge delivers cross-account through an execution role). Passed to
 * CloudTrailMonitoring before the topic exists, because the topic's policy is one
 * document.
 */
export function tamperAlertGrants(id: TamperAlertIdentity, alertTopicArn: string): { topicStatements: PolicyStatement[]; keyStatements: PolicyStatement[] } {
  const n = tamperAlertNames(id);
  return {
    topicStatements: [
      {
        Sid: "EventBridgeTrailTamperAlerts",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: alertTopicArn,
        Condition: { ArnEquals: { "aws:SourceArn": n.trailRuleArn } },
      },
      {
        Sid: "LogArchiveTamperAlerts",
        Effect: "Allow",
        Principal: { AWS: n.publisherRoleArn },
        Action: "sns:Publish",
        Resource: alertTopicArn,
      },
    ],
    keyStatements: [
      {
        Sid: "EventBridgePublishesToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": id.managementAccountId } },
      },
      {
        Sid: "LogArchiveTamperAlertsPublish",
        Effect: "Allow",
        Principal: { AWS: n.publisherRoleArn },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `sns.${id.region}.amazonaws.com` } },
      },
    ],
  };
}

export interface TamperAlertsProps extends TamperAlertIdentity {
  /** Provider of the management account (the trail rule). */
  readonly managementProvider: TerraformProvider;
  /** Provider of the log-archive account (the bucket rule and its publisher role). */
  readonly logArchiveProvider: TerraformProvider;
  /** Names of the buckets whose protections are watched: the log bucket and its access-log bucket. */
  readonly bucketNames: string[];
  /**
   * The critical alert topic's ARN, literal where it can be (the publisher role's policy
   * names it, and a plan should be able to show that policy). Its policy and its key's policy must carry
   * `tamperAlertGrants(...)` (the Trailgate construct passes them to
   * CloudTrailMonitoring); pass the topic in `dependsOn`.
   */
  readonly alertTopicArn: string;
  /** What the rules' targets must wait for, e.g. the alert topic they name by ARN. @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** CloudTrail events alerted on. @default TRAIL_TAMPER_EVENTS */
  readonly trailEvents?: readonly string[];
  /** S3 events on the watched buckets alerted on. @default BUCKET_TAMPER_EVENTS */
  readonly bucketEvents?: readonly string[];
}

/**
 * Real-time alerts on tampering with the audit trail: an EventBridge rule in the
 * management account on the CloudTrail calls that stop, delete or narrow the trail, and
 * one in the log-archive account on the S3 calls that change the log bucket's policy,
 * Object Lock, versioning, logging, encryption or public access block. Both notify the
 * critical topic within seconds of the call, before (and whether or not) the trail
 * delivers it.
 */
export class TamperAlerts extends Construct {
  readonly trailRule: CloudwatchEventRule;
  readonly bucketRule: CloudwatchEventRule;
  readonly publisherRole: IamRole;

  constructor(scope: Construct, id: string, props: TamperAlertsProps) {
    super(scope, id);
    const trailEvents = [...(props.trailEvents ?? TRAIL_TAMPER_EVENTS)];
    const bucketEvents = [...(props.bucketEvents ?? BUCKET_TAMPER_EVENTS)];
    if (trailEvents.length === 0) throw new Error(`TamperAlerts ${id}: trailEvents must name at least one CloudTrail event`);
    if (!trailEvents.includes("StopLogging") || !trailEvents.includes("DeleteTrail")) {
      throw new Error(`TamperAlerts ${id}: trailEvents must include StopLogging and DeleteTrail`);
    }
    if (props.bucketNames.length === 0) throw new Error(`TamperAlerts ${id}: bucketNames must name the log bucket`);
    if (bucketEvents.length === 0) throw new Error(`TamperAlerts ${id}: bucketEvents must name at least one S3 event`);
    const n = tamperAlertNames(props);
    // The topic's key is in the topic's account (the management account unless the ARN
    // names another); its key policy names this role, so the role may use keys of that
    // account and region, and only through SNS.
    const topic = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[\w-]+$/.exec(props.alertTopicArn);
    const topicKeys = `arn:aws:kms:${topic?.[1] ?? props.region}:${topic?.[2] ?? props.managementAccountId}:key/*`;

    this.trailRule = new CloudwatchEventRule(this, "trail_rule", {
      provider: props.managementProvider,
      name: n.trailRule,
      description: "Critical: the CloudTrail trail was stopped, deleted or changed (trailgate)",
      eventPattern: JSON.stringify({
        source: ["aws.cloudtrail"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["cloudtrail.amazonaws.com"], eventName: trailEvents },
      }),
    });
    new CloudwatchEventTarget(this, "trail_target", {
      provider: props.managementProvider,
      rule: this.trailRule.name,
      targetId: "critical-alerts",
      arn: props.alertTopicArn,
      dependsOn: props.dependsOn,
    });

    this.publisherRole = new IamRole(this, "publisher_role", {
      provider: props.logArchiveProvider,
      name: n.publisherRole,
      description: `Lets the ${n.bucketRule} EventBridge rule publish to the critical alert topic, nothing else`,
      assumeRolePolicy: policyDocument([
        {
          Sid: "EventBridgeAssumes",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.logArchiveAccountId }, ArnEquals: { "aws:SourceArn": n.bucketRuleArn } },
        },
      ]),
    });
    new IamRolePolicy(this, "publisher_policy", {
      provider: props.logArchiveProvider,
      role: this.publisherRole.name,
      name: "publish-tamper-alerts",
      policy: policyDocument([
        { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: props.alertTopicArn },
        {
          Sid: "EncryptAlerts",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: topicKeys,
          Condition: { StringEquals: { "kms:ViaService": `sns.${props.region}.amazonaws.com` } },
        },
      ]),
    });
    this.bucketRule = new CloudwatchEventRule(this, "bucket_rule", {
      provider: props.logArchiveProvider,
      name: n.bucketRule,
      description: "Critical: a protection of the CloudTrail log bucket was changed (trailgate)",
      eventPattern: JSON.stringify({
        source: ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["s3.amazonaws.com"], eventName: bucketEvents, requestParameters: { bucketName: props.bucketNames } },
      }),
    });
    new CloudwatchEventTarget(this, "bucket_target", {
      provider: props.logArchiveProvider,
      rule: this.bucketRule.name,
      targetId: "critical-alerts",
      arn: props.alertTopicArn,
      roleArn: this.publisherRole.arn,
      dependsOn: props.dependsOn,
    });
  }
}
