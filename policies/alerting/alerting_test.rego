package trailgate.alerting_test

import data.trailgate.alerting
import data.trailgate.test_helpers as h

group_name := "/org/cloudtrail"

trail_values := {
	"s3_bucket_name": "org-trail-logs",
	"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111122223333:log-group:/org/cloudtrail:*",
}

trail := h.res("aws_cloudtrail", "org", trail_values, {"s3_bucket_name": ["aws_s3_bucket.logs"]})

bucket := h.res("aws_s3_bucket", "logs", {"bucket": "org-trail-logs"}, {})

good_heartbeat_values := {
	"namespace": "AWS/Logs",
	"metric_name": "IncomingLogEvents",
	"dimensions": {"LogGroupName": group_name},
	"statistic": "Sum",
	"period": 300,
	"evaluation_periods": 3,
	"threshold": 1,
	"comparison_operator": "LessThanThreshold",
	"treat_missing_data": "breaching",
	"alarm_actions": ["arn:aws:sns:eu-west-2:111122223333:org-alerts-critical"],
}

heartbeat(patch) := h.res("aws_cloudwatch_metric_alarm", "heartbeat", object.union(good_heartbeat_values, patch), {})

trail_pattern := json.marshal({
	"source": ["aws.cloudtrail"],
	"detail-type": ["AWS API Call via CloudTrail"],
	"detail": {"eventSource": ["cloudtrail.amazonaws.com"], "eventName": data.trailgate.config.tamper_alert_events.cloudtrail},
})

bucket_pattern(names) := json.marshal({
	"source": ["aws.s3"],
	"detail": {"eventSource": ["s3.amazonaws.com"], "eventName": data.trailgate.config.tamper_alert_events.s3, "requestParameters": {"bucketName": names}},
})

rule(name, pattern) := h.res("aws_cloudwatch_event_rule", name, {"name": name, "event_pattern": pattern}, {})

target(name) := h.res("aws_cloudwatch_event_target", name, {"rule": name, "arn": "${aws_sns_topic.critical.arn}"}, {"rule": [concat(".", ["aws_cloudwatch_event_rule", name])], "arn": ["aws_sns_topic.critical"]})

tamper_alerts := [
	rule("trail_tampering", trail_pattern), target("trail_tampering"),
	rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering"),
]

estate(extra) := h.doc(array.concat([trail, bucket], extra))

ids(vs) := {v.id | some v in vs}

test_complete_alerting_passes if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({})], tamper_alerts))
	count(vs) == 0
}

# TG-LOG-014

test_log_010_missing_heartbeat if {
	vs := alerting.violations with input as estate(tamper_alerts)
	h.messages(vs, "TG-LOG-014") == {"trail aws_cloudtrail.org has no delivery heartbeat: no alarm on AWS/Logs IncomingLogEvents of its log group; add one that treats missing data as breaching"}
}

test_log_010_not_breaching if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({"treat_missing_data": "notBreaching"})], tamper_alerts))
	h.messages(vs, "TG-LOG-014") == {"delivery heartbeat aws_cloudwatch_metric_alarm.heartbeat of trail aws_cloudtrail.org treats missing data as notBreaching, so silence never alarms; set treat_missing_data = \"breaching\""}
}

test_log_010_missing_data_default_is_not_breaching if {
	a := h.res("aws_cloudwatch_metric_alarm", "heartbeat", object.remove(good_heartbeat_values, ["treat_missing_data"]), {})
	vs := alerting.violations with input as estate(array.concat([a], tamper_alerts))
	some m in h.messages(vs, "TG-LOG-014")
	contains(m, "treats missing data as missing (the default)")
}

test_log_010_window_too_long if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({"period": 3600})], tamper_alerts))
	some m in h.messages(vs, "TG-LOG-014")
	contains(m, "alarms only after 10800 seconds of silence; use period x evaluation_periods <= 900 seconds")
}

test_log_010_wrong_direction if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({"comparison_operator": "GreaterThanOrEqualToThreshold"})], tamper_alerts))
	some m in h.messages(vs, "TG-LOG-014")
	contains(m, "uses comparison GreaterThanOrEqualToThreshold")
}

test_log_010_no_sns_action if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({"alarm_actions": []})], tamper_alerts))
	h.flagged(vs, "TG-LOG-014") == {"aws_cloudwatch_metric_alarm.heartbeat"}
}

test_log_010_other_log_group_does_not_count if {
	vs := alerting.violations with input as estate(array.concat([heartbeat({"dimensions": {"LogGroupName": "/something/else"}})], tamper_alerts))
	h.flagged(vs, "TG-LOG-014") == {"aws_cloudtrail.org"}
}

