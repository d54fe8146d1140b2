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
	h.messages(vs, "TG-RET-002") == {"trail log bucket aws_s3_bucket.trail_logs has no aws_s3_bucket_object_lock_configuration with a default retention of at least 365 days"}
}

test_ret_002_fails_bucket_without_object_lock_enabled if {
	unlocked := object.union(trail_bucket, {"values": {"object_lock_enabled": false}})
	vs := retention.violations with input as h.doc([trail, unlocked, object_lock({"days": 365})])
	h.messages(vs, "TG-RET-002") == {"trail log bucket aws_s3_bucket.trail_logs was not created with object_lock_enabled = true"}
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
