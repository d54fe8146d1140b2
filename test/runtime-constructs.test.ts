/**
 * The runtime side of the estate: the delivery heartbeat, the tamper alerts and the
 * dashboard, alone and as TrailgateStack wires them (critical tier, topic and key
 * policies that admit the alerts).
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  AuditDashboard,
  BUCKET_TAMPER_EVENTS,
  DeliveryHeartbeat,
  TRAIL_TAMPER_EVENTS,
  TamperAlerts,
  TrailgateConfig,
  TrailgateStack,
  tamperAlertGrants,
  tamperAlertNames,
} from "../modules";

type Synth = Record<string, any>;

const BASE: TrailgateConfig = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222" };
const CRITICAL_TOPIC = "arn:aws:sns:eu-west-2:111111111111:trailgate-alerts-critical";
const IDENTITY = { region: "eu-west-2", managementAccountId: "111111111111", logArchiveAccountId: "222222222222", namePrefix: "trailgate" };

const doc: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "runtime", BASE)));
const resource = (type: string, name: string): Synth => {
  const found = doc.resource[type]?.[name];
  if (!found) throw new Error(`no ${type}.${name}; have ${Object.keys(doc.resource[type] ?? {}).join(", ")}`);
  return found;
};
const statements = (policy: string): Synth[] => JSON.parse(policy).Statement;
const bySid = (policy: string, sid: string): Synth => {
  const found = statements(policy).find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};

/** The one resource of a type in a plain stack (logical ids there are hashed). */
function onlyOf(synthed: Synth, type: string): Synth {
  const all = Object.values(synthed.resource[type] ?? {}) as Synth[];
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

function scaffold() {
  const stack = new TerraformStack(Testing.app(), "unit");
  const management = new AwsProvider(stack, "aws", { region: "eu-west-2" });
  const logArchive = new AwsProvider(stack, "aws_log_archive", { region: "eu-west-2", alias: "log_archive" });
  return { stack, management, logArchive };
}

describe("DeliveryHeartbeat", () => {
  test("TrailgateStack: no events for 15 minutes on the trail's log group alarms the critical tier, missing data breaching", () => {
    const alarm = resource("aws_cloudwatch_metric_alarm", "delivery_heartbeat_alarm");
    expect(alarm).toMatchObject({
      alarm_name: "trailgate-cloudtrail-delivery-heartbeat",
      namespace: "AWS/Logs",
      metric_name: "IncomingLogEvents",
      dimensions: { LogGroupName: "/trailgate/cloudtrail/org-trail" },
      statistic: "Sum",
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
      alarm_actions: ["${aws_sns_topic.monitoring_critical_topic.arn}"],
      ok_actions: ["${aws_sns_topic.monitoring_critical_topic.arn}"],
    });
    expect(alarm.period * alarm.evaluation_periods).toBe(15 * 60);
    expect(alarm.datapoints_to_alarm).toBe(alarm.evaluation_periods);
    // The log group the trail delivers to.
    expect(resource("aws_cloudwatch_log_group", "monitoring_log_group").name).toBe(alarm.dimensions.LogGroupName);
  });

  test("silenceMinutes sets the window; it must be a multiple of 5 from 5 to 60", () => {
    const { stack, management } = scaffold();
    const h = new DeliveryHeartbeat(stack, "h", { provider: management, namePrefix: "x", logGroupName: "/g", alarmTopicArn: CRITICAL_TOPIC, silenceMinutes: 30 });
    const synthed = onlyOf(JSON.parse(Testing.synth(stack)), "aws_cloudwatch_metric_alarm");
    expect(synthed.period * synthed.evaluation_periods).toBe(1800);
    expect(h.alarmName).toBe("x-cloudtrail-delivery-heartbeat");
    for (const bad of [0, 7, 65, 12.5]) {
      const s = scaffold();
      expect(() => new DeliveryHeartbeat(s.stack, "h", { provider: s.management, namePrefix: "x", logGroupName: "/g", alarmTopicArn: CRITICAL_TOPIC, silenceMinutes: bad })).toThrow(
        /silenceMinutes must be a multiple of 5 from 5 to 60/,
      );
    }
  });
});

describe("TamperAlerts", () => {
  const names = tamperAlertNames(IDENTITY);

  test("the management-account rule matches the five CloudTrail calls and targets the critical topic", () => {
    const rule = resource("aws_cloudwatch_event_rule", "tamper_alerts_trail_rule");
    expect(rule.name).toBe("trailgate-trail-tampering");
    expect(rule.provider).toBe("aws");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.cloudtrail"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["cloudtrail.amazonaws.com"], eventName: [...TRAIL_TAMPER_EVENTS] },
    });
    const target = resource("aws_cloudwatch_event_target", "tamper_alerts_trail_target");
    expect(target).toMatchObject({ rule: "${aws_cloudwatch_event_rule.tamper_alerts_trail_rule.name}", arn: CRITICAL_TOPIC });
    // The topic ARN is literal, so the target is ordered after the topic explicitly.
    expect(target.depends_on).toEqual(expect.arrayContaining(["aws_sns_topic.monitoring_critical_topic"]));
  });

  test("the log-archive rule watches the log and access-log buckets' protections and publishes through a scoped role", () => {
    const rule = resource("aws_cloudwatch_event_rule", "tamper_alerts_bucket_rule");
    expect(rule.provider).toBe("aws.log_archive");
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern.source).toEqual(["aws.s3"]);
    expect(pattern.detail.eventName).toEqual([...BUCKET_TAMPER_EVENTS]);
    for (const event of ["PutBucketPolicy", "PutObjectLockConfiguration", "PutBucketVersioning", "PutBucketLogging"]) expect(pattern.detail.eventName).toContain(event);
    expect(pattern.detail.requestParameters.bucketName).toEqual([
      "trailgate-cloudtrail-222222222222-eu-west-2",
      "trailgate-access-logs-222222222222-eu-west-2",
    ]);
    const target = resource("aws_cloudwatch_event_target", "tamper_alerts_bucket_target");
    expect(target).toMatchObject({ provider: "aws.log_archive", arn: CRITICAL_TOPIC, role_arn: "${aws_iam_role.tamper_alerts_publisher_role.arn}" });
    const role = resource("aws_iam_role", "tamper_alerts_publisher_role");
    expect(role.provider).toBe("aws.log_archive");
    expect(bySid(role.assume_role_policy, "EventBridgeAssumes")).toEqual({
      Sid: "EventBridgeAssumes",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": "222222222222" }, ArnEquals: { "aws:SourceArn": names.bucketRuleArn } },
    });
    const policy = statements(resource("aws_iam_role_policy", "tamper_alerts_publisher_policy").policy);
    expect(policy.map((s) => s.Action)).toEqual(["sns:Publish", ["kms:GenerateDataKey*", "kms:Decrypt"]]);
    // Literal ARNs: a plan shows the whole policy (TG-LP-008).
    expect(policy[0].Resource).toBe(CRITICAL_TOPIC);
    expect(policy[1]).toMatchObject({ Resource: "arn:aws:kms:eu-west-2:111111111111:key/*", Condition: { StringEquals: { "kms:ViaService": "sns.eu-west-2.amazonaws.com" } } });
  });

  test("the critical topic admits EventBridge for the trail rule only, and the publisher role; other tiers admit neither", () => {
    const critical = resource("aws_sns_topic", "monitoring_critical_topic");
    expect(bySid(critical.policy, "EventBridgeTrailTamperAlerts")).toEqual({
      Sid: "EventBridgeTrailTamperAlerts",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: CRITICAL_TOPIC,
      Condition: { ArnEquals: { "aws:SourceArn": names.trailRuleArn } },
    });
    expect(bySid(critical.policy, "LogArchiveTamperAlerts").Principal).toEqual({ AWS: names.publisherRoleArn });
    for (const tier of ["warning", "info"]) {
      const sids = statements(resource("aws_sns_topic", `monitoring_${tier}_topic`).policy).map((s) => s.Sid);
      expect(sids).not.toContain("EventBridgeTrailTamperAlerts");
      expect(sids).not.toContain("LogArchiveTamperAlerts");
    }
    expect(names.trailRuleArn).toBe("arn:aws:events:eu-west-2:111111111111:rule/trailgate-trail-tampering");
    // The topics are encrypted: the key lets EventBridge and the publisher role use it, scoped.
    const key = resource("aws_kms_key", "monitoring_key").policy;
    expect(bySid(key, "EventBridgePublishesToEncryptedTopics").Condition).toEqual({ StringEquals: { "aws:SourceAccount": "111111111111" } });
    expect(bySid(key, "LogArchiveTamperAlertsPublish").Condition).toEqual({ StringEquals: { "kms:ViaService": "sns.eu-west-2.amazonaws.com" } });
    expect(tamperAlertGrants(IDENTITY, CRITICAL_TOPIC).topicStatements.map((s) => s.Sid)).toEqual(["EventBridgeTrailTamperAlerts", "LogArchiveTamperAlerts"]);
  });

  test("the topics carry their tier as a tag (trailgate verify reads it)", () => {
    for (const tier of ["critical", "warning", "info"]) {
      expect(resource("aws_sns_topic", `monitoring_${tier}_topic`).tags).toEqual({ "trailgate:alert-tier": tier });
    }
  });

  test("refuses rules that would miss StopLogging or DeleteTrail, or watch no bucket", () => {
    const props = (extra: object) => {
      const s = scaffold();
      return () =>
        new TamperAlerts(s.stack, "t", {
          ...IDENTITY,
          managementProvider: s.management,
          logArchiveProvider: s.logArchive,
          bucketNames: ["logs"],
          alertTopicArn: CRITICAL_TOPIC,
          ...extra,
        });
    };
    expect(props({})).not.toThrow();
    expect(props({ trailEvents: ["UpdateTrail"] })).toThrow(/must include StopLogging and DeleteTrail/);
    expect(props({ bucketNames: [] })).toThrow(/bucketNames must name the log bucket/);
    expect(props({ bucketEvents: [] })).toThrow(/bucketEvents must name at least one S3 event/);
  });
});

