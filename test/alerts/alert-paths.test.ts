/**
 * The alert-path model (gate/alerts) through the real WASM bundle, on plan input: a
 * real `terraform show -json` plan (test/gate/plan-fixtures/cross-module-links: the
 * trail, its log group and the root-use filter and alarm in sibling modules), made to
 * page by giving its topic a tier and a subscriber, and then broken one link at a
 * time. Each fault must be reported as exactly its link's rule, on the root monitor.
 */
import * as path from "path";
import { loadDocuments } from "../../terraform";
import { parseFilterPattern } from "../../terraform/filter-pattern";
import { NormalizedDocument, NormalizedResource } from "../../terraform/types";
import { loadPolicyBundle } from "../../gate/policy";
import { comparisonHolds, patternMatches } from "../../gate/alerts/event-match";
import { SAMPLE_EVENTS } from "../../gate/alerts/samples";
import { alertPaths, eventFromMatch } from "../../gate/alerts/model";

const bundle = loadPolicyBundle();
const PLAN = path.join(__dirname, "..", "gate", "plan-fixtures", "cross-module-links", "plan.json");
const ROOT = "cis-4.3-root-account-use";

function one(doc: NormalizedDocument, type: string): NormalizedResource {
  const list = doc.resources[type] ?? [];
  expect(list).toHaveLength(1);
  return list[0];
}

/** The plan, with the alarm topic named for the critical tier, a subscriber, and a one-minute period. */
function pagingPlan(): NormalizedDocument {
  const doc = loadDocuments(PLAN)[0].input;
  const topic = one(doc, "aws_sns_topic");
  topic.values.name = "tg-xmod-alerts-critical";
  doc.resources.aws_sns_topic_subscription = [
    { ...topic, address: "module.alarms.aws_sns_topic_subscription.oncall", type: "aws_sns_topic_subscription", name: "oncall", values: { protocol: "email", endpoint: "oncall@example.co.uk", topic_arn: "${computed}" }, refs: { topic_arn: [topic.address] }, policies: {}, arns: [] },
  ];
  one(doc, "aws_cloudwatch_metric_alarm").values.period = 60;
  return doc;
}

/** TG-ALR findings about the root monitor, as `id resource`. */
function rootFindings(doc: NormalizedDocument): string[] {
  return bundle
    .evaluate(doc)
    .filter((v) => v.id.startsWith("TG-ALR-") && v.message.startsWith(`monitor ${ROOT} `))
    .map((v) => `${v.id} ${v.resource}`);
}

const TRAIL = "module.trail.aws_cloudtrail.trail";
const GROUP = "module.trail.aws_cloudwatch_log_group.trail";
const FILTER = "module.alarms.aws_cloudwatch_log_metric_filter.root_use";
const ALARM = "module.alarms.aws_cloudwatch_metric_alarm.root_use";
const TOPIC = "module.alarms.aws_sns_topic.alarms";

test("the plan made to page: the root monitor's path is complete, within the critical deadline", () => {
  const doc = pagingPlan();
  expect(rootFindings(doc)).toEqual([]);
  const proof = bundle.policyInput(doc).alert_paths.find((p) => p.monitor === ROOT)!;
  expect(proof).toMatchObject({ outcome: "pages", tier: "critical", latency_seconds: 360, deadline_seconds: 360 });
  expect(proof.pages).toEqual([{ trail: TRAIL, log_group: GROUP, filter: FILTER, alarm: ALARM, topic: TOPIC, tier: "critical", subscriptions: 1, latency_seconds: 360 }]);
});

const values = (doc: NormalizedDocument, type: string) => one(doc, type).values;

