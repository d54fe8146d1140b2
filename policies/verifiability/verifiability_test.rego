package trailgate.verifiability_test

import data.trailgate.test_helpers as h
import data.trailgate.verifiability as ver

bucket := h.res("aws_s3_bucket", "logs", {"bucket": "org-logs"}, {})

trail_with(values, refs) := h.res("aws_cloudtrail", "org", object.union({"s3_bucket_name": "org-logs"}, values), object.union({"s3_bucket_name": ["aws_s3_bucket.logs"]}, refs))

# TG-VER-001

test_ver_001_names_resource_argument_and_rule if {
	vs := ver.violations with input as h.doc([bucket, trail_with({"enable_logging": "${var.enable_logging}"}, {})])
	h.messages(vs, "TG-VER-001") == {"aws_cloudtrail.org argument enable_logging is not known before apply (${var.enable_logging}), so TG-LOG-010 cannot be checked; gate the plan or set a literal value"}
}

test_ver_001_reads_nested_blocks_and_list_elements if {
	t := trail_with({"event_selector": [{"read_write_type": "${local.rw}", "exclude_management_event_sources": ["kms.amazonaws.com", "${var.source}"]}]}, {})
	vs := ver.violations with input as h.doc([bucket, t])
	h.messages(vs, "TG-VER-001") == {
		"aws_cloudtrail.org argument event_selector.read_write_type is not known before apply (${local.rw}), so TG-LOG-011 cannot be checked; gate the plan or set a literal value",
		"aws_cloudtrail.org argument event_selector.exclude_management_event_sources is not known before apply (${var.source}), so TG-LOG-012 cannot be checked; gate the plan or set a literal value",
	}
}

test_ver_001_scopes_bucket_settings_to_log_buckets if {
	lock := h.res("aws_s3_bucket_object_lock_configuration", "logs", {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": "${var.days}"}]}]}, {"bucket": ["aws_s3_bucket.logs"]})
	other_lock := h.res("aws_s3_bucket_object_lock_configuration", "other", {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": "${var.days}"}]}]}, {"bucket": ["aws_s3_bucket.other"]})
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), lock, other_lock])
	h.flagged(vs, "TG-VER-001") == {"aws_s3_bucket_object_lock_configuration.logs"}
}

test_ver_001_accepts_keys_of_this_configuration if {
	topics := [
		h.res("aws_sns_topic", "own", {"kms_master_key_id": "${aws_kms_key.alerts.arn}"}, {"kms_master_key_id": ["aws_kms_key.alerts"]}),
		h.res("aws_sns_topic", "input", {"kms_master_key_id": "${var.sns_key}"}, {}),
	]
	vs := ver.violations with input as h.doc(topics)
	h.flagged(vs, "TG-VER-001") == {"aws_sns_topic.input"}
}

test_ver_001_passes_known_values if {
	known := [bucket, trail_with({"enable_logging": true, "is_multi_region_trail": true}, {}), h.res("aws_kms_key", "k", {"enable_key_rotation": true, "deletion_window_in_days": 30}, {})]
	vs := ver.violations with input as h.doc(known)
	count(h.flagged(vs, "TG-VER-001")) == 0
}

test_ver_001_reports_unknown_principals_of_log_policies if {
	statement := {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": ["${var.reader_arn}"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::org-logs/*"]}
	policy := h.res_with_policies("aws_s3_bucket_policy", "logs", {"policy": "{}"}, {"bucket": ["aws_s3_bucket.logs"]}, {"policy": {"Statement": [statement]}})
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), policy])
	some m in h.messages(vs, "TG-VER-001")
	contains(m, "aws_s3_bucket_policy.logs statement Readers names principals or principal conditions not known before apply")
}

# TG-VER-002

test_ver_002_reads_the_unresolved_map if {
	alarm := object.union(h.res("aws_cloudwatch_metric_alarm", "root", {"alarm_actions": ["${computed}"]}, {}), {"unresolved": {"alarm_actions": ["local.topics"]}})
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), alarm])
	h.messages(vs, "TG-VER-002") == {"aws_cloudwatch_metric_alarm.root argument alarm_actions refers to local.topics, which the gate cannot follow to a resource or value, so the rules that join through it cannot check it; gate a configuration that holds both ends"}
}

