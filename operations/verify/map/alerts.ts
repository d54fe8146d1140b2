import { compactRefs, LiveDraftList } from "./builder";

/** A topic's alert tier: its trailgate:alert-tier tag, else a name ending in -alerts-<tier>. */
export function topicTier(name: string, tags: Record<string, string>): string | null {
  const tagged = tags["trailgate:alert-tier"];
  if (tagged) return tagged;
  return /-alerts-([a-z0-9]+)$/.exec(name)?.[1] ?? null;
}

export function mapTopics(list: LiveDraftList): void {
  for (const t of list.estate.topics) {
    list.add(t.account, "aws_sns_topic", t.arn, t.name, list.regionOf(t.arn), { name: t.name, kms_master_key_id: t.kmsMasterKeyId, policy: t.policy ?? undefined }, compactRefs({ kms_master_key_id: list.keyRef(t.kmsMasterKeyId) }));
  }
}

export function mapSubscriptions(list: LiveDraftList): void {
  for (const t of list.estate.topics) {
    for (const s of t.subscriptions) {
      // pending_confirmation: such a subscriber receives nothing yet (TG-ALR-008 does not count it).
      list.add(t.account, "aws_sns_topic_subscription", s.arn || t.arn, s.endpoint, list.regionOf(t.arn), { topic_arn: t.arn, protocol: s.protocol, endpoint: s.endpoint, pending_confirmation: s.pendingConfirmation }, { topic_arn: list.refTo(t.arn) });
    }
  }
}

export function mapAlarms(list: LiveDraftList): void {
  for (const a of list.estate.alarms) {
    list.add(
      a.account,
      "aws_cloudwatch_metric_alarm",
      a.arn,
      a.name,
      list.regionOf(a.arn),
      {
        alarm_name: a.name,
        namespace: a.namespace,
        metric_name: a.metricName,
        dimensions: Object.keys(a.dimensions).length > 0 ? a.dimensions : undefined,
        statistic: a.statistic,
        extended_statistic: a.extendedStatistic,
        unit: a.unit,
        period: a.period,
        evaluation_periods: a.evaluationPeriods,
        datapoints_to_alarm: a.datapointsToAlarm,
        threshold: a.threshold,
        comparison_operator: a.comparisonOperator,
        treat_missing_data: a.treatMissingData,
        actions_enabled: a.actionsEnabled,
        alarm_actions: a.alarmActions,
        ok_actions: a.okActions,
        insufficient_data_actions: a.insufficientDataActions,
      },
      { alarm_actions: list.refTo(...a.alarmActions) },
    );
  }
}

export function mapEventRules(list: LiveDraftList): void {
  for (const rule of list.estate.eventRules) {
    list.add(rule.account, "aws_cloudwatch_event_rule", rule.arn, rule.name, list.regionOf(rule.arn), {
      name: rule.name,
      event_bus_name: rule.eventBusName,
      event_pattern: rule.eventPattern,
      state: rule.state,
    });
  }
}

/** A rule's targets carry the rule's ARN. */
export function mapEventTargets(list: LiveDraftList): void {
  for (const rule of list.estate.eventRules) {
    for (const target of rule.targets) {
      list.add(
        rule.account,
        "aws_cloudwatch_event_target",
        rule.arn,
        target.id,
        list.regionOf(rule.arn),
        { rule: rule.name, event_bus_name: rule.eventBusName, target_id: target.id, arn: target.arn, role_arn: target.roleArn },
        { rule: [rule.arn], arn: list.refTo(target.arn) },
      );
    }
  }
}
