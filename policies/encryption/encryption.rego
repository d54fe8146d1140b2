# METADATA
# title: Encryption
# description: Audit logs are encrypted at rest with customer-managed KMS keys and in transit with TLS.
package trailgate.encryption

import data.trailgate.access
import data.trailgate.lib

# Default-encryption settings per bucket: an
# aws_s3_bucket_server_side_encryption_configuration, or the legacy inline
# server_side_encryption_configuration of a bucket without one.
sse_configs contains {"resource": c.address, "buckets": lib.refs(c, "bucket"), "rules": default_rules(lib.get(c, "rule"))} if {
	some c in lib.resources("aws_s3_bucket_server_side_encryption_configuration")
}

sse_configs contains {"resource": b.address, "buckets": [b.address], "rules": default_rules(object.get(sse, "rule", null))} if {
	some b in lib.resources("aws_s3_bucket")
	some sse in lib.inline_block(b, "server_side_encryption_configuration", "aws_s3_bucket_server_side_encryption_configuration")
}

# Buckets that have default encryption settings.
sse_buckets := {addr | some c in sse_configs; some addr in c.buckets}

# AWS delivers server access logs only to SSE-S3 buckets, so a bucket that is an
# access-log target and not a trail log bucket may use AES256.
access_log_only(addr) if {
	lib.access_log_buckets[addr]
	not lib.trail_log_buckets[addr]
}

default_rules(rules) := [d |
	some rule in lib.blocks(rules)
	some d in lib.blocks(object.get(rule, "apply_server_side_encryption_by_default", null))
]

is_aws_managed_s3_key(key) if endswith(key, "alias/aws/s3")

# The message for a default-encryption block that is not SSE-KMS with a
# customer-managed key. An unknown algorithm is TG-VER-001's finding.
sse_problem(d, c) := "sets no kms_master_key_id, so S3 uses the AWS-managed aws/s3 key" if {
	startswith(d.sse_algorithm, "aws:kms")
	not lib.is_set(object.get(d, "kms_master_key_id", null))
} else := sprintf("uses the AWS-managed key %s", [d.kms_master_key_id]) if {
	startswith(d.sse_algorithm, "aws:kms")
	is_aws_managed_s3_key(d.kms_master_key_id)
} else := sprintf("uses sse_algorithm %s", [d.sse_algorithm]) if {
	not startswith(d.sse_algorithm, "aws:kms")
	not lib.unknown(d.sse_algorithm)
	not sse_s3_allowed(d, c)
}

sse_s3_allowed(d, c) if {
	d.sse_algorithm == "AES256"
	count(c.buckets) > 0
	every addr in c.buckets {
		access_log_only(addr)
	}
}

# METADATA
# title: S3 buckets use SSE-KMS with a customer-managed key
# description: |
#   Every S3 bucket has a server-side encryption configuration using aws:kms
#   (or aws:kms:dsse) with a customer-managed key, not AES256 or aws/s3. Buckets
#   that are only server-access-log targets may use SSE-S3, because AWS does not
#   deliver access logs to SSE-KMS buckets.
# related_resources:
#   - ref: help/rules/TG-ENC-001.md
# custom:
#   id: TG-ENC-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - DPA 2018 s.66
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 2.1.1
#   recommended_action: Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and kms_master_key_id set to a customer-managed aws_kms_key.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in enc_001_findings
}

enc_001_findings contains {"resource": b.address, "message": msg} if {
	some b in lib.resources("aws_s3_bucket")
	not sse_buckets[b.address]
	msg := sprintf("bucket %s has no aws_s3_bucket_server_side_encryption_configuration; add one with sse_algorithm aws:kms and a customer-managed kms_master_key_id", [b.address])
}

enc_001_findings contains {"resource": c.resource, "message": msg} if {
	some c in sse_configs
	count(c.rules) == 0
	msg := sprintf("%s (bucket %s) has no apply_server_side_encryption_by_default; set sse_algorithm aws:kms with a customer-managed kms_master_key_id", [c.resource, concat(", ", c.buckets)])
}

enc_001_findings contains {"resource": c.resource, "message": msg} if {
	some c in sse_configs
	some d in c.rules
	problem := sse_problem(d, c)
	msg := sprintf("%s (bucket %s) %s; use sse_algorithm aws:kms with a customer-managed kms_master_key_id", [c.resource, concat(", ", c.buckets), problem])
}

