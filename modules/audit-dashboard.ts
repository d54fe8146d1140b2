import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { AlertTier } from "./alert-types";

/** One metric-filter metric on the dashboard. */
export interface DashboardMonitor {
  readonly namespace: string;
  readonly metricName: string;
  /** What the line is called. */
  readonly label: string;
}

export interface AuditDashboardProps {
  /** Provider of the account of the trail's log group and alarms (the management account). */
  readonly provider: TerraformProvider;
  readonly region: string;
  /** Account of the alarms (their ARNs go on the dashboard). */
  readonly accountId: string;
  /** Prefix of the dashboard name. */
  readonly namePrefix: string;
  /** Log group the trail delivers to. */
  readonly logGroupName: string;
  /** Alarm names per tier, shown as one alarm-status panel each (a tier with none has no panel). */
  readonly alarmsByTier: Record<AlertTier, string[]>;
  /** Name of the delivery heartbeat alarm, drawn on the delivery graph. */
  readonly heartbeatAlarmName: string;
  /** The metric filters' metrics, counted per hour. @default [] */
  readonly monitors?: readonly DashboardMonitor[];
  /**
   * Draw the CloudTrail Lake panels: bytes ingested per hour and bytes stored, from the
   * AWS/CloudTrail metrics Lake publishes for every event data store of the region.
   * @default false (no Lake store)
   */
  readonly lake?: boolean;
  /**
   * Storage the team budgets for the region's Lake stores, in GiB: the storage panel
   * draws it and its 80% warning line. Only with `lake`.
   * @default no budget lines
   */
  readonly lakeStorageBudgetGiB?: number;
  /** Resources the dashboard names by ARN (its alarms). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** The share of the Lake storage budget the dashboard marks as the warning line. */
export const LAKE_STORAGE_WARN_PERCENT = 80;

const GIB = 1024 ** 3;

const TIER_TITLES: Record<AlertTier, string> = {
  critical: "Critical alarms (every occurrence)",
  warning: "Warning alarms (within 30 minutes)",
  info: "Info alarms (daily)",
};

/**
 * One CloudWatch dashboard for the people who run the trail: alarm states by tier,
 * events delivered per hour, the delivery heartbeat, and how often each monitor's
 * metric filter matched. Every ARN and name is literal, so the body is a plain JSON
 * document in the plan.
 */
export class AuditDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: AuditDashboardProps) {
    super(scope, id);
    const alarmArn = (name: string) => `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:${name}`;
    const incoming = ["AWS/Logs", "IncomingLogEvents", "LogGroupName", props.logGroupName];
    const widgets: object[] = [
      {
        type: "text",
        x: 0, y: 0, width: 24, height: 2,
        properties: {
          markdown: `## CloudTrail audit logging\nLog group \`${props.logGroupName}\`. Check the live estate with \`trailgate verify\`; runbooks in help/operations/.`,
        },
      },
    ];
    let x = 0;
    for (const tier of ["critical", "warning", "info"] as const) {
      const alarms = props.alarmsByTier[tier];
      if (alarms.length === 0) continue;
      widgets.push({
        type: "alarm",
        x, y: 2, width: 8, height: 6,
        properties: { title: TIER_TITLES[tier], alarms: alarms.map(alarmArn), sortBy: "stateUpdatedTimestamp" },
      });
      x += 8;
    }
    widgets.push(
      {
        type: "metric",
        x: 0, y: 8, width: 12, height: 6,
        properties: {
          title: "Delivery heartbeat: events reaching the log group per 5 minutes",
          region: props.region,
          metrics: [incoming],
          stat: "Sum",
          period: 300,
          view: "timeSeries",
          annotations: { alarms: [alarmArn(props.heartbeatAlarmName)] },
        },
      },
      {
        type: "metric",
        x: 12, y: 8, width: 12, height: 6,
        properties: {
          title: "Events delivered per hour",
          region: props.region,
          metrics: [incoming],
          stat: "Sum",
          period: 3600,
          view: "bar",
        },
      },
    );
    const monitors = props.monitors ?? [];
    if (monitors.length > 0) {
      widgets.push({
        type: "metric",
        x: 0, y: 14, width: 24, height: 8,
        properties: {
          title: "Metric filter matches per hour",
          region: props.region,
          metrics: monitors.map((m) => [m.namespace, m.metricName, { label: m.label }]),
          stat: "Sum",
          period: 3600,
          stacked: true,
          view: "timeSeries",
        },
      });
    }
    if (props.lakeStorageBudgetGiB !== undefined) {
      if (!props.lake) throw new Error(`AuditDashboard ${id}: lakeStorageBudgetGiB needs lake: true`);
      if (!(props.lakeStorageBudgetGiB > 0) || !Number.isFinite(props.lakeStorageBudgetGiB)) {
        throw new Error(`AuditDashboard ${id}: lakeStorageBudgetGiB must be a positive number of GiB (got ${props.lakeStorageBudgetGiB})`);
      }
    }
    widgets.push(...costWidgets(props, monitors.length > 0 ? 22 : 14));
    this.dashboardName = `${props.namePrefix}-cloudtrail`;
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      provider: props.provider,
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify({ widgets }),
      dependsOn: props.dependsOn,
    });
  }
}

