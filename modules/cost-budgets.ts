import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { PolicyStatement } from "./iam";

/** Cost Explorer's service names for the spend an audit-logging estate drives. */
export const AUDIT_COST_SERVICES = {
  cloudTrail: "AWS CloudTrail", // management/data events, Insights, Lake ingestion and retention
  s3: "Amazon Simple Storage Service", // log archive storage and requests
  cloudWatch: "AmazonCloudWatch", // CloudWatch Logs ingestion and storage, alarms, dashboard
} as const;

export type AuditCostService = keyof typeof AUDIT_COST_SERVICES;

/** Percentages of a budget at which the warning tier hears about actual spend (the guide's 80%). */
export const DEFAULT_BUDGET_THRESHOLDS = [80, 100] as const;

export interface CostBudgetsProps {
  /** Provider of the account whose bill the budgets watch (the management account sees the organisation's). */
  readonly provider: TerraformProvider;
  /** Prefix of the budget names. */
  readonly namePrefix: string;
  /** Monthly limits in USD per service; a service left out gets no budget. */
  readonly monthlyLimitsUsd: Partial<Record<AuditCostService, number>>;
  /**
   * Percentages of actual spend that notify; 100 also notifies on the month's forecast.
   * @default DEFAULT_BUDGET_THRESHOLDS (80, 100)
   */
  readonly thresholdsPercent?: readonly number[];
  /** The warning tier's topic; its policy and key must carry `costBudgetGrants(...)`. */
  readonly alarmTopicArn: string;
}

/**
 * What the warning topic's policy and its key's policy must add so AWS Budgets can
 * publish to it: the budgets service principal, for budgets of this account only.
 */
export function costBudgetGrants(accountId: string, topicArn: string): { topicStatements: PolicyStatement[]; keyStatements: PolicyStatement[] } {
  const fromThisAccount = { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:aws:budgets::${accountId}:*` } };
  return {
    topicStatements: [{ Sid: "BudgetsPublish", Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn, Condition: fromThisAccount }],
    keyStatements: [
      { Sid: "BudgetsPublishToEncryptedTopics", Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": accountId } } },
    ],
  };
}

/**
 * Monthly cost budgets on CloudTrail, S3 and CloudWatch spend, each notifying the
 * warning tier when actual spend passes each threshold (80% by default, the guide's
 * storage check) and when the month's forecast passes 100%. AWS Budgets is free for
 * the first two action-less budgets of an account and costs a few cents a day each
 * beyond that.
 */
export class CostBudgets extends Construct {
  readonly budgets: BudgetsBudget[];

  constructor(scope: Construct, id: string, props: CostBudgetsProps) {
    super(scope, id);
    const entries = Object.entries(props.monthlyLimitsUsd) as Array<[AuditCostService, number]>;
    if (entries.length === 0) throw new Error(`CostBudgets ${id}: monthlyLimitsUsd must set a limit for at least one of ${Object.keys(AUDIT_COST_SERVICES).join(", ")}`);
    for (const [service, limit] of entries) {
      if (!(service in AUDIT_COST_SERVICES)) throw new Error(`CostBudgets ${id}: unknown service "${service}" (one of ${Object.keys(AUDIT_COST_SERVICES).join(", ")})`);
      if (!Number.isFinite(limit) || limit <= 0) throw new Error(`CostBudgets ${id}: the ${service} limit must be a positive number of USD (got ${limit})`);
    }
    const thresholds = [...(props.thresholdsPercent ?? DEFAULT_BUDGET_THRESHOLDS)];
    if (thresholds.length === 0) throw new Error(`CostBudgets ${id}: thresholdsPercent must name at least one percentage`);
    for (const t of thresholds) if (!Number.isFinite(t) || t <= 0 || t > 1000) throw new Error(`CostBudgets ${id}: threshold ${t} must be a percentage above 0 and at most 1000`);

    const notify = (notificationType: string, threshold: number) => ({
      comparisonOperator: "GREATER_THAN",
      notificationType,
      threshold,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [props.alarmTopicArn],
    });
    this.budgets = entries.map(
      ([service, limit]) =>
        new BudgetsBudget(this, service, {
          provider: props.provider,
          name: `${props.namePrefix}-${service}-monthly`,
          budgetType: "COST",
          limitAmount: limit.toFixed(2),
          limitUnit: "USD",
          timeUnit: "MONTHLY",
          costFilter: [{ name: "Service", values: [AUDIT_COST_SERVICES[service]] }],
          notification: [...thresholds.map((t) => notify("ACTUAL", t)), ...(thresholds.includes(100) ? [notify("FORECASTED", 100)] : [])],
        }),
    );
  }
}
