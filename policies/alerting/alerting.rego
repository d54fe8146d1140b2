# METADATA
# title: Runtime alerting
# description: |
#   The alerts that watch the trail itself: a delivery heartbeat that fires when the
#   trail's log group stops receiving events, and EventBridge rules that alert on
#   tampering with the trail and its log bucket as it happens.
package trailgate.alerting

import data.trailgate.lib

log_groups := lib.resources("aws_cloudwatch_log_group")

group_by_address := {g.address: g | some g in log_groups}

# Names of the log groups a trail delivers to: from its literal ARN
# (arn:aws:logs:<region>:<account>:log-group:<name>:*) and from the groups it refers to.
trail_group_names(t) := {name |
	arn := lib.get(t, "cloud_watch_logs_group_arn")
	is_string(arn)
	parts := split(arn, ":")
	parts[5] == "log-group"
	name := parts[6]
	not startswith(name, "${")
} | {name |
	some addr in lib.refs(t, "cloud_watch_logs_group_arn")
	name := lib.get(group_by_address[addr], "name")
	is_string(name)
}

delivering_trails := [t | some t in lib.trails; lib.is_set(lib.get(t, "cloud_watch_logs_group_arn"))]

# An alarm on a trail log group's own AWS/Logs IncomingLogEvents metric, by literal
# LogGroupName or by a reference to the group.
watches_group(a, t) if {
	lib.get(a, "namespace") == "AWS/Logs"
	lib.get(a, "metric_name") == "IncomingLogEvents"
	object.get(object.get(a.values, "dimensions", {}), "LogGroupName", null) in trail_group_names(t)
}

watches_group(a, t) if {
	lib.get(a, "namespace") == "AWS/Logs"
	lib.get(a, "metric_name") == "IncomingLogEvents"
	some addr in lib.refs(a, "dimensions")
	addr in lib.refs(t, "cloud_watch_logs_group_arn")
}

notifies_sns(a) if {
	some action in lib.refs(a, "alarm_actions")
	lib.is_type(action, "aws_sns_topic")
}

notifies_sns(a) if {
	some action in lib.get(a, "alarm_actions")
	regex.match(`^arn:aws[a-z-]*:sns:`, action)
}

low_count_operators := {"LessThanThreshold", "LessThanOrEqualToThreshold", "LessThanLowerThreshold"}

max_silence_seconds := lib.config.max_delivery_age_minutes * 60

# What is wrong with a heartbeat candidate; undefined when it is a working heartbeat.
heartbeat_problem(a) := sprintf("treats missing data as %s, so silence never alarms; set treat_missing_data = \"breaching\"", [object.get(a.values, "treat_missing_data", "missing (the default)")]) if {
	lib.get(a, "treat_missing_data") != "breaching"
} else := sprintf("uses comparison %s; alarm when the count is below the threshold (LessThanThreshold 1)", [object.get(a.values, "comparison_operator", "unset")]) if {
	not lib.get(a, "comparison_operator") in low_count_operators
} else := sprintf("alarms only after %v seconds of silence; use period x evaluation_periods <= %v seconds", [window, max_silence_seconds]) if {
	window := lib.get(a, "period") * object.get(a.values, "evaluation_periods", 1)
	window > max_silence_seconds
} else := "has no SNS alarm action; notify the critical alert topic" if {
	not notifies_sns(a)
} else := "has its actions disabled; set actions_enabled = true" if {
	lib.get(a, "actions_enabled") == false
}

heartbeats(t) := [a | some a in lib.resources("aws_cloudwatch_metric_alarm"); watches_group(a, t)]

working_heartbeat(t) if {
	some a in heartbeats(t)
	not heartbeat_problem(a)
}

# METADATA
# title: A delivery heartbeat watches each trail's log group
# description: |
#   Every trail that delivers to CloudWatch Logs has an alarm on its log group's
#   AWS/Logs IncomingLogEvents metric that treats missing data as breaching, alarms
#   on a low count within max_delivery_age_minutes, and notifies an SNS topic: the
#   CIS monitors treat missing data as not breaching, so without it a trail that
#   stops delivering alerts nobody.
# related_resources:
#   - ref: help/rules/TG-LOG-014.md
# custom:
#   id: TG-LOG-014
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.4
#   recommended_action: Add the DeliveryHeartbeat construct (an aws_cloudwatch_metric_alarm on AWS/Logs IncomingLogEvents for the trail's log group, LessThanThreshold 1 over 3 x 5 minutes, treat_missing_data breaching, alarm_actions the critical topic).
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in log_010_findings
}

log_010_findings contains {"resource": t.address, "message": msg} if {
	some t in delivering_trails
	count(heartbeats(t)) == 0
	msg := sprintf("trail %s has no delivery heartbeat: no alarm on AWS/Logs IncomingLogEvents of its log group; add one that treats missing data as breaching", [t.address])
}

