package trailgate.retention_test

import data.trailgate.retention
import data.trailgate.test_helpers as h

trail := h.res("aws_cloudtrail", "org", {"s3_bucket_name": "trail-logs"}, {"s3_bucket_name": ["aws_s3_bucket.trail_logs"]})

trail_bucket := h.res("aws_s3_bucket", "trail_logs", {"bucket": "trail-logs", "object_lock_enabled": true}, {})

other_bucket := h.res("aws_s3_bucket", "other", {"bucket": "other"}, {})

to_trail_bucket := {"bucket": ["aws_s3_bucket.trail_logs"]}

lifecycle(bucket_refs, expiration) := h.res(
	"aws_s3_bucket_lifecycle_configuration", "trail_logs",
	{"bucket": "trail-logs", "rule": [{"id": "archive", "status": "Enabled", "expiration": expiration}]},
	bucket_refs,
)

# TG-RET-001

test_ret_001_passes_long_expiration if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, lifecycle(to_trail_bucket, [{"days": 2555}])])
	count(h.flagged(vs, "TG-RET-001")) == 0
}

test_ret_001_fails_short_expiration if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, lifecycle(to_trail_bucket, [{"days": 90}])])
	h.messages(vs, "TG-RET-001") == {"aws_s3_bucket_lifecycle_configuration.trail_logs rule archive on trail log bucket aws_s3_bucket.trail_logs expires current objects after 90 days; expire current objects no sooner than 365 days"}
}

test_ret_001_fails_date_expiration if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, lifecycle(to_trail_bucket, {"date": "2027-01-01T00:00:00Z"})])
	h.flagged(vs, "TG-RET-001") == {"aws_s3_bucket_lifecycle_configuration.trail_logs"}
}

test_ret_001_ignores_other_buckets_and_disabled_rules if {
	other := lifecycle({"bucket": ["aws_s3_bucket.other"]}, [{"days": 1}])
	disabled := h.res(
		"aws_s3_bucket_lifecycle_configuration", "disabled",
		{"rule": [{"status": "Disabled", "expiration": {"days": 1}}]},
		to_trail_bucket,
	)
	vs := retention.violations with input as h.doc([trail, trail_bucket, other_bucket, other, disabled])
	count(h.flagged(vs, "TG-RET-001")) == 0
}

test_ret_001_honours_min_retention_days if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, lifecycle(to_trail_bucket, [{"days": 90}])])
		with data.trailgate.config.min_retention_days as 30
	count(h.flagged(vs, "TG-RET-001")) == 0
}

# TG-RET-002

object_lock(retention) := h.res(
	"aws_s3_bucket_object_lock_configuration", "trail_logs",
	{"bucket": "trail-logs", "rule": {"default_retention": object.union({"mode": "COMPLIANCE"}, retention)}},
	to_trail_bucket,
)

test_ret_002_passes_days_and_years if {
	vs_days := retention.violations with input as h.doc([trail, trail_bucket, object_lock({"days": 365})])
	count(h.flagged(vs_days, "TG-RET-002")) == 0
	vs_years := retention.violations with input as h.doc([trail, trail_bucket, object_lock({"years": 1})])
	count(h.flagged(vs_years, "TG-RET-002")) == 0
}

test_ret_002_fails_short_retention if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, object_lock({"days": 30})])
	h.messages(vs, "TG-RET-002") == {"trail log bucket aws_s3_bucket.trail_logs has no Object Lock default retention of at least 365 days"}
}

test_ret_002_fails_bucket_without_object_lock if {
	unlocked := object.union(trail_bucket, {"values": {"object_lock_enabled": false}})
	vs := retention.violations with input as h.doc([trail, unlocked])
	h.messages(vs, "TG-RET-002") == {"trail log bucket aws_s3_bucket.trail_logs has Object Lock off: it is not created with object_lock_enabled = true and no Object Lock configuration turns it on"}
}

# Class 4: the Object Lock configuration turns Object Lock on; the bucket's own
# flag may be absent, false or unknown in a plan.
test_ret_002_passes_lock_configuration_whatever_the_bucket_flag if {
	every flag in [{}, {"object_lock_enabled": false}, {"object_lock_enabled": "${computed}"}] {
		b := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs"}, flag)})
		vs := retention.violations with input as h.doc([trail, b, object_lock({"days": 365})])
		count(h.flagged(vs, "TG-RET-002")) == 0
	}
}

