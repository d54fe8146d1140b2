package trailgate.uk_operations_test

import data.trailgate.test_helpers as h
import data.trailgate.uk_operations as uk

data_selector(arn_field) := {
	"name": "S3 data events",
	"field_selector": array.concat(
		[
			{"field": "eventCategory", "equals": ["Data"]},
			{"field": "resources.type", "equals": ["AWS::S3::Object"]},
		],
		arn_field,
	),
}

management := {"name": "Management events", "field_selector": [{"field": "eventCategory", "equals": ["Management"]}]}

trail_advanced(selectors) := h.res("aws_cloudtrail", "org", {"advanced_event_selector": array.concat([management], selectors)}, {})

trail_basic(selectors) := h.res("aws_cloudtrail", "org", {"event_selector": selectors}, {})

whole := [{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::customers/"]}]

# TG-UK-001's violations only (the documents here have no alerts for TG-UK-002/003).
violations_of(resources) := {v | some v in all; v.id == "TG-UK-001"} if {
	all := uk.violations with input as h.doc(resources)
		with data.trailgate.config.personal_data_buckets as ["customers"]
}

test_advanced_selector_on_the_bucket_records_reads_and_writes if {
	count(violations_of([trail_advanced([data_selector(whole)])])) == 0
}

test_advanced_selector_on_every_object_records_the_bucket if {
	count(violations_of([trail_advanced([data_selector([])])])) == 0
	count(violations_of([trail_advanced([data_selector([{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::"]}])])])) == 0
}

test_management_events_only_is_a_finding_naming_the_bucket if {
	vs := violations_of([trail_advanced([])])
	h.messages(vs, "TG-UK-001") == {"personal-data bucket customers (listed in policy data personal_data_buckets): no trail or event data store records its S3 object reads and writes, so access to the personal data in it leaves no evidence; record its data events (advanced selector eventCategory = Data, resources.type = AWS::S3::Object, resources.ARN starts with arn:aws:s3:::customers/; s3DataEventBuckets in the constructs)"}
	h.flagged(vs, "TG-UK-001") == {"arn:aws:s3:::customers"}
}

test_the_finding_names_the_declared_bucket if {
	bucket := h.res("aws_s3_bucket", "customers", {"bucket": "customers"}, {})
	h.flagged(violations_of([bucket, trail_advanced([])]), "TG-UK-001") == {"aws_s3_bucket.customers"}
}

test_reads_only_leaves_writes_unrecorded if {
	reads := data_selector(array.concat(whole, [{"field": "readOnly", "equals": ["true"]}]))
	vs := violations_of([trail_advanced([reads])])
	some m in h.messages(vs, "TG-UK-001")
	contains(m, "records its S3 object writes,")
	writes := data_selector(array.concat(whole, [{"field": "readOnly", "equals": ["false"]}]))
	count(violations_of([trail_advanced([reads, writes])])) == 0
}

test_a_prefix_or_an_exclusion_inside_the_bucket_is_not_the_whole_bucket if {
	prefix := [{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::customers/invoices/"]}]
	count(h.flagged(violations_of([trail_advanced([data_selector(prefix)])]), "TG-UK-001")) == 1
	excluded := [{"field": "resources.ARN", "not_starts_with": ["arn:aws:s3:::customers/tmp/"]}]
	count(h.flagged(violations_of([trail_advanced([data_selector(excluded)])]), "TG-UK-001")) == 1
	other := [{"field": "resources.ARN", "not_starts_with": ["arn:aws:s3:::scratch/"]}]
	count(violations_of([trail_advanced([data_selector(other)])])) == 0
	one_object := [{"field": "resources.ARN", "equals": ["arn:aws:s3:::customers/a.csv"]}]
	count(h.flagged(violations_of([trail_advanced([data_selector(one_object)])]), "TG-UK-001")) == 1
}

test_a_selector_narrowed_to_some_events_or_principals_does_not_count if {
	by_name := data_selector(array.concat(whole, [{"field": "eventName", "equals": ["PutObject"]}]))
	count(h.flagged(violations_of([trail_advanced([by_name])]), "TG-UK-001")) == 1
	lambda := {"name": "Lambda", "field_selector": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::Lambda::Function"]}]}
	count(h.flagged(violations_of([trail_advanced([lambda])]), "TG-UK-001")) == 1
}

test_basic_selectors_whole_bucket_all_buckets_and_prefix if {
	bucket := [{"read_write_type": "All", "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::customers/"]}]}]
	count(violations_of([trail_basic(bucket)])) == 0
	every_bucket := [{"data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]
	count(violations_of([trail_basic(every_bucket)])) == 0
	prefix := [{"read_write_type": "All", "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::customers/invoices/"]}]}]
	count(h.flagged(violations_of([trail_basic(prefix)]), "TG-UK-001")) == 1
	write_only := [{"read_write_type": "WriteOnly", "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::customers/"]}]}]
	some m in h.messages(violations_of([trail_basic(write_only)]), "TG-UK-001")
	contains(m, "records its S3 object reads,")
}

test_a_lake_event_data_store_records_too if {
	store := h.res("aws_cloudtrail_event_data_store", "lake", {"advanced_event_selector": [data_selector(whole)]}, {})
	count(violations_of([trail_advanced([]), store])) == 0
}

test_tagged_buckets_are_personal_data_too if {
	tagged := h.res("aws_s3_bucket", "hr", {"bucket": "hr-records", "tags": {"trailgate:personal-data": "true"}}, {})
	vs := uk.violations with input as h.doc([tagged, trail_advanced([])])
	h.flagged(vs, "TG-UK-001") == {"aws_s3_bucket.hr"}
	some m in h.messages(vs, "TG-UK-001")
	contains(m, "(tagged trailgate:personal-data=true)")
	hr := [{"field": "resources.ARN", "starts_with": ["arn:aws:s3:::hr-records/"]}]
	recorded := uk.violations with input as h.doc([tagged, trail_advanced([data_selector(hr)])])
	count(h.flagged(recorded, "TG-UK-001")) == 0
}

test_a_tagged_bucket_without_a_known_name_cannot_be_judged if {
	tagged := h.res("aws_s3_bucket", "hr", {"bucket": "${var.name}", "tags": {"trailgate:personal-data": "true"}}, {})
	vs := uk.violations with input as h.doc([tagged, trail_advanced([data_selector([])])])
	some m in h.messages(vs, "TG-UK-001")
	contains(m, "aws_s3_bucket.hr is tagged trailgate:personal-data=true but its name is not known before apply")
}

test_documents_without_a_trail_are_not_judged if {
	bucket := h.res("aws_s3_bucket", "customers", {"bucket": "customers"}, {})
	count(violations_of([bucket])) == 0
}

# TG-UK-002 and TG-UK-003: alarmed metric filters on the trail's log group.

alerted_filter(name, alternatives) := [
	object.union(
		h.res(
			"aws_cloudwatch_log_metric_filter", name,
			{"pattern": "(parsed below)", "log_group_name": "/trail", "metric_transformation": [{"name": name, "namespace": "Trailgate/CloudTrail", "value": "1"}]},
			{},
		),
		{"filter_pattern": {"syntax": "json", "alternatives": alternatives, "negated": false}},
	),
	h.res("aws_cloudwatch_metric_alarm", name, {"metric_name": name, "namespace": "Trailgate/CloudTrail", "alarm_actions": ["${aws_sns_topic.warning.arn}"]}, {"alarm_actions": ["aws_sns_topic.warning"]}),
]

plain_trail := h.res("aws_cloudtrail", "org", {"name": "org"}, {})

encrypted_trail := h.res("aws_cloudtrail", "org", {"name": "org", "kms_key_id": "${aws_kms_key.logs.arn}"}, {})

outside_uk := {"require": ["$.readOnly IS FALSE"], "exclude": ["$.awsRegion != eu-west-2", "$.eventSource != iam.amazonaws.com"]}

movement_alternatives := [{"require": [sprintf("$.eventName = %s", [name])], "exclude": []} | some name in data.trailgate.config.data_movement_events]

residency_filters := array.concat(alerted_filter("outside", [outside_uk]), alerted_filter("movement", movement_alternatives))

uk_002(resources) := found if {
	vs := uk.violations with input as h.doc(resources)
	found := h.messages(vs, "TG-UK-002")
}

test_uk_002_passes_with_both_alerts if {
	count(uk_002(array.concat(residency_filters, [plain_trail]))) == 0
}

test_uk_002_without_any_alert_reports_region_and_movement if {
	found := uk_002([plain_trail])
	count(found) == 2
	some region in found
	startswith(region, "no alarmed metric filter on the trail's log group matches write events (readOnly false) whose awsRegion is outside the allowed regions (eu-west-2)")
	some movement in found
	contains(movement, "the calls that copy, replicate or export data out of a region: CopyDBClusterSnapshot, CopyDBSnapshot, CopyImage")
}

test_uk_002_a_region_filter_narrowed_to_one_service_does_not_count if {
	narrowed := {"require": ["$.readOnly IS FALSE", "$.eventSource = s3.amazonaws.com"], "exclude": ["$.awsRegion != eu-west-2"]}
	found := uk_002(array.concat(array.concat(alerted_filter("outside", [narrowed]), alerted_filter("movement", movement_alternatives)), [plain_trail]))
	count(found) == 1

	# Every allowed region must be excluded.
	two := uk.violations with input as h.doc(array.concat(residency_filters, [plain_trail]))
		with data.trailgate.config.allowed_regions as ["eu-west-2", "eu-west-1"]
	count(h.flagged(two, "TG-UK-002")) == 1
}

test_uk_002_names_the_missing_movement_calls if {
	partial := array.slice(movement_alternatives, 1, count(movement_alternatives))
	found := uk_002(array.concat(array.concat(alerted_filter("outside", [outside_uk]), alerted_filter("movement", partial)), [plain_trail]))
	found == {"no alarmed metric filter on the trail's log group matches the calls that copy, replicate or export data out of a region: PutBucketReplication; add them, e.g. { ($.eventName = PutBucketReplication) || ... } (DataResidencyAlerts)"}
}

test_uk_002_an_unalarmed_filter_does_not_count if {
	filter_only := [x | some x in residency_filters; x.type == "aws_cloudwatch_log_metric_filter"]
	count(uk_002(array.concat(filter_only, [plain_trail]))) == 2
}

test_uk_002_needs_a_trail if {
	count(uk_002([])) == 0
}

key_use(names) := [{"require": ["$.eventSource = kms.amazonaws.com", sprintf("$.eventName = %s", [n]), "$.resources[0].ARN = arn:aws:kms:eu-west-2:222222222222:key/*"], "exclude": ["$.userIdentity.invokedBy != cloudtrail.amazonaws.com"]} | some n in names]

uk_003(resources) := found if {
	vs := uk.violations with input as h.doc(resources)
	found := h.messages(vs, "TG-UK-003")
}

test_uk_003_passes_with_a_wildcard_generate_data_key if {
	count(uk_003(array.concat(alerted_filter("key", key_use(["Decrypt", "GenerateDataKey*", "CreateGrant", "PutKeyPolicy"])), [encrypted_trail]))) == 0
}

test_uk_003_names_the_calls_not_alerted if {
	uk_003(array.concat(alerted_filter("key", key_use(["Decrypt", "GenerateDataKey*"])), [encrypted_trail])) == {"no alarmed metric filter on the trail's log group alerts on CreateGrant, PutKeyPolicy of the log key (kms.amazonaws.com) by principals other than CloudTrail and the named readers, so decrypting the audit logs or granting others the key goes unnoticed; add one, e.g. { ($.eventSource = kms.amazonaws.com) && ($.eventName = CreateGrant) && ($.userIdentity.invokedBy != \"cloudtrail.amazonaws.com\") } (LogKeyUseAlerts)"}
}

test_uk_003_a_filter_narrowed_to_one_principal_does_not_count if {
	narrowed := [{"require": ["$.eventSource = kms.amazonaws.com", sprintf("$.eventName = %s", [n]), "$.userIdentity.type = Root"], "exclude": []} | some n in ["Decrypt", "GenerateDataKey", "CreateGrant", "PutKeyPolicy"]]
	count(uk_003(array.concat(alerted_filter("key", narrowed), [encrypted_trail]))) == 1
}

test_uk_003_only_for_trails_with_a_key if {
	count(uk_003([plain_trail])) == 0
	count(uk_003([encrypted_trail])) == 1
}
