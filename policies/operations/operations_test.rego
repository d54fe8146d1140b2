package trailgate.operations_test

import data.trailgate.operations
import data.trailgate.test_helpers as h

now := 1800000000

trail_arn := "arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"

topic(tier) := concat("", ["arn:aws:sns:eu-west-2:111122223333:trailgate-alerts-", tier])

# A trail that is logging, delivering everywhere a minute ago, with no errors.
healthy_trail := {
	"resource": trail_arn,
	"is_logging": true,
	"delivers_to_cloudwatch_logs": true,
	"log_file_validation": true,
	"start_logging_time": now - 86400,
	"stop_logging_time": null,
	"latest_delivery_time": now - 60,
	"latest_cloudwatch_logs_delivery_time": now - 60,
	"latest_digest_delivery_time": now - 600,
	"latest_delivery_error": "",
	"latest_cloudwatch_logs_delivery_error": "",
	"latest_digest_delivery_error": "",
}

confirmed_sub(email) := {"resource": concat("", ["arn:aws:sns:eu-west-2:111122223333:sub/", email]), "protocol": "email", "endpoint": email, "pending_confirmation": false}

pending_sub(email) := {"resource": "", "protocol": "email", "endpoint": email, "pending_confirmation": true}

healthy_topics := [{"resource": topic(tier), "tier": tier, "subscriptions": [confirmed_sub(concat("", [tier, "@example.co.uk"]))]} |
	some tier in ["critical", "warning", "info"]
]

runtime_with(patch) := object.union(
	{
		"collected_at": now,
		"region": "eu-west-2",
		"trails": [healthy_trail],
		"topics": healthy_topics,
		"alarms": [{"resource": "arn:aws:cloudwatch:eu-west-2:111122223333:alarm:heartbeat", "state": "OK", "state_updated_at": now - 7200, "window_seconds": 900}],
		"event_data_stores": [{"resource": "arn:aws:cloudtrail:eu-west-2:111122223333:eventdatastore/e1", "status": "ENABLED"}],
		"event_data_store_count": 1,
	},
	patch,
)

live(patch) := object.union(h.doc([]), {"format": "live", "runtime": runtime_with(patch)})

trail_with(patch) := object.union(healthy_trail, patch)

ids(vs) := {v.id | some v in vs}

test_healthy_runtime_has_no_findings if {
	vs := operations.violations with input as live({})
	count(vs) == 0
}

test_inputs_without_runtime_have_no_findings if {
	vs := operations.violations with input as h.doc([])
	count(vs) == 0
}

# TG-OPS-001

test_ops_001_stopped_trail if {
	vs := operations.violations with input as live({"trails": [trail_with({"is_logging": false, "stop_logging_time": now - 300})]})
	h.flagged(vs, "TG-OPS-001") == {trail_arn}
	some m in h.messages(vs, "TG-OPS-001")
	contains(m, "stopped 5 minutes ago")
}

test_ops_001_stopped_trail_is_not_also_late if {
	vs := operations.violations with input as live({"trails": [trail_with({"is_logging": false, "latest_delivery_time": now - 7200})]})
	ids(vs) == {"TG-OPS-001"}
}

# TG-OPS-002

test_ops_002_late_s3_delivery if {
	vs := operations.violations with input as live({"trails": [trail_with({"latest_delivery_time": now - (16 * 60)})]})
	h.messages(vs, "TG-OPS-002") == {sprintf("trail %s last delivered log files to S3 16 minutes ago (limit 15 minutes); check its delivery errors and the bucket, key and log group it writes to", [trail_arn])}
}

test_ops_002_on_time_at_the_limit if {
	vs := operations.violations with input as live({"trails": [trail_with({"latest_delivery_time": now - (15 * 60)})]})
	count(h.flagged(vs, "TG-OPS-002")) == 0
}

test_ops_002_late_cloudwatch_delivery if {
	vs := operations.violations with input as live({"trails": [trail_with({"latest_cloudwatch_logs_delivery_time": now - 3600})]})
	some m in h.messages(vs, "TG-OPS-002")
	contains(m, "events to CloudWatch Logs 60 minutes ago")
}

test_ops_002_cloudwatch_ignored_without_cloudwatch_delivery if {
	t := trail_with({"delivers_to_cloudwatch_logs": false, "latest_cloudwatch_logs_delivery_time": null})
	vs := operations.violations with input as live({"trails": [t]})
	count(h.flagged(vs, "TG-OPS-002")) == 0
}

