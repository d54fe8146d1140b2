/**
 * Cost guardrails: CostBudgets' monthly budgets on CloudTrail, S3 and CloudWatch spend
 * (80% and 100% of actual spend, 100% of the forecast) notifying the warning tier, and
 * the warning topic and its key admitting AWS Budgets, as TrailgateStack wires them
 * when config.costBudgets is set; the gate passes the result.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CostBudgets, TrailgateConfig, TrailgateStack } from "../modules";
import { synthDocument } from "../terraform";
import { loadPolicyBundle } from "../gate/policy";
import { JsonObject } from "../terraform/types";

type Synth = Record<string, any>;

const BASE: TrailgateConfig = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222", alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] } };
const WARNING_TOPIC = "arn:aws:sns:eu-west-2:111111111111:trailgate-alerts-warning";
const withBudgets: TrailgateConfig = { ...BASE, costBudgets: { monthlyLimitsUsd: { cloudTrail: 200, s3: 150, cloudWatch: 100 } } };

describe("TrailgateStack with costBudgets", () => {
  const stack = new TrailgateStack(Testing.app(), "cost", withBudgets);
  const doc: Synth = JSON.parse(Testing.synth(stack));

  test("one monthly budget per service, filtered by Cost Explorer's service name, notifying the warning topic at 80% and 100%", () => {
    const budgets = Object.values(doc.resource.aws_budgets_budget as Record<string, Synth>);
    expect(budgets.map((b) => [b.name, b.limit_amount, b.cost_filter[0].values[0]]).sort()).toEqual([
      ["trailgate-cloudTrail-monthly", "200.00", "AWS CloudTrail"],
      ["trailgate-cloudWatch-monthly", "100.00", "AmazonCloudWatch"],
      ["trailgate-s3-monthly", "150.00", "Amazon Simple Storage Service"],
    ]);
    for (const b of budgets) {
      expect(b).toMatchObject({ budget_type: "COST", limit_unit: "USD", time_unit: "MONTHLY" });
      expect(b.notification.map((n: Synth) => [n.notification_type, n.threshold, n.threshold_type, n.subscriber_sns_topic_arns])).toEqual([
        ["ACTUAL", 80, "PERCENTAGE", [WARNING_TOPIC]],
        ["ACTUAL", 100, "PERCENTAGE", [WARNING_TOPIC]],
        ["FORECASTED", 100, "PERCENTAGE", [WARNING_TOPIC]],
      ]);
    }
  });

  test("the warning topic and the monitoring key admit AWS Budgets for this account only", () => {
    const topic = JSON.parse(doc.resource.aws_sns_topic.monitoring_warning_topic.policy).Statement.find((s: Synth) => s.Sid === "BudgetsPublish");
    expect(topic).toEqual({
      Sid: "BudgetsPublish",
      Effect: "Allow",
      Principal: { Service: "budgets.amazonaws.com" },
      Action: "sns:Publish",
      Resource: WARNING_TOPIC,
      Condition: { StringEquals: { "aws:SourceAccount": "111111111111" }, ArnLike: { "aws:SourceArn": "arn:aws:budgets::111111111111:*" } },
    });
    const critical = JSON.parse(doc.resource.aws_sns_topic.monitoring_critical_topic.policy).Statement;
    expect(critical.some((s: Synth) => s.Sid === "BudgetsPublish")).toBe(false);
    const key = JSON.parse(doc.resource.aws_kms_key.monitoring_key.policy).Statement.find((s: Synth) => s.Sid === "BudgetsPublishToEncryptedTopics");
    expect(key.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "111111111111" } });
  });

  test("the gate passes it", () => {
    expect(loadPolicyBundle().evaluate(synthDocument("cost", JSON.parse(Testing.synth(stack)) as JsonObject).input)).toEqual([]);
  });

  test("without costBudgets there are no budgets and no budget grants", () => {
    const plain: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "plain", BASE)));
    expect(plain.resource.aws_budgets_budget).toBeUndefined();
    expect(plain.resource.aws_sns_topic.monitoring_warning_topic.policy).not.toContain("budgets.amazonaws.com");
  });
});

describe("CostBudgets construction errors", () => {
  const scaffold = () => {
    const stack = new TerraformStack(Testing.app(), "unit");
    return { stack, provider: new AwsProvider(stack, "aws", { region: "eu-west-2" }) };
  };
  test("limits, services and thresholds are checked", () => {
    const { stack, provider } = scaffold();
    const common = { provider, namePrefix: "tg", alarmTopicArn: WARNING_TOPIC };
    expect(() => new CostBudgets(stack, "a", { ...common, monthlyLimitsUsd: {} })).toThrow("monthlyLimitsUsd must set a limit for at least one of cloudTrail, s3, cloudWatch");
    expect(() => new CostBudgets(stack, "b", { ...common, monthlyLimitsUsd: { s3: 0 } })).toThrow("the s3 limit must be a positive number of USD (got 0)");
    expect(() => new CostBudgets(stack, "c", { ...common, monthlyLimitsUsd: { lambda: 5 } as never })).toThrow('unknown service "lambda"');
    expect(() => new CostBudgets(stack, "d", { ...common, monthlyLimitsUsd: { s3: 5 }, thresholdsPercent: [] })).toThrow("thresholdsPercent must name at least one percentage");
    expect(() => new CostBudgets(stack, "e", { ...common, monthlyLimitsUsd: { s3: 5 }, thresholdsPercent: [-1] })).toThrow("threshold -1 must be a percentage");
  });
});
