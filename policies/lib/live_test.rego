package trailgate.lib_live_test

import data.trailgate.lib

key_arn := "arn:aws:kms:eu-west-2:222222222222:key/k1"

bucket_arn := "arn:aws:s3:::org-trail-logs"

live_res(type, address, values, refs) := {
	"address": address, "type": type, "name": address, "provider": "provider.aws", "region": "eu-west-2",
	"values": values, "refs": refs, "policies": {}, "arns": [],
}

# A bucket and its policy share the bucket's ARN, as trailgate verify writes them.
live_doc := {
	"format": "live",
	"providers": [{"address": "provider.aws", "name": "aws", "alias": "", "region": "eu-west-2"}],
	"resources": {
		"aws_kms_key": [live_res("aws_kms_key", key_arn, {}, {})],
		"aws_s3_bucket": [live_res("aws_s3_bucket", bucket_arn, {"bucket": "org-trail-logs"}, {})],
		"aws_s3_bucket_policy": [live_res("aws_s3_bucket_policy", bucket_arn, {"bucket": "org-trail-logs"}, {"bucket": [bucket_arn]})],
	},
}

test_is_type_reads_live_types_from_the_document if {
	lib.is_type(key_arn, "aws_kms_key") with input as live_doc
	lib.is_type(bucket_arn, "aws_s3_bucket") with input as live_doc
	lib.is_type(bucket_arn, "aws_s3_bucket_policy") with input as live_doc
	not lib.is_type(key_arn, "aws_s3_bucket") with input as live_doc
}

test_is_type_ignores_arns_outside_live_documents if {
	not lib.is_type(key_arn, "aws_kms_key") with input as object.union(live_doc, {"format": "plan"})
}

test_key_refs_follow_arns_in_live_documents if {
	trail := live_res("aws_cloudtrail", "arn:aws:cloudtrail:eu-west-2:111111111111:trail/org", {"kms_key_id": key_arn}, {"kms_key_id": [key_arn]})
	lib.key_refs(trail, "kms_key_id") == {key_arn} with input as live_doc
}
