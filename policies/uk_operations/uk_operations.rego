# METADATA
# title: UK GDPR operations
# description: |
#   What a UK platform team is audited on beyond the trail itself: evidence of
#   access to personal data (object-level S3 events of the buckets that hold it),
#   alerts on data leaving the UK and on use of the log key, and the guardrails
#   and saved queries that let the team answer a regulator or a data subject.
package trailgate.uk_operations

import data.trailgate.lib

# The tag that marks a bucket as holding personal data (value "true").
personal_data_tag := "trailgate:personal-data"

# Resources that record events: trails and CloudTrail Lake event data stores.
recorders := array.concat(lib.resources("aws_cloudtrail"), lib.resources("aws_cloudtrail_event_data_store"))

tags_of(r) := object.union(tag_map(lib.get(r, "tags_all")), tag_map(lib.get(r, "tags")))

tag_map(x) := x if is_object(x)

else := {}

tagged_personal(r) if lower(object.get(tags_of(r), personal_data_tag, "")) == "true"

# Personal-data bucket names: the policy data list, and buckets of this document tagged so.
personal_bucket_names := {name | some name in lib.config.personal_data_buckets} | {name |
	some r in lib.resources("aws_s3_bucket")
	tagged_personal(r)
	name := lib.get(r, "bucket")
	is_string(name)
	not lib.unknown(name)
}

# Where a bucket name comes from, for the message.
source_of(name) := "listed in policy data personal_data_buckets" if {
	name in lib.config.personal_data_buckets
} else := sprintf("tagged %s=true", [personal_data_tag])

ops(f, operator) := lib.as_array(object.get(f, operator, null))

# Basic event selectors (aws_cloudtrail event_selector): a data_resource of type
# AWS::S3::Object whose value is every bucket ("arn:aws:s3", "arn:aws:s3:::") or
# the whole bucket ("arn:aws:s3:::<name>/"); a longer value is one prefix only.
rw_type(sel) := t if {
	t := object.get(sel, "read_write_type", null)
	is_string(t)
} else := "All"

rw_admits("All", _)

rw_admits("ReadOnly", "read")

rw_admits("WriteOnly", "write")

whole_bucket_value(v, _) if v in {"arn:aws:s3", "arn:aws:s3:::"}

whole_bucket_value(v, name) if v == concat("", ["arn:aws:s3:::", name, "/"])

records(r, name, mode) if {
	some sel in lib.blocks(lib.get(r, "event_selector"))
	rw_admits(rw_type(sel), mode)
	some d in lib.blocks(object.get(sel, "data_resource", []))
	d.type == "AWS::S3::Object"
	some v in lib.as_array(d.values)
	whole_bucket_value(v, name)
}

# Advanced event selectors (trails and Lake stores): a selector of category Data on
# AWS::S3::Object whose every field admits every object event of the bucket in the mode.
records(r, name, mode) if {
	some sel in lib.blocks(lib.get(r, "advanced_event_selector"))
	fields := lib.blocks(object.get(sel, "field_selector", []))
	some category in fields
	category.field == "eventCategory"
	"Data" in ops(category, "equals")
	some type in fields
	type.field == "resources.type"
	"AWS::S3::Object" in ops(type, "equals")
	every f in fields {
		admits_all(f, name, mode)
	}
}

admits_all(f, _, _) if f.field in {"eventCategory", "resources.type"}

# readOnly: "true" selects reads, "false" writes.
admits_all(f, _, mode) if {
	f.field == "readOnly"
	value := {"read": "true", "write": "false"}[mode]
	only_operators(f, {"equals", "not_equals"})
	equals := ops(f, "equals")
	any_or_in(equals, value)
	not value in ops(f, "not_equals")
}

admits_all(f, _, _) if {
	f.field == "eventSource"
	only_operators(f, {"equals", "not_equals"})
	any_or_in(ops(f, "equals"), "s3.amazonaws.com")
	not "s3.amazonaws.com" in ops(f, "not_equals")
}

