package trailgate.encryption_test

import data.trailgate.encryption
import data.trailgate.test_helpers as h

trail := h.res("aws_cloudtrail", "org", {"s3_bucket_name": "trail-logs", "kms_key_id": "${aws_kms_key.trail.arn}"}, {"s3_bucket_name": ["aws_s3_bucket.trail_logs"]})

trail_bucket := h.res("aws_s3_bucket", "trail_logs", {"bucket": "trail-logs"}, {})

access_bucket := h.res("aws_s3_bucket", "access_logs", {"bucket": "access-logs"}, {})

access_logging := h.res("aws_s3_bucket_logging", "trail_logs", {"bucket": "trail-logs", "target_bucket": "access-logs"}, {"bucket": ["aws_s3_bucket.trail_logs"], "target_bucket": ["aws_s3_bucket.access_logs"]})

sse(name, bucket, by_default) := h.res(
	"aws_s3_bucket_server_side_encryption_configuration", name,
	{"bucket": bucket, "rule": [{"apply_server_side_encryption_by_default": by_default}]},
	{"bucket": [concat(".", ["aws_s3_bucket", name])]},
)

cmk := {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.trail.arn}"}

# TG-ENC-001

test_enc_001_passes_cmk_and_sse_s3_access_log_bucket if {
	vs := encryption.violations with input as h.doc([
		trail, trail_bucket, access_bucket, access_logging,
		sse("trail_logs", "trail-logs", cmk),
		sse("access_logs", "access-logs", {"sse_algorithm": "AES256"}),
	])
	count(h.flagged(vs, "TG-ENC-001")) == 0
}

test_enc_001_fails_bucket_without_configuration if {
	vs := encryption.violations with input as h.doc([trail_bucket])
	h.flagged(vs, "TG-ENC-001") == {"aws_s3_bucket.trail_logs"}
}

test_enc_001_fails_aes256_on_trail_bucket if {
	vs := encryption.violations with input as h.doc([trail, trail_bucket, sse("trail_logs", "trail-logs", {"sse_algorithm": "AES256"})])
	h.messages(vs, "TG-ENC-001") == {"aws_s3_bucket_server_side_encryption_configuration.trail_logs (bucket aws_s3_bucket.trail_logs) uses sse_algorithm AES256; use sse_algorithm aws:kms with a customer-managed kms_master_key_id"}
}

test_enc_001_fails_aes256_on_bucket_that_is_also_a_trail_bucket if {
	# The trail bucket logs into itself, so it is an access-log target but still holds trail logs.
	self_logging := object.union(access_logging, {"refs": {"target_bucket": ["aws_s3_bucket.trail_logs"]}})
	vs := encryption.violations with input as h.doc([trail, trail_bucket, self_logging, sse("trail_logs", "trail-logs", {"sse_algorithm": "AES256"})])
	h.flagged(vs, "TG-ENC-001") == {"aws_s3_bucket_server_side_encryption_configuration.trail_logs"}
}

test_enc_001_fails_kms_without_key if {
	vs := encryption.violations with input as h.doc([trail_bucket, sse("trail_logs", "trail-logs", {"sse_algorithm": "aws:kms"})])
	some m in h.messages(vs, "TG-ENC-001")
	contains(m, "sets no kms_master_key_id, so S3 uses the AWS-managed aws/s3 key")
}

test_enc_001_fails_aws_managed_key if {
	vs := encryption.violations with input as h.doc([trail_bucket, sse("trail_logs", "trail-logs", {"sse_algorithm": "aws:kms", "kms_master_key_id": "alias/aws/s3"})])
	h.flagged(vs, "TG-ENC-001") == {"aws_s3_bucket_server_side_encryption_configuration.trail_logs"}
	some m in h.messages(vs, "TG-ENC-001")
	contains(m, "uses the AWS-managed key alias/aws/s3")
}

