/**
 * The UK operations alerts: data leaving the allowed regions (DataResidencyAlerts) and
 * use of the log key (LogKeyUseAlerts), alone and as TrailgateStack wires them (warning
 * tier, on the organisation trail's log group), and their defaults against the policy
 * data the gate checks them with (TG-UK-002, TG-UK-003).
 */
import * as fs from "fs";
import * as path from "path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DATA_MOVEMENT_EVENTS, DataResidencyAlerts, LOG_KEY_USE_EVENTS, LogKeyUseAlerts, TrailgateConfig, TrailgateStack } from "../modules";
import { ALERT_TIER_PERIOD_SECONDS } from "../modules/monitoring";
import { parseFilterPattern } from "../terraform/filter-pattern";

type Synth = Record<string, any>;

const BASE: TrailgateConfig = {
  organizationId: "o-abcdefghij",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
  readerRoleArns: ["arn:aws:iam::222222222222:role/LogReader"],
};
const policyData = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policies", "data.json"), "utf8")).trailgate.config;

function alarmNamed(doc: Synth, name: string): Synth {
  const found = Object.values(doc.resource.aws_cloudwatch_metric_alarm as Record<string, Synth>).find((a) => a.alarm_name === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
}
function filterNamed(doc: Synth, name: string): Synth {
  const found = Object.values(doc.resource.aws_cloudwatch_log_metric_filter as Record<string, Synth>).find((f) => f.name === name);
  if (!found) throw new Error(`no metric filter ${name}`);
  return found;
}

function unit() {
  const stack = new TerraformStack(Testing.app(), "unit");
  const provider = new AwsProvider(stack, "aws", { region: "eu-west-2" });
  const common = { provider, namePrefix: "tg", logGroupName: "/tg/cloudtrail", alarmTopicArn: "arn:aws:sns:eu-west-2:111111111111:tg-alerts-warning" };
  return { stack, common };
}

describe("TrailgateStack wires both alerts to the warning tier on the trail's log group", () => {
  const doc: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "uk", BASE)));
  const warningTopic = "${aws_sns_topic.monitoring_warning_topic.arn}";

  test("writes outside eu-west-2, global services aside", () => {
    const filter = filterNamed(doc, "trailgate-writes-outside-allowed-regions");
    expect(filter.log_group_name).toBe("${aws_cloudwatch_log_group.monitoring_log_group.name}");
    const parsed = parseFilterPattern(filter.pattern);
    expect(parsed.alternatives).toHaveLength(1);
    expect(parsed.alternatives[0].require).toEqual(["$.readOnly IS FALSE"]);
    expect(parsed.alternatives[0].exclude).toEqual(expect.arrayContaining(["$.awsRegion != eu-west-2", "$.eventSource != iam.amazonaws.com", "$.eventSource != sts.amazonaws.com"]));
    expect(alarmNamed(doc, "trailgate-writes-outside-allowed-regions")).toMatchObject({ alarm_actions: [warningTopic], period: ALERT_TIER_PERIOD_SECONDS.warning, threshold: 1, treat_missing_data: "notBreaching" });
  });

  test("every data-movement call, one alternative each", () => {
    const parsed = parseFilterPattern(filterNamed(doc, "trailgate-data-copied-replicated-or-exported").pattern);
    expect(parsed.alternatives.map((a) => a.require)).toEqual(DATA_MOVEMENT_EVENTS.map((name) => [`$.eventName = ${name}`]));
    expect(alarmNamed(doc, "trailgate-data-copied-replicated-or-exported").alarm_actions).toEqual([warningTopic]);
  });

  test("log key use by anyone but CloudTrail and the named reader, on the log-archive account's keys", () => {
    const parsed = parseFilterPattern(filterNamed(doc, "trailgate-log-key-use").pattern);
    expect(parsed.alternatives.map((a) => a.require[1])).toEqual(["$.eventName = Decrypt", "$.eventName = GenerateDataKey*", "$.eventName = CreateGrant", "$.eventName = PutKeyPolicy"]);
    for (const alternative of parsed.alternatives) {
      expect(alternative.require).toContain("$.resources[0].ARN = arn:aws:kms:eu-west-2:222222222222:key/*");
      expect(alternative.exclude).toEqual([
        "$.userIdentity.invokedBy != cloudtrail.amazonaws.com",
        "$.userIdentity.sessionContext.sessionIssuer.arn != arn:aws:iam::222222222222:role/LogReader",
      ]);
    }
    expect(alarmNamed(doc, "trailgate-log-key-use").alarm_actions).toEqual([warningTopic]);
  });

  test("dataResidency.allowedRegions widens the region alert, and a bad region fails at construction", () => {
    const two: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "two", { ...BASE, dataResidency: { allowedRegions: ["eu-west-2", "eu-west-1"] } })));
    const exclude = parseFilterPattern(filterNamed(two, "trailgate-writes-outside-allowed-regions").pattern).alternatives[0].exclude;
    expect(exclude).toEqual(expect.arrayContaining(["$.awsRegion != eu-west-2", "$.awsRegion != eu-west-1"]));
    expect(() => new TrailgateStack(Testing.app(), "bad", { ...BASE, dataResidency: { allowedRegions: ["London"] } })).toThrow(
      'trailgate config: dataResidency.allowedRegions[0] is not an AWS region name (got "London")',
    );
    expect(() => new TrailgateStack(Testing.app(), "none", { ...BASE, dataResidency: { allowedRegions: [] } })).toThrow("dataResidency.allowedRegions must name at least one region");
  });
});