/**
 * The cost section. CloudWatch has no metric of Lake's cost: Lake publishes bytes
 * (AWS/CloudTrail HourlyDataIngested, TotalStorageBytes), and AWS/Billing publishes the
 * estimated month-to-date charge of the whole CloudTrail service, in us-east-1 only and
 * only once billing alerts are enabled for the account. SEARCH picks up every Lake
 * store of the region whatever its dimensions, so no store id (unknown before apply)
 * goes into the body.
 */
function costWidgets(props: AuditDashboardProps, y: number): object[] {
  const widgets: object[] = [
    {
      type: "metric",
      x: 0, y, width: props.lake ? 8 : 24, height: 6,
      properties: {
        title: "CloudTrail estimated charges this month (USD, all of CloudTrail, us-east-1 billing metric)",
        region: "us-east-1",
        metrics: [["AWS/Billing", "EstimatedCharges", "ServiceName", "AWSCloudTrail", "Currency", "USD", { label: "CloudTrail (trails, Insights, Lake)" }]],
        stat: "Maximum",
        period: 21600,
        view: "timeSeries",
      },
    },
  ];
  if (!props.lake) return widgets;
  const search = (metric: string, stat: string, period: number) => `SEARCH('Namespace="AWS/CloudTrail" MetricName="${metric}"', '${stat}', ${period})`;
  const budget = props.lakeStorageBudgetGiB;
  widgets.push(
    {
      type: "metric",
      x: 8, y, width: 8, height: 6,
      properties: {
        title: "CloudTrail Lake: bytes ingested per hour (what Lake ingestion is billed on)",
        region: props.region,
        metrics: [[{ expression: search("HourlyDataIngested", "Sum", 3600), id: "ingested", label: "" }]],
        view: "timeSeries",
        yAxis: { left: { label: "Bytes", showUnits: false } },
      },
    },
    {
      type: "metric",
      x: 16, y, width: 8, height: 6,
      properties: {
        title: budget === undefined
          ? "CloudTrail Lake: bytes stored (compressed, per store)"
          : `CloudTrail Lake: bytes stored (compressed, per store) against the ${budget} GiB budget`,
        region: props.region,
        metrics: [[{ expression: search("TotalStorageBytes", "Maximum", 86400), id: "stored", label: "" }]],
        view: "timeSeries",
        yAxis: { left: { label: "Bytes", showUnits: false, min: 0 } },
        ...(budget === undefined
          ? {}
          : {
              annotations: {
                horizontal: [
                  { label: `${LAKE_STORAGE_WARN_PERCENT}% of the storage budget`, value: (budget * GIB * LAKE_STORAGE_WARN_PERCENT) / 100, color: "#ff7f0e" },
                  { label: "storage budget", value: budget * GIB, color: "#d62728" },
                ],
              },
            }),
      },
    },
  );
  return widgets;
}