test_enc_001_fails_configuration_without_default if {
	empty := h.res("aws_s3_bucket_server_side_encryption_configuration", "trail_logs", {"bucket": "trail-logs", "rule": [{"bucket_key_enabled": true}]}, {"bucket": ["aws_s3_bucket.trail_logs"]})
	vs := encryption.violations with input as h.doc([trail_bucket, empty])
	some m in h.messages(vs, "TG-ENC-001")
	contains(m, "has no apply_server_side_encryption_by_default")
}

# TG-ENC-002

test_enc_002_passes_rotating_and_asymmetric_keys if {
	vs := encryption.violations with input as h.doc([
		h.res("aws_kms_key", "a", {"enable_key_rotation": true}, {}),
		h.res("aws_kms_key", "b", {"customer_master_key_spec": "RSA_2048"}, {}),
	])
	count(h.flagged(vs, "TG-ENC-002")) == 0
}

test_enc_002_fails_without_rotation if {
	vs := encryption.violations with input as h.doc([h.res("aws_kms_key", "a", {"customer_master_key_spec": "SYMMETRIC_DEFAULT"}, {})])
	h.flagged(vs, "TG-ENC-002") == {"aws_kms_key.a"}
}

# TG-ENC-003

test_enc_003_passes_with_key if {
	vs := encryption.violations with input as h.doc([trail])
	count(h.flagged(vs, "TG-ENC-003")) == 0
}

test_enc_003_fails_without_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_cloudtrail", "org", {"s3_bucket_name": "x", "kms_key_id": null}, {})])
	h.flagged(vs, "TG-ENC-003") == {"aws_cloudtrail.org"}
}

# TG-ENC-004

test_enc_004_passes_with_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_cloudwatch_log_group", "g", {"kms_key_id": "${aws_kms_key.logs.arn}"}, {})])
	count(h.flagged(vs, "TG-ENC-004")) == 0
}

test_enc_004_fails_without_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_cloudwatch_log_group", "g", {"kms_key_id": ""}, {})])
	h.flagged(vs, "TG-ENC-004") == {"aws_cloudwatch_log_group.g"}
}

# TG-ENC-005

test_enc_005_passes_with_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_sns_topic", "alerts", {"kms_master_key_id": "${aws_kms_key.sns.id}"}, {})])
	count(h.flagged(vs, "TG-ENC-005")) == 0
}

test_enc_005_fails_without_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_sns_topic", "alerts", {}, {})])
	h.flagged(vs, "TG-ENC-005") == {"aws_sns_topic.alerts"}
}

# TG-ENC-006

deny_insecure := {
	"Sid": "DenyInsecureTransport",
	"Effect": "Deny",
	"Principal": {"AWS": ["*"]},
	"Action": ["s3:*"],
	"Resource": ["${aws_s3_bucket.trail_logs.arn}", "${aws_s3_bucket.trail_logs.arn}/*"],
	"Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
}

bucket_policy(statements) := h.res_with_policies(
	"aws_s3_bucket_policy", "trail_logs", {"bucket": "trail-logs", "policy": "{}"},
	{"bucket": ["aws_s3_bucket.trail_logs"]}, {"policy": {"Statement": statements}},
)

test_enc_006_passes_with_tls_deny if {
	vs := encryption.violations with input as h.doc([trail_bucket, bucket_policy([deny_insecure])])
	count(h.flagged(vs, "TG-ENC-006")) == 0
}

test_enc_006_fails_without_policy if {
	vs := encryption.violations with input as h.doc([trail_bucket])
	h.flagged(vs, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}

test_enc_006_fails_when_deny_covers_only_some_actions if {
	partial := object.union(deny_insecure, {"Action": ["s3:PutObject"]})
	vs := encryption.violations with input as h.doc([trail_bucket, bucket_policy([partial])])
	h.flagged(vs, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}

test_enc_006_fails_with_unreadable_policy if {
	raw := h.res("aws_s3_bucket_policy", "trail_logs", {"bucket": "trail-logs", "policy": "${data.aws_iam_policy_document.p.json}"}, {"bucket": ["aws_s3_bucket.trail_logs"]})
	vs := encryption.violations with input as h.doc([trail_bucket, raw])
	h.flagged(vs, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}