describe("defaults agree with the policy data the gate checks them against", () => {
  test("DATA_MOVEMENT_EVENTS is data_movement_events (TG-UK-002)", () => {
    expect([...DATA_MOVEMENT_EVENTS]).toEqual(policyData.data_movement_events);
  });

  test("LOG_KEY_USE_EVENTS covers every log_key_use_events call (TG-UK-003)", () => {
    for (const name of policyData.log_key_use_events) expect({ name, covered: LOG_KEY_USE_EVENTS.some((p) => new RegExp(`^${p.replace(/\*/g, ".*")}$`).test(name)) }).toEqual({ name, covered: true });
  });
});

describe("construction errors", () => {
  test("DataResidencyAlerts needs regions and API call names", () => {
    const { stack, common } = unit();
    expect(() => new DataResidencyAlerts(stack, "a", { ...common, allowedRegions: [] })).toThrow("allowedRegions must name at least one region");
    expect(() => new DataResidencyAlerts(stack, "b", { ...common, allowedRegions: ["eu-west-2"], dataMovementEvents: ["Copy Snapshot"] })).toThrow('"Copy Snapshot" is not an API call name');
  });

  test("LogKeyUseAlerts needs a key ARN or account pattern, role ARNs, and a pattern CloudWatch accepts", () => {
    const { stack, common } = unit();
    expect(() => new LogKeyUseAlerts(stack, "a", { ...common, keyArnPattern: "alias/logs" })).toThrow("keyArnPattern must be a KMS key ARN");
    expect(() => new LogKeyUseAlerts(stack, "b", { ...common, keyArnPattern: "arn:aws:kms:eu-west-2:222222222222:key/*", readerRoleArns: ["LogReader"] })).toThrow('"LogReader" is not an IAM role ARN');
    const many = Array.from({ length: 20 }, (_, i) => `arn:aws:iam::222222222222:role/log-reader-${i}`);
    expect(() => new LogKeyUseAlerts(stack, "c", { ...common, keyArnPattern: "arn:aws:kms:eu-west-2:222222222222:key/*", readerRoleArns: many })).toThrow(/filter pattern is \d+ characters, above CloudWatch Logs' 1024/);
  });
});