test_ver_002_policy_known_only_in_part if {
	deny := {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": ["${aws_s3_bucket.logs.arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}
	policy := h.res_with_policies("aws_s3_bucket_policy", "logs", {}, {"bucket": ["aws_s3_bucket.logs"]}, {"policy": {"Statement": [deny]}})
	partial := object.union(policy, {"unresolved": {"policy": ["data.aws_iam_policy_document.bucket.source_policy_documents"]}})
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), partial])
	h.messages(vs, "TG-VER-002") == {"aws_s3_bucket_policy.logs policy is only partly known before apply: data.aws_iam_policy_document.bucket.source_policy_documents cannot be followed, so the rules that read this policy check only its known statements; gate the plan or write those statements in the document"}
	whole := ver.violations with input as h.doc([bucket, trail_with({}, {}), policy])
	count(h.flagged(whole, "TG-VER-002")) == 0
}

test_ver_002_trail_bucket_outside_the_configuration if {
	outside := h.res("aws_cloudtrail", "org", {"s3_bucket_name": "central-log-archive"}, {})
	vs := ver.violations with input as h.doc([outside])
	h.messages(vs, "TG-VER-002") == {"trail aws_cloudtrail.org s3_bucket_name names central-log-archive, which this configuration does not create, so the trail's bucket (Object Lock, lifecycle, versioning, encryption, access logging, bucket policy) cannot be checked; gate the configuration that creates it too"}
}

test_ver_002_trail_links_outside_the_configuration if {
	t := trail_with(
		{
			"kms_key_id": "arn:aws:kms:eu-west-2:222222222222:key/abc",
			"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111122223333:log-group:/elsewhere:*",
			"cloud_watch_logs_role_arn": "${var.role_arn}",
		},
		{},
	)
	vs := ver.violations with input as h.doc([bucket, t])
	count(h.messages(vs, "TG-VER-002")) == 3
	some m in h.messages(vs, "TG-VER-002")
	contains(m, "cloud_watch_logs_role_arn is not known before apply (${var.role_arn}) and names nothing")
}

test_ver_002_passes_links_inside_the_configuration if {
	t := trail_with(
		{"kms_key_id": "${aws_kms_key.k.arn}", "cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111122223333:log-group:/trail:*", "cloud_watch_logs_role_arn": "${aws_iam_role.cw.arn}"},
		{"kms_key_id": ["aws_kms_key.k"], "cloud_watch_logs_role_arn": ["aws_iam_role.cw"]},
	)
	resources := [bucket, t, h.res("aws_kms_key", "k", {}, {}), h.res("aws_cloudwatch_log_group", "trail", {"name": "/trail"}, {}), h.res("aws_iam_role", "cw", {"name": "cw"}, {})]
	vs := ver.violations with input as h.doc(resources)
	count(h.flagged(vs, "TG-VER-002")) == 0
}

test_ver_002_customer_policy_attached_from_elsewhere if {
	t := trail_with({"cloud_watch_logs_role_arn": "${aws_iam_role.cw.arn}"}, {"cloud_watch_logs_role_arn": ["aws_iam_role.cw"]})
	attachment := h.res("aws_iam_role_policy_attachment", "cw", {"role": "cw", "policy_arn": "arn:aws:iam::111122223333:policy/central-logs"}, {"role": ["aws_iam_role.cw"]})
	vs := ver.violations with input as h.doc([bucket, t, h.res("aws_iam_role", "cw", {"name": "cw"}, {}), attachment])
	h.flagged(vs, "TG-VER-002") == {"aws_iam_role_policy_attachment.cw"}
}

# TG-VER-003

outside_reader := {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999999999999:role/x"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::org-logs/*"]}

log_policy := h.res_with_policies("aws_s3_bucket_policy", "logs", {"policy": "{}"}, {"bucket": ["aws_s3_bucket.logs"]}, {"policy": {"Statement": [outside_reader]}})

test_ver_003_when_nobody_is_trusted if {
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), log_policy])
	h.messages(vs, "TG-VER-003") == {"no trusted accounts or organisation are known, so who may reach the logs (TG-LP-009) cannot be judged for aws_s3_bucket_policy.logs; pin allowed_account_ids on the AWS providers or set trusted_accounts / organization_id in policy data"}
}

test_ver_003_silent_once_trust_is_configured if {
	vs := ver.violations with input as h.doc([bucket, trail_with({}, {}), log_policy])
		with data.trailgate.config.trusted_accounts as ["111122223333"]
	count(h.flagged(vs, "TG-VER-003")) == 0
}

# In a plan, a value computed from a resource is "${computed}"; refs still name the resource.
test_ver_002_bucket_policy_of_a_bucket_it_cannot_name if {
	policy := h.res("aws_s3_bucket_policy", "logs", {"bucket": "${module.store.bucket_id}", "policy": "{}"}, {})
	vs := ver.violations with input as h.doc([policy])
	h.flagged(vs, "TG-VER-002") == {"aws_s3_bucket_policy.logs"}
	named := h.res("aws_s3_bucket_policy", "logs", {"bucket": "logs-bucket", "policy": "{}"}, {})
	literal := ver.violations with input as h.doc([named])
	count(h.flagged(literal, "TG-VER-002")) == 0
}

