import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlertTier } from "./alert-types";
import { ALERT_TIER_PERIOD_SECONDS, METRIC_NAMESPACE } from "./monitoring";

/** CloudWatch Logs refuses filter patterns longer than this. */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

export interface AlarmedFilterProps {
  readonly provider: TerraformProvider;
  /** Name of the metric filter and of its alarm. */
  readonly name: string;
  /** Log group the filter reads (the trail's). */
  readonly logGroupName: string;
  readonly pattern: string;
  /** Metric in the Trailgate/CloudTrail namespace. */
  readonly metricName: string;
  /** Alarm description: what a match means. */
  readonly description: string;
  readonly tier: AlertTier;
  /** Topic the alarm notifies (the tier's). */
  readonly alarmTopicArn: string;
  /** What the filter must wait for, e.g. the log group. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** A metric filter's metric as a dashboard plots it. */
export interface FilterMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly label: string;
}

/**
 * One metric filter on the trail's log group and the alarm on its metric, the way the
 * CIS monitors are built (one count per matching event, alarm at one match per tier
 * period, missing data is no match).
 */
export function alarmedFilter(scope: Construct, id: string, props: AlarmedFilterProps): { filter: CloudwatchLogMetricFilter; alarm: CloudwatchMetricAlarm } {
  if (props.pattern.length > MAX_FILTER_PATTERN_LENGTH) {
    throw new Error(`${scope.node.path}: the ${props.name} filter pattern is ${props.pattern.length} characters, above CloudWatch Logs' ${MAX_FILTER_PATTERN_LENGTH}`);
  }
  const filter = new CloudwatchLogMetricFilter(scope, `${id}_filter`, {
    provider: props.provider,
    name: props.name,
    logGroupName: props.logGroupName,
    pattern: props.pattern,
    metricTransformation: { name: props.metricName, namespace: METRIC_NAMESPACE, value: "1" },
    dependsOn: props.dependsOn,
  });
  const alarm = new CloudwatchMetricAlarm(scope, `${id}_alarm`, {
    provider: props.provider,
    alarmName: props.name,
    alarmDescription: `${props.description} (${props.tier})`,
    metricName: props.metricName,
    namespace: METRIC_NAMESPACE,
    statistic: "Sum",
    period: ALERT_TIER_PERIOD_SECONDS[props.tier],
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [props.alarmTopicArn],
    dependsOn: [filter],
  });
  return { filter, alarm };
}