test_ops_002_digest_has_its_own_limit if {
	on_time := operations.violations with input as live({"trails": [trail_with({"latest_digest_delivery_time": now - (100 * 60)})]})
	count(h.flagged(on_time, "TG-OPS-002")) == 0
	late := operations.violations with input as live({"trails": [trail_with({"latest_digest_delivery_time": now - (130 * 60)})]})
	some m in h.messages(late, "TG-OPS-002")
	contains(m, "digest files to S3 130 minutes ago (limit 120 minutes)")
}

test_ops_002_digest_ignored_without_validation if {
	t := trail_with({"log_file_validation": false, "latest_digest_delivery_time": null})
	vs := operations.violations with input as live({"trails": [t]})
	count(h.flagged(vs, "TG-OPS-002")) == 0
}

test_ops_002_new_trail_gets_a_grace_period if {
	t := trail_with({"start_logging_time": now - 120, "latest_delivery_time": null, "latest_cloudwatch_logs_delivery_time": null, "latest_digest_delivery_time": null})
	vs := operations.violations with input as live({"trails": [t]})
	count(h.flagged(vs, "TG-OPS-002")) == 0
}

test_ops_002_nothing_delivered_after_the_limit if {
	t := trail_with({"start_logging_time": now - 1200, "latest_delivery_time": null})
	vs := operations.violations with input as live({"trails": [t]})
	some m in h.messages(vs, "TG-OPS-002")
	contains(m, "has delivered no log files to S3 since logging started 20 minutes ago")
}

test_ops_002_fails_closed_without_any_time if {
	t := trail_with({"start_logging_time": null, "latest_delivery_time": null})
	vs := operations.violations with input as live({"trails": [t]})
	some m in h.messages(vs, "TG-OPS-002")
	contains(m, "reports no time of its last delivery of log files to S3")
}

test_ops_002_limit_is_policy_data if {
	vs := operations.violations with input as live({"trails": [trail_with({"latest_delivery_time": now - 600})]})
		with data.trailgate.config.max_delivery_age_minutes as 5
	h.flagged(vs, "TG-OPS-002") == {trail_arn}
}

# TG-OPS-003 .. TG-OPS-005

test_ops_003_to_005_delivery_errors if {
	t := trail_with({
		"latest_delivery_error": "AccessDenied",
		"latest_cloudwatch_logs_delivery_error": "InvalidRole",
		"latest_digest_delivery_error": "KMS.DisabledException",
	})
	vs := operations.violations with input as live({"trails": [t]})
	h.messages(vs, "TG-OPS-003") == {sprintf("trail %s reports a log file delivery error: AccessDenied; fix the bucket or key policy it names", [trail_arn])}
	h.flagged(vs, "TG-OPS-004") == {trail_arn}
	some m in h.messages(vs, "TG-OPS-005")
	contains(m, "KMS.DisabledException")
}

test_ops_003_absent_error_field_is_no_error if {
	vs := operations.violations with input as live({"trails": [object.remove(healthy_trail, ["latest_delivery_error"])]})
	count(h.flagged(vs, "TG-OPS-003")) == 0
}

# TG-OPS-006 and TG-OPS-007

test_ops_006_pending_subscription if {
	topics := [
		{"resource": topic("critical"), "tier": "critical", "subscriptions": [confirmed_sub("oncall@example.co.uk"), pending_sub("new@example.co.uk")]},
		healthy_topics[1], healthy_topics[2],
	]
	vs := operations.violations with input as live({"topics": topics})
	h.flagged(vs, "TG-OPS-006") == {topic("critical")}
	count(h.flagged(vs, "TG-OPS-007")) == 0
}

test_ops_007_tier_without_subscriptions if {
	topics := [{"resource": topic("critical"), "tier": "critical", "subscriptions": []}, healthy_topics[1], healthy_topics[2]]
	vs := operations.violations with input as live({"topics": topics})
	h.flagged(vs, "TG-OPS-007") == {topic("critical")}
	h.messages(vs, "TG-OPS-007") == {sprintf("no confirmed subscription on the critical alert tier: topic %s has 0 subscription(s), none confirmed; critical alerts reach nobody", [topic("critical")])}
}

