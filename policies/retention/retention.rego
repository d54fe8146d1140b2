# METADATA
# title: Retention
# description: Audit records are kept, immutably, for at least min_retention_days.
package trailgate.retention

import data.trailgate.lib

min_days := lib.config.min_retention_days

# METADATA
# title: Lifecycle rules keep trail logs for the retention period
# description: |
#   No enabled lifecycle rule on a trail log bucket expires current objects
#   before min_retention_days; a date-based expiration removes fresh logs too.
# related_resources:
#   - ref: help/rules/TG-RET-001.md
# custom:
#   id: TG-RET-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 5(1)(e)
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Raise expiration days to at least min_retention_days (365 by default) or remove the expiration from the rule.
violations contains lib.violation(rego.metadata.rule(), c.address, msg) if {
	some c in lib.resources("aws_s3_bucket_lifecycle_configuration")
	some addr in lib.refs(c, "bucket")
	lib.trail_log_buckets[addr]
	some rule in lib.blocks(lib.get(c, "rule"))
	object.get(rule, "status", "Enabled") != "Disabled"
	some exp in lib.blocks(object.get(rule, "expiration", null))
	problem := expiration_problem(exp)
	msg := sprintf("%s rule %s on trail log bucket %s %s; expire current objects no sooner than %v days", [c.address, object.get(rule, "id", "(no id)"), addr, problem, min_days])
}

expiration_problem(exp) := sprintf("expires current objects after %v days", [exp.days]) if {
	is_number(exp.days)
	exp.days < min_days
} else := sprintf("expires current objects on date %s", [exp.date]) if {
	lib.is_set(object.get(exp, "date", null))
}

retention_days(dr) := dr.days if is_number(object.get(dr, "days", null))

else := dr.years * 365 if is_number(object.get(dr, "years", null))

# Buckets with an Object Lock configuration whose default retention is long enough.
locked_buckets := {addr |
	some c in lib.resources("aws_s3_bucket_object_lock_configuration")
	some rule in lib.blocks(lib.get(c, "rule"))
	some dr in lib.blocks(object.get(rule, "default_retention", null))
	retention_days(dr) >= min_days
	some addr in lib.refs(c, "bucket")
}

lock_problem(b) := "was not created with object_lock_enabled = true" if {
	lib.get(b, "object_lock_enabled") != true
} else := sprintf("has no aws_s3_bucket_object_lock_configuration with a default retention of at least %v days", [min_days]) if {
	not locked_buckets[b.address]
}

# METADATA
# title: Trail log buckets have Object Lock default retention
# description: |
#   Every trail log bucket is created with Object Lock enabled and has a default
#   retention of at least min_retention_days, so log files cannot be deleted or
#   overwritten early.
# related_resources:
#   - ref: help/rules/TG-RET-002.md
# custom:
#   id: TG-RET-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Set object_lock_enabled = true on the bucket and add an aws_s3_bucket_object_lock_configuration with default_retention days >= min_retention_days.
violations contains lib.violation(rego.metadata.rule(), addr, msg) if {
	some addr in lib.trail_log_buckets
	problem := lock_problem(lib.bucket_by_address[addr])
	msg := sprintf("trail log bucket %s %s", [addr, problem])
}

versioned_buckets := {addr |
	some v in lib.resources("aws_s3_bucket_versioning")
	some vc in lib.blocks(lib.get(v, "versioning_configuration"))
	vc.status == "Enabled"
	some addr in lib.refs(v, "bucket")
}

# METADATA
# title: Log buckets are versioned
# description: Trail log buckets and access-log buckets have versioning Enabled.
# related_resources:
#   - ref: help/rules/TG-RET-003.md
# custom:
#   id: TG-RET-003
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#   recommended_action: Add an aws_s3_bucket_versioning for the bucket with versioning_configuration status Enabled.
violations contains lib.violation(rego.metadata.rule(), addr, msg) if {
	some addr in (lib.trail_log_buckets | lib.access_log_buckets)
	not versioned_buckets[addr]
	msg := sprintf("log bucket %s has no aws_s3_bucket_versioning with status Enabled; add one", [addr])
}

# METADATA
# title: Log groups keep events for the retention period
# description: CloudWatch log groups keep events for at least min_retention_days; 0 (never expire) or unset is fine.
# related_resources:
#   - ref: help/rules/TG-RET-004.md
# custom:
#   id: TG-RET-004
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Set retention_in_days to at least min_retention_days (e.g. 400 for 365) or 0 to never expire.
violations contains lib.violation(rego.metadata.rule(), g.address, msg) if {
	some g in lib.resources("aws_cloudwatch_log_group")
	days := lib.get(g, "retention_in_days")
	is_number(days)
	days != 0
	days < min_days
	msg := sprintf("log group %s keeps events for %v days; set retention_in_days to at least %v or 0", [g.address, days, min_days])
}

# METADATA
# title: CloudTrail Lake keeps events for the retention period
# description: CloudTrail Lake event data stores set retention_period of at least min_retention_days (unset means the 7-year default).
# related_resources:
#   - ref: help/rules/TG-RET-005.md
# custom:
#   id: TG-RET-005
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9.1
#   recommended_action: Set retention_period on the aws_cloudtrail_event_data_store to at least min_retention_days.
violations contains lib.violation(rego.metadata.rule(), s.address, msg) if {
	some s in lib.resources("aws_cloudtrail_event_data_store")
	days := lib.get(s, "retention_period")
	is_number(days)
	days < min_days
	msg := sprintf("event data store %s keeps events for %v days; set retention_period to at least %v", [s.address, days, min_days])
}
