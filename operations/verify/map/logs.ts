import { compact, compactRefs, LiveDraftList } from "./builder";

export function mapLogGroups(list: LiveDraftList): void {
  for (const g of list.estate.logGroups) {
    list.add(g.account, "aws_cloudwatch_log_group", g.arn, g.name, list.regionOf(g.arn), {
      name: g.name,
      // CloudWatch reports no retention for "never expire"; Terraform writes that as 0.
      retention_in_days: g.retentionInDays ?? 0,
      kms_key_id: g.kmsKeyId,
      log_group_class: g.logGroupClass,
    }, compactRefs({ kms_key_id: list.keyRef(g.kmsKeyId) }));
  }
}

/** A filter's address is its group's ARN plus its name (filters have no ARN of their own). */
export function mapMetricFilters(list: LiveDraftList): void {
  const { estate } = list;
  const groupArnByName = new Map(estate.logGroups.map((g) => [g.name, g.arn]));
  for (const f of estate.metricFilters) {
    const groupArn = groupArnByName.get(f.logGroupName) ?? `arn:aws:logs:${estate.region}:${estate.accounts[f.account]?.accountId}:log-group:${f.logGroupName}`;
    list.add(
      f.account,
      "aws_cloudwatch_log_metric_filter",
      `${groupArn}:metric-filter:${f.name}`,
      f.name,
      list.regionOf(groupArn),
      {
        name: f.name,
        log_group_name: f.logGroupName,
        pattern: f.pattern,
        metric_transformation: f.transformations.map((t) =>
          compact({ name: t.name, namespace: t.namespace, value: t.value, default_value: t.defaultValue !== undefined ? String(t.defaultValue) : undefined, dimensions: t.dimensions, unit: t.unit }),
        ),
      },
      { log_group_name: list.refTo(groupArn) },
    );
  }
}
