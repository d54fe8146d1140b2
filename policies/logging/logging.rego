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
	not_true(lib.get(t, "is_multi_region_trail"))
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
	not_true(lib.get(t, "enable_log_file_validation"))
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

# A trail whose flag is unknown before apply may be the organisation trail: TG-VER-001 says so.
organization_trail_exists if {
	some t in lib.trails
	lib.unknown(lib.get(t, "is_organization_trail"))
}

# Known and not true (unset counts): an unknown value is TG-VER-001's finding.
not_true(v) if {
	v != true
	not lib.unknown(v)
}

# Buckets that write server access logs into a different bucket (an
# aws_s3_bucket_logging, or the legacy inline logging block of a bucket without one).
access_logged_buckets := {addr |
	some l in lib.resources("aws_s3_bucket_logging")
	lib.is_set(lib.get(l, "target_bucket"))
	some addr in lib.refs(l, "bucket")
	not addr in lib.refs(l, "target_bucket")
} | {b.address |
	some b in lib.resources("aws_s3_bucket")
	some l in lib.inline_block(b, "logging", "aws_s3_bucket_logging")
	target := object.get(l, "target_bucket", null)
	lib.is_set(target)
	target != lib.get(b, "bucket")
	not b.address in lib.bucket_refs(b, "logging", target)
}

# METADATA
# title: Trail log buckets have server access logging
# description: Every trail log bucket has server access logging (an aws_s3_bucket_logging, or a legacy inline logging block) whose target is a different bucket.
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

# An action the gate cannot resolve before apply (a variable, a local): TG-VER
# says it cannot verify it, so it is not reported again as a missing action.
is_sns_action(v) if {
	lib.unknown(v)
	not lib.resource_reference(v)
}

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
	some action in lib.as_array(lib.get(a, "alarm_actions"))
	is_sns_action(action)
}

alarmed(f) if alarmed_metrics[f.address]

alarmed(f) if {
	some mt in lib.blocks(lib.get(f, "metric_transformation"))
	alarmed_metrics[[mt.namespace, mt.name]]
}

# Where a trail's log group is known, a monitor counts only on it. When no trail
# names a log group (TG-LOG-004) or it cannot be resolved (TG-VER-002), any group
# is accepted rather than reporting every monitor a second time.
trail_group_known if count(lib.trail_log_groups) > 0

trail_group_known if count(lib.trail_log_group_names) > 0

on_trail_log_group(_) if not trail_group_known

on_trail_log_group(f) if {
	some g in lib.refs(f, "log_group_name")
	lib.trail_log_groups[g]
}

on_trail_log_group(f) if lib.trail_log_group_names[lib.get(f, "log_group_name")]

# A log group the gate cannot follow (a module output in a folder, an unresolved
# reference in a plan) may be the trail's: the monitor is not reported missing;
# TG-VER-002 says the link cannot be checked.
on_trail_log_group(f) if unfollowed_log_group(f)

# METADATA
# title: unfollowed_log_group
# description: A metric filter whose log_group_name is not known and names no resource of this configuration.
unfollowed_log_group(f) if {
	count(lib.refs(f, "log_group_name")) == 0
	lib.unknown(lib.get(f, "log_group_name"))
}

# A parsed filter pattern covers a monitor when, for one of the monitor's
# accepted patterns (`match`, or an `also_accepted` variant such as a later CIS
# version's) and every alternative of it, some alternative of the filter
# positively requires the same comparisons: nothing more (the filter would miss
# events), nothing less. An $.eventSource comparison may be left out (the event
# name identifies the API call; leaving the source out only widens the filter),
# but never replaced by another source. Exclusions (!=, NOT EXISTS) may be added,
# as CIS v3 does for delivery.logs.amazonaws.com. A negated comparison never
# counts as requiring its value.
covers(filter_keys, m) if {
	some wanted_set in monitor_keys[m.id]
	every wanted in wanted_set {
		accepted(filter_keys, wanted)
	}
}

# A filter alternative as one string: its required comparisons without
# $.eventSource, then its sources. Comparing strings keeps the check a set lookup
# per alternative instead of set algebra for every filter x monitor x alternative.
alternative_key(comparisons, source_list) := concat(" @ ", [concat(" && ", sort(without_source(comparisons))), concat(", ", sort(source_list))])

