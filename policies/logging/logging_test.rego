package trailgate.logging_test

import data.trailgate.logging
import data.trailgate.test_helpers as h

good_trail_values := {
	"s3_bucket_name": "${aws_s3_bucket.trail_logs.id}",
	"is_multi_region_trail": true,
	"include_global_service_events": true,
	"enable_log_file_validation": true,
	"is_organization_trail": true,
	"cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.trail.arn}:*",
	"cloud_watch_logs_role_arn": "${aws_iam_role.cw.arn}",
}

trail_with(values) := h.res("aws_cloudtrail", "org", object.union(good_trail_values, values), {"s3_bucket_name": ["aws_s3_bucket.trail_logs"]})

good_trail := trail_with({})

trail_bucket := h.res("aws_s3_bucket", "trail_logs", {"bucket": "trail-logs"}, {})

# TG-LOG-001 .. TG-LOG-004: one argument each on the trail

test_log_001_to_004_pass_good_trail if {
	vs := logging.violations with input as h.doc([good_trail])
	every id in ["TG-LOG-001", "TG-LOG-002", "TG-LOG-003", "TG-LOG-004"] {
		count(h.flagged(vs, id)) == 0
	}
}

test_log_001_fails_single_region if {
	vs := logging.violations with input as h.doc([trail_with({"is_multi_region_trail": false})])
	h.flagged(vs, "TG-LOG-001") == {"aws_cloudtrail.org"}
}

test_log_002_fails_without_global_events if {
	vs := logging.violations with input as h.doc([trail_with({"include_global_service_events": false})])
	h.flagged(vs, "TG-LOG-002") == {"aws_cloudtrail.org"}
}

test_log_002_passes_when_unset if {
	vs := logging.violations with input as h.doc([h.res("aws_cloudtrail", "org", object.remove(good_trail_values, ["include_global_service_events"]), {})])
	count(h.flagged(vs, "TG-LOG-002")) == 0
}

test_log_003_fails_without_validation if {
	vs := logging.violations with input as h.doc([h.res("aws_cloudtrail", "org", object.remove(good_trail_values, ["enable_log_file_validation"]), {})])
	h.flagged(vs, "TG-LOG-003") == {"aws_cloudtrail.org"}
}

test_log_004_fails_without_role if {
	vs := logging.violations with input as h.doc([trail_with({"cloud_watch_logs_role_arn": null})])
	h.messages(vs, "TG-LOG-004") == {"trail aws_cloudtrail.org has no cloud_watch_logs_role_arn; deliver the trail to a CloudWatch Logs group"}
}

# TG-LOG-005

test_log_005_passes_with_organization_trail if {
	vs := logging.violations with input as h.doc([good_trail])
	count(h.flagged(vs, "TG-LOG-005")) == 0
}

test_log_005_fails_without_organization_trail if {
	vs := logging.violations with input as h.doc([trail_with({"is_organization_trail": false})])
	h.flagged(vs, "TG-LOG-005") == {""}
}

test_log_005_can_be_turned_off if {
	vs := logging.violations with input as h.doc([trail_with({"is_organization_trail": false})])
		with data.trailgate.config.require_organization_trail as false
	count(h.flagged(vs, "TG-LOG-005")) == 0
}

# TG-LOG-006

bucket_logging(target_refs) := h.res("aws_s3_bucket_logging", "trail_logs", {"bucket": "trail-logs", "target_bucket": "access-logs", "target_prefix": "trail/"}, {"bucket": ["aws_s3_bucket.trail_logs"], "target_bucket": target_refs})

test_log_006_passes_logging_to_other_bucket if {
	vs := logging.violations with input as h.doc([good_trail, trail_bucket, bucket_logging(["aws_s3_bucket.access_logs"])])
	count(h.flagged(vs, "TG-LOG-006")) == 0
}

test_log_006_fails_without_logging if {
	vs := logging.violations with input as h.doc([good_trail, trail_bucket])
	h.flagged(vs, "TG-LOG-006") == {"aws_s3_bucket.trail_logs"}
}

test_log_006_fails_logging_into_itself if {
	vs := logging.violations with input as h.doc([good_trail, trail_bucket, bucket_logging(["aws_s3_bucket.trail_logs"])])
	h.flagged(vs, "TG-LOG-006") == {"aws_s3_bucket.trail_logs"}
}

# TG-LOG-007

monitors := data.trailgate.config.required_monitors

safe_name(m) := replace(m.id, ".", "_")

metric_filter(m) := h.res(
	"aws_cloudwatch_log_metric_filter", safe_name(m),
	{"pattern": m.pattern, "log_group_name": "${aws_cloudwatch_log_group.trail.name}", "metric_transformation": [{"name": m.id, "namespace": "CISBenchmark", "value": "1"}]},
	{"log_group_name": ["aws_cloudwatch_log_group.trail"]},
)

alarm(m, actions, action_refs) := h.res(
	"aws_cloudwatch_metric_alarm", safe_name(m),
	{"metric_name": m.id, "namespace": "CISBenchmark", "alarm_actions": actions},
	{"alarm_actions": action_refs},
)

# Every required monitor with its canonical pattern, alarmed through an SNS topic reference.
all_monitors := array.concat(
	[metric_filter(m) | some m in monitors],
	[alarm(m, ["${aws_sns_topic.alerts.arn}"], ["aws_sns_topic.alerts"]) | some m in monitors],
)