test_ret_002_ignores_non_trail_buckets if {
	vs := retention.violations with input as h.doc([other_bucket])
	count(h.flagged(vs, "TG-RET-002")) == 0
}

# TG-RET-003

access_logging := h.res("aws_s3_bucket_logging", "trail_logs", {"target_bucket": "access-logs"}, {"bucket": ["aws_s3_bucket.trail_logs"], "target_bucket": ["aws_s3_bucket.access_logs"]})

access_bucket := h.res("aws_s3_bucket", "access_logs", {"bucket": "access-logs"}, {})

versioning(name, status) := h.res(
	"aws_s3_bucket_versioning", name,
	{"versioning_configuration": {"status": status}},
	{"bucket": [concat(".", ["aws_s3_bucket", name])]},
)

test_ret_003_passes_versioned_log_buckets if {
	vs := retention.violations with input as h.doc([
		trail, trail_bucket, access_bucket, access_logging, other_bucket,
		versioning("trail_logs", "Enabled"), versioning("access_logs", "Enabled"),
	])
	count(h.flagged(vs, "TG-RET-003")) == 0
}

test_ret_003_fails_unversioned_and_suspended if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, access_bucket, access_logging, versioning("trail_logs", "Suspended")])
	h.flagged(vs, "TG-RET-003") == {"aws_s3_bucket.trail_logs", "aws_s3_bucket.access_logs"}
}

# TG-RET-004

log_group(days) := h.res("aws_cloudwatch_log_group", "g", {"name": "/aws/cloudtrail/org", "retention_in_days": days}, {})

test_ret_004_passes_long_never_and_unset if {
	every days in [400, 0, null] {
		vs := retention.violations with input as h.doc([log_group(days)])
		count(h.flagged(vs, "TG-RET-004")) == 0
	}
}

test_ret_004_fails_short_retention if {
	vs := retention.violations with input as h.doc([log_group(90)])
	h.flagged(vs, "TG-RET-004") == {"aws_cloudwatch_log_group.g"}
}

# TG-RET-005

lake(values) := h.res("aws_cloudtrail_event_data_store", "lake", values, {})

test_ret_005_passes_default_and_long if {
	vs := retention.violations with input as h.doc([lake({"name": "lake"}), object.union(lake({"retention_period": 2557}), {"address": "aws_cloudtrail_event_data_store.long"})])
	count(h.flagged(vs, "TG-RET-005")) == 0
}

test_ret_005_fails_short_retention if {
	vs := retention.violations with input as h.doc([lake({"retention_period": 90})])
	h.flagged(vs, "TG-RET-005") == {"aws_cloudtrail_event_data_store.lake"}
}

# Class 8: the legacy inline blocks of aws_s3_bucket count like the separate resources.

inline_bucket(blocks) := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs"}, blocks)})

test_ret_001_catches_inline_lifecycle_expiry if {
	b := inline_bucket({"lifecycle_rule": [{"id": "short", "enabled": true, "expiration": [{"days": 30}]}]})
	vs := retention.violations with input as h.doc([trail, b])
	h.messages(vs, "TG-RET-001") == {"aws_s3_bucket.trail_logs rule short on trail log bucket aws_s3_bucket.trail_logs expires current objects after 30 days; expire current objects no sooner than 365 days"}
}

test_ret_001_ignores_disabled_inline_rules_and_inline_rules_a_separate_configuration_replaces if {
	disabled := inline_bucket({"lifecycle_rule": [{"id": "short", "enabled": false, "expiration": [{"days": 30}]}]})
	vs_disabled := retention.violations with input as h.doc([trail, disabled])
	count(h.flagged(vs_disabled, "TG-RET-001")) == 0
	stale := inline_bucket({"lifecycle_rule": [{"id": "short", "enabled": true, "expiration": [{"days": 30}]}]})
	vs_stale := retention.violations with input as h.doc([trail, stale, lifecycle(to_trail_bucket, [{"days": 2555}])])
	count(h.flagged(vs_stale, "TG-RET-001")) == 0
}

