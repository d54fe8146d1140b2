package trailgate.residency_test

import data.trailgate.residency
import data.trailgate.test_helpers as h

# TG-RES-001

test_res_001_passes_allowed_region if {
	vs := residency.violations with input as h.doc([])
	count(h.flagged(vs, "TG-RES-001")) == 0
}

test_res_001_fails_unset_region if {
	unset := object.union(h.provider, {"address": "provider.aws.replica", "alias": "replica", "region": null})
	vs := residency.violations with input as {"providers": [h.provider, unset], "resources": {}}
	h.flagged(vs, "TG-RES-001") == {"provider.aws.replica"}
	h.messages(vs, "TG-RES-001") == {"provider provider.aws.replica has no statically known region; set region to one of: eu-west-2"}
}

test_res_001_fails_disallowed_region if {
	vs := residency.violations with input as {"providers": [object.union(h.provider, {"region": "eu-west-1"})], "resources": {}}
	h.messages(vs, "TG-RES-001") == {"provider provider.aws uses region eu-west-1; set region to one of: eu-west-2"}
}

test_res_001_ignores_other_providers if {
	vs := residency.violations with input as {"providers": [{"address": "provider.random", "name": "random", "alias": "", "region": null}], "resources": {}}
	count(h.flagged(vs, "TG-RES-001")) == 0
}

test_res_001_honours_allowed_regions_data if {
	vs := residency.violations with input as {"providers": [object.union(h.provider, {"region": "eu-west-1"})], "resources": {}}
		with data.trailgate.config.allowed_regions as ["eu-west-1", "eu-west-2"]
	count(h.flagged(vs, "TG-RES-001")) == 0
}

# TG-RES-002

bucket := h.res("aws_s3_bucket", "logs", {"bucket": "logs"}, {})

test_res_002_passes_allowed_region_and_arns if {
	key := h.res("aws_kms_key", "k", {"description": "arn:aws:kms:eu-west-2:111122223333:key/abc"}, {})
	vs := residency.violations with input as h.doc([bucket, key])
	count(h.flagged(vs, "TG-RES-002")) == 0
}

test_res_002_fails_resource_region_argument if {
	moved := object.union(bucket, {"region": "us-east-1", "values": {"bucket": "logs", "region": "us-east-1"}})
	vs := residency.violations with input as h.doc([moved])
	h.flagged(vs, "TG-RES-002") == {"aws_s3_bucket.logs"}
	some m in h.messages(vs, "TG-RES-002")
	contains(m, "is in region us-east-1")
}

test_res_002_fails_unknown_region_of_own_argument if {
	computed := object.union(bucket, {"region": null, "values": {"region": "${var.region}"}})
	vs := residency.violations with input as h.doc([computed])
	h.messages(vs, "TG-RES-002") == {"aws_s3_bucket.logs is in region unknown (not statically set), not one of: eu-west-2; set the region argument or use a provider in an allowed region"}
}

test_res_002_leaves_unset_provider_region_to_res_001 if {
	unset := object.union(h.provider, {"region": null})
	vs := residency.violations with input as {"providers": [unset], "resources": {"aws_s3_bucket": [object.union(bucket, {"region": null})]}}
	count(h.flagged(vs, "TG-RES-002")) == 0
	h.flagged(vs, "TG-RES-001") == {"provider.aws"}
}

test_res_002_fails_unknown_region_with_unlisted_provider if {
	orphan := object.union(bucket, {"region": null, "provider": "provider.aws.missing"})
	vs := residency.violations with input as h.doc([orphan])
	h.flagged(vs, "TG-RES-002") == {"aws_s3_bucket.logs"}
}

test_res_002_exempts_global_types_region_only if {
	role := object.union(h.res("aws_iam_role", "r", {"name": "r"}, {}), {"region": null})
	resolver := object.union(h.res("aws_route53_resolver_endpoint", "e", {}, {}), {"region": null})
	vs := residency.violations with input as h.doc([role, resolver])
	h.flagged(vs, "TG-RES-002") == {"aws_route53_resolver_endpoint.e"}
}

test_res_002_fails_arn_in_values if {
	trail := h.res("aws_cloudtrail", "t", {"sns_topic_name": "arn:aws:sns:us-east-1:111122223333:alerts"}, {})
	vs := residency.violations with input as h.doc([trail])
	h.messages(vs, "TG-RES-002") == {"aws_cloudtrail.t refers to arn:aws:sns:us-east-1:111122223333:alerts in region us-east-1; use a resource in one of: eu-west-2"}
}

test_res_002_fails_arn_in_policy_of_global_type if {
	doc := {"Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": ["arn:aws:logs:eu-west-1:111122223333:log-group:x:*"]}]}
	rp := object.union(h.res_with_policies("aws_iam_role_policy", "p", {"policy": "{}"}, {}, {"policy": doc}), {"region": null})
	vs := residency.violations with input as h.doc([rp])
	h.flagged(vs, "TG-RES-002") == {"aws_iam_role_policy.p"}
	some m in h.messages(vs, "TG-RES-002")
	contains(m, "in region eu-west-1")
}