log_010_findings contains {"resource": a.address, "message": msg} if {
	some t in delivering_trails
	not working_heartbeat(t)
	some a in heartbeats(t)
	problem := heartbeat_problem(a)
	msg := sprintf("delivery heartbeat %s of trail %s %s", [a.address, t.address, problem])
}

# EventBridge rules, with their parsed event pattern, that are enabled and notify SNS.
alerting_rules := [{"rule": r, "pattern": p} |
	some r in lib.resources("aws_cloudwatch_event_rule")
	enabled(r)
	sns_target(r)
	text := lib.get(r, "event_pattern")
	is_string(text)
	json.is_valid(text)
	p := json.unmarshal(text)
]

enabled(r) if not lib.get(r, "state") in {"DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS_DISABLED"}

# A target of the rule (joined by reference, or by the rule's literal name) that is an SNS topic.
sns_target(r) if {
	some target in lib.resources("aws_cloudwatch_event_target")
	targets_rule(target, r)
	sns_arn(target)
}

targets_rule(target, r) if r.address in lib.refs(target, "rule")

targets_rule(target, r) if {
	count(lib.refs(target, "rule")) == 0
	lib.get(target, "rule") == lib.get(r, "name")
}

sns_arn(target) if regex.match(`^arn:aws[a-z-]*:sns:`, lib.get(target, "arn"))

sns_arn(target) if {
	some addr in lib.refs(target, "arn")
	lib.is_type(addr, "aws_sns_topic")
}

# A pattern field: absent means "any value", otherwise the listed values.
matches_field(container, key, _) if not key in object.keys(container)

matches_field(container, key, value) if value in container[key]

detail(p) := object.get(p, "detail", {})

# Event names the rule's pattern alerts on for one source, given any extra detail match.
covered_names(p, source, event_source) := {name |
	matches_field(p, "source", source)
	matches_field(detail(p), "eventSource", event_source)
	some name in object.get(detail(p), "eventName", [])
}

trail_events := lib.config.tamper_alert_events.cloudtrail

bucket_events := lib.config.tamper_alert_events.s3

covered_trail_events := {name |
	some ar in alerting_rules
	some name in covered_names(ar.pattern, "aws.cloudtrail", "cloudtrail.amazonaws.com")
}

# The bucket-name filter of a pattern admits this bucket (no filter admits every bucket).
admits_bucket(p, name) if matches_field(object.get(detail(p), "requestParameters", {}), "bucketName", name)

covered_bucket_events(name) := {event |
	some ar in alerting_rules
	admits_bucket(ar.pattern, name)
	some event in covered_names(ar.pattern, "aws.s3", "s3.amazonaws.com")
}

# Rules with a pattern the gate cannot read (an expression, or not JSON).
unreadable_patterns := [r |
	some r in lib.resources("aws_cloudwatch_event_rule")
	text := lib.get(r, "event_pattern")
	lib.is_set(text)
	not readable_json(text)
]

readable_json(text) if {
	is_string(text)
	json.is_valid(text)
}

# METADATA
# title: Tampering with the trail and its log bucket alerts in real time
# description: |
#   Enabled EventBridge rules with an SNS target match every CloudTrail event in
#   tamper_alert_events.cloudtrail (StopLogging, DeleteTrail, UpdateTrail,
#   PutEventSelectors, PutInsightSelectors) and, for each trail log bucket, every S3
#   event in tamper_alert_events.s3 on that bucket (its policy, Object Lock,
#   versioning, logging, encryption, public access block).
# related_resources:
#   - ref: help/rules/TG-LOG-015.md
# custom:
#   id: TG-LOG-015
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.5
#   recommended_action: Add the TamperAlerts construct (aws_cloudwatch_event_rule on the CloudTrail and S3 API calls, aws_cloudwatch_event_target to the critical topic, and a topic policy that lets events.amazonaws.com publish for those rules).
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in log_011_findings
}

log_011_findings contains {"resource": t.address, "message": msg} if {
	some t in lib.trails
	missing := {n | some n in trail_events} - covered_trail_events
	count(missing) > 0
	msg := sprintf("no enabled EventBridge rule with an SNS target alerts on %s for trail %s; add a rule matching source aws.cloudtrail and these event names", [concat(", ", sort(missing)), t.address])
}

log_011_findings contains {"resource": addr, "message": msg} if {
	count(lib.trails) > 0
	some addr in lib.trail_log_buckets
	name := lib.get(lib.bucket_by_address[addr], "bucket")
	missing := {n | some n in bucket_events} - covered_bucket_events(name)
	count(missing) > 0
	msg := sprintf("no enabled EventBridge rule with an SNS target alerts on %s for trail log bucket %s; add a rule in the bucket's account matching source aws.s3, these event names and requestParameters.bucketName", [concat(", ", sort(missing)), addr])
}

log_011_findings contains {"resource": r.address, "message": msg} if {
	count(lib.trails) > 0
	some r in unreadable_patterns
	msg := sprintf("EventBridge rule %s has an event_pattern that is not a literal JSON document; write it as literal JSON so the tamper alerts can be verified", [r.address])
}
