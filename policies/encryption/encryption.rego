# METADATA
# title: Encryption
# description: Audit logs are encrypted at rest with customer-managed KMS keys and in transit with TLS.
package trailgate.encryption

import data.trailgate.lib

# Buckets that some aws_s3_bucket_server_side_encryption_configuration targets.
sse_buckets := {addr |
	some c in lib.resources("aws_s3_bucket_server_side_encryption_configuration")
	some addr in c.refs.bucket
}

# AWS delivers server access logs only to SSE-S3 buckets, so a bucket that is an
# access-log target and not a trail log bucket may use AES256.
access_log_only(addr) if {
	lib.access_log_buckets[addr]
	not lib.trail_log_buckets[addr]
}

default_rules(c) := [d |
	some rule in lib.blocks(lib.get(c, "rule"))
	some d in lib.blocks(object.get(rule, "apply_server_side_encryption_by_default", null))
]

is_aws_managed_s3_key(key) if endswith(key, "alias/aws/s3")

# The message for a default-encryption block that is not SSE-KMS with a customer-managed key.
sse_problem(d, c) := "sets no kms_master_key_id, so S3 uses the AWS-managed aws/s3 key" if {
	startswith(d.sse_algorithm, "aws:kms")
	not lib.is_set(object.get(d, "kms_master_key_id", null))
} else := sprintf("uses the AWS-managed key %s", [d.kms_master_key_id]) if {
	startswith(d.sse_algorithm, "aws:kms")
	is_aws_managed_s3_key(d.kms_master_key_id)
} else := sprintf("uses sse_algorithm %s", [d.sse_algorithm]) if {
	not startswith(d.sse_algorithm, "aws:kms")
	not sse_s3_allowed(d, c)
}

sse_s3_allowed(d, c) if {
	d.sse_algorithm == "AES256"
	count(lib.refs(c, "bucket")) > 0
	every addr in lib.refs(c, "bucket") {
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

enc_001_findings contains {"resource": c.address, "message": msg} if {
	some c in lib.resources("aws_s3_bucket_server_side_encryption_configuration")
	count(default_rules(c)) == 0
	msg := sprintf("%s (bucket %s) has no apply_server_side_encryption_by_default; set sse_algorithm aws:kms with a customer-managed kms_master_key_id", [c.address, concat(", ", lib.refs(c, "bucket"))])
}

enc_001_findings contains {"resource": c.address, "message": msg} if {
	some c in lib.resources("aws_s3_bucket_server_side_encryption_configuration")
	some d in default_rules(c)
	problem := sse_problem(d, c)
	msg := sprintf("%s (bucket %s) %s; use sse_algorithm aws:kms with a customer-managed kms_master_key_id", [c.address, concat(", ", lib.refs(c, "bucket")), problem])
}

# METADATA
# title: KMS customer-managed keys rotate
# description: Symmetric customer-managed KMS keys have automatic rotation enabled (asymmetric and HMAC keys cannot rotate).
# related_resources:
#   - ref: help/rules/TG-ENC-002.md
# custom:
#   id: TG-ENC-002
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.8
#   recommended_action: Set enable_key_rotation = true on the aws_kms_key.
violations contains lib.violation(rego.metadata.rule(), k.address, msg) if {
	some k in lib.resources("aws_kms_key")
	object.get(k.values, "customer_master_key_spec", "SYMMETRIC_DEFAULT") in {null, "SYMMETRIC_DEFAULT"}
	lib.get(k, "enable_key_rotation") != true
	msg := sprintf("KMS key %s does not have enable_key_rotation = true; enable automatic rotation", [k.address])
}

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
# title: SNS topics are KMS-encrypted
# description: Every SNS topic sets kms_master_key_id.
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
	not lib.is_set(lib.get(t, "kms_master_key_id"))
	msg := sprintf("SNS topic %s has no kms_master_key_id; set it to a customer-managed aws_kms_key", [t.address])
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

tls_only_buckets := {addr |
	some p in lib.resources("aws_s3_bucket_policy")
	some st in p.policies.policy.Statement
	denies_insecure_transport(st)
	some addr in p.refs.bucket
}

# METADATA
# title: S3 buckets deny non-TLS requests
# description: Every S3 bucket has a bucket policy that denies s3:* to everyone when aws:SecureTransport is false.
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
	msg := sprintf("bucket %s has no readable aws_s3_bucket_policy denying requests with aws:SecureTransport false; add a Deny s3:* statement for Principal \"*\" with Condition Bool aws:SecureTransport \"false\"", [b.address])
}