test_res_002_ignores_global_and_interpolated_arn_regions if {
	values := {"a": "arn:aws:s3:::logs/*", "b": "arn:aws:logs:${data.aws_region.current.name}:1:log-group:x"}
	vs := residency.violations with input as h.doc([h.res("aws_cloudtrail", "t", values, {})])
	count(h.flagged(vs, "TG-RES-002")) == 0
}

# TG-RES-003

replica_eu := h.res("aws_s3_bucket", "replica", {"bucket": "replica"}, {})

replication(dest) := h.res(
	"aws_s3_bucket_replication_configuration", "rep",
	{"bucket": "logs", "rule": [{"status": "Enabled", "destination": {"bucket": dest}}]},
	{"bucket": ["aws_s3_bucket.logs"], "rule": ["aws_s3_bucket.replica"]},
)

test_res_003_passes_replica_in_allowed_region if {
	vs := residency.violations with input as h.doc([bucket, replica_eu, replication("${aws_s3_bucket.replica.arn}")])
	count(h.flagged(vs, "TG-RES-003")) == 0
}

test_res_003_fails_replica_in_other_region if {
	replica_us := object.union(replica_eu, {"region": "us-east-1"})
	vs := residency.violations with input as h.doc([bucket, replica_us, replication("${aws_s3_bucket.replica.arn}")])
	h.messages(vs, "TG-RES-003") == {"aws_s3_bucket_replication_configuration.rep replicates to aws_s3_bucket.replica in region us-east-1; replicate only to buckets in: eu-west-2"}
}

test_res_003_fails_external_destination if {
	rep := object.union(object.remove(replication("arn:aws:s3:::elsewhere"), ["refs"]), {"refs": {"bucket": ["aws_s3_bucket.logs"]}})
	vs := residency.violations with input as h.doc([bucket, rep])
	h.flagged(vs, "TG-RES-003") == {"aws_s3_bucket_replication_configuration.rep"}
	some m in h.messages(vs, "TG-RES-003")
	contains(m, "arn:aws:s3:::elsewhere, a bucket outside this configuration")
}

test_res_003_passes_lake_in_allowed_region if {
	vs := residency.violations with input as h.doc([h.res("aws_cloudtrail_event_data_store", "lake", {"name": "lake"}, {})])
	count(h.flagged(vs, "TG-RES-003")) == 0
}

test_res_003_fails_lake_in_other_region if {
	lake := object.union(h.res("aws_cloudtrail_event_data_store", "lake", {"name": "lake"}, {}), {"region": "eu-central-1"})
	vs := residency.violations with input as h.doc([lake])
	h.flagged(vs, "TG-RES-003") == {"aws_cloudtrail_event_data_store.lake"}
}

# Class 3: a wildcard region in a policy document (condition or grant) places nothing abroad.

aws_key_policy_statement := {
	"Sid": "Allow CloudTrail to encrypt logs",
	"Effect": "Allow",
	"Principal": {"Service": ["cloudtrail.amazonaws.com"]},
	"Action": ["kms:GenerateDataKey*"],
	"Resource": ["*"],
	"Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:*:111122223333:trail/*"]}},
}

key_with(statement) := h.res_with_policies("aws_kms_key", "k", {"policy": "{}"}, {}, {"policy": {"Statement": [statement]}})

test_res_002_passes_wildcard_region_in_condition if {
	vs := residency.violations with input as h.doc([key_with(aws_key_policy_statement)])
	count(h.flagged(vs, "TG-RES-002")) == 0
}

# A grant naming keys in every region decides who may use them; no data goes anywhere.
test_res_002_passes_wildcard_region_in_iam_grant if {
	grant := {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["arn:aws:kms:*:111122223333:key/*"]}
	role_policy := h.res_with_policies("aws_iam_role_policy", "p", {"policy": "{}"}, {}, {"policy": {"Statement": [grant]}})
	vs := residency.violations with input as h.doc([role_policy])
	count(h.flagged(vs, "TG-RES-002")) == 0
}

test_res_002_fails_literal_foreign_region_in_iam_grant if {
	grant := {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["arn:aws:kms:us-east-1:111122223333:key/abc"]}
	role_policy := h.res_with_policies("aws_iam_role_policy", "p", {"policy": "{}"}, {}, {"policy": {"Statement": [grant]}})
	vs := residency.violations with input as h.doc([role_policy])
	h.messages(vs, "TG-RES-002") == {"aws_iam_role_policy.p refers to arn:aws:kms:us-east-1:111122223333:key/abc in region us-east-1; use a resource in one of: eu-west-2"}
}

test_res_002_fails_literal_foreign_region_in_condition if {
	st := object.union(aws_key_policy_statement, {"Condition": {"StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:us-east-1:111122223333:trail/org"]}}})
	vs := residency.violations with input as h.doc([key_with(st)])
	h.flagged(vs, "TG-RES-002") == {"aws_kms_key.k"}
}

test_res_002_fails_wildcard_region_also_used_as_a_value if {
	pattern := "arn:aws:cloudtrail:*:111122223333:trail/*"
	k := object.union(key_with(aws_key_policy_statement), {"values": {"policy": "{}", "description": pattern}})
	vs := residency.violations with input as h.doc([k])
	h.flagged(vs, "TG-RES-002") == {"aws_kms_key.k"}
}
