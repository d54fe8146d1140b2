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

# What the normaliser's filter-pattern parser gives for the monitor's own pattern
# (the jest suite checks that data.json's `match` is exactly that).
parsed(m) := {"syntax": "json", "alternatives": [{"require": alt, "exclude": []} | some alt in m.match], "negated": false}

metric_filter(m) := object.union(
	h.res(
		"aws_cloudwatch_log_metric_filter", safe_name(m),
		{"pattern": m.pattern, "log_group_name": "${aws_cloudwatch_log_group.trail.name}", "metric_transformation": [{"name": m.id, "namespace": "CISBenchmark", "value": "1"}]},
		{"log_group_name": ["aws_cloudwatch_log_group.trail"]},
	),
	{"filter_pattern": parsed(m)},
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

# A team's own monitor (policy data additional_monitors) is required besides the CIS set.
team_monitor := {
	"id": "team-iam-user-changes",
	"title": "IAM user creation or deletion",
	"pattern": "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = CreateUser) || ($.eventName = DeleteUser)) }",
	"match": [["$.eventSource = iam.amazonaws.com", "$.eventName = CreateUser"], ["$.eventSource = iam.amazonaws.com", "$.eventName = DeleteUser"]],
}

test_log_007_additional_monitor_required_only_when_configured if {
	cis_only := h.doc(array.concat(all_monitors, [monitored_trail]))
	plain := logging.violations with input as cis_only
	count(h.flagged(plain, "TG-LOG-007")) == 0
	vs := logging.violations with input as cis_only with data.trailgate.config.additional_monitors as [team_monitor]
	h.messages(vs, "TG-LOG-007") == {sprintf("monitor team-iam-user-changes (IAM user creation or deletion) has no metric filter on the trail's log group matching %s with an SNS-notifying alarm on its metric; add both", [team_monitor.pattern])}
	with_team := h.doc(array.concat(all_monitors, [monitored_trail, metric_filter(team_monitor), alarm(team_monitor, ["${aws_sns_topic.alerts.arn}"], ["aws_sns_topic.alerts"])]))
	ok := logging.violations with input as with_team with data.trailgate.config.additional_monitors as [team_monitor]
	count(h.flagged(ok, "TG-LOG-007")) == 0
}

test_log_007_fails_pattern_missing_an_alternative if {
	m := monitors[0]
	weak := object.union(metric_filter(m), {
		"values": {"pattern": "{ $.errorCode = \"AccessDenied*\" }"},
		"filter_pattern": {"syntax": "json", "alternatives": [{"require": ["$.errorCode = AccessDenied*"], "exclude": []}], "negated": false},
	})
	others := [r | some r in all_monitors; r.address != metric_filter(m).address]
	vs := logging.violations with input as h.doc(array.concat(others, [monitored_trail, weak]))
	h.messages(vs, "TG-LOG-007") == {sprintf("monitor %s (%s) has no metric filter on the trail's log group matching %s with an SNS-notifying alarm on its metric; add both", [m.id, m.title, m.pattern])}
}

# A filter replacing monitor m's pattern with `parsed_pattern`, the others unchanged.
with_pattern(m, parsed_pattern) := array.concat(
	[r | some r in all_monitors; r.address != metric_filter(m).address],
	[object.union(metric_filter(m), {"filter_pattern": parsed_pattern})],
)

test_log_007_fails_negated_pattern if {
	m := monitors[1] # ConsoleLogin without MFA
	negated := {"syntax": "json", "alternatives": [{"require": [], "exclude": ["$.eventName != ConsoleLogin"]}], "negated": true}
	vs := logging.violations with input as h.doc(array.concat(with_pattern(m, negated), [monitored_trail]))
	some msg in h.messages(vs, "TG-LOG-007")
	startswith(msg, concat(" ", ["monitor", m.id]))
}

test_log_007_fails_narrower_pattern if {
	m := monitors[1]
	narrower := {"syntax": "json", "alternatives": [{"require": ["$.eventName = ConsoleLogin", "$.userIdentity.type = Root"], "exclude": []}], "negated": false}
	vs := logging.violations with input as h.doc(array.concat(with_pattern(m, narrower), [monitored_trail]))
	count(h.messages(vs, "TG-LOG-007")) == 1
}

test_log_007_passes_added_exclusions_alternatives_and_dropped_event_source if {
	cmk := monitors[6] # kms DisableKey / ScheduleKeyDeletion, with $.eventSource
	wider := {"syntax": "json", "negated": false, "alternatives": [
		{"require": ["$.eventName = DisableKey"], "exclude": ["$.sourceIPAddress != delivery.logs.amazonaws.com"]},
		{"require": ["$.eventName = ScheduleKeyDeletion"], "exclude": []},
		{"require": ["$.eventName = PutKeyPolicy"], "exclude": []},
	]}
	vs := logging.violations with input as h.doc(array.concat(with_pattern(cmk, wider), [monitored_trail]))
	count(h.flagged(vs, "TG-LOG-007")) == 0
}

test_log_007_fails_empty_and_terms_patterns if {
	m := monitors[2]
	every p in [
		{"syntax": "all", "alternatives": [{"require": [], "exclude": []}], "negated": false},
		{"syntax": "terms", "alternatives": [{"require": ["term Root"], "exclude": []}], "negated": false},
		{"syntax": "invalid", "alternatives": [], "negated": false, "error": "x"},
	] {
		vs := logging.violations with input as h.doc(array.concat(with_pattern(m, p), [monitored_trail]))
		count(h.messages(vs, "TG-LOG-007")) == 1
	}
}

# The trail delivers to aws_cloudwatch_log_group.trail: filters elsewhere do not count.
delivering_trail := h.res("aws_cloudtrail", "monitored", {"name": "org", "cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.trail.arn}:*"}, {"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]})

trail_group := h.res("aws_cloudwatch_log_group", "trail", {"name": "/trail"}, {})

# A filter whose log group is a module output a folder cannot follow (or a plan's
# unresolved reference) may be on the trail's group: not reported missing here;
# TG-VER-002 reports the link it cannot check.
test_log_007_does_not_claim_missing_for_an_unfollowed_log_group if {
	m := monitors[2]
	unfollowed := object.union(object.remove(metric_filter(m), ["refs"]), {"values": {"log_group_name": "${module.trail.log_group_name}"}, "refs": {}})
	filters := array.concat([r | some r in all_monitors; r.address != unfollowed.address], [unfollowed])
	vs := logging.violations with input as h.doc(array.concat(filters, [delivering_trail, trail_group]))
	count(h.flagged(vs, "TG-LOG-007")) == 0
	known_elsewhere := object.union(unfollowed, {"values": {"log_group_name": "${aws_cloudwatch_log_group.app.name}"}, "refs": {"log_group_name": ["aws_cloudwatch_log_group.app"]}})
	other := array.concat([r | some r in all_monitors; r.address != unfollowed.address], [known_elsewhere])
	bad := logging.violations with input as h.doc(array.concat(other, [delivering_trail, trail_group]))
	count(h.messages(bad, "TG-LOG-007")) == 1
}

test_log_007_names_filters_whose_pattern_is_unknown if {
	m := monitors[1]
	unknown := object.union(metric_filter(m), {"values": {"pattern": "${join(\" \", local.parts)}"}, "filter_pattern": {"syntax": "unknown", "alternatives": [], "negated": false}})
	filters := array.concat([r | some r in all_monitors; r.address != unknown.address], [unknown])
	vs := logging.violations with input as h.doc(array.concat(filters, [monitored_trail]))
	h.messages(vs, "TG-LOG-007") == {sprintf("monitor %s (%s) has no metric filter on the trail's log group matching %s with an SNS-notifying alarm on its metric; add both (the pattern of %s is not known before apply, TG-VER-001: it may be this monitor)", [m.id, m.title, m.pattern, unknown.address])}
}

test_log_007_requires_filters_on_the_trails_log_group if {
	ok := logging.violations with input as h.doc(array.concat(all_monitors, [delivering_trail, trail_group]))
	count(h.flagged(ok, "TG-LOG-007")) == 0
	m := monitors[3]
	elsewhere := object.union(object.remove(metric_filter(m), ["refs"]), {"values": {"log_group_name": "/some/app"}, "refs": {}})
	filters := array.concat([r | some r in all_monitors; r.address != elsewhere.address], [elsewhere])
	vs := logging.violations with input as h.doc(array.concat(filters, [delivering_trail, trail_group]))
	count(h.messages(vs, "TG-LOG-007")) == 1
	named := object.union(elsewhere, {"values": {"log_group_name": "/trail"}})
	by_name := logging.violations with input as h.doc(array.concat([r | some r in all_monitors; r.address != named.address], [named, delivering_trail, trail_group]))
	count(h.flagged(by_name, "TG-LOG-007")) == 0
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

test_required_monitors_have_unique_ids_and_match if {
	count(monitor_ids) == count(monitors)
	every m in monitors {
		count(m.match) > 0
		every alt in m.match {
			count(alt) > 0
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

# TG-LOG-010

test_log_010_fails_stopped_trail if {
	vs := logging.violations with input as h.doc([trail_with({"enable_logging": false})])
	h.messages(vs, "TG-LOG-010") == {"trail aws_cloudtrail.org sets enable_logging = false, so it records nothing; remove it or set it to true"}
	on := logging.violations with input as h.doc([trail_with({"enable_logging": true}), good_trail])
	count(h.flagged(on, "TG-LOG-010")) == 0
}

# TG-LOG-011 / TG-LOG-012

management(extra) := {"name": "management", "field_selector": array.concat([{"field": "eventCategory", "equals": ["Management"]}], extra)}

test_log_011_passes_default_and_complete_selectors if {
	every values in [
		{},
		{"event_selector": [{"read_write_type": "All", "include_management_events": true}]},
		{"event_selector": [{"read_write_type": "ReadOnly"}, {"read_write_type": "WriteOnly"}]},
		{"advanced_event_selector": [management([])]},
		{"advanced_event_selector": [management([{"field": "readOnly", "equals": ["true"]}]), management([{"field": "readOnly", "equals": ["false"]}])]},
		{"advanced_event_selector": [management([{"field": "readOnly", "equals": ["true", "false"]}])]},
	] {
		vs := logging.violations with input as h.doc([trail_with(values)])
		count(h.flagged(vs, "TG-LOG-011")) == 0
	}
}

test_log_011_fails_partial_management_events if {
	cases := {
		"trail aws_cloudtrail.org does not record write management events; record every management event, read and write": {"event_selector": [{"read_write_type": "ReadOnly"}]},
		"trail aws_cloudtrail.org does not record read-only management events; record every management event, read and write": {"advanced_event_selector": [management([{"field": "readOnly", "equals": ["false"]}])]},
		"trail aws_cloudtrail.org records no management events (every event_selector sets include_management_events = false); record every management event, read and write": {"event_selector": [{"read_write_type": "All", "include_management_events": false, "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]},
		"trail aws_cloudtrail.org records no management events (no advanced_event_selector selects eventCategory Management); record every management event, read and write": {"advanced_event_selector": [{"name": "data", "field_selector": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}, {"field": "resources.ARN", "starts_with": ["arn:aws:s3:::customer/"]}]}]},
		"trail aws_cloudtrail.org does not record read-only management events; does not record write management events; filters management events on eventName; record every management event, read and write": {"advanced_event_selector": [management([{"field": "eventName", "equals": ["ConsoleLogin"]}])]},
	}
	every msg, values in cases {
		vs := logging.violations with input as h.doc([trail_with(values)])
		h.messages(vs, "TG-LOG-011") == {msg}
	}
}

test_log_011_accepts_a_data_only_trail_beside_a_complete_one if {
	data_only := object.union(trail_with({"event_selector": [{"include_management_events": false, "read_write_type": "All"}]}), {"address": "aws_cloudtrail.data", "name": "data"})
	vs := logging.violations with input as h.doc([good_trail, data_only])
	count(h.flagged(vs, "TG-LOG-011")) == 0
}

test_log_012_fails_excluded_sources_unless_allowed if {
	every values in [
		{"event_selector": [{"read_write_type": "All", "exclude_management_event_sources": ["kms.amazonaws.com"]}]},
		{"advanced_event_selector": [management([{"field": "eventSource", "not_equals": ["kms.amazonaws.com"]}])]},
	] {
		vs := logging.violations with input as h.doc([trail_with(values)])
		h.messages(vs, "TG-LOG-012") == {"trail aws_cloudtrail.org does not record management events from kms.amazonaws.com; record them, or list the source in allowed_excluded_event_sources"}
		count(h.flagged(vs, "TG-LOG-011")) == 0
		allowed := logging.violations with input as h.doc([trail_with(values)])
			with data.trailgate.config.allowed_excluded_event_sources as ["kms.amazonaws.com"]
		count(h.flagged(allowed, "TG-LOG-012")) == 0
	}
}

test_log_012_names_sources_aws_does_not_let_you_exclude if {
	values := {"advanced_event_selector": [management([{"field": "eventSource", "not_equals": ["iam.amazonaws.com"]}])]}
	vs := logging.violations with input as h.doc([trail_with(values)])
	h.messages(vs, "TG-LOG-012") == {"trail aws_cloudtrail.org does not record management events from iam.amazonaws.com (AWS accepts exclusions only for kms.amazonaws.com and rdsdata.amazonaws.com); record them, or list the source in allowed_excluded_event_sources"}
}

test_log_012_source_recorded_by_another_selector_is_not_excluded if {
	values := {"event_selector": [{"read_write_type": "All", "exclude_management_event_sources": ["kms.amazonaws.com"]}, {"read_write_type": "All"}]}
	vs := logging.violations with input as h.doc([trail_with(values)])
	count(h.flagged(vs, "TG-LOG-012")) == 0
}

# TG-LOG-013

test_log_013_fails_alarm_with_actions_disabled if {
	m := monitors[0]
	silenced := object.union(alarm(m, ["${aws_sns_topic.alerts.arn}"], ["aws_sns_topic.alerts"]), {"values": {"actions_enabled": false}})
	others := [r | some r in all_monitors; r.address != silenced.address]
	vs := logging.violations with input as h.doc(array.concat(others, [monitored_trail, silenced]))
	h.messages(vs, "TG-LOG-013") == {sprintf("alarm %s on the metric of %s sets actions_enabled = false, so it notifies nobody; enable its actions", [silenced.address, metric_filter(m).address])}
	count(h.flagged(vs, "TG-LOG-007")) == 0
}

test_log_013_ignores_alarms_on_other_metrics if {
	cpu := h.res("aws_cloudwatch_metric_alarm", "cpu", {"metric_name": "CPUUtilization", "namespace": "AWS/EC2", "actions_enabled": false}, {})
	vs := logging.violations with input as h.doc(array.concat(all_monitors, [monitored_trail, cpu]))
	count(h.flagged(vs, "TG-LOG-013")) == 0
}

test_log_007_fails_a_different_event_source if {
	cmk := monitors[6]
	wrong := {"syntax": "json", "negated": false, "alternatives": [
		{"require": ["$.eventSource = s3.amazonaws.com", "$.eventName = DisableKey"], "exclude": []},
		{"require": ["$.eventSource = s3.amazonaws.com", "$.eventName = ScheduleKeyDeletion"], "exclude": []},
	]}
	vs := logging.violations with input as h.doc(array.concat(with_pattern(cmk, wrong), [monitored_trail]))
	count(h.messages(vs, "TG-LOG-007")) == 1
}

test_log_007_accepts_a_listed_later_cis_version if {
	m := monitors[1]
	v14 := {"syntax": "json", "negated": false, "alternatives": [{"require": m.also_accepted[0].match[0], "exclude": ["$.additionalEventData.MFAUsed != Yes"]}]}
	vs := logging.violations with input as h.doc(array.concat(with_pattern(m, v14), [monitored_trail]))
	count(h.flagged(vs, "TG-LOG-007")) == 0
}