describe("AuditDashboard", () => {
  test("TrailgateStack: alarm states by tier, events per hour, the heartbeat and every monitor's matches", () => {
    const dashboard = resource("aws_cloudwatch_dashboard", "dashboard_dashboard");
    expect(dashboard.dashboard_name).toBe("trailgate-cloudtrail");
    const widgets: Synth[] = JSON.parse(dashboard.dashboard_body).widgets;
    const titles = widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      "Critical alarms (every occurrence)",
      "Warning alarms (within 30 minutes)",
      "Info alarms (daily)",
      "Delivery heartbeat: events reaching the log group per 5 minutes",
      "Events delivered per hour",
      "Metric filter matches per hour",
      "CloudTrail estimated charges this month (USD, all of CloudTrail, us-east-1 billing metric)",
    ]);
    // No Lake store in BASE: no Lake panels, and the charges panel takes the full row.
    const charges = widgets[widgets.length - 1];
    expect(charges.properties).toMatchObject({
      region: "us-east-1",
      metrics: [["AWS/Billing", "EstimatedCharges", "ServiceName", "AWSCloudTrail", "Currency", "USD", { label: "CloudTrail (trails, Insights, Lake)" }]],
      stat: "Maximum",
    });
    expect(charges.width).toBe(24);
    const alarmNames = Object.values(doc.resource.aws_cloudwatch_metric_alarm as Record<string, Synth>).map((a) => a.alarm_name as string);
    const onDashboard = widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms as string[]);
    // Every alarm of the stack, once, by its literal ARN.
    expect(onDashboard.sort()).toEqual(alarmNames.map((n) => `arn:aws:cloudwatch:eu-west-2:111111111111:alarm:${n}`).sort());
    expect(widgets[1].properties.alarms).toContain("arn:aws:cloudwatch:eu-west-2:111111111111:alarm:trailgate-cloudtrail-delivery-heartbeat");
    const perHour = widgets.find((w) => w.properties.title === "Events delivered per hour")!;
    expect(perHour.properties).toMatchObject({ metrics: [["AWS/Logs", "IncomingLogEvents", "LogGroupName", "/trailgate/cloudtrail/org-trail"]], stat: "Sum", period: 3600 });
    const matches = widgets.find((w) => w.properties.title === "Metric filter matches per hour")!;
    const filterMetrics = Object.values(doc.resource.aws_cloudwatch_log_metric_filter as Record<string, Synth>).map((f) => f.metric_transformation.name).sort();
    expect(matches.properties.metrics.map((m: string[]) => m[1]).sort()).toEqual(filterMetrics);
  });

  test("with Lake: bytes ingested and stored from AWS/CloudTrail by SEARCH, the storage budget and its 80% line", () => {
    const lakeDoc: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "lake", { ...BASE, lake: { retentionDays: 2555, storageBudgetGiB: 500 } })));
    const body = JSON.parse(onlyOf(lakeDoc, "aws_cloudwatch_dashboard").dashboard_body);
    const byTitle = (start: string) => body.widgets.find((w: Synth) => String(w.properties.title).startsWith(start));
    const ingested = byTitle("CloudTrail Lake: bytes ingested per hour");
    expect(ingested.properties.region).toBe("eu-west-2");
    expect(ingested.properties.metrics).toEqual([[{ expression: `SEARCH('Namespace="AWS/CloudTrail" MetricName="HourlyDataIngested"', 'Sum', 3600)`, id: "ingested", label: "" }]]);
    const stored = byTitle("CloudTrail Lake: bytes stored");
    expect(stored.properties.title).toContain("against the 500 GiB budget");
    expect(stored.properties.metrics[0][0].expression).toBe(`SEARCH('Namespace="AWS/CloudTrail" MetricName="TotalStorageBytes"', 'Maximum', 86400)`);
    expect(stored.properties.annotations.horizontal.map((a: Synth) => [a.label, a.value])).toEqual([
      ["80% of the storage budget", 400 * 1024 ** 3],
      ["storage budget", 500 * 1024 ** 3],
    ]);
    expect(byTitle("CloudTrail estimated charges").width).toBe(8);
    // Every value in the body is literal: nothing waits for apply.
    expect(onlyOf(lakeDoc, "aws_cloudwatch_dashboard").dashboard_body).not.toContain("${");
  });

  test("a Lake storage budget must be positive, and needs Lake", () => {
    expect(() => new TrailgateStack(Testing.app(), "bad", { ...BASE, lake: { storageBudgetGiB: 0 } })).toThrow(
      "trailgate config: lake.storageBudgetGiB must be a positive number of GiB (got 0)",
    );
    const { stack, management } = scaffold();
    const base = { provider: management, region: "eu-west-2", accountId: "111111111111", namePrefix: "x", logGroupName: "/g", alarmsByTier: { critical: ["hb"], warning: [], info: [] }, heartbeatAlarmName: "hb" };
    expect(() => new AuditDashboard(stack, "d", { ...base, lakeStorageBudgetGiB: 10 })).toThrow("AuditDashboard d: lakeStorageBudgetGiB needs lake: true");
  });

  test("a tier without alarms gets no panel", () => {
    const { stack, management } = scaffold();
    new AuditDashboard(stack, "d", {
      provider: management,
      region: "eu-west-2",
      accountId: "111111111111",
      namePrefix: "x",
      logGroupName: "/g",
      alarmsByTier: { critical: ["hb"], warning: [], info: [] },
      heartbeatAlarmName: "hb",
    });
    const body = JSON.parse(onlyOf(JSON.parse(Testing.synth(stack)), "aws_cloudwatch_dashboard").dashboard_body);
    expect(body.widgets.filter((w: Synth) => w.type === "alarm")).toHaveLength(1);
    expect(body.widgets.some((w: Synth) => w.properties.title === "Metric filter matches per hour")).toBe(false);
  });
});
