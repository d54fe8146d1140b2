# METADATA
# title: Operations
# description: |
#   Runtime checks of the deployed estate: is the trail logging, are deliveries on
#   time and free of errors, do alerts reach someone, are alarms evaluating, is
#   CloudTrail Lake ingesting and within capacity. They read input.runtime, which
#   only `trailgate verify` writes (policies/INPUT.md "runtime"); synth, plan and
#   module inputs have none, so these rules find nothing there.
package trailgate.operations

import data.trailgate.lib

runtime := object.get(input, "runtime", {})

# Only verify's live documents carry a runtime section.
has_runtime if "runtime" in object.keys(input)

trails := object.get(runtime, "trails", [])

# When the runtime was read (epoch seconds); every age is measured from it.
now := runtime.collected_at

minutes(seconds) := round(seconds / 60)

# METADATA
# title: Trails are logging
# description: Every trail trailgate verify reads reports IsLogging true in GetTrailStatus.
# related_resources:
#   - ref: help/rules/TG-OPS-001.md
# custom:
#   id: TG-OPS-001
#   severity: critical
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Start the trail (aws cloudtrail start-logging --name <trail ARN>, or terraform apply), then find who stopped it in the trail's own events (eventName StopLogging).
violations contains lib.violation(rego.metadata.rule(), t.resource, msg) if {
	some t in trails
	t.is_logging != true
	msg := sprintf("trail %s is not logging%s; start it (aws cloudtrail start-logging, or terraform apply) and find who called StopLogging", [t.resource, stopped_since(t)])
}

stopped_since(t) := sprintf(" (stopped %v minutes ago)", [minutes(now - t.stop_logging_time)]) if {
	is_number(t.stop_logging_time)
} else := ""

# A delivery channel of a trail: the GetTrailStatus time field, what it delivers, and its age limit.
channel(field, what, limit_minutes) := {"field": field, "what": what, "limit": limit_minutes}

trail_channels(t) := [c |
	some c in [
		channel("latest_delivery_time", "log files to S3", lib.config.max_delivery_age_minutes),
		channel("latest_cloudwatch_logs_delivery_time", "events to CloudWatch Logs", lib.config.max_delivery_age_minutes),
		channel("latest_digest_delivery_time", "digest files to S3", lib.config.max_digest_delivery_age_minutes),
	]
	channel_applies(t, c.field)
]

channel_applies(_, "latest_delivery_time")

channel_applies(t, "latest_cloudwatch_logs_delivery_time") if t.delivers_to_cloudwatch_logs == true

channel_applies(t, "latest_digest_delivery_time") if t.log_file_validation == true

# Why a logging trail's channel is late, or undefined when it is on time. A trail
# that has delivered nothing yet is late only once it has logged for longer than the limit.
lateness(t, c) := sprintf("last delivered %s %v minutes ago", [c.what, minutes(now - last)]) if {
	last := object.get(t, c.field, null)
	is_number(last)
	now - last > c.limit * 60
} else := sprintf("has delivered no %s since logging started %v minutes ago", [c.what, minutes(now - started)]) if {
	not is_number(object.get(t, c.field, null))
	started := object.get(t, "start_logging_time", null)
	is_number(started)
	now - started > c.limit * 60
} else := sprintf("reports no time of its last delivery of %s nor when logging started", [c.what]) if {
	not is_number(object.get(t, c.field, null))
	not is_number(object.get(t, "start_logging_time", null))
}

# METADATA
# title: Trail deliveries are on time
# description: |
#   A logging trail delivered log files to S3 (and, when configured, events to
#   CloudWatch Logs) within max_delivery_age_minutes, and digest files (when log
#   file validation is on) within max_digest_delivery_age_minutes. A stopped
#   trail is TG-OPS-001 instead.
# related_resources:
#   - ref: help/rules/TG-OPS-002.md
# custom:
#   id: TG-OPS-002
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.4
#   recommended_action: Check the trail status for a delivery error (TG-OPS-003 to TG-OPS-005) and the bucket, key and log group the trail writes to; the trail may also have nothing to deliver if an event selector excludes everything.
violations contains lib.violation(rego.metadata.rule(), t.resource, msg) if {
	some t in trails
	t.is_logging == true
	some c in trail_channels(t)
	late := lateness(t, c)
	msg := sprintf("trail %s %s (limit %v minutes); check its delivery errors and the bucket, key and log group it writes to", [t.resource, late, c.limit])
}