symmetric(k) if object.get(k.values, "customer_master_key_spec", "SYMMETRIC_DEFAULT") in {null, "SYMMETRIC_DEFAULT"}

max_rotation_days := lib.config.max_key_rotation_period_days

# METADATA
# title: KMS customer-managed keys rotate
# description: |
#   Symmetric customer-managed KMS keys have automatic rotation enabled
#   (asymmetric and HMAC keys cannot rotate), and rotation_period_in_days, when
#   set, is at most max_key_rotation_period_days (365 by default; AWS allows
#   90-2560).
# related_resources:
#   - ref: help/rules/TG-ENC-002.md
# custom:
#   id: TG-ENC-002
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.8
#   recommended_action: Set enable_key_rotation = true on the aws_kms_key, and leave rotation_period_in_days unset (365) or at most max_key_rotation_period_days.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in enc_002_findings
}

enc_002_findings contains {"resource": k.address, "message": msg} if {
	some k in lib.resources("aws_kms_key")
	symmetric(k)
	rotation := lib.get(k, "enable_key_rotation")
	rotation != true
	not lib.unknown(rotation)
	msg := sprintf("KMS key %s does not have enable_key_rotation = true; enable automatic rotation", [k.address])
}

enc_002_findings contains {"resource": k.address, "message": msg} if {
	some k in lib.resources("aws_kms_key")
	symmetric(k)
	days := lib.get(k, "rotation_period_in_days")
	is_number(days)
	days > max_rotation_days
	msg := sprintf("KMS key %s rotates every %v days; set rotation_period_in_days to at most %v", [k.address, days, max_rotation_days])
}

# METADATA
# title: KMS keys are enabled
# description: |
#   No aws_kms_key sets is_enabled = false. A disabled key stops CloudTrail
#   delivering log files, CloudWatch Logs accepting events and SNS publishing
#   alerts, and makes everything it encrypted unreadable until it is enabled.
# related_resources:
#   - ref: help/rules/TG-ENC-007.md
# custom:
#   id: TG-ENC-007
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 32(1)(c)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.7
#   recommended_action: Remove is_enabled = false from the aws_kms_key (keys are enabled by default).
violations contains lib.violation(rego.metadata.rule(), k.address, msg) if {
	some k in lib.resources("aws_kms_key")
	lib.get(k, "is_enabled") == false
	msg := sprintf("KMS key %s sets is_enabled = false, so nothing it protects can be written or read; enable it", [k.address])
}

min_deletion_window := lib.config.min_key_deletion_window_days

# METADATA
# title: KMS keys wait the longest deletion window
# description: |
#   Every aws_kms_key keeps a deletion_window_in_days of at least
#   min_key_deletion_window_days (30 by default, the AWS maximum; unset means
#   30). A scheduled deletion is the last chance to notice that a key, and every
#   log file encrypted under it, is about to become unrecoverable.
# related_resources:
#   - ref: help/rules/TG-ENC-008.md
# custom:
#   id: TG-ENC-008
#   severity: medium
#   inputs: [synth, plan, module]  # not live: the KMS API does not return a key's deletion window
#   frameworks:
#     - UK GDPR Art. 32(1)(c)
#     - FCA SYSC 9.1
#     - CIS AWS Foundations v1.4.0 4.7
#   recommended_action: Set deletion_window_in_days = 30 on the aws_kms_key, or leave it unset.
violations contains lib.violation(rego.metadata.rule(), k.address, msg) if {
	some k in lib.resources("aws_kms_key")
	days := lib.get(k, "deletion_window_in_days")
	is_number(days)
	days < min_deletion_window
	msg := sprintf("KMS key %s has a deletion window of %v days; set deletion_window_in_days to at least %v", [k.address, days, min_deletion_window])
}

# A key argument that names an AWS managed key (alias/aws/<service> or its ARN).
aws_managed_key(v) if regex.match(`(^|:)alias/aws/`, v)

# METADATA
# title: Trails encrypt log files with KMS
# description: Every CloudTrail trail sets kms_key_id so log files are SSE-KMS encrypted.
# related_resources:
#   - ref: help/rules/TG-ENC-003.md
# custom:
#   id: TG-ENC-003
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.7
#   recommended_action: Set kms_key_id on the aws_cloudtrail to a customer-managed key whose policy allows CloudTrail.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.trails
	not lib.is_set(lib.get(t, "kms_key_id"))
	msg := sprintf("trail %s has no kms_key_id; set it to a customer-managed aws_kms_key ARN", [t.address])
}

