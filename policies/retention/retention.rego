# METADATA
# title: Retention
# description: Audit records are kept, immutably, for at least min_retention_days.
package trailgate.retention

import data.trailgate.lib

min_days := lib.config.min_retention_days

# Enabled lifecycle rules of trail log buckets: from an
# aws_s3_bucket_lifecycle_configuration, or from the legacy inline lifecycle_rule
# blocks of a bucket that has no separate configuration.
lifecycle_rules contains {"resource": c.address, "bucket": addr, "rule": rule} if {
	some c in lib.resources("aws_s3_bucket_lifecycle_configuration")
	some addr in lib.refs(c, "bucket")
	lib.trail_log_buckets[addr]
	some rule in lib.blocks(lib.get(c, "rule"))
	object.get(rule, "status", "Enabled") != "Disabled"
}

lifecycle_rules contains {"resource": b.address, "bucket": b.address, "rule": rule} if {
	some b in lib.resources("aws_s3_bucket")
	lib.trail_log_buckets[b.address]
	some rule in lib.inline_block(b, "lifecycle_rule", "aws_s3_bucket_lifecycle_configuration")
	object.get(rule, "enabled", true) != false
}

# METADATA
# title: Lifecycle rules keep trail logs for the retention period
# description: |
#   No enabled lifecycle rule on a trail log bucket (an
#   aws_s3_bucket_lifecycle_configuration, or a legacy inline lifecycle_rule of
#   aws_s3_bucket) expires current objects before min_retention_days; a
#   date-based expiration removes fresh logs too.
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
violations contains lib.violation(rego.metadata.rule(), l.resource, msg) if {
	some l in lifecycle_rules
	some exp in lib.blocks(object.get(l.rule, "expiration", null))
	problem := expiration_problem(exp)
	msg := sprintf("%s rule %s on trail log bucket %s %s; expire current objects no sooner than %v days", [l.resource, object.get(l.rule, "id", "(no id)"), l.bucket, problem, min_days])
}

expiration_problem(exp) := sprintf("expires current objects after %v days", [exp.days]) if {
	is_number(exp.days)
	exp.days < min_days
} else := sprintf("expires current objects on date %s", [exp.date]) if {
	lib.is_set(object.get(exp, "date", null))
}

retention_days(dr) := dr.days if is_number(object.get(dr, "days", null))

else := dr.years * 365 if is_number(object.get(dr, "years", null))

# Default retention blocks of each bucket's Object Lock configuration, with the
# resource that sets them: an aws_s3_bucket_object_lock_configuration, or the
# legacy inline object_lock_configuration of a bucket without one.
lock_retentions contains {"resource": c.address, "bucket": addr, "retention": dr} if {
	some c in lib.resources("aws_s3_bucket_object_lock_configuration")
	some addr in lib.refs(c, "bucket")
	some rule in lib.blocks(lib.get(c, "rule"))
	some dr in lib.blocks(object.get(rule, "default_retention", null))
}

lock_retentions contains {"resource": b.address, "bucket": b.address, "retention": dr} if {
	some b in lib.resources("aws_s3_bucket")
	some lc in lib.inline_block(b, "object_lock_configuration", "aws_s3_bucket_object_lock_configuration")
	some rule in lib.blocks(object.get(lc, "rule", null))
	some dr in lib.blocks(object.get(rule, "default_retention", null))
}

# Buckets whose Object Lock default retention is long enough.
locked_buckets := {l.bucket | some l in lock_retentions; retention_days(l.retention) >= min_days}

# Buckets whose default retention period is not known before apply (TG-VER-001 reports it).
unknown_retention_buckets := {l.bucket |
	some l in lock_retentions
	some k in ["days", "years"]
	lib.unknown(object.get(l.retention, k, null))
}

# Object Lock is on when the bucket is created with it, or when an Object Lock
# configuration (separate, whose object_lock_enabled can only be "Enabled", or
# inline) turns it on: AWS enables Object Lock on an existing versioned bucket
# through PutObjectLockConfiguration, so the bucket's own flag may be unset or
# unknown in a plan.
lock_enabled(b) if lib.get(b, "object_lock_enabled") == true

lock_enabled(b) if {
	some c in lib.resources("aws_s3_bucket_object_lock_configuration")
	b.address in lib.refs(c, "bucket")
}