# resources.ARN: no exact or suffix match (they select some objects only); a
# starts_with that covers the whole bucket; no exclusion that reaches into it.
admits_all(f, name, _) if {
	f.field == "resources.ARN"
	prefix := concat("", ["arn:aws:s3:::", name, "/"])
	only_operators(f, {"starts_with", "not_starts_with", "not_equals"})
	starts := ops(f, "starts_with")
	any_prefix_of(starts, prefix)
	not excludes_some(f, prefix)
}

any_or_in(list, _) if count(list) == 0

any_or_in(list, value) if value in list

any_prefix_of(list, _) if count(list) == 0

any_prefix_of(list, prefix) if {
	some p in list
	startswith(prefix, p)
}

excludes_some(f, prefix) if {
	some v in ops(f, "not_starts_with")
	startswith(prefix, v)
}

excludes_some(f, prefix) if {
	some v in ops(f, "not_starts_with")
	startswith(v, prefix)
}

excludes_some(f, prefix) if {
	some v in ops(f, "not_equals")
	startswith(v, prefix)
}

# Every operator the field selector sets (with a non-empty value) is one of `allowed`.
only_operators(f, allowed) if {
	every key in {"equals", "not_equals", "starts_with", "not_starts_with", "ends_with", "not_ends_with"} - allowed {
		count(ops(f, key)) == 0
	}
}

unrecorded_modes(name) := [mode |
	some mode in ["read", "write"]
	not recorded(name, mode)
]

recorded(name, mode) if {
	some r in recorders
	records(r, name, mode)
}

bucket_addresses(name) := {r.address | some r in lib.resources("aws_s3_bucket"); lib.get(r, "bucket") == name}

bucket_resource(name) := addr if {
	some addr in bucket_addresses(name)
} else := concat("", ["arn:aws:s3:::", name])

mode_text(["read", "write"]) := "object reads and writes"

mode_text(["read"]) := "object reads"

mode_text(["write"]) := "object writes"

# METADATA
# title: Access to personal data is recorded
# description: |
#   Every bucket that holds personal data (policy data personal_data_buckets, or an
#   aws_s3_bucket tagged trailgate:personal-data = true) has its object-level S3
#   events, reads and writes, recorded by some trail or CloudTrail Lake event data
#   store of the configuration: a basic event selector on AWS::S3::Object naming the
#   bucket (or every bucket), or an advanced selector of category Data on
#   AWS::S3::Object whose resources.ARN covers the whole bucket. Judged on documents
#   that declare a trail or event data store (where the recording is configured).
# related_resources:
#   - ref: help/rules/TG-UK-001.md
# custom:
#   id: TG-UK-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 5(2)
#     - UK GDPR Art. 30
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Add the bucket to the trail's S3 data events (s3DataEventBuckets in the constructs), read and write.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in uk_001_findings
}

uk_001_findings contains {"resource": bucket_resource(name), "message": msg} if {
	count(recorders) > 0
	some name in personal_bucket_names
	missing := unrecorded_modes(name)
	count(missing) > 0
	msg := sprintf("personal-data bucket %s (%s): no trail or event data store records its S3 %s, so access to the personal data in it leaves no evidence; record its data events (advanced selector eventCategory = Data, resources.type = AWS::S3::Object, resources.ARN starts with arn:aws:s3:::%s/; s3DataEventBuckets in the constructs)", [name, source_of(name), mode_text(missing), name])
}

uk_001_findings contains {"resource": r.address, "message": msg} if {
	count(recorders) > 0
	some r in lib.resources("aws_s3_bucket")
	tagged_personal(r)
	name := lib.get(r, "bucket")
	not known_name(name)
	msg := sprintf("%s is tagged %s=true but its name is not known before apply (%v), so the gate cannot tell whether a trail records its object events; give the bucket a literal name, or list it in policy data personal_data_buckets", [r.address, personal_data_tag, name])
}

known_name(name) if {
	is_string(name)
	not lib.unknown(name)
}