# METADATA
# title: CloudWatch log groups are KMS-encrypted
# description: Every CloudWatch Logs log group sets kms_key_id.
# related_resources:
#   - ref: help/rules/TG-ENC-004.md
# custom:
#   id: TG-ENC-004
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#   recommended_action: Set kms_key_id on the aws_cloudwatch_log_group to a customer-managed key that allows the logs service principal.
violations contains lib.violation(rego.metadata.rule(), g.address, msg) if {
	some g in lib.resources("aws_cloudwatch_log_group")
	not lib.is_set(lib.get(g, "kms_key_id"))
	msg := sprintf("log group %s has no kms_key_id; set it to a customer-managed aws_kms_key ARN", [g.address])
}

# METADATA
# title: SNS topics use a customer-managed key
# description: |
#   Every SNS topic sets kms_master_key_id to a customer-managed key, not the
#   AWS managed alias/aws/sns (whose policy cannot let CloudWatch alarms
#   publish, and which the organisation cannot restrict or audit).
# related_resources:
#   - ref: help/rules/TG-ENC-005.md
# custom:
#   id: TG-ENC-005
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#   recommended_action: Set kms_master_key_id on the aws_sns_topic to a customer-managed key that allows CloudWatch to use it.
violations contains lib.violation(rego.metadata.rule(), t.address, msg) if {
	some t in lib.resources("aws_sns_topic")
	msg := topic_key_problem(t, lib.get(t, "kms_master_key_id"))
}

topic_key_problem(t, key) := sprintf("SNS topic %s has no kms_master_key_id; set it to a customer-managed aws_kms_key", [t.address]) if {
	not lib.is_set(key)
} else := sprintf("SNS topic %s uses the AWS managed key %s; set kms_master_key_id to a customer-managed aws_kms_key", [t.address, key]) if {
	aws_managed_key(key)
}

# METADATA
# title: CloudTrail Lake stores use a customer-managed key
# description: |
#   Every aws_cloudtrail_event_data_store sets kms_key_id to a customer-managed
#   key. Without one the store is encrypted with a key AWS owns, which the
#   organisation cannot rotate, restrict, audit or revoke.
# related_resources:
#   - ref: help/rules/TG-ENC-009.md
# custom:
#   id: TG-ENC-009
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#   recommended_action: Set kms_key_id on the aws_cloudtrail_event_data_store to a customer-managed aws_kms_key whose policy lets cloudtrail.amazonaws.com use it.
violations contains lib.violation(rego.metadata.rule(), s.address, msg) if {
	some s in lib.resources("aws_cloudtrail_event_data_store")
	msg := lake_key_problem(s, lib.get(s, "kms_key_id"))
}

lake_key_problem(s, key) := sprintf("CloudTrail Lake event data store %s has no kms_key_id, so it is encrypted with a key AWS owns; set a customer-managed aws_kms_key", [s.address]) if {
	not lib.is_set(key)
} else := sprintf("CloudTrail Lake event data store %s uses the AWS managed key %s; set a customer-managed aws_kms_key", [s.address, key]) if {
	aws_managed_key(key)
}

# A statement denying every S3 action to everyone when the request is not over TLS.
denies_insecure_transport(st) if {
	st.Effect == "Deny"
	"*" in lib.principals(st, "AWS")
	some a in lib.lower_actions(st)
	a in {"s3:*", "*"}
	some op, conds in st.Condition
	startswith(op, "Bool")
	some key, vals in conds
	lower(key) == "aws:securetransport"
	some v in vals
	v in {false, "false"}
}

# Buckets with a policy set as something the gate cannot read (an expression, a value
# unknown until apply; TG-LP-008 reports it), or read only in part (statements from a
# source document not known before apply; TG-VER-002 reports it). Whether it denies
# non-TLS requests is not known, so TG-ENC-006 does not claim that it does not.
unreadable_policy_buckets := {addr |
	some p in lib.resources("aws_s3_bucket_policy")
	unreadable_policy(p)
	some addr in lib.refs(p, "bucket")
} | {b.address |
	some b in lib.resources("aws_s3_bucket")
	not lib.separate_bucket_config[["aws_s3_bucket_policy", b.address]]
	unreadable_policy(b)
}