const FAULTS: Array<[string, string, (doc: NormalizedDocument) => void]> = [
  ["TG-ALR-001 " + TRAIL, "a trail that does not log", (d) => void (values(d, "aws_cloudtrail").enable_logging = false)],
  ["TG-ALR-001 " + TRAIL, "advanced selectors for write events only (the root sample, ListUsers, is a read)", (d) => void (values(d, "aws_cloudtrail").advanced_event_selector = [{ field_selector: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }] }])],
  ["TG-ALR-001 " + TRAIL, "a single-region trail in eu-west-2 (the root sample is a global IAM call, so global service events off)", (d) => void Object.assign(values(d, "aws_cloudtrail"), { is_multi_region_trail: false, include_global_service_events: false })],
  ["TG-ALR-002 " + TRAIL, "a trail without its CloudWatch Logs role", (d) => void delete values(d, "aws_cloudtrail").cloud_watch_logs_role_arn],
  ["TG-ALR-003 " + GROUP, "the log group in INFREQUENT_ACCESS", (d) => void (values(d, "aws_cloudwatch_log_group").log_group_class = "INFREQUENT_ACCESS")],
  ["TG-ALR-004 " + GROUP, "a filter that mentions Root but excludes it", (d) => void (one(d, "aws_cloudwatch_log_metric_filter").filter_pattern = parseFilterPattern('{ $.userIdentity.type != "Root" }'))],
  ["TG-ALR-004 " + GROUP, "a filter that requires invokedBy, which a root user's own call lacks", (d) => void (one(d, "aws_cloudwatch_log_metric_filter").filter_pattern = parseFilterPattern('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy = "*" }'))],
  ["TG-ALR-005 " + FILTER, "a metric transformation that emits 0", (d) => void ((values(d, "aws_cloudwatch_log_metric_filter").metric_transformation as any)[0].value = "0")],
  ["TG-ALR-005 " + ALARM, "an alarm reading a dimension the filter does not publish", (d) => void (values(d, "aws_cloudwatch_metric_alarm").dimensions = { LogGroupName: "tg-xmod" })],
  ["TG-ALR-005 " + FILTER, "an alarm on another namespace", (d) => void (values(d, "aws_cloudwatch_metric_alarm").namespace = "CISBenchmark")],
  ["TG-ALR-005 " + ALARM, "an alarm reading unit Count while the filter publishes None", (d) => void (values(d, "aws_cloudwatch_metric_alarm").unit = "Count")],
  ["TG-ALR-006 " + ALARM, "LessThanThreshold 0 on a count", (d) => void Object.assign(values(d, "aws_cloudwatch_metric_alarm"), { comparison_operator: "LessThanThreshold", threshold: 0 })],
  ["TG-ALR-006 " + ALARM, "a threshold of 2 events", (d) => void (values(d, "aws_cloudwatch_metric_alarm").threshold = 2)],
  ["TG-ALR-006 " + ALARM, "2 of 3 datapoints to alarm", (d) => void Object.assign(values(d, "aws_cloudwatch_metric_alarm"), { evaluation_periods: 3, datapoints_to_alarm: 2 })],
  ["TG-ALR-006 " + ALARM, "missing data treated as breaching", (d) => void (values(d, "aws_cloudwatch_metric_alarm").treat_missing_data = "breaching")],
  ["TG-ALR-006 " + ALARM, "a 30-second period on one-minute data", (d) => void (values(d, "aws_cloudwatch_metric_alarm").period = 30)],
  ["TG-ALR-007 " + ALARM, "actions disabled", (d) => void (values(d, "aws_cloudwatch_metric_alarm").actions_enabled = false)],
  ["TG-ALR-007 " + ALARM, "the topic of the warning tier", (d) => void (values(d, "aws_sns_topic").name = "tg-xmod-alerts-warning")],
  ["TG-ALR-008 " + TOPIC, "no subscriber", (d) => void delete d.resources.aws_sns_topic_subscription],
  [
    "TG-ALR-010 " + TOPIC,
    "the only subscription's for_each is not known before apply (it may have no instance), never counted as a subscriber",
    (d) => void (one(d, "aws_sns_topic_subscription").instances = "unknown"),
  ],
  ["TG-ALR-009 " + ALARM, "a five-minute period (10 minutes end to end, critical is 6)", (d) => void (values(d, "aws_cloudwatch_metric_alarm").period = 300)],
  ["TG-ALR-010 " + ALARM, "a threshold not known before apply", (d) => void (values(d, "aws_cloudwatch_metric_alarm").threshold = "${computed}")],
  [
    "TG-ALR-010 " + FILTER,
    "a filter whose log group is a module output the reader cannot follow (corpus: nozaq folder), never 'no filter on the group'",
    (d) => {
      const filter = one(d, "aws_cloudwatch_log_metric_filter");
      filter.values.log_group_name = "${var.cloudtrail_log_group_name}";
      filter.refs = { ...filter.refs, log_group_name: [] };
    },
  ],
];