test_ret_002_reads_inline_object_lock if {
	locked := inline_bucket({"object_lock_configuration": [{"object_lock_enabled": "Enabled", "rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 400}]}]}]})
	ok := retention.violations with input as h.doc([trail, object.union(locked, {"values": object.remove(locked.values, ["object_lock_enabled"])})])
	count(h.flagged(ok, "TG-RET-002")) == 0
	short := inline_bucket({"object_lock_configuration": [{"object_lock_enabled": "Enabled", "rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 30}]}]}]})
	bad := retention.violations with input as h.doc([trail, short])
	h.flagged(bad, "TG-RET-002") == {"aws_s3_bucket.trail_logs"}
}

test_ret_003_reads_inline_versioning if {
	versioned := inline_bucket({"versioning": [{"enabled": true, "mfa_delete": false}]})
	ok := retention.violations with input as h.doc([trail, versioned])
	count(h.flagged(ok, "TG-RET-003")) == 0
	off := inline_bucket({"versioning": [{"enabled": false}]})
	bad := retention.violations with input as h.doc([trail, off])
	h.flagged(bad, "TG-RET-003") == {"aws_s3_bucket.trail_logs"}
}

test_ret_003_separate_versioning_overrides_stale_inline_state if {
	stale := inline_bucket({"versioning": [{"enabled": true}]})
	vs := retention.violations with input as h.doc([trail, stale, versioning("trail_logs", "Suspended")])
	h.flagged(vs, "TG-RET-003") == {"aws_s3_bucket.trail_logs"}
}

test_ret_003_counts_inline_logging_targets_as_access_log_buckets if {
	logged := inline_bucket({"logging": [{"target_bucket": "access-logs", "target_prefix": "x/"}]})
	vs := retention.violations with input as h.doc([trail, logged, access_bucket, versioning("trail_logs", "Enabled")])
	h.flagged(vs, "TG-RET-003") == {"aws_s3_bucket.access_logs"}
}

# TG-RET-006

test_ret_006_fails_governance_mode if {
	governance := object.union(object_lock({"days": 365}), {"values": {"rule": {"default_retention": {"mode": "GOVERNANCE", "days": 365}}}})
	vs := retention.violations with input as h.doc([trail, trail_bucket, governance])
	h.messages(vs, "TG-RET-006") == {"aws_s3_bucket_object_lock_configuration.trail_logs sets Object Lock default retention mode GOVERNANCE on trail log bucket aws_s3_bucket.trail_logs; use one of: COMPLIANCE"}
	allowed := retention.violations with input as h.doc([trail, trail_bucket, governance])
		with data.trailgate.config.allowed_object_lock_modes as ["COMPLIANCE", "GOVERNANCE"]
	count(h.flagged(allowed, "TG-RET-006")) == 0
}

test_ret_006_passes_compliance_and_ignores_other_buckets if {
	vs := retention.violations with input as h.doc([trail, trail_bucket, object_lock({"days": 365})])
	count(h.flagged(vs, "TG-RET-006")) == 0
	other_lock := object.union(object_lock({"days": 365}), {"refs": {"bucket": ["aws_s3_bucket.other"]}, "values": {"rule": {"default_retention": {"mode": "GOVERNANCE", "days": 1}}}})
	vs_other := retention.violations with input as h.doc([trail, trail_bucket, other_bucket, other_lock])
	count(h.flagged(vs_other, "TG-RET-006")) == 0
}

test_ret_006_reads_inline_mode if {
	b := inline_bucket({"object_lock_configuration": [{"object_lock_enabled": "Enabled", "rule": [{"default_retention": [{"mode": "GOVERNANCE", "days": 400}]}]}]})
	vs := retention.violations with input as h.doc([trail, b])
	h.flagged(vs, "TG-RET-006") == {"aws_s3_bucket.trail_logs"}
}

# TG-RET-007

test_ret_007_fails_force_destroy_on_log_buckets_only if {
	doomed := inline_bucket({"force_destroy": true})
	scratch := object.union(other_bucket, {"values": {"bucket": "other", "force_destroy": true}})
	vs := retention.violations with input as h.doc([trail, doomed, scratch])
	h.messages(vs, "TG-RET-007") == {"log bucket aws_s3_bucket.trail_logs sets force_destroy = true, so a destroy or replacement deletes every log file in it; remove force_destroy"}
}