unreadable_policy(r) if {
	raw := lib.get(r, "policy")
	is_string(raw)
	raw != ""
	object.get(object.get(r, "policies", {}), "policy", null) == null
}

unreadable_policy(r) if {
	object.get(object.get(r, "policies", {}), "policy", null) != null
	count(lib.unresolved(r, "policy")) > 0
}

# Buckets whose policy the IAM evaluator shows to deny every kind of request made
# without TLS (trailgate.access asks it: reads, writes, deletes, listing, policy
# changes), and buckets where some answer depends on a value not known before
# apply (TG-VER-004 reports those).
tls_questions := {q | some q in access.questions; q.rule == "TG-ENC-006"}

tls_only_buckets := {q.resource | some q in tls_questions} - {q.resource | some q in tls_questions; q.decision != "deny"}

tls_unknown_buckets := {q.resource | some q in tls_questions; q.decision == "unknown"}

# One message per bucket: its questions may fail with different answers.
tls_failures := {addr: concat("; ", sort(messages)) | some addr, messages in tls_failure_messages}

tls_failure_messages[q.resource] contains access.finding(q) if {
	some q in tls_questions
	q.decision in {"none", "allow"}
}

# METADATA
# title: S3 buckets deny non-TLS requests
# description: |
#   Every S3 bucket has a bucket policy that, asked of the IAM evaluator,
#   explicitly denies every kind of request (read, write, delete, list, policy
#   change) made with aws:SecureTransport false. A bucket whose policy the gate cannot read is
#   TG-LP-008's finding instead: it may hold the deny.
# related_resources:
#   - ref: help/rules/TG-ENC-006.md
# custom:
#   id: TG-ENC-006
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 2.1.2
#   recommended_action: Add an aws_s3_bucket_policy statement with Effect Deny, Principal "*", Action s3:*, Condition Bool aws:SecureTransport "false".
violations contains lib.violation(rego.metadata.rule(), b.address, msg) if {
	some b in lib.resources("aws_s3_bucket")
	not tls_only_buckets[b.address]
	not tls_unknown_buckets[b.address]
	not unreadable_policy_buckets[b.address]
	not explained_by_unlinked_policy(b.address)
	msg := sprintf("%s; add a Deny s3:* statement for Principal \"*\" on the bucket and its objects with Condition Bool aws:SecureTransport \"false\"%s", [tls_failure(b.address), unlinked_note])
}

tls_failure(addr) := tls_failures[addr] if {
	tls_failures[addr]
} else := sprintf("bucket %s has no readable aws_s3_bucket_policy denying requests with aws:SecureTransport false", [addr])

# Bucket policies whose bucket the gate cannot follow (a module output in a folder:
# TG-VER-002 reports the link) and that may hold the deny: unreadable, or with it.
unlinked_tls_candidates := {p.address |
	some p in lib.resources("aws_s3_bucket_policy")
	count(lib.refs(p, "bucket")) == 0
	lib.unknown(lib.get(p, "bucket"))
	may_deny_insecure_transport(p)
}

may_deny_insecure_transport(p) if unreadable_policy(p)

may_deny_insecure_transport(p) if {
	some st in p.policies.policy.Statement
	denies_insecure_transport(st)
}

linked_policy_buckets := {addr |
	some p in lib.resources("aws_s3_bucket_policy")
	some addr in lib.refs(p, "bucket")
}

# Buckets with no policy the gate can tie to them, and without an inline deny.
policyless_buckets := {b.address |
	some b in lib.resources("aws_s3_bucket")
	not tls_only_buckets[b.address]
	not unreadable_policy_buckets[b.address]
	not linked_policy_buckets[b.address]
}

# Each unlinked candidate is one bucket's policy: when there are at least as many as
# policyless buckets, every one of them may be covered, and none is claimed to lack
# the deny. When there are fewer, some bucket lacks it, and the gate cannot tell
# which: all are reported, with a note.
explained_by_unlinked_policy(addr) if {
	policyless_buckets[addr]
	count(unlinked_tls_candidates) >= count(policyless_buckets)
}

unlinked_note := sprintf(" (%s names a bucket the gate cannot follow, TG-VER-002; it may be this bucket's)", [concat(", ", sort(unlinked_tls_candidates))]) if {
	count(unlinked_tls_candidates) > 0
} else := ""
