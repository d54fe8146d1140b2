# METADATA
# title: UK GDPR operations
# description: |
#   What a UK platform team is audited on beyond the trail itself: evidence of
#   access to personal data (object-level S3 events of the buckets that hold it),
#   alerts on data leaving the UK and on use of the log key, and the guardrails
#   and saved queries that let the team answer a regulator or a data subject.
package trailgate.uk_operations

import data.trailgate.lib
import data.trailgate.logging

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

# Metric filters on the trail's log group with an SNS-notifying alarm: the alerts the
# organisation trail feeds (every account, every region).
alerting_filters := [f |
	some f in lib.resources("aws_cloudwatch_log_metric_filter")
	logging.alarmed(f)
	logging.on_trail_log_group(f)
]

filter_alternatives := [alt |
	some f in alerting_filters
	some alt in object.get(object.get(f, "filter_pattern", {}), "alternatives", [])
]

# An alternative that matches every write event outside the allowed regions: it
# excludes each allowed region and requires nothing but the write itself. Other
# exclusions (global services) are the team's choice, as for the CIS monitors.
region_alert_alternative(alt) if {
	every region in lib.config.allowed_regions {
		sprintf("$.awsRegion != %s", [region]) in alt.exclude
	}
	every term in alt.require {
		term == "$.readOnly IS FALSE"
	}
}

region_alerted if {
	some alt in filter_alternatives
	region_alert_alternative(alt)
}

# An event name is alerted on when an alternative requires that name and nothing
# else (an $.eventSource comparison aside).
movement_alerted(name) if {
	some alt in filter_alternatives
	{x | some x in alt.require; not startswith(x, "$.eventSource ")} == {sprintf("$.eventName = %s", [name])}
}

uk_002_findings contains msg if {
	not region_alerted
	msg := sprintf("no alarmed metric filter on the trail's log group matches write events (readOnly false) whose awsRegion is outside the allowed regions (%s), so data placed outside the UK goes unnoticed; add one that excludes each allowed region, e.g. { ($.readOnly IS FALSE) && ($.awsRegion != \"%s\") } (DataResidencyAlerts)", [concat(", ", lib.config.allowed_regions), lib.config.allowed_regions[0]])
}

uk_002_findings contains msg if {
	missing := sort([name | some name in lib.config.data_movement_events; not movement_alerted(name)])
	count(missing) > 0
	msg := sprintf("no alarmed metric filter on the trail's log group matches the calls that copy, replicate or export data out of a region: %s; add them, e.g. { ($.eventName = %s) || ... } (DataResidencyAlerts)", [concat(", ", missing), missing[0]])
}

# METADATA
# title: Data leaving the UK is alerted on
# description: |
#   The organisation trail's log group has alarmed metric filters (every account,
#   every region) on write events whose awsRegion is not an allowed region and on
#   every call in policy data data_movement_events (replication configuration,
#   cross-region copies, exports). EventBridge rules do not count: a rule sees only
#   its own account's events in its own region, never a write in another region.
# related_resources:
#   - ref: help/rules/TG-UK-002.md
# custom:
#   id: TG-UK-002
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 44
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Add the DataResidencyAlerts construct (the Trailgate construct does) or equivalent metric filters and alarms on the trail's log group.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	count(lib.trails) > 0 # no trail at all is TG-LOG-008
	some msg in uk_002_findings
}

# Comparisons that only narrow a KMS alert to the log key or its account.
key_scope_term(term) if term == "$.eventSource = kms.amazonaws.com"

key_scope_term(term) if startswith(term, "$.resources[0].ARN = ")

key_scope_term(term) if startswith(term, "$.recipientAccountId = ")

# A KMS call is alerted on when an alternative requires its name (or a wildcard
# such as GenerateDataKey* that matches it) and otherwise only scopes to a key.
key_use_alerted(name) if {
	some alt in filter_alternatives
	some term in alt.require
	startswith(term, "$.eventName = ")
	glob.match(substring(term, count("$.eventName = "), -1), [], name)
	every other in alt.require {
		key_use_term(other, term)
	}
}

key_use_term(other, term) if other == term

key_use_term(other, _) if key_scope_term(other)

encrypted_trails := [t | some t in lib.trails; lib.is_set(lib.get(t, "kms_key_id"))]

# METADATA
# title: Use of the log key is alerted on
# description: |
#   When a trail encrypts its logs with a KMS key, the trail's log group has an
#   alarmed metric filter on every call in policy data log_key_use_events (Decrypt,
#   GenerateDataKey, CreateGrant, PutKeyPolicy by default) that is scoped at most to
#   KMS, a key ARN or an account. Who the filter leaves out (CloudTrail itself, the
#   named readers) is the team's choice and is not judged.
# related_resources:
#   - ref: help/rules/TG-UK-003.md
# custom:
#   id: TG-UK-003
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Add the LogKeyUseAlerts construct (the Trailgate construct does) or an equivalent metric filter and alarm on the trail's log group.
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	count(encrypted_trails) > 0
	missing := sort([name | some name in lib.config.log_key_use_events; not key_use_alerted(name)])
	count(missing) > 0
	msg := sprintf("no alarmed metric filter on the trail's log group alerts on %s of the log key (kms.amazonaws.com) by principals other than CloudTrail and the named readers, so decrypting the audit logs or granting others the key goes unnoticed; add one, e.g. { ($.eventSource = kms.amazonaws.com) && ($.eventName = %s) && ($.userIdentity.invokedBy != \"cloudtrail.amazonaws.com\") } (LogKeyUseAlerts)", [concat(", ", missing), missing[0]])
}