test_ver_002_metric_filter_log_group_that_names_nothing if {
	filter := h.res("aws_cloudwatch_log_metric_filter", "root", {"log_group_name": "${module.trail.log_group_name}"}, {})
	vs := ver.violations with input as h.doc([filter])
	h.messages(vs, "TG-VER-002") == {"aws_cloudwatch_log_metric_filter.root argument log_group_name is ${module.trail.log_group_name}, which is not known before apply and which the gate cannot follow to a resource of this configuration, so the rules that join through it cannot check it; gate the plan (it follows module outputs and variables) or the configuration that holds both ends"}
	linked := h.res("aws_cloudwatch_log_metric_filter", "root", {"log_group_name": "${aws_cloudwatch_log_group.trail.name}"}, {"log_group_name": ["aws_cloudwatch_log_group.trail"]})
	ok := ver.violations with input as h.doc([linked])
	count(h.flagged(ok, "TG-VER-002")) == 0
	literal := h.res("aws_cloudwatch_log_metric_filter", "root", {"log_group_name": "/trail"}, {})
	named := ver.violations with input as h.doc([literal])
	count(h.flagged(named, "TG-VER-002")) == 0

	# In a plan the unresolved map already names it: one finding, not two.
	planned := object.union(h.res("aws_cloudwatch_log_metric_filter", "root", {"log_group_name": "${computed}"}, {}), {"unresolved": {"log_group_name": ["local.group"]}})
	once := ver.violations with input as h.doc([planned])
	count(h.messages(once, "TG-VER-002")) == 1
}

test_plan_computed_values_linked_through_refs_are_fine if {
	topic := h.res("aws_sns_topic", "alerts", {"kms_master_key_id": "${computed}"}, {"kms_master_key_id": ["aws_kms_key.alerts"]})
	alarm := h.res("aws_cloudwatch_metric_alarm", "root", {"alarm_actions": ["${computed}"]}, {"alarm_actions": ["aws_sns_topic.alerts"]})
	vs := ver.violations with input as h.doc([topic, alarm])
	count(vs) == 0
	unlinked := ver.violations with input as h.doc([object.union(alarm, {"refs": {"alarm_actions": []}})])
	h.flagged(unlinked, "TG-VER-002") == {"aws_cloudwatch_metric_alarm.root"}
}

# TG-VER-005

unread_lake := {
	"resource": "arn:aws:cloudtrail:eu-west-2:111122223333:eventdatastore/*",
	"part": "CloudTrail Lake event data stores",
	"account": "management",
	"account_id": "111122223333",
	"call": "cloudtrail:ListEventDataStores",
	"permission": "cloudtrail:ListEventDataStores",
	"reason": "denied",
}

unread_bucket := {
	"resource": "arn:aws:s3:::org-logs",
	"part": "bucket org-logs",
	"account": "logArchive",
	"account_id": "444455556666",
	"call": "s3:GetBucketEncryption org-logs",
	"permission": "s3:GetEncryptionConfiguration",
	"reason": "not implemented",
}

test_ver_005_names_each_unread_part_its_call_and_permission if {
	vs := ver.violations with input as object.union(h.doc([]), {"runtime": {"unread": [unread_lake, unread_bucket]}})
	h.messages(vs, "TG-VER-005") == {
		"cannot verify CloudTrail Lake event data stores: cloudtrail:ListEventDataStores was denied (management account 111122223333), so no rule judged it; grant cloudtrail:ListEventDataStores to the identity trailgate verify runs as",
		"cannot verify bucket org-logs: s3:GetBucketEncryption org-logs was not implemented by the endpoint (log-archive account 444455556666), so no rule judged it; the endpoint does not answer s3:GetEncryptionConfiguration; verify this part against AWS itself",
	}
	h.flagged(vs, "TG-VER-005") == {"arn:aws:cloudtrail:eu-west-2:111122223333:eventdatastore/*", "arn:aws:s3:::org-logs"}
}

test_ver_005_silent_when_everything_was_read if {
	full := ver.violations with input as object.union(h.doc([]), {"runtime": {"unread": []}})
	count(h.flagged(full, "TG-VER-005")) == 0
	code := ver.violations with input as h.doc([])
	count(h.flagged(code, "TG-VER-005")) == 0
}
