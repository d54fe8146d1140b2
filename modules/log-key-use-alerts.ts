import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { alarmedFilter, FilterMetric } from "./alarmed-filter";
import { METRIC_NAMESPACE } from "./monitoring";
import { isTerraformValue } from "./baseline";

/** KMS calls that use the log key or widen who may use it. */
export const LOG_KEY_USE_EVENTS = ["Decrypt", "GenerateDataKey*", "CreateGrant", "PutKeyPolicy"] as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const KEY_SCOPE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9*-]+$/;

export interface LogKeyUseAlertsProps {
  /** Provider of the account that owns the trail's log group (the management account). */
  readonly provider: TerraformProvider;
  /** Prefix of the filter, metric and alarm names. */
  readonly namePrefix: string;
  /** The organisation trail's log group (it records the log-archive account's KMS calls). */
  readonly logGroupName: string;
  /** The warning tier's topic. */
  readonly alarmTopicArn: string;
  /**
   * The log key's ARN, or the log-archive account's keys
   * ("arn:aws:kms:eu-west-2:222222222222:key/*") when the ARN is known only after apply.
   */
  readonly keyArnPattern: string;
  /** Roles whose use of the key is expected (the named log readers). @default [] */
  readonly readerRoleArns?: string[];
  /** KMS calls alerted on. @default LOG_KEY_USE_EVENTS */
  readonly events?: readonly string[];
  /** What the filter must wait for, e.g. the log group. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An alert (warning tier) when the log key is used (Decrypt, GenerateDataKey*) or its
 * use is widened (CreateGrant, PutKeyPolicy) by anyone but CloudTrail itself and the
 * named reader roles: who else decrypts the audit logs, or lets others do so, is
 * worth a look the same day. Break-glass readers are deliberately not exempt.
 */
export class LogKeyUseAlerts extends Construct {
  readonly filter: CloudwatchLogMetricFilter;
  readonly alarm: CloudwatchMetricAlarm;
  /** The alarm's name, literal (for dashboards). */
  readonly alarmName: string;
  /** The filter's metric (for dashboards). */
  readonly metric: FilterMetric;

  constructor(scope: Construct, id: string, props: LogKeyUseAlertsProps) {
    super(scope, id);
    if (!isTerraformValue(props.keyArnPattern) && !KEY_SCOPE.test(props.keyArnPattern)) {
      throw new Error(`LogKeyUseAlerts ${id}: keyArnPattern must be a KMS key ARN or arn:aws:kms:<region>:<account>:key/* (got "${props.keyArnPattern}")`);
    }
    const readers = props.readerRoleArns ?? [];
    for (const arn of readers) if (!ROLE_ARN.test(arn)) throw new Error(`LogKeyUseAlerts ${id}: "${arn}" is not an IAM role ARN`);
    const events = [...(props.events ?? LOG_KEY_USE_EVENTS)];
    if (events.length === 0) throw new Error(`LogKeyUseAlerts ${id}: events must name at least one KMS call`);
    const terms = [
      "($.eventSource = kms.amazonaws.com)",
      `(${events.map((name) => `($.eventName = ${name})`).join(" || ")})`,
      `($.resources[0].ARN = "${props.keyArnPattern}")`,
      '($.userIdentity.invokedBy != "cloudtrail.amazonaws.com")',
      // A role's sessions are named by the role: the session issuer is the role's ARN.
      ...readers.map((arn) => `($.userIdentity.sessionContext.sessionIssuer.arn != "${arn}")`),
    ];
    this.alarmName = `${props.namePrefix}-log-key-use`;
    this.metric = { namespace: METRIC_NAMESPACE, metricName: "LogKeyUse", label: "Log key use by others" };
    const alert = alarmedFilter(this, "log_key_use", {
      provider: props.provider,
      name: this.alarmName,
      logGroupName: props.logGroupName,
      pattern: `{ ${terms.join(" && ")} }`,
      metricName: this.metric.metricName,
      description: "The log key was used, or its use widened, by someone other than CloudTrail and the named readers",
      tier: "warning",
      alarmTopicArn: props.alarmTopicArn,
      dependsOn: props.dependsOn,
    });
    this.filter = alert.filter;
    this.alarm = alert.alarm;
  }
}