# A GetTrailStatus error field, reported when set.
delivery_error(t, field) := e if {
	e := object.get(t, field, null)
	lib.is_set(e)
}

# METADATA
# title: Log file delivery to S3 has no error
# description: GetTrailStatus reports no LatestDeliveryError (CloudTrail could not write a log file to its bucket).
# related_resources:
#   - ref: help/rules/TG-OPS-003.md
# custom:
#   id: TG-OPS-003
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#   recommended_action: Fix what the error names, usually the log bucket's policy (CloudTrail's PutObject grant), the KMS key policy, or a deleted bucket; see help/troubleshooting/s3-bucket-permissions.md.
violations contains lib.violation(rego.metadata.rule(), t.resource, msg) if {
	some t in trails
	e := delivery_error(t, "latest_delivery_error")
	msg := sprintf("trail %s reports a log file delivery error: %s; fix the bucket or key policy it names", [t.resource, e])
}

# METADATA
# title: Delivery to CloudWatch Logs has no error
# description: GetTrailStatus reports no LatestCloudWatchLogsDeliveryError, so the metric filters and alarms see every event.
# related_resources:
#   - ref: help/rules/TG-OPS-004.md
# custom:
#   id: TG-OPS-004
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.4
#   recommended_action: Fix what the error names, usually the trail's CloudWatch Logs role (trust policy or logs:PutLogEvents on the log group) or a deleted log group or KMS key.
violations contains lib.violation(rego.metadata.rule(), t.resource, msg) if {
	some t in trails
	e := delivery_error(t, "latest_cloudwatch_logs_delivery_error")
	msg := sprintf("trail %s reports a CloudWatch Logs delivery error: %s; alarms miss events until it is fixed", [t.resource, e])
}

# METADATA
# title: Digest delivery has no error
# description: GetTrailStatus reports no LatestDigestDeliveryError, so the digest chain that proves the log files untouched has no gap.
# related_resources:
#   - ref: help/rules/TG-OPS-005.md
# custom:
#   id: TG-OPS-005
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 3.2
#   recommended_action: Fix what the error names (bucket policy or KMS key), then run trailgate validate-logs over the affected hours to see which digests are missing.
violations contains lib.violation(rego.metadata.rule(), t.resource, msg) if {
	some t in trails
	e := delivery_error(t, "latest_digest_delivery_error")
	msg := sprintf("trail %s reports a digest delivery error: %s; the validation chain has a gap until it is fixed", [t.resource, e])
}

topics := object.get(runtime, "topics", [])

# METADATA
# title: Alert subscriptions are confirmed
# description: No subscription of an alert topic is pending confirmation; a pending e-mail subscription delivers nothing.
# related_resources:
#   - ref: help/rules/TG-OPS-006.md
# custom:
#   id: TG-OPS-006
#   severity: medium
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.x (alarm recipients)
#   recommended_action: Ask the recipient to confirm the subscription from the AWS Notifications e-mail, or delete it and subscribe a monitored address.
violations contains lib.violation(rego.metadata.rule(), tp.resource, msg) if {
	some tp in topics
	some s in tp.subscriptions
	s.pending_confirmation == true
	msg := sprintf("subscription of %s (%s) to topic %s is pending confirmation and delivers nothing; the recipient must confirm it", [s.endpoint, s.protocol, tp.resource])
}

confirmed(tp) if {
	some s in tp.subscriptions
	s.pending_confirmation != true
}

tier_topics(tier) := [tp | some tp in topics; tp.tier == tier]

# METADATA
# title: Every alert tier reaches someone
# description: |
#   For each tier in alert_tiers there is an alert topic of that tier (tag
#   trailgate:alert-tier, or a name ending in -alerts-<tier>) with at least one
#   confirmed subscription.
# related_resources:
#   - ref: help/rules/TG-OPS-007.md
# custom:
#   id: TG-OPS-007
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.x (alarm recipients)
#   recommended_action: Subscribe a monitored address to the tier's topic (terraform apply restores the configured alert e-mails) and have it confirmed.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in ops_007_findings
}