sources(comparisons) := {x | some x in comparisons; startswith(x, "$.eventSource ")}

without_source(comparisons) := {x | some x in comparisons; not startswith(x, "$.eventSource ")}

# The keys of a filter's alternatives that require something.
filter_keys(parsed) := {alternative_key(have, sources(have)) |
	some alt in parsed.alternatives
	have := {x | some x in alt.require}
	count(have) > 0
}

# A wanted alternative is matched by a filter alternative with the same
# comparisons, naming the same source or none.
accepted(keys, wanted) if keys[wanted.with_source]

accepted(keys, wanted) if keys[wanted.without_source]

# Each monitor's accepted patterns, as the keys filter alternatives must match.
monitor_keys := {m.id: sets |
	some m in monitors
	sets := [[{"with_source": alternative_key(w, sources(w)), "without_source": alternative_key(w, set())} |
		some wanted in match
		w := {x | some x in wanted}
	] |
		some match in array.concat([m.match], [a.match | some a in object.get(m, "also_accepted", [])])
		count(match) > 0
	]
}

# Monitor ids with a metric filter on the trail's log group whose parsed pattern
# covers the monitor, and an SNS-notifying alarm on its metric. The inner loop is
# over the monitors, a fixed list of about fifteen.
covered_monitors := {m.id |
	some f in lib.resources("aws_cloudwatch_log_metric_filter")
	alarmed(f)
	on_trail_log_group(f)
	keys := filter_keys(object.get(f, "filter_pattern", {"alternatives": []}))
	count(keys) > 0
	some m in monitors
	covers(keys, m)
}

# The monitors TG-LOG-007 requires: the CIS set (required_monitors) and a team's
# own additions (additional_monitors, none by default).
monitors := array.concat(lib.config.required_monitors, object.get(lib.config, "additional_monitors", []))

# METADATA
# title: Required CloudTrail monitors exist
# description: |
#   Every monitor in required_monitors (the CIS monitoring set) and in
#   additional_monitors (a team's own, none by default) has a CloudWatch
#   Logs metric filter on the trail's log group whose parsed pattern positively
#   matches the monitor's events (policy data `match`; negated or narrower
#   patterns do not count), and an alarm on that metric with an SNS alarm action.
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
	some m in monitors
	not covered_monitors[m.id]
	msg := sprintf("monitor %s (%s) has no metric filter on the trail's log group matching %s with an SNS-notifying alarm on its metric; add both%s", [m.id, m.title, m.pattern, unknown_pattern_note])
}

# Alarmed filters on the trail's log group whose pattern is not known before apply
# (TG-VER-001 reports each): one of them may be a missing monitor's, and the
# finding says so rather than count them for every monitor.
unknown_pattern_filters := {f.address |
	some f in lib.resources("aws_cloudwatch_log_metric_filter")
	object.get(object.get(f, "filter_pattern", {}), "syntax", "") == "unknown"
	alarmed(f)
	on_trail_log_group(f)
}

unknown_pattern_note := sprintf(" (the pattern of %s is not known before apply, TG-VER-001: it may be this monitor)", [concat(", ", sort(unknown_pattern_filters))]) if {
	count(unknown_pattern_filters) > 0
} else := ""

# Alarms with actions switched off, with the metric filter whose metric they watch.
# Only silenced alarms are paired with filters (few), so this is not alarms x filters.
silenced_filter_alarms contains [a, f] if {
	some a in lib.resources("aws_cloudwatch_metric_alarm")
	lib.get(a, "actions_enabled") == false
	some f in lib.resources("aws_cloudwatch_log_metric_filter")
	watches(a, f)
}

watches(a, f) if {
	some arg in ["metric_name", "namespace"]
	f.address in lib.refs(a, arg)
}

watches(a, f) if {
	some mt in lib.blocks(lib.get(f, "metric_transformation"))
	lib.get(a, "namespace") == mt.namespace
	lib.get(a, "metric_name") == mt.name
}