test_ops_007_only_pending_is_not_enough if {
	topics := [{"resource": topic("critical"), "tier": "critical", "subscriptions": [pending_sub("a@example.co.uk")]}, healthy_topics[1], healthy_topics[2]]
	vs := operations.violations with input as live({"topics": topics})
	h.flagged(vs, "TG-OPS-007") == {topic("critical")}
	h.flagged(vs, "TG-OPS-006") == {topic("critical")}
}

test_ops_007_a_second_topic_of_the_tier_is_enough if {
	extra := {"resource": concat("", [topic("critical"), "-2"]), "tier": "critical", "subscriptions": []}
	vs := operations.violations with input as live({"topics": array.concat(healthy_topics, [extra])})
	count(h.flagged(vs, "TG-OPS-007")) == 0
}

test_ops_007_missing_tier if {
	vs := operations.violations with input as live({"topics": [healthy_topics[0], healthy_topics[1]]})
	h.flagged(vs, "TG-OPS-007") == {""}
	some m in h.messages(vs, "TG-OPS-007")
	contains(m, "no alert topic of the info tier")
}

test_ops_007_tiers_are_policy_data if {
	vs := operations.violations with input as live({"topics": [healthy_topics[0]]})
		with data.trailgate.config.alert_tiers as ["critical"]
	count(h.flagged(vs, "TG-OPS-007")) == 0
}

# TG-OPS-008

alarm(state, updated, window) := {"resource": "arn:aws:cloudwatch:eu-west-2:111122223333:alarm:a", "state": state, "state_updated_at": updated, "window_seconds": window}

test_ops_008_stuck_alarm if {
	vs := operations.violations with input as live({"alarms": [alarm("INSUFFICIENT_DATA", now - 7200, 60)]})
	h.messages(vs, "TG-OPS-008") == {"alarm arn:aws:cloudwatch:eu-west-2:111122223333:alarm:a has been INSUFFICIENT_DATA for 120 minutes; it watches a metric that receives no data"}
}

test_ops_008_new_alarm_within_grace if {
	vs := operations.violations with input as live({"alarms": [alarm("INSUFFICIENT_DATA", now - 600, 60)]})
	count(h.flagged(vs, "TG-OPS-008")) == 0
}

test_ops_008_long_period_alarm_gets_two_windows if {
	# A daily alarm 3 hours into INSUFFICIENT_DATA is not stuck yet; after 2 days it is.
	fresh := operations.violations with input as live({"alarms": [alarm("INSUFFICIENT_DATA", now - 10800, 86400)]})
	count(h.flagged(fresh, "TG-OPS-008")) == 0
	stuck := operations.violations with input as live({"alarms": [alarm("INSUFFICIENT_DATA", now - ((2 * 86400) + 60), 86400)]})
	count(h.flagged(stuck, "TG-OPS-008")) == 1
}

test_ops_008_alarm_states_other_than_insufficient_data if {
	vs := operations.violations with input as live({"alarms": [alarm("ALARM", now - 86400, 60), alarm("OK", now - 86400, 60)]})
	count(h.flagged(vs, "TG-OPS-008")) == 0
}

# TG-OPS-009 and TG-OPS-010

test_ops_009_stopped_store if {
	store := {"resource": "arn:aws:cloudtrail:eu-west-2:111122223333:eventdatastore/e1", "status": "STOPPED_INGESTION"}
	vs := operations.violations with input as live({"event_data_stores": [store]})
	h.messages(vs, "TG-OPS-009") == {"CloudTrail Lake event data store arn:aws:cloudtrail:eu-west-2:111122223333:eventdatastore/e1 is STOPPED_INGESTION, not ENABLED; it is not recording events"}
}

test_ops_010_near_capacity if {
	below := operations.violations with input as live({"event_data_store_count": 7})
	count(h.flagged(below, "TG-OPS-010")) == 0
	near := operations.violations with input as live({"event_data_store_count": 8})
	h.messages(near, "TG-OPS-010") == {"8 of 10 CloudTrail Lake event data stores are in use in eu-west-2 (warning at 80 percent); delete unneeded stores so a replacement can be created"}
}

test_ops_010_capacity_is_policy_data if {
	vs := operations.violations with input as live({"event_data_store_count": 2})
		with data.trailgate.config.lake_event_data_store_capacity as 2
		with data.trailgate.config.lake_capacity_warn_percent as 100
	h.flagged(vs, "TG-OPS-010") == {""}
}