test.each(FAULTS)("%s: %s", (expected, _what, breakIt) => {
  const doc = pagingPlan();
  breakIt(doc);
  expect(rootFindings(doc)).toEqual([expected]);
});

describe("the event matcher (CloudWatch Logs JSON filter semantics)", () => {
  const root = SAMPLE_EVENTS[ROOT];
  test.each([
    ["$.userIdentity.type = Root", true],
    ["$.userIdentity.type = Ro*", true],
    ["$.userIdentity.type = %^R.o%", true],
    ["$.userIdentity.type != Root", false],
    ["$.userIdentity.invokedBy NOT EXISTS", true],
    ["$.userIdentity.type NOT EXISTS", false],
    ["$.readOnly IS TRUE", true],
    ["$.readOnly IS FALSE", false],
    ["$.requestParameters IS NULL", true],
    ["$.missing.field = *", false],
    ["$.missing.field != x", false],
    ["term ListUsers", true],
    ["term DeleteUser", false],
  ] as const)("%s -> %s", (comparison, expected) => {
    expect(comparisonHolds(comparison, root, () => JSON.stringify(root))).toBe(expected);
  });

  test("numbers compare as numbers; array steps select elements", () => {
    const event = { n: 5, items: [{ port: 22 }, { port: 443 }] };
    expect(comparisonHolds("$.n > 4", event, () => "")).toBe(true);
    expect(comparisonHolds("$.n <= 4", event, () => "")).toBe(false);
    expect(comparisonHolds("$.n = 5", event, () => "")).toBe(true);
    expect(comparisonHolds("$.items[*].port = 443", event, () => "")).toBe(true);
    expect(comparisonHolds("$.items[0].port = 443", event, () => "")).toBe(false);
  });

  test("a pattern not known before apply is unknown, never a match or a miss", () => {
    expect(patternMatches(parseFilterPattern("${var.pattern}"), root)).toBe("unknown");
  });
});

describe("the canonical events", () => {
  const config = JSON.parse(require("fs").readFileSync(path.join(__dirname, "..", "..", "policies", "data.json"), "utf8")).trailgate.config;
  const extra = JSON.parse(require("fs").readFileSync(path.join(__dirname, "..", "..", "example-policy-data.json"), "utf8")).trailgate.config.additional_monitors;

  test("every monitor of the policy data and the example's has a bundled sample that its own pattern matches", () => {
    for (const monitor of [...config.required_monitors, ...extra]) {
      const sample = SAMPLE_EVENTS[monitor.id];
      expect({ id: monitor.id, sample: sample !== undefined }).toEqual({ id: monitor.id, sample: true });
      expect({ id: monitor.id, matches: patternMatches(parseFilterPattern(monitor.pattern), sample) }).toEqual({ id: monitor.id, matches: true });
    }
  });

  test("a team's monitor without a sample gets an event built from its match terms, which its pattern matches", () => {
    const monitor = { id: "team-kms-grants", title: "KMS grants", pattern: "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = Create*) }", match: [["$.eventSource = kms.amazonaws.com", "$.eventName = Create*"]] };
    const event = eventFromMatch(monitor);
    expect(event).toMatchObject({ eventSource: "kms.amazonaws.com", eventName: "CreateExample" });
    expect(patternMatches(parseFilterPattern(monitor.pattern), event)).toBe(true);
    const [proof] = alertPaths(pagingPlan(), { ...config, required_monitors: [monitor], additional_monitors: [] });
    expect(proof).toMatchObject({ monitor: "team-kms-grants", event: "match", outcome: "broken", link: "filter" });
  });
});
