package trailgate.lib_test

import data.trailgate.lib

test_blocks_normalises_objects_arrays_and_null if {
	lib.blocks({"a": 1}) == [{"a": 1}]
	lib.blocks([{"a": 1}, {"a": 2}]) == [{"a": 1}, {"a": 2}]
	lib.blocks(null) == []
}

test_is_set_treats_unknown_as_set if {
	lib.is_set("${computed}")
	lib.is_set(false)
	not lib.is_set(null)
	not lib.is_set("")
}

test_is_type_matches_root_and_module_addresses if {
	lib.is_type("aws_s3_bucket.logs", "aws_s3_bucket")
	lib.is_type("module.archive.aws_s3_bucket.logs", "aws_s3_bucket")
	not lib.is_type("aws_s3_bucket_policy.logs", "aws_s3_bucket")
	not lib.is_type("module.archive.aws_s3_bucket_policy.logs", "aws_s3_bucket")
}

test_condition_keys_skip_negated_and_if_exists_operators if {
	st := {"Condition": {
		"StringEquals": {"aws:SourceArn": ["a"]},
		"StringNotEquals": {"aws:SourceAccount": ["b"]},
		"ArnLikeIfExists": {"aws:PrincipalArn": ["c"]},
	}}
	lib.condition_keys(st) == {"aws:sourcearn"}
}

test_trail_and_access_log_bucket_indexes if {
	doc := {"resources": {
		"aws_cloudtrail": [{"address": "aws_cloudtrail.t", "refs": {"s3_bucket_name": ["aws_s3_bucket.trail"]}}],
		"aws_s3_bucket_logging": [{"address": "aws_s3_bucket_logging.l", "refs": {"bucket": ["aws_s3_bucket.trail"], "target_bucket": ["aws_s3_bucket.access"]}}],
	}}
	lib.trail_log_buckets == {"aws_s3_bucket.trail"} with input as doc
	lib.access_log_buckets == {"aws_s3_bucket.access"} with input as doc
}
