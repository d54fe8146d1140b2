import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { alarmedFilter, FilterMetric } from "./alarmed-filter";
import { METRIC_NAMESPACE } from "./monitoring";
import { isTerraformValue } from "./baseline";

/**
 * API calls that copy, replicate or export data to another region or out of AWS
 * storage: each may move personal data out of the UK, so each is worth a look.
 */
export const DATA_MOVEMENT_EVENTS = [
  "PutBucketReplication", // S3 replication
  "CopySnapshot", // EC2 EBS, ElastiCache
  "CopyImage", // EC2 AMIs
  "CopyDBSnapshot", // RDS
  "CopyDBClusterSnapshot", // Aurora, DocumentDB, Neptune
  "CreateDBInstanceReadReplica", // RDS cross-region replicas
  "StartDBInstanceAutomatedBackupsReplication", // RDS backups to another region
  "CreateGlobalCluster", // Aurora global databases
  "StartExportTask", // RDS snapshot export to S3
  "CreateGlobalTable", // DynamoDB (2017 version)
  "UpdateGlobalTable",
  "ExportTableToPointInTime", // DynamoDB export to S3
  "ReplicateKey", // KMS multi-Region keys
  "ReplicateSecretToRegions", // Secrets Manager
  "StartCopyJob", // AWS Backup
  "CreateExportTask", // CloudWatch Logs export to S3
  "PutReplicationConfiguration", // ECR
  "CreateReplicationConfiguration", // EFS
  "EnableSnapshotCopy", // Redshift
  "CreateGlobalReplicationGroup", // ElastiCache
] as const;

/**
 * Services whose events CloudTrail records in us-east-1 whatever the caller's region
 * (global services). Their writes are not data placed outside the UK, so the region
 * alert leaves them out; their changes are watched by the CIS monitors.
 */
export const GLOBAL_EVENT_SOURCES = [
  "iam.amazonaws.com",
  "sts.amazonaws.com",
  "signin.amazonaws.com",
  "organizations.amazonaws.com",
  "cloudfront.amazonaws.com",
  "route53.amazonaws.com",
  "support.amazonaws.com",
  "health.amazonaws.com",
  "account.amazonaws.com",
  "budgets.amazonaws.com",
  "ce.amazonaws.com",
  "sso.amazonaws.com",
] as const;

const EVENT_NAME = /^[A-Za-z0-9]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface DataResidencyAlertsProps {
  /** Provider of the account that owns the trail's log group (the management account). */
  readonly provider: TerraformProvider;
  /** Prefix of the filter, metric and alarm names. */
  readonly namePrefix: string;
  /** The organisation trail's log group: it holds every account's events from every region. */
  readonly logGroupName: string;
  /** The warning tier's topic. */
  readonly alarmTopicArn: string;
  /** Regions where the organisation may write; a write event in any other region alerts. */
  readonly allowedRegions: string[];
  /** Calls that copy, replicate or export data. @default DATA_MOVEMENT_EVENTS */
  readonly dataMovementEvents?: readonly string[];
  /** Event sources left out of the region alert. @default GLOBAL_EVENT_SOURCES */
  readonly globalEventSources?: readonly string[];
  /** What the filters must wait for, e.g. the log group. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Alerts (warning tier) on data leaving the UK, from the organisation trail's log
 * group, which sees every account and every region: a write event whose awsRegion is
 * not an allowed region (outside global services), and any call that copies,
 * replicates or exports data. Metric filters rather than EventBridge rules: an
 * EventBridge rule sees only the events of its own account and region, so a rule in
 * eu-west-2 could never see a write in us-east-1, nor a snapshot copy that is called
 * in its destination region.
 */
export class DataResidencyAlerts extends Construct {
  readonly regionFilter: CloudwatchLogMetricFilter;
  readonly regionAlarm: CloudwatchMetricAlarm;
  readonly movementFilter: CloudwatchLogMetricFilter;
  readonly movementAlarm: CloudwatchMetricAlarm;
  /** The two alarms' names, literal (for dashboards). */
  readonly alarmNames: string[];
  /** The two filters' metrics (for dashboards). */
  readonly metrics: FilterMetric[];

  constructor(scope: Construct, id: string, props: DataResidencyAlertsProps) {
    super(scope, id);
    if (props.allowedRegions.length === 0) throw new Error(`DataResidencyAlerts ${id}: allowedRegions must name at least one region`);
    for (const region of props.allowedRegions) {
      if (!isTerraformValue(region) && !REGION.test(region)) throw new Error(`DataResidencyAlerts ${id}: "${region}" is not an AWS region name`);
    }
    const events = [...(props.dataMovementEvents ?? DATA_MOVEMENT_EVENTS)];
    if (events.length === 0) throw new Error(`DataResidencyAlerts ${id}: dataMovementEvents must name at least one API call`);
    for (const name of events) if (!EVENT_NAME.test(name)) throw new Error(`DataResidencyAlerts ${id}: "${name}" is not an API call name`);
    const globalSources = [...(props.globalEventSources ?? GLOBAL_EVENT_SOURCES)];

    const outside = [
      "($.readOnly IS FALSE)",
      ...props.allowedRegions.map((region) => `($.awsRegion != "${region}")`),
      ...globalSources.map((source) => `($.eventSource != "${source}")`),
    ];
    const regionName = `${props.namePrefix}-writes-outside-allowed-regions`;
    const movementName = `${props.namePrefix}-data-copied-replicated-or-exported`;
    this.alarmNames = [regionName, movementName];
    this.metrics = [
      { namespace: METRIC_NAMESPACE, metricName: "WritesOutsideAllowedRegions", label: "Writes outside the allowed regions" },
      { namespace: METRIC_NAMESPACE, metricName: "DataCopiedReplicatedOrExported", label: "Data copied, replicated or exported" },
    ];
    const region = alarmedFilter(this, "outside_regions", {
      provider: props.provider,
      name: regionName,
      logGroupName: props.logGroupName,
      pattern: `{ ${outside.join(" && ")} }`,
      metricName: this.metrics[0].metricName,
      description: `A write API call in a region other than ${props.allowedRegions.join(", ")}: data may be stored outside the UK`,
      tier: "warning",
      alarmTopicArn: props.alarmTopicArn,
      dependsOn: props.dependsOn,
    });
    this.regionFilter = region.filter;
    this.regionAlarm = region.alarm;
    const movement = alarmedFilter(this, "data_movement", {
      provider: props.provider,
      name: movementName,
      logGroupName: props.logGroupName,
      pattern: `{ ${events.map((name) => `($.eventName = ${name})`).join(" || ")} }`,
      metricName: this.metrics[1].metricName,
      description: "Data was copied, replicated or exported (it may leave the UK): check the destination",
      tier: "warning",
      alarmTopicArn: props.alarmTopicArn,
      dependsOn: props.dependsOn,
    });
    this.movementFilter = movement.filter;
    this.movementAlarm = movement.alarm;
  }
}
