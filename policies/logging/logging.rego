# METADATA
# title: Logging and monitoring
# description: An organisation-wide, tamper-evident trail exists, is watched, and its own buckets are logged.
package trailgate.logging

import data.trailgate.lib

# METADATA
# title: Trails are multi-region
# description: Every trail sets is_multi_region_trail = true.
# related_resources:
#   - ref: help/rules/TG-LOG-001.md
# custom:
#   id: TG-LOG-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Set is_multi_region_trail = true on the aws_cloudtrail.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	lib.get(t, "is_multi_region_trail") != true
	msg := sprintf("trail %s is not multi-region; set is_multi_region_trail = true", [t.address])
}

# METADATA
# title: Trails include global service events
# description: No trail sets include_global_service_events = false (IAM, STS and Organizations events are global).
# related_resources:
#   - ref: help/rules/TG-LOG-002.md
# custom:
#   id: TG-LOG-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Remove include_global_service_events = false (it defaults to true).
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	lib.get(t, "include_global_service_events") == false
	msg := sprintf("trail %s sets include_global_service_events = false; set it to true so IAM and STS events are recorded", [t.address])
}

# METADATA
# title: Trails validate log files
# description: Every trail sets enable_log_file_validation = true so tampering with delivered logs is detectable.
# related_resources:
#   - ref: help/rules/TG-LOG-003.md
# custom:
#   id: TG-LOG-003
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.2
#   recommended_action: Set enable_log_file_validation = true on the aws_cloudtrail.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	lib.get(t, "enable_log_file_validation") != true
	msg := sprintf("trail %s does not set enable_log_file_validation = true; enable it", [t.address])
}

# METADATA
# title: Trails deliver to CloudWatch Logs
# description: Every trail sets cloud_watch_logs_group_arn and cloud_watch_logs_role_arn, so metric filters and alarms can watch it.
# related_resources:
#   - ref: help/rules/TG-LOG-004.md
# custom:
#   id: TG-LOG-004
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.4
#   recommended_action: Set cloud_watch_logs_group_arn ("<log group arn>:*") and cloud_watch_logs_role_arn on the aws_cloudtrail.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	some arg in ["cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"]
	not lib.is_set(lib.get(t, arg))
	msg := sprintf("trail %s has no %s; deliver the trail to a CloudWatch Logs group", [t.address, arg])
}

# METADATA
# title: An organisation trail exists
# description: When require_organization_trail is true, at least one trail sets is_organization_trail = true.
# related_resources:
#   - ref: help/rules/TG-LOG-005.md
# custom:
#   id: TG-LOG-005
#   severity: high
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Set is_organization_trail = true on the trail in the management (or delegated administrator) account.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	lib.config.require_organization_trail == true
	count(lib.trails) > 0 # no trail at all is TG-LOG-008
	not organization_trail_exists
	msg := "no aws_cloudtrail sets is_organization_trail = true; make the audit trail an organisation trail"
}

organization_trail_exists if {
	some t in lib.trails
	lib.get(t, "is_organization_trail") == true
}

# Buckets that write server access logs into a different bucket.
access_logged_buckets := {addr |
	some l in lib.resources("aws_s3_bucket_logging")
	lib.is_set(lib.get(l, "target_bucket"))
	some addr in lib.refs(l, "bucket")
	not addr in lib.refs(l, "target_bucket")
}

# METADATA
# title: Trail log buckets have server access logging
# description: Every trail log bucket has an aws_s3_bucket_logging whose target is a different bucket.
# related_resources:
#   - ref: help/rules/TG-LOG-006.md
# custom:
#   id: TG-LOG-006
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.6
#   recommended_action: Add an aws_s3_bucket_logging for the trail bucket with target_bucket set to a separate access-log bucket.
violations contains lib.violation(rego.metadata.rule(), addr, msg) if {
	some addr in lib.trail_log_buckets
	not access_logged_buckets[addr]
	msg := sprintf("trail log bucket %s has no aws_s3_bucket_logging into a different bucket; add one targeting a separate access-log bucket", [addr])
}

is_sns_action(addr) if lib.is_type(addr, "aws_sns_topic")

is_sns_action(arn) if startswith(arn, "arn:aws:sns:")

# Alarms that notify SNS, by the [namespace, metric_name] they watch and by the
# metric filters their arguments refer to (CDKTF often interpolates the filter's metric name).
# Complete rules, built once: a partial set looked up by key re-runs its body per key
# under `opa eval`, which made this quadratic in the number of alarms.
alarmed_metrics := {[lib.get(a, "namespace"), lib.get(a, "metric_name")] | some a in sns_alarms} | {addr |
	some a in sns_alarms
	some arg in ["metric_name", "namespace"]
	some addr in lib.refs(a, arg)
}

# Alarm actions reach SNS either through refs or as a literal topic ARN.
sns_alarms := {a |
	some a in lib.resources("aws_cloudwatch_metric_alarm")
	some action in lib.refs(a, "alarm_actions")
	is_sns_action(action)
} | {a |
	some a in lib.resources("aws_cloudwatch_metric_alarm")
	some action in lib.get(a, "alarm_actions")
	is_sns_action(action)
}