# METADATA
# title: Alarms on trail metrics have their actions enabled
# description: |
#   No aws_cloudwatch_metric_alarm that watches a log metric filter's metric sets
#   actions_enabled = false: such an alarm changes state but notifies nobody.
# related_resources:
#   - ref: help/rules/TG-LOG-013.md
# custom:
#   id: TG-LOG-013
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.1-4.15
#   recommended_action: Remove actions_enabled = false from the alarm (actions are enabled by default).
violations contains lib.violation(rego.metadata.rule(), pair[0].address, msg) if {
	some pair in silenced_filter_alarms
	msg := sprintf("alarm %s on the metric of %s sets actions_enabled = false, so it notifies nobody; enable its actions", [pair[0].address, pair[1].address])
}

# METADATA
# title: Trails are logging
# description: |
#   No trail sets enable_logging = false. A trail that exists but is stopped
#   records nothing: every other trail control then protects an empty log.
# related_resources:
#   - ref: help/rules/TG-LOG-010.md
# custom:
#   id: TG-LOG-010
#   severity: critical
#   inputs: [synth, plan, module]  # not live: live logging state is TG-OPS-001's
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Remove enable_logging = false from the aws_cloudtrail (logging is on by default).
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	lib.get(t, "enable_logging") == false
	msg := sprintf("trail %s sets enable_logging = false, so it records nothing; remove it or set it to true", [t.address])
}

# --- Management events: which a trail records (TG-LOG-011, TG-LOG-012) ---

basic_selectors(t) := lib.blocks(lib.get(t, "event_selector"))

advanced_selectors(t) := [lib.blocks(object.get(aes, "field_selector", null)) | some aes in lib.blocks(lib.get(t, "advanced_event_selector"))]

uses_advanced(t) if count(advanced_selectors(t)) > 0

# Basic selectors that include management events (the default; unknown counts as included).
basic_management(t) := [es |
	some es in basic_selectors(t)
	object.get(es, "include_management_events", true) != false
]

covers_rw(es, wanted) if object.get(es, "read_write_type", "All") in {"All", wanted}

covers_rw(es, _) if lib.unknown(object.get(es, "read_write_type", "All"))

# Advanced selectors for management events: eventCategory equals Management.
advanced_management(t) := [fs |
	some fs in advanced_selectors(t)
	some f in fs
	f.field == "eventCategory"
	some v in lib.as_array(object.get(f, "equals", []))
	v in {"Management", "management"}
]

# Fields an advanced management selector may use without narrowing what is recorded
# beyond read/write and the excluded sources.
management_fields := {"eventCategory", "readOnly", "eventSource"}

# A filter on eventSource that only excludes sources (not_equals), which LOG-012 judges.
exclusion_only(f) if {
	f.field == "eventSource"
	every op, _ in object.remove(f, ["field", "not_equals"]) {
		object.get(f, op, null) in {null, []}
	}
}

narrowing_fields(fs) := {f.field |
	some f in fs
	not f.field in management_fields
} | {"eventSource" |
	some f in fs
	f.field == "eventSource"
	not exclusion_only(f)
}

# The readOnly filter of an advanced selector admits events whose readOnly is `wanted`.
admits_read_only(fs, _) if {
	every f in fs {
		f.field != "readOnly"
	}
}

admits_read_only(fs, wanted) if {
	some f in fs
	f.field == "readOnly"
	equals_admit(selector_values(f, "equals"), wanted)
	not wanted in selector_values(f, "not_equals")
}

equals_admit(values, _) if count(values) == 0

equals_admit(values, wanted) if wanted in values

selector_values(f, op) := [bool_text(v) | some v in lib.as_array(object.get(f, op, []))]

bool_text(v) := lower(v) if is_string(v)

bool_text(true) := "true"

bool_text(false) := "false"

records(t, kind) if {
	not uses_advanced(t)
	count(basic_selectors(t)) == 0
	kind in {"ReadOnly", "WriteOnly"}
}

records(t, kind) if {
	not uses_advanced(t)
	some es in basic_management(t)
	covers_rw(es, kind)
}

records(t, "ReadOnly") if {
	some fs in advanced_management(t)
	count(narrowing_fields(fs)) == 0
	admits_read_only(fs, "true")
}

records(t, "WriteOnly") if {
	some fs in advanced_management(t)
	count(narrowing_fields(fs)) == 0
	admits_read_only(fs, "false")
}