ops_007_findings contains {"resource": tp.resource, "message": msg} if {
	some tier in lib.config.alert_tiers
	some tp in tier_topics(tier)
	not any_confirmed(tier)
	msg := sprintf("no confirmed subscription on the %s alert tier: topic %s has %v subscription(s), none confirmed; %s alerts reach nobody", [tier, tp.resource, count(tp.subscriptions), tier])
}

ops_007_findings contains {"resource": "", "message": msg} if {
	has_runtime
	some tier in lib.config.alert_tiers
	count(tier_topics(tier)) == 0
	msg := sprintf("no alert topic of the %s tier was found from the trail's alarms and event rules; %s alerts reach nobody", [tier, tier])
}

any_confirmed(tier) if {
	some tp in tier_topics(tier)
	confirmed(tp)
}

alarms := object.get(runtime, "alarms", [])

# How long an alarm may be INSUFFICIENT_DATA before it counts as stuck: the grace
# period, or two of its evaluation windows for alarms with long periods.
stuck_after(a) := max([lib.config.insufficient_data_grace_minutes * 60, 2 * object.get(a, "window_seconds", 0)])

# METADATA
# title: Alarms are not stuck in INSUFFICIENT_DATA
# description: |
#   No alarm of the estate has been INSUFFICIENT_DATA for longer than
#   insufficient_data_grace_minutes (or two of its evaluation windows, if longer):
#   such an alarm watches a metric that receives nothing.
# related_resources:
#   - ref: help/rules/TG-OPS-008.md
# custom:
#   id: TG-OPS-008
#   severity: medium
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 33
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.x
#   recommended_action: Check that the alarm's namespace, metric name and dimensions match what the metric filter (or AWS/Logs) publishes, and that the alarm treats missing data as intended.
violations contains lib.violation(rego.metadata.rule(), a.resource, msg) if {
	some a in alarms
	a.state == "INSUFFICIENT_DATA"
	now - a.state_updated_at > stuck_after(a)
	msg := sprintf("alarm %s has been INSUFFICIENT_DATA for %v minutes; it watches a metric that receives no data", [a.resource, minutes(now - a.state_updated_at)])
}

stores := object.get(runtime, "event_data_stores", [])

# METADATA
# title: CloudTrail Lake event data stores are ingesting
# description: Every CloudTrail Lake event data store in the region has status ENABLED.
# related_resources:
#   - ref: help/rules/TG-OPS-009.md
# custom:
#   id: TG-OPS-009
#   severity: high
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Start ingestion (aws cloudtrail start-event-data-store-ingestion) or, for a store pending deletion that is still needed, restore it (aws cloudtrail restore-event-data-store) within its 7-day window.
violations contains lib.violation(rego.metadata.rule(), s.resource, msg) if {
	some s in stores
	s.status != "ENABLED"
	msg := sprintf("CloudTrail Lake event data store %s is %s, not ENABLED; it is not recording events", [s.resource, s.status])
}

# METADATA
# title: CloudTrail Lake is within capacity
# description: |
#   The region's event data stores (any status, pending deletion included, as
#   AWS counts them) stay below lake_capacity_warn_percent of
#   lake_event_data_store_capacity (AWS's fixed quota is 10 per region).
# related_resources:
#   - ref: help/rules/TG-OPS-010.md
# custom:
#   id: TG-OPS-010
#   severity: medium
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Delete event data stores that are no longer needed (after exporting what must be kept), so a replacement store can always be created.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	has_runtime
	used := object.get(runtime, "event_data_store_count", 0)
	capacity := lib.config.lake_event_data_store_capacity
	used * 100 >= capacity * lib.config.lake_capacity_warn_percent
	msg := sprintf("%v of %v CloudTrail Lake event data stores are in use in %s (warning at %v percent); delete unneeded stores so a replacement can be created", [used, capacity, object.get(runtime, "region", "this region"), lib.config.lake_capacity_warn_percent])
}