test_log_010_joins_by_reference if {
	t := h.res("aws_cloudtrail", "org", {"cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.trail.arn}:*"}, {"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]})
	g := h.res("aws_cloudwatch_log_group", "trail", {"name": "/by/ref"}, {})
	by_name := heartbeat({"dimensions": {"LogGroupName": "/by/ref"}})
	by_ref := h.res("aws_cloudwatch_metric_alarm", "heartbeat", object.union(good_heartbeat_values, {"dimensions": {"LogGroupName": "${aws_cloudwatch_log_group.trail.name}"}}), {"dimensions": ["aws_cloudwatch_log_group.trail"]})
	count(h.flagged(alerting.violations, "TG-LOG-014")) == 0 with input as h.doc([t, g, by_name])
	count(h.flagged(alerting.violations, "TG-LOG-014")) == 0 with input as h.doc([t, g, by_ref])
}

test_log_010_one_working_heartbeat_is_enough if {
	broken := h.res("aws_cloudwatch_metric_alarm", "old", object.union(good_heartbeat_values, {"treat_missing_data": "ignore"}), {})
	vs := alerting.violations with input as estate(array.concat([heartbeat({}), broken], tamper_alerts))
	count(h.flagged(vs, "TG-LOG-014")) == 0
}

test_log_010_only_for_trails_delivering_to_cloudwatch if {
	t := h.res("aws_cloudtrail", "org", {"s3_bucket_name": "org-trail-logs"}, {"s3_bucket_name": ["aws_s3_bucket.logs"]})
	vs := alerting.violations with input as h.doc(array.concat([t, bucket], tamper_alerts))
	count(h.flagged(vs, "TG-LOG-014")) == 0
}

# TG-LOG-015

test_log_011_no_rules if {
	vs := alerting.violations with input as estate([heartbeat({})])
	h.flagged(vs, "TG-LOG-015") == {"aws_cloudtrail.org", "aws_s3_bucket.logs"}
}

test_log_011_missing_trail_events if {
	partial := json.marshal({"source": ["aws.cloudtrail"], "detail": {"eventName": ["StopLogging", "DeleteTrail"]}})
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", partial), target("trail_tampering"), rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering")])
	h.messages(vs, "TG-LOG-015") == {"no enabled EventBridge rule with an SNS target alerts on PutEventSelectors, PutInsightSelectors, UpdateTrail for trail aws_cloudtrail.org; add a rule matching source aws.cloudtrail and these event names"}
}

test_log_011_rule_without_target_does_not_count if {
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering")])
	h.flagged(vs, "TG-LOG-015") == {"aws_cloudtrail.org"}
}

test_log_011_disabled_rule_does_not_count if {
	disabled := h.res("aws_cloudwatch_event_rule", "trail_tampering", {"name": "trail_tampering", "event_pattern": trail_pattern, "state": "DISABLED"}, {})
	vs := alerting.violations with input as estate([heartbeat({}), disabled, target("trail_tampering"), rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering")])
	h.flagged(vs, "TG-LOG-015") == {"aws_cloudtrail.org"}
}

test_log_011_target_by_literal_names if {
	literal := h.res("aws_cloudwatch_event_target", "t", {"rule": "trail_tampering", "arn": "arn:aws:sns:eu-west-2:111122223333:org-alerts-critical"}, {})
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), literal, rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering")])
	count(h.flagged(vs, "TG-LOG-015")) == 0
}

test_log_011_non_sns_target_does_not_count if {
	lambda := h.res("aws_cloudwatch_event_target", "t", {"rule": "trail_tampering", "arn": "arn:aws:lambda:eu-west-2:111122223333:function:x"}, {})
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), lambda, rule("bucket_tampering", bucket_pattern(["org-trail-logs"])), target("bucket_tampering")])
	h.flagged(vs, "TG-LOG-015") == {"aws_cloudtrail.org"}
}

test_log_011_bucket_rule_for_another_bucket if {
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), target("trail_tampering"), rule("bucket_tampering", bucket_pattern(["other-bucket"])), target("bucket_tampering")])
	h.flagged(vs, "TG-LOG-015") == {"aws_s3_bucket.logs"}
	some m in h.messages(vs, "TG-LOG-015")
	contains(m, "for trail log bucket aws_s3_bucket.logs")
}

test_log_011_bucket_rule_without_bucket_filter_covers_every_bucket if {
	any_bucket := json.marshal({"source": ["aws.s3"], "detail": {"eventName": data.trailgate.config.tamper_alert_events.s3}})
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), target("trail_tampering"), rule("bucket_tampering", any_bucket), target("bucket_tampering")])
	count(h.flagged(vs, "TG-LOG-015")) == 0
}

test_log_011_unreadable_pattern if {
	expr := h.res("aws_cloudwatch_event_rule", "trail_tampering", {"name": "trail_tampering", "event_pattern": "${data.aws_cloudwatch_event_pattern.x.json}"}, {})
	vs := alerting.violations with input as estate(array.concat([heartbeat({}), expr], array.slice(tamper_alerts, 1, 4)))
	h.flagged(vs, "TG-LOG-015") == {"aws_cloudtrail.org", "aws_cloudwatch_event_rule.trail_tampering"}
}

test_log_011_events_are_policy_data if {
	vs := alerting.violations with input as estate([heartbeat({}), rule("trail_tampering", trail_pattern), target("trail_tampering")])
		with data.trailgate.config.tamper_alert_events.s3 as []
	count(h.flagged(vs, "TG-LOG-015")) == 0
}

test_no_trail_no_alerting_findings if {
	vs := alerting.violations with input as h.doc([bucket])
	count(vs) == 0
}