management_gaps(t) := (({"records no management events (every event_selector sets include_management_events = false)" |
	not uses_advanced(t)
	count(basic_selectors(t)) > 0
	count(basic_management(t)) == 0
} | {"records no management events (no advanced_event_selector selects eventCategory Management)" |
	uses_advanced(t)
	count(advanced_management(t)) == 0
}) | {gap |
	some kind, gap in {"ReadOnly": "does not record read-only management events", "WriteOnly": "does not record write management events"}
	management_selected(t)
	not records(t, kind)
}) | {sprintf("filters management events on %s", [concat(", ", sort(narrowed))]) |
	narrowed := {field | some fs in advanced_management(t); some field in narrowing_fields(fs)}
	count(narrowed) > 0
}

management_selected(t) if {
	not uses_advanced(t)
	count(basic_selectors(t)) == 0
}

management_selected(t) if {
	not uses_advanced(t)
	count(basic_management(t)) > 0
}

management_selected(t) if count(advanced_management(t)) > 0

complete_trails := {t.address | some t in lib.trails; count(management_gaps(t)) == 0}

# METADATA
# title: Trails record all management events, read and write
# description: |
#   At least one trail records every management event, read and write: no
#   event_selector with include_management_events = false or a read_write_type
#   other than All (unless another selector covers the rest), no advanced event
#   selectors without a Management selector, and no readOnly or other filter
#   narrowing the management selector. Excluded event sources are TG-LOG-012's.
# related_resources:
#   - ref: help/rules/TG-LOG-011.md
# custom:
#   id: TG-LOG-011
#   severity: high
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Record management events with read_write_type All (or an advanced selector with only eventCategory = Management).
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	count(complete_trails) == 0
	some t in lib.trails
	gaps := management_gaps(t)
	count(gaps) > 0
	msg := sprintf("trail %s %s; record every management event, read and write", [t.address, concat("; ", sort(gaps))])
}

# Management event sources a trail excludes in every selector that records management events.
excluded_sources(t) := {s |
	not uses_advanced(t)
	mgmt := basic_management(t)
	count(mgmt) > 0
	some s in lib.as_array(object.get(mgmt[0], "exclude_management_event_sources", []))
	every es in mgmt {
		s in lib.as_array(object.get(es, "exclude_management_event_sources", []))
	}
} | {s |
	mgmt := advanced_management(t)
	count(mgmt) > 0
	some s in not_equal_sources(mgmt[0])
	every fs in mgmt {
		s in not_equal_sources(fs)
	}
}

not_equal_sources(fs) := {s |
	some f in fs
	f.field == "eventSource"
	some s in lib.as_array(object.get(f, "not_equals", []))
}

disallowed_exclusions(t) := {s |
	some s in excluded_sources(t)
	not lib.unknown(s)
	not s in lib.config.allowed_excluded_event_sources
}

# AWS lets a trail leave out only these management event sources (for cost).
excludable_sources := {"kms.amazonaws.com", "rdsdata.amazonaws.com"}

clean_trails := {addr | some t in lib.trails; complete_trails[t.address]; count(disallowed_exclusions(t)) == 0; addr := t.address}

# METADATA
# title: Management event sources are excluded only as policy data allows
# description: |
#   A trail that records management events leaves out event sources
#   (exclude_management_event_sources, or an advanced eventSource not_equals)
#   only when allowed_excluded_event_sources lists them (none by default). AWS
#   accepts exclusions only for kms.amazonaws.com and rdsdata.amazonaws.com.
# related_resources:
#   - ref: help/rules/TG-LOG-012.md
# custom:
#   id: TG-LOG-012
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Stop excluding the source, or list it in allowed_excluded_event_sources in policy data if leaving it out (for cost) is an accepted decision.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	count(clean_trails) == 0
	some t in lib.trails
	complete_trails[t.address]
	some s in disallowed_exclusions(t)
	msg := sprintf("trail %s does not record management events from %s%s; record them, or list the source in allowed_excluded_event_sources", [t.address, s, exclusion_note(s)])
}

exclusion_note(s) := "" if s in excludable_sources

else := " (AWS accepts exclusions only for kms.amazonaws.com and rdsdata.amazonaws.com)"

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
