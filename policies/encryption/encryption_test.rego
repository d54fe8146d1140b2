package trailgate.encryption_test

import data.trailgate.encryption
import data.trailgate.least_privilege
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

# A policy the gate cannot read may hold the deny: TG-LP-008 reports it as unreadable,
# TG-ENC-006 does not claim the deny is missing.
test_enc_006_leaves_an_unreadable_policy_to_lp_008 if {
	raw := h.res("aws_s3_bucket_policy", "trail_logs", {"bucket": "trail-logs", "policy": "${jsonencode(local.policy)}"}, {"bucket": ["aws_s3_bucket.trail_logs"]})
	doc := h.doc([trail_bucket, raw])
	vs := encryption.violations with input as doc
	count(h.flagged(vs, "TG-ENC-006")) == 0
	lp := least_privilege.violations with input as doc
	h.flagged(lp, "TG-LP-008") == {"aws_s3_bucket_policy.trail_logs"}
}

# A policy read only in part (a source document not known before apply) may hold the
# deny in the part the gate cannot see: TG-VER-002 reports it, TG-ENC-006 stays silent;
# the same statements fully known still fail.
test_enc_006_leaves_a_partly_known_policy_to_ver_002 if {
	allow_only := object.union(deny_insecure, {"Effect": "Allow", "Sid": "Read"})
	partial := object.union(bucket_policy([allow_only]), {"unresolved": {"policy": ["data.aws_iam_policy_document.p.source_policy_documents"]}})
	vs := encryption.violations with input as h.doc([trail_bucket, partial])
	count(h.flagged(vs, "TG-ENC-006")) == 0
	known := encryption.violations with input as h.doc([trail_bucket, bucket_policy([allow_only])])
	h.flagged(known, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}

test_enc_006_leaves_an_unreadable_inline_policy_to_lp_008 if {
	inline := object.union(trail_bucket, {"values": {"bucket": "trail-logs", "policy": "${data.aws_iam_policy_document.p.json}"}})
	vs := encryption.violations with input as h.doc([inline])
	count(h.flagged(vs, "TG-ENC-006")) == 0
}

# A folder cannot follow `bucket = module.store.bucket_id`: the policy may be the bucket's.
test_enc_006_a_policy_whose_bucket_cannot_be_followed_may_be_the_buckets if {
	unlinked := h.res_with_policies(
		"aws_s3_bucket_policy", "logs", {"bucket": "${module.store.bucket_id}", "policy": "{}"},
		{}, {"policy": {"Statement": [deny_insecure]}},
	)
	vs := encryption.violations with input as h.doc([trail_bucket, unlinked])
	count(h.flagged(vs, "TG-ENC-006")) == 0

	# One such policy cannot cover two buckets: both are reported, with a note.
	other := h.res("aws_s3_bucket", "other", {"bucket": "other-logs"}, {})
	two := encryption.violations with input as h.doc([trail_bucket, other, unlinked])
	h.flagged(two, "TG-ENC-006") == {"aws_s3_bucket.trail_logs", "aws_s3_bucket.other"}
	some msg in h.messages(two, "TG-ENC-006")
	endswith(msg, "(aws_s3_bucket_policy.logs names a bucket the gate cannot follow, TG-VER-002; it may be this bucket's)")

	# A policy that cannot hold the deny explains nothing.
	without := object.union(unlinked, {"policies": {"policy": {"Statement": []}}})
	none := encryption.violations with input as h.doc([trail_bucket, without])
	h.flagged(none, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}

test_enc_006_a_readable_policy_without_the_deny_still_fails_beside_an_unreadable_one if {
	raw := h.res("aws_s3_bucket_policy", "other", {"bucket": "other-logs", "policy": "${data.aws_iam_policy_document.p.json}"}, {"bucket": ["aws_s3_bucket.other"]})
	other := h.res("aws_s3_bucket", "other", {"bucket": "other-logs"}, {})
	vs := encryption.violations with input as h.doc([trail_bucket, bucket_policy([]), other, raw])
	h.flagged(vs, "TG-ENC-006") == {"aws_s3_bucket.trail_logs"}
}

# Class 8: legacy inline blocks of aws_s3_bucket.

inline_sse(by_default) := {"server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [by_default]}]}]}

test_enc_001_reads_inline_encryption if {
	kms := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs"}, inline_sse(cmk))})
	ok := encryption.violations with input as h.doc([trail, kms])
	count(h.flagged(ok, "TG-ENC-001")) == 0
	aes := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs"}, inline_sse({"sse_algorithm": "AES256"}))})
	bad := encryption.violations with input as h.doc([trail, aes])
	h.messages(bad, "TG-ENC-001") == {"aws_s3_bucket.trail_logs (bucket aws_s3_bucket.trail_logs) uses sse_algorithm AES256; use sse_algorithm aws:kms with a customer-managed kms_master_key_id"}
}

test_enc_001_separate_configuration_overrides_stale_inline_state if {
	stale := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs"}, inline_sse({"sse_algorithm": "AES256"}))})
	vs := encryption.violations with input as h.doc([trail, stale, sse("trail_logs", "trail-logs", cmk)])
	count(h.flagged(vs, "TG-ENC-001")) == 0
}

test_enc_001_allows_sse_s3_on_inline_logging_targets if {
	logged := object.union(trail_bucket, {"values": object.union({"bucket": "trail-logs", "logging": [{"target_bucket": "access-logs"}]}, inline_sse(cmk))})
	target := object.union(access_bucket, {"values": object.union({"bucket": "access-logs"}, inline_sse({"sse_algorithm": "AES256"}))})
	vs := encryption.violations with input as h.doc([trail, logged, target])
	count(h.flagged(vs, "TG-ENC-001")) == 0
}

test_enc_006_reads_inline_bucket_policy if {
	deny := {"Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": ["arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"], "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}
	inline := h.res_with_policies("aws_s3_bucket", "trail_logs", {"bucket": "trail-logs", "policy": "{}"}, {}, {"policy": {"Statement": [deny]}})
	vs := encryption.violations with input as h.doc([inline])
	count(h.flagged(vs, "TG-ENC-006")) == 0
}

# The deny reads well but covers only the objects: listing and policy changes go over plain HTTP.
test_enc_006_fails_when_the_deny_misses_the_bucket_itself if {
	deny := {"Sid": "TLS", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": ["arn:aws:s3:::trail-logs/*"], "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}
	inline := h.res_with_policies("aws_s3_bucket", "trail_logs", {"bucket": "trail-logs", "policy": "{}"}, {}, {"policy": {"Statement": [deny]}})
	vs := encryption.violations with input as h.doc([inline])
	h.messages(vs, "TG-ENC-006") == {`is s3:ListBucket, s3:PutBucketPolicy without TLS (aws:SecureTransport false) denied on bucket aws_s3_bucket.trail_logs?: no statement denies it, so an identity policy of the account can allow it; add or fix the Deny statement so it covers this request; add a Deny s3:* statement for Principal "*" on the bucket and its objects with Condition Bool aws:SecureTransport "false"`}
}

# The TLS deny names another bucket: it reads as a deny and protects nothing here.
test_enc_006_fails_when_the_deny_names_another_bucket if {
	other := object.union(deny_insecure, {"Resource": ["${aws_s3_bucket.other.arn}", "${aws_s3_bucket.other.arn}/*"]})
	vs := encryption.violations with input as h.doc([trail_bucket, h.res("aws_s3_bucket", "other", {"bucket": "other"}, {}), bucket_policy([other])])
	"aws_s3_bucket.trail_logs" in h.flagged(vs, "TG-ENC-006")
}

# TG-ENC-002 rotation period

test_enc_002_fails_long_rotation_period if {
	k := h.res("aws_kms_key", "k", {"enable_key_rotation": true, "rotation_period_in_days": 730}, {})
	vs := encryption.violations with input as h.doc([k])
	h.messages(vs, "TG-ENC-002") == {"KMS key aws_kms_key.k rotates every 730 days; set rotation_period_in_days to at most 365"}
	ok := encryption.violations with input as h.doc([object.union(k, {"values": {"enable_key_rotation": true, "rotation_period_in_days": 180}})])
	count(h.flagged(ok, "TG-ENC-002")) == 0
}

test_enc_002_leaves_unknown_rotation_to_ver if {
	k := h.res("aws_kms_key", "k", {"enable_key_rotation": "${var.rotate}"}, {})
	vs := encryption.violations with input as h.doc([k])
	count(h.flagged(vs, "TG-ENC-002")) == 0
}

# TG-ENC-005 AWS managed key

test_enc_005_fails_aws_managed_sns_key if {
	some key in ["alias/aws/sns", "arn:aws:kms:eu-west-2:111122223333:alias/aws/sns"]
	t := h.res("aws_sns_topic", "alerts", {"kms_master_key_id": key}, {})
	vs := encryption.violations with input as h.doc([t])
	h.messages(vs, "TG-ENC-005") == {sprintf("SNS topic aws_sns_topic.alerts uses the AWS managed key %s; set kms_master_key_id to a customer-managed aws_kms_key", [key])}
}

test_enc_005_passes_customer_alias if {
	t := h.res("aws_sns_topic", "alerts", {"kms_master_key_id": "alias/audit-alerts"}, {})
	vs := encryption.violations with input as h.doc([t])
	count(h.flagged(vs, "TG-ENC-005")) == 0
}

# TG-ENC-007

test_enc_007_fails_disabled_key if {
	vs := encryption.violations with input as h.doc([h.res("aws_kms_key", "k", {"enable_key_rotation": true, "is_enabled": false}, {})])
	h.messages(vs, "TG-ENC-007") == {"KMS key aws_kms_key.k sets is_enabled = false, so nothing it protects can be written or read; enable it"}
	ok := encryption.violations with input as h.doc([h.res("aws_kms_key", "k", {"enable_key_rotation": true}, {})])
	count(h.flagged(ok, "TG-ENC-007")) == 0
}

# TG-ENC-008

test_enc_008_fails_short_deletion_window if {
	vs := encryption.violations with input as h.doc([h.res("aws_kms_key", "k", {"enable_key_rotation": true, "deletion_window_in_days": 7}, {})])
	h.messages(vs, "TG-ENC-008") == {"KMS key aws_kms_key.k has a deletion window of 7 days; set deletion_window_in_days to at least 30"}
	relaxed := encryption.violations with input as h.doc([h.res("aws_kms_key", "k", {"enable_key_rotation": true, "deletion_window_in_days": 7}, {})])
		with data.trailgate.config.min_key_deletion_window_days as 7
	count(h.flagged(relaxed, "TG-ENC-008")) == 0
	unset := encryption.violations with input as h.doc([h.res("aws_kms_key", "k", {"enable_key_rotation": true}, {})])
	count(h.flagged(unset, "TG-ENC-008")) == 0
}

# TG-ENC-009

test_enc_009_lake_store_keys if {
	missing := encryption.violations with input as h.doc([h.res("aws_cloudtrail_event_data_store", "lake", {"name": "lake"}, {})])
	h.messages(missing, "TG-ENC-009") == {"CloudTrail Lake event data store aws_cloudtrail_event_data_store.lake has no kms_key_id, so it is encrypted with a key AWS owns; set a customer-managed aws_kms_key"}
	managed := encryption.violations with input as h.doc([h.res("aws_cloudtrail_event_data_store", "lake", {"kms_key_id": "alias/aws/cloudtrail"}, {})])
	h.flagged(managed, "TG-ENC-009") == {"aws_cloudtrail_event_data_store.lake"}
	ok := encryption.violations with input as h.doc([h.res("aws_cloudtrail_event_data_store", "lake", {"kms_key_id": "${aws_kms_key.lake.arn}"}, {})])
	count(h.flagged(ok, "TG-ENC-009")) == 0
}