alarmed(f) if alarmed_metrics[f.address]

alarmed(f) if {
	some mt in lib.blocks(lib.get(f, "metric_transformation"))
	alarmed_metrics[[mt.namespace, mt.name]]
}

# Monitor ids with a metric filter matching their tokens and an SNS-notifying alarm on it.
# The inner loop is over required_monitors, a fixed list of about sixteen.
covered_monitors := {m.id |
	some f in lib.resources("aws_cloudwatch_log_metric_filter")
	alarmed(f)
	pattern := lib.get(f, "pattern")
	some m in lib.config.required_monitors
	every token in m.pattern_tokens {
		contains(pattern, token)
	}
}

# METADATA
# title: Required CloudTrail monitors exist
# description: |
#   Every monitor in required_monitors (the CIS monitoring set) has a CloudWatch
#   Logs metric filter whose pattern contains all of its tokens, and an alarm on
#   that metric with an SNS alarm action.
# related_resources:
#   - ref: help/rules/TG-LOG-007.md
# custom:
#   id: TG-LOG-007
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 33
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Add the metric filter (pattern from policies/data.json) on the trail's log group and an aws_cloudwatch_metric_alarm on its metric with alarm_actions set to an SNS topic.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	count(lib.trails) > 0 # no trail at all is TG-LOG-008
	some m in lib.config.required_monitors
	not covered_monitors[m.id]
	msg := sprintf("monitor %s (%s) has no metric filter with a pattern containing %s and an SNS-notifying alarm on its metric; add both", [m.id, m.title, concat(", ", m.pattern_tokens)])
}

# METADATA
# title: A CloudTrail trail exists
# description: The configuration defines at least one aws_cloudtrail.
# related_resources:
#   - ref: help/rules/TG-LOG-008.md
# custom:
#   id: TG-LOG-008
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Add an aws_cloudtrail (the trailgate organisation trail construct) to the configuration.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	count(lib.trails) == 0
	msg := "the configuration has no aws_cloudtrail; add the organisation trail"
}

# Literal names and bucket resources of a trail's own log bucket(s).
own_buckets(t) := {b | some addr in lib.refs(t, "s3_bucket_name"); b := lib.bucket_by_address[addr]}

own_names(t) := {n |
	some n in ({lib.get(t, "s3_bucket_name")} | {lib.get(b, "bucket") | some b in own_buckets(t)})
	is_string(n)
	not startswith(n, "${")
}

# An S3 ARN value that covers the trail's own bucket.
names_own_bucket(v, _) if regex.match(`^arn:[a-z-]+:s3(:::)?$`, v)

names_own_bucket(v, t) if {
	some b in own_buckets(t)
	contains(v, concat("", ["${", b.type, ".", b.name, "."]))
}

names_own_bucket(v, t) if {
	split(split(v, ":::")[1], "/")[0] in own_names(t)
}

s3_object_selector(fs) if {
	some f in fs
	f.field == "resources.type"
	"AWS::S3::Object" in object.get(f, "equals", [])
}

arn_values(fs, ops) := [v |
	some f in fs
	f.field == "resources.ARN"
	some op in ops
	some v in object.get(f, op, [])
]

# An advanced selector covers the own bucket if it names it positively, or has no positive ARN filter and does not exclude it.
advanced_selects_own(fs, t) if {
	some v in arn_values(fs, ["equals", "starts_with"])
	names_own_bucket(v, t)
}

advanced_selects_own(fs, t) if {
	count(arn_values(fs, ["equals", "starts_with"])) == 0
	not excludes_own(fs, t)
}

excludes_own(fs, t) if {
	some v in arn_values(fs, ["not_equals", "not_starts_with"])
	names_own_bucket(v, t)
}

# METADATA
# title: Data events do not log the trail's own bucket
# description: |
#   S3 data event selectors (basic or advanced) never select the trail's own log
#   bucket: every delivered log file would itself be logged, in an endless loop.
# related_resources:
#   - ref: help/rules/TG-LOG-009.md
# custom:
#   id: TG-LOG-009
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#   recommended_action: Select specific bucket ARNs for S3 data events, or exclude the trail bucket with a not_starts_with advanced selector.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in log_009_findings
}

log_009_findings contains {"resource": t.address, "message": msg} if {
	some t in lib.trails
	some es in lib.blocks(lib.get(t, "event_selector"))
	some dr in lib.blocks(object.get(es, "data_resource", null))
	dr.type == "AWS::S3::Object"
	some v in dr.values
	names_own_bucket(v, t)
	msg := sprintf("trail %s event_selector data resource %s selects the trail's own log bucket; list specific bucket ARNs that exclude it", [t.address, v])
}

log_009_findings contains {"resource": t.address, "message": msg} if {
	some t in lib.trails
	some aes in lib.blocks(lib.get(t, "advanced_event_selector"))
	fs := lib.blocks(object.get(aes, "field_selector", null))
	s3_object_selector(fs)
	advanced_selects_own(fs, t)
	msg := sprintf("trail %s advanced_event_selector %s selects S3 data events on the trail's own log bucket; add a resources.ARN not_starts_with on the log bucket ARN", [t.address, object.get(aes, "name", "(unnamed)")])
}
