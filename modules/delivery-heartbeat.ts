import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

/** CloudWatch Logs publishes IncomingLogEvents per minute; the heartbeat sums it over 5-minute periods. */
const HEARTBEAT_PERIOD_SECONDS = 300;

export interface DeliveryHeartbeatProps {
  /** Provider of the account that owns the trail's log group (the management account). */
  readonly provider: TerraformProvider;
  /** Prefix of the alarm name. */
  readonly namePrefix: string;
  /** Name of the log group the trail delivers to (a literal name, so plans show it). */
  readonly logGroupName: string;
  /** SNS topic told when delivery stops, and when it resumes (the critical tier). */
  readonly alarmTopicArn: string;
  /**
   * Minutes without a single event reaching the log group before the alarm fires; a
   * multiple of 5 from 5 to 60. The gate (TG-LOG-014) allows at most
   * max_delivery_age_minutes (15 by default).
   * @default 15
   */
  readonly silenceMinutes?: number;
}

/**
 * The delivery heartbeat: an alarm on the trail log group's own `IncomingLogEvents`
 * that fires when no event at all arrives for `silenceMinutes`, treating missing data
 * as breaching. The CIS monitors treat missing data as not breaching (no root sign-in
 * is good news), so when the trail stops delivering they all read "OK"; this is the one
 * alarm for which silence is the incident.
 */
export class DeliveryHeartbeat extends Construct {
  readonly alarm: CloudwatchMetricAlarm;
  readonly alarmName: string;

  constructor(scope: Construct, id: string, props: DeliveryHeartbeatProps) {
    super(scope, id);
    const silenceMinutes = props.silenceMinutes ?? 15;
    if (!Number.isInteger(silenceMinutes) || silenceMinutes < 5 || silenceMinutes > 60 || silenceMinutes % 5 !== 0) {
      throw new Error(`DeliveryHeartbeat ${id}: silenceMinutes must be a multiple of 5 from 5 to 60 (got ${silenceMinutes})`);
    }
    if (!props.logGroupName) throw new Error(`DeliveryHeartbeat ${id}: logGroupName is required`);
    const periods = (silenceMinutes * 60) / HEARTBEAT_PERIOD_SECONDS;
    this.alarmName = `${props.namePrefix}-cloudtrail-delivery-heartbeat`;
    this.alarm = new CloudwatchMetricAlarm(this, "alarm", {
      provider: props.provider,
      alarmName: this.alarmName,
      alarmDescription: `No CloudTrail event reached ${props.logGroupName} for ${silenceMinutes} minutes: the trail is stopped, re-pointed or cannot deliver (critical). Run trailgate verify.`,
      namespace: "AWS/Logs",
      metricName: "IncomingLogEvents",
      dimensions: { LogGroupName: props.logGroupName },
      statistic: "Sum",
      period: HEARTBEAT_PERIOD_SECONDS,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
  }
}