monitor_ids := {m.id | some m in monitors}

# Monitors are only required of a configuration that has a trail (none at all is TG-LOG-008).
monitored_trail := h.res("aws_cloudtrail", "monitored", {"name": "org"}, {})

test_log_007_passes_full_monitor_set if {
	vs := logging.violations with input as h.doc(array.concat(all_monitors, [monitored_trail]))
	count(h.flagged(vs, "TG-LOG-007")) == 0
}

test_log_007_passes_literal_sns_arn_and_filter_reference if {
	m := monitors[0]
	by_reference := h.res(
		"aws_cloudwatch_metric_alarm", "a",
		{"metric_name": "${aws_cloudwatch_log_metric_filter.x.metric_transformation[0].name}", "alarm_actions": ["arn:aws:sns:eu-west-2:111122223333:alerts"]},
		{"metric_name": [metric_filter(m).address]},
	)
	vs := logging.violations with input as h.doc([monitored_trail, metric_filter(m), by_reference])
	h.flagged(vs, "TG-LOG-007") == {""}
	count(h.messages(vs, "TG-LOG-007")) == count(monitors) - 1
}

test_log_007_fails_without_monitors if {
	vs := logging.violations with input as h.doc([monitored_trail])
	count(h.messages(vs, "TG-LOG-007")) == count(monitors)
	h.flagged(vs, "TG-LOG-007") == {""}
}

test_log_007_fails_pattern_missing_a_token if {
	m := monitors[0]
	weak := object.union(metric_filter(m), {"values": {"pattern": "{ $.errorCode = \"AccessDenied*\" }"}})
	others := [r | some r in all_monitors; r.address != metric_filter(m).address]
	vs := logging.violations with input as h.doc(array.concat(others, [monitored_trail, weak]))
	h.messages(vs, "TG-LOG-007") == {sprintf("monitor %s (%s) has no metric filter with a pattern containing %s and an SNS-notifying alarm on its metric; add both", [m.id, m.title, concat(", ", m.pattern_tokens)])}
}

test_log_007_fails_alarm_without_sns_action if {
	m := monitors[1]
	quiet := alarm(m, ["arn:aws:automate:eu-west-2:ec2:stop"], [])
	others := [r | some r in all_monitors; r.address != quiet.address]
	vs := logging.violations with input as h.doc(array.concat(others, [monitored_trail, quiet]))
	some msg in h.messages(vs, "TG-LOG-007")
	startswith(msg, concat(" ", ["monitor", m.id]))
	count(h.messages(vs, "TG-LOG-007")) == 1
}

test_required_monitor_patterns_contain_their_tokens if {
	count(monitor_ids) == count(monitors)
	every m in monitors {
		count(m.pattern_tokens) > 0
		every t in m.pattern_tokens {
			contains(m.pattern, t)
		}
	}
}

# TG-LOG-008

test_log_008_passes_with_trail if {
	vs := logging.violations with input as h.doc([good_trail])
	count(h.flagged(vs, "TG-LOG-008")) == 0
}

test_log_008_fails_without_trail if {
	vs := logging.violations with input as h.doc([trail_bucket])
	h.messages(vs, "TG-LOG-008") == {"the configuration has no aws_cloudtrail; add the organisation trail"}
}

# TG-LOG-009

basic_selector(values) := {"event_selector": [{"read_write_type": "All", "data_resource": [{"type": "AWS::S3::Object", "values": values}]}]}

advanced(field_selectors) := {"advanced_event_selector": [{"name": "s3-data", "field_selector": array.concat(
	[{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}],
	field_selectors,
)}]}

test_log_009_passes_other_buckets_and_exclusion if {
	every values in [
		basic_selector(["arn:aws:s3:::customer-data/", "${aws_s3_bucket.customer.arn}/"]),
		advanced([{"field": "resources.ARN", "not_starts_with": ["${aws_s3_bucket.trail_logs.arn}/"]}]),
		advanced([{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::customer-data/"]}]),
	] {
		vs := logging.violations with input as h.doc([trail_with(values), trail_bucket])
		count(h.flagged(vs, "TG-LOG-009")) == 0
	}
}

test_log_009_fails_basic_selectors_on_own_bucket if {
	every values in [
		basic_selector(["arn:aws:s3"]),
		basic_selector(["arn:aws:s3:::trail-logs/"]),
		basic_selector(["${aws_s3_bucket.trail_logs.arn}/AWSLogs/"]),
	] {
		vs := logging.violations with input as h.doc([trail_with(values), trail_bucket])
		h.flagged(vs, "TG-LOG-009") == {"aws_cloudtrail.org"}
	}
}

test_log_009_fails_advanced_selectors_on_own_bucket if {
	every values in [
		advanced([]),
		advanced([{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::trail-logs/"]}]),
		advanced([{"field": "resources.ARN", "not_starts_with": ["arn:aws:s3:::customer-data/"]}]),
	] {
		vs := logging.violations with input as h.doc([trail_with(values), trail_bucket])
		h.messages(vs, "TG-LOG-009") == {"trail aws_cloudtrail.org advanced_event_selector s3-data selects S3 data events on the trail's own log bucket; add a resources.ARN not_starts_with on the log bucket ARN"}
	}
}

test_no_trail_is_reported_once_as_log_008 if {
	vs := logging.violations with input as h.doc([])
	{v.id | some v in vs} == {"TG-LOG-008"}
}
