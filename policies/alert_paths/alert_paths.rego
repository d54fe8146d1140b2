# METADATA
# title: Alert paths
# description: |
#   Every required monitor pages someone in time. The gate follows each monitor's
#   canonical CloudTrail event through the configuration (gate/alerts, the input's
#   alert_paths section, policies/INPUT.md): trail, log group, metric filter, metric,
#   alarm, topic, subscription, and the worst-case time. Each rule names the first
#   link that does not hold on the path that got furthest.
package trailgate.alert_paths

import data.trailgate.lib

# The gate adds alert_paths to every document; judged only where a trail exists
# (TG-LOG-008 reports a configuration without one).
proofs := input.alert_paths if count(lib.trails) > 0

stopped_at(link) := [p | some p in proofs; p.outcome == "broken"; p.link == link]

message(p) := sprintf("monitor %s (%s, %s tier) pages nobody: %s", [p.monitor, p.title, p.tier, p.detail])

# METADATA
# title: A trail records each monitor's event
# description: |
#   Some trail that delivers to CloudWatch Logs records the monitor's canonical event: it logs (enable_logging), covers the event's region (multi-region, the same region, or global service events), and its event selectors (basic or advanced) select the event.
# related_resources:
#   - ref: help/rules/TG-ALR-001.md
# custom:
#   id: TG-ALR-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Record the event with a multi-region trail whose selectors include all management events (read and write).
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("recorded")
	msg := message(p)
}

# METADATA
# title: The trail that records the event delivers it to a log group
# description: |
#   A trail that records the monitor's event sets cloud_watch_logs_group_arn (to a log group of the configuration) and cloud_watch_logs_role_arn, so the event reaches CloudWatch Logs where metric filters can see it.
# related_resources:
#   - ref: help/rules/TG-ALR-002.md
# custom:
#   id: TG-ALR-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.4
#   recommended_action: Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn on the trail (the OrganizationTrail construct does).
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("delivered")
	msg := message(p)
}

# METADATA
# title: The trail's log group supports metric filters
# description: |
#   The log group the trail delivers to is in the STANDARD log class: the INFREQUENT_ACCESS (and DELIVERY) classes do not support metric filters, so no monitor on the group can fire.
# related_resources:
#   - ref: help/rules/TG-ALR-003.md
# custom:
#   id: TG-ALR-003
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1
#   recommended_action: Use log_group_class STANDARD (the default) for the trail's log group; a log group's class cannot be changed, so replace the group.
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("log_class")
	msg := message(p)
}

# METADATA
# title: A metric filter on the trail's log group matches each monitor's event
# description: |
#   Some aws_cloudwatch_log_metric_filter on the log group the trail delivers to matches the monitor's canonical CloudTrail event, evaluated as CloudWatch Logs evaluates the parsed pattern against the event's JSON.
# related_resources:
#   - ref: help/rules/TG-ALR-004.md
# custom:
#   id: TG-ALR-004
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Add a metric filter with the monitor's pattern (policies/data.json) on the trail's log group.
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("filter")
	msg := message(p)
}

# METADATA
# title: An alarm reads exactly the metric the matching filter publishes
# description: |
#   The matching filter's metric transformation emits a positive value for the event, and some aws_cloudwatch_metric_alarm reads exactly that namespace, metric name, dimensions (as the event fills them) and unit.
# related_resources:
#   - ref: help/rules/TG-ALR-005.md
# custom:
#   id: TG-ALR-005
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Point the alarm at the filter's metric_transformation namespace and name, with the dimensions the filter publishes (none when it publishes none), and emit a positive value such as "1".
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("metric")
	msg := message(p)
}

# METADATA
# title: One matching event turns the alarm to ALARM
# description: |
#   The alarm's statistic, period (a multiple of 60 seconds: metric filters publish one-minute data), comparison (GreaterThanThreshold or GreaterThanOrEqualToThreshold), threshold, datapoints to alarm (1) and missing-data treatment (not breaching) make one matching event an ALARM state change.
# related_resources:
#   - ref: help/rules/TG-ALR-006.md
# custom:
#   id: TG-ALR-006
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Use statistic Sum, a period that meets the tier's deadline, evaluation_periods 1, threshold 1, comparison_operator GreaterThanOrEqualToThreshold and treat_missing_data notBreaching.
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("alarm")
	msg := message(p)
}

# METADATA
# title: The alarm notifies a topic of the monitor's tier
# description: |
#   The firing alarm has its actions enabled and an SNS topic among its alarm_actions whose name ends with the monitor's tier (`…-alerts-critical` for a critical monitor).
# related_resources:
#   - ref: help/rules/TG-ALR-007.md
# custom:
#   id: TG-ALR-007
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Set alarm_actions to the topic of the monitor's tier and leave actions_enabled unset (true).
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("actions")
	msg := message(p)
}

# METADATA
# title: Someone is subscribed to the alarm's topic
# description: |
#   The topic the alarm notifies has at least one subscription (on live input, a confirmed one). Whether CloudWatch may publish to the topic (topic policy and KMS key) is not part of this proof: the IAM evaluator answers it.
# related_resources:
#   - ref: help/rules/TG-ALR-008.md
# custom:
#   id: TG-ALR-008
#   severity: high
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Subscribe the on-call address or endpoint of the tier to the topic (alertEmails on the Trailgate construct).
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in stopped_at("subscribed")
	msg := message(p)
}

# METADATA
# title: Each monitor pages within its tier's deadline
# description: |
#   The worst-case time from the event to the notification, alert_delivery_minutes (CloudTrail to CloudWatch Logs) plus the alarm's period x datapoints to alarm, is within the monitor's deadline_minutes or its tier's alert_deadline_minutes.
# related_resources:
#   - ref: help/rules/TG-ALR-009.md
# custom:
#   id: TG-ALR-009
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#   recommended_action: Shorten the alarm's period (60 seconds for critical, at most 25 minutes for warning, 10 minutes for the security-group monitor).
violations contains lib.violation(rego.metadata.rule(), p.resource, msg) if {
	some p in proofs
	p.outcome == "late"
	msg := sprintf("monitor %s (%s, %s tier) pages late: %s", [p.monitor, p.title, p.tier, p.detail])
}

# METADATA
# title: Each monitor's alert path can be judged
# description: |
#   Every link of a monitor's alert path that no complete path gets past is known: no value the path needs is unknown before apply, no trail delivers to a log group outside the configuration, and no alarm notifies only topics outside it (their subscriptions are read by trailgate verify).
# related_resources:
#   - ref: help/rules/TG-ALR-010.md
# custom:
#   id: TG-ALR-010
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Make the values literal or references to resources of the configuration, or run trailgate verify on the live estate.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in unjudgeable
}

unjudgeable contains {"resource": p.resource, "message": msg} if {
	some p in proofs
	p.outcome == "unknown"
	msg := sprintf("monitor %s (%s, %s tier) cannot be proved to page anyone: %s", [p.monitor, p.title, p.tier, p.detail])
}

# An input with a trail but no alert_paths was not prepared by the gate (gate/policy.ts
# adds the section): fail closed rather than judge no monitor.
unjudgeable contains {"resource": "", "message": "the input has no alert_paths section, so no monitor's alert path can be judged; evaluate it through trailgate, which computes them"} if {
	count(lib.trails) > 0
	not "alert_paths" in object.keys(input)
}