lock_enabled(b) if {
	some lc in lib.inline_block(b, "object_lock_configuration", "aws_s3_bucket_object_lock_configuration")
	object.get(lc, "object_lock_enabled", null) == "Enabled"
}

lock_problem(b) := "has Object Lock off: it is not created with object_lock_enabled = true and no Object Lock configuration turns it on" if {
	not lock_enabled(b)
	not lib.unknown(lib.get(b, "object_lock_enabled"))
} else := sprintf("has no Object Lock default retention of at least %v days", [min_days]) if {
	not locked_buckets[b.address]
	not unknown_retention_buckets[b.address]
}

# METADATA
# title: Trail log buckets have Object Lock default retention
# description: |
#   Every trail log bucket has Object Lock on (object_lock_enabled = true, or an
#   Object Lock configuration that enables it) and a default retention of at
#   least min_retention_days (separate resource or legacy inline block), so log
#   files cannot be deleted or overwritten early.
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

# METADATA
# title: Object Lock default retention is in COMPLIANCE mode
# description: |
#   The Object Lock default retention of every trail log bucket uses a mode in
#   allowed_object_lock_modes (COMPLIANCE only by default). In GOVERNANCE mode
#   any principal with s3:BypassGovernanceRetention can delete or overwrite
#   locked log files; in COMPLIANCE mode nobody can, the root user included.
# related_resources:
#   - ref: help/rules/TG-RET-006.md
# custom:
#   id: TG-RET-006
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#     - SEC 17a-4(f) / FCA SYSC 9 WORM expectation
#   recommended_action: Set default_retention mode = "COMPLIANCE", or add GOVERNANCE to allowed_object_lock_modes in policy data if the weaker mode is an accepted decision.
violations contains lib.violation(rego.metadata.rule(), l.resource, msg) if {
	some l in lock_retentions
	lib.trail_log_buckets[l.bucket]
	mode := object.get(l.retention, "mode", null)
	is_string(mode)
	not lib.unknown(mode)
	not mode in lib.config.allowed_object_lock_modes
	msg := sprintf("%s sets Object Lock default retention mode %s on trail log bucket %s; use one of: %s", [l.resource, mode, l.bucket, concat(", ", lib.config.allowed_object_lock_modes)])
}

versioned_buckets := {addr |
	some v in lib.resources("aws_s3_bucket_versioning")
	some vc in lib.blocks(lib.get(v, "versioning_configuration"))
	status_ok(vc.status)
	some addr in lib.refs(v, "bucket")
} | {b.address |
	some b in lib.resources("aws_s3_bucket")
	some v in lib.inline_block(b, "versioning", "aws_s3_bucket_versioning")
	enabled_ok(object.get(v, "enabled", false))
}

# An unknown status is TG-VER-001's finding, not a second one here.
status_ok("Enabled")

status_ok(s) if lib.unknown(s)

enabled_ok(true)

enabled_ok(e) if lib.unknown(e)

# METADATA
# title: Log buckets are versioned
# description: Trail log buckets and access-log buckets have versioning Enabled (an aws_s3_bucket_versioning, or a legacy inline versioning block).
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
	some addr in lib.log_buckets
	not versioned_buckets[addr]
	msg := sprintf("log bucket %s has no aws_s3_bucket_versioning with status Enabled; add one", [addr])
}

# METADATA
# title: Log buckets cannot be force-destroyed
# description: |
#   No trail log bucket or access-log bucket sets force_destroy = true. With it,
#   `terraform destroy` (or a replacement forced by a changed argument) deletes
#   every object in the bucket instead of failing, so one plan can erase the
#   audit record.
# related_resources:
#   - ref: help/rules/TG-RET-007.md
# custom:
#   id: TG-RET-007
#   severity: high
#   inputs: [synth, plan, module]  # not live: force_destroy is Terraform's, not the bucket's
#   frameworks:
#     - UK GDPR Art. 5(1)(e)
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9.1
#   recommended_action: Remove force_destroy (it defaults to false) from the log bucket.
violations contains lib.violation(rego.metadata.rule(), addr, msg) if {
	some addr in lib.log_buckets
	lib.get(lib.bucket_by_address[addr], "force_destroy") == true
	msg := sprintf("log bucket %s sets force_destroy = true, so a destroy or replacement deletes every log file in it; remove force_destroy", [addr])
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
