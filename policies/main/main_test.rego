package trailgate.main_test

import data.trailgate.main
import data.trailgate.test_helpers as h

account := "111122223333"

trail_arn := "arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"

monitors := data.trailgate.config.required_monitors

deny_insecure(bucket) := {
	"Sid": "DenyInsecureTransport",
	"Effect": "Deny",
	"Principal": {"AWS": ["*"]},
	"Action": ["s3:*"],
	"Resource": [concat("", ["${aws_s3_bucket.", bucket, ".arn}"]), concat("", ["${aws_s3_bucket.", bucket, ".arn}/*"])],
	"Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
}

bucket_set(name, bucket_name, sse, extra_statements) := [
	h.res("aws_s3_bucket", name, {"bucket": bucket_name, "object_lock_enabled": true}, {}),
	h.res("aws_s3_bucket_server_side_encryption_configuration", name, {"rule": [{"apply_server_side_encryption_by_default": [sse]}]}, {"bucket": [concat(".", ["aws_s3_bucket", name])]}),
	h.res("aws_s3_bucket_public_access_block", name, {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}, {"bucket": [concat(".", ["aws_s3_bucket", name])]}),
	h.res("aws_s3_bucket_versioning", name, {"versioning_configuration": [{"status": "Enabled"}]}, {"bucket": [concat(".", ["aws_s3_bucket", name])]}),
	h.res_with_policies(
		"aws_s3_bucket_policy", name, {"policy": "{\"Statement\": []}"},
		{"bucket": [concat(".", ["aws_s3_bucket", name])]},
		{"policy": {"Statement": array.concat([deny_insecure(name)], extra_statements)}},
	),
]

cloudtrail_bucket_statements := [
	{"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:GetBucketAcl"], "Resource": ["${aws_s3_bucket.trail_logs.arn}"], "Condition": {"StringEquals": {"aws:SourceArn": [trail_arn]}}},
	{"Sid": "Write", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:PutObject"], "Resource": ["${aws_s3_bucket.trail_logs.arn}/AWSLogs/*"], "Condition": {"StringEquals": {"aws:SourceArn": [trail_arn], "s3:x-amz-acl": ["bucket-owner-full-control"]}}},
	{"Sid": "ReadsOnlyThroughAccessPoints", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"], "Resource": ["${aws_s3_bucket.trail_logs.arn}", "${aws_s3_bucket.trail_logs.arn}/*"], "Condition": {"StringNotEquals": {"s3:DataAccessPointAccount": [account]}}},
]

access_log_statements := [{"Sid": "ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": ["logging.s3.amazonaws.com"]}, "Action": ["s3:PutObject"], "Resource": ["${aws_s3_bucket.access_logs.arn}/*"], "Condition": {"StringEquals": {"aws:SourceAccount": [account]}}}]

key_statements := [
	{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["kms:*"], "Resource": ["*"]},
	{"Sid": "CloudTrailEncrypt", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["kms:GenerateDataKey*"], "Resource": ["*"], "Condition": {"StringEquals": {"aws:SourceArn": [trail_arn]}, "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/*"]}}},
	{"Sid": "CloudTrailDescribe", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["kms:DescribeKey"], "Resource": ["*"], "Condition": {"StringEquals": {"aws:SourceArn": [trail_arn]}}},
	{"Sid": "AlertPublishers", "Effect": "Allow", "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}, "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": ["*"], "Condition": {"StringEquals": {"aws:SourceAccount": [account]}}},
	{"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": ["logs.eu-west-2.amazonaws.com"]}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": ["*"], "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:eu-west-2:111122223333:log-group:*"]}}},
]

trail := h.res(
	"aws_cloudtrail", "org",
	{
		"name": "org",
		"s3_bucket_name": "${aws_s3_bucket.trail_logs.id}",
		"kms_key_id": "${aws_kms_key.trail.arn}",
		"is_multi_region_trail": true,
		"include_global_service_events": true,
		"enable_log_file_validation": true,
		"is_organization_trail": true,
		"cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.trail.arn}:*",
		"cloud_watch_logs_role_arn": "${aws_iam_role.cloudtrail_cw.arn}",
		"advanced_event_selector": [
			{"name": "management", "field_selector": [{"field": "eventCategory", "equals": ["Management"]}]},
			{"name": "s3-data", "field_selector": [
				{"field": "eventCategory", "equals": ["Data"]},
				{"field": "resources.type", "equals": ["AWS::S3::Object"]},
				{"field": "resources.ARN", "not_starts_with": ["${aws_s3_bucket.trail_logs.arn}/", "${aws_s3_bucket.access_logs.arn}/"]},
			]},
		],
	},
	{
		"s3_bucket_name": ["aws_s3_bucket.trail_logs"],
		"kms_key_id": ["aws_kms_key.trail"],
		"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"],
		"cloud_watch_logs_role_arn": ["aws_iam_role.cloudtrail_cw"],
		"advanced_event_selector": ["aws_s3_bucket.trail_logs", "aws_s3_bucket.access_logs"],
	},
)

global(r) := object.union(r, {"region": null})

compliant_resources := array.concat(
	array.concat(
		bucket_set("trail_logs", "org-trail-logs", {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.trail.arn}"}, cloudtrail_bucket_statements),
		bucket_set("access_logs", "org-trail-access-logs", {"sse_algorithm": "AES256"}, access_log_statements),
	),
	array.concat(
		[
			trail,
			h.res_with_policies("aws_kms_key", "trail", {"enable_key_rotation": true, "policy": "{}"}, {}, {"policy": {"Statement": key_statements}}),
			h.res("aws_s3_bucket_logging", "trail_logs", {"target_bucket": "org-trail-access-logs", "target_prefix": "trail/"}, {"bucket": ["aws_s3_bucket.trail_logs"], "target_bucket": ["aws_s3_bucket.access_logs"]}),
			h.res("aws_s3_bucket_object_lock_configuration", "trail_logs", {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 400}]}]}, {"bucket": ["aws_s3_bucket.trail_logs"]}),
			h.res("aws_s3_bucket_lifecycle_configuration", "trail_logs", {"rule": [{"id": "expire", "status": "Enabled", "expiration": [{"days": 2555}], "noncurrent_version_expiration": [{"noncurrent_days": 30}]}]}, {"bucket": ["aws_s3_bucket.trail_logs"]}),
			h.res("aws_cloudwatch_log_group", "trail", {"name": "/aws/cloudtrail/org", "kms_key_id": "${aws_kms_key.trail.arn}", "retention_in_days": 400}, {"kms_key_id": ["aws_kms_key.trail"]}),
			global(h.res_with_policies(
				"aws_iam_role", "cloudtrail_cw", {"name": "cloudtrail-cw", "assume_role_policy": "{}"}, {},
				{"assume_role_policy": {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["sts:AssumeRole"], "Condition": {"StringEquals": {"aws:SourceArn": [trail_arn]}}}]}},
			)),
			global(h.res_with_policies(
				"aws_iam_role_policy", "cloudtrail_cw", {"policy": "{}"}, {"role": ["aws_iam_role.cloudtrail_cw"], "policy": ["aws_cloudwatch_log_group.trail"]},
				{"policy": {"Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["${aws_cloudwatch_log_group.trail.arn}:*"]}]}},
			)),
			h.res("aws_sns_topic", "alerts", {"name": "audit-alerts", "kms_master_key_id": "${aws_kms_key.trail.id}"}, {"kms_master_key_id": ["aws_kms_key.trail"]}),
			h.res("aws_cloudtrail_event_data_store", "lake", {"name": "org-lake", "organization_enabled": true, "retention_period": 2557, "kms_key_id": "${aws_kms_key.trail.arn}"}, {"kms_key_id": ["aws_kms_key.trail"]}),
			h.res("aws_s3_access_point", "auditors", {"name": "auditors", "bucket": "org-trail-logs", "vpc_configuration": [{"vpc_id": "vpc-0123"}], "public_access_block_configuration": [{"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}]}, {"bucket": ["aws_s3_bucket.trail_logs"]}),
		],
		array.concat(
			[object.union(
				h.res("aws_cloudwatch_log_metric_filter", replace(m.id, ".", "_"), {"pattern": m.pattern, "log_group_name": "/aws/cloudtrail/org", "metric_transformation": [{"name": m.id, "namespace": "CISBenchmark", "value": "1"}]}, {}),
				{"filter_pattern": {"syntax": "json", "alternatives": [{"require": alt, "exclude": []} | some alt in m.match], "negated": false}},
			) |
				some m in monitors
			],
			[h.res("aws_cloudwatch_metric_alarm", replace(m.id, ".", "_"), {"metric_name": m.id, "namespace": "CISBenchmark", "alarm_actions": ["${aws_sns_topic.alerts.arn}"]}, {"alarm_actions": ["aws_sns_topic.alerts"]}) | some m in monitors],
		),
	),
)

# The runtime alerts of policies/alerting: a delivery heartbeat and the tamper-alert rules.
alerting_resources := [
	h.res("aws_cloudwatch_metric_alarm", "heartbeat", {"namespace": "AWS/Logs", "metric_name": "IncomingLogEvents", "dimensions": {"LogGroupName": "${aws_cloudwatch_log_group.trail.name}"}, "period": 300, "evaluation_periods": 3, "threshold": 1, "comparison_operator": "LessThanThreshold", "treat_missing_data": "breaching", "alarm_actions": ["${aws_sns_topic.alerts.arn}"]}, {"dimensions": ["aws_cloudwatch_log_group.trail"], "alarm_actions": ["aws_sns_topic.alerts"]}),
	h.res("aws_cloudwatch_event_rule", "trail_tampering", {"name": "trail-tampering", "event_pattern": json.marshal({"source": ["aws.cloudtrail"], "detail": {"eventName": data.trailgate.config.tamper_alert_events.cloudtrail}})}, {}),
	h.res("aws_cloudwatch_event_target", "trail_tampering", {"rule": "trail-tampering", "arn": "${aws_sns_topic.alerts.arn}"}, {"rule": ["aws_cloudwatch_event_rule.trail_tampering"], "arn": ["aws_sns_topic.alerts"]}),
	h.res("aws_cloudwatch_event_rule", "bucket_tampering", {"name": "bucket-tampering", "event_pattern": json.marshal({"source": ["aws.s3"], "detail": {"eventName": data.trailgate.config.tamper_alert_events.s3, "requestParameters": {"bucketName": ["org-trail-logs"]}}})}, {}),
	h.res("aws_cloudwatch_event_target", "bucket_tampering", {"rule": "bucket-tampering", "arn": "${aws_sns_topic.alerts.arn}"}, {"rule": ["aws_cloudwatch_event_rule.bucket_tampering"], "arn": ["aws_sns_topic.alerts"]}),
]

# The UK operations alerts (TG-UK-002, TG-UK-003): alarmed filters on the trail's log group.
uk_alert(name, alternatives) := [
	object.union(
		h.res("aws_cloudwatch_log_metric_filter", name, {"pattern": "(parsed below)", "log_group_name": "/aws/cloudtrail/org", "metric_transformation": [{"name": name, "namespace": "Trailgate/CloudTrail", "value": "1"}]}, {}),
		{"filter_pattern": {"syntax": "json", "alternatives": alternatives, "negated": false}},
	),
	h.res("aws_cloudwatch_metric_alarm", name, {"metric_name": name, "namespace": "Trailgate/CloudTrail", "alarm_actions": ["${aws_sns_topic.alerts.arn}"]}, {"alarm_actions": ["aws_sns_topic.alerts"]}),
]

uk_alert_resources := array.concat(
	array.concat(
		uk_alert("outside_regions", [{"require": ["$.readOnly IS FALSE"], "exclude": ["$.awsRegion != eu-west-2"]}]),
		uk_alert("data_movement", [{"require": [concat("", ["$.eventName = ", n])], "exclude": []} | some n in data.trailgate.config.data_movement_events]),
	),
	uk_alert("log_key_use", [{"require": ["$.eventSource = kms.amazonaws.com", concat("", ["$.eventName = ", n])], "exclude": []} | some n in data.trailgate.config.log_key_use_events]),
)

# The provider pins the account, so TG-LP-009 judges every log bucket and key policy.
compliant := object.union(h.doc(array.concat(array.concat(compliant_resources, alerting_resources), uk_alert_resources)), {"providers": [object.union(h.provider, {"allowed_account_ids": [account]})]})

test_compliant_configuration_has_no_violations if {
	vs := main.violations with input as compliant
	vs == set()
}

# One breach per family shows every family feeds the entrypoint, with the full violation shape.
# The key without a policy has AWS's default key policy, so CloudTrail may not use it (TG-LP-011).
test_violations_unions_every_family if {
	breaches := {
		"alert_paths": [],
		"providers": [object.union(h.provider, {"region": "us-east-1", "allowed_account_ids": [account]})],
		"resources": object.union(compliant.resources, {
			"aws_kms_key": [h.res("aws_kms_key", "trail", {"enable_key_rotation": false}, {})],
			"aws_cloudwatch_log_group": [h.res("aws_cloudwatch_log_group", "trail", {"name": "/aws/cloudtrail/org", "kms_key_id": "${aws_kms_key.trail.arn}", "retention_in_days": 30}, {})],
			"aws_sns_topic": [h.res("aws_sns_topic", "alerts", {"name": "audit-alerts", "kms_master_key_id": "${aws_kms_key.trail.id}", "policy": "${data.aws_iam_policy_document.sns.json}"}, {})],
			"aws_cloudtrail": [object.union(trail, {"values": {"enable_log_file_validation": false, "enable_logging": "${var.logging}"}})],
			"aws_cloudwatch_metric_alarm": array.concat(
				[a | some a in compliant.resources.aws_cloudwatch_metric_alarm; a.name != "heartbeat"],
				[object.union(alerting_resources[0], {"values": {"treat_missing_data": "notBreaching"}})],
			),
		}),
		"runtime": {
			"collected_at": 1800000000,
			"trails": [{"resource": trail_arn, "is_logging": false}],
			"topics": [{"resource": "arn:aws:sns:eu-west-2:111122223333:audit-alerts", "tier": tier, "subscriptions": [{"protocol": "email", "endpoint": "soc@example.co.uk", "pending_confirmation": false}]} | some tier in data.trailgate.config.alert_tiers],
		},
	}
	vs := main.violations with input as breaches
	{v.id | some v in vs} == {"TG-RES-001", "TG-ENC-002", "TG-RET-004", "TG-LP-008", "TG-LOG-003", "TG-VER-001", "TG-LOG-014", "TG-OPS-001", "TG-LP-011"}
	{
		"id": "TG-ENC-002",
		"severity": "medium",
		"title": "KMS customer-managed keys rotate",
		"resource": "aws_kms_key.trail",
		"message": "KMS key aws_kms_key.trail does not have enable_key_rotation = true; enable automatic rotation",
		"help": "help/rules/TG-ENC-002.md",
	} in vs
}

test_every_violation_is_well_formed if {
	vs := main.violations with input as h.doc([])
	count(vs) > 0
	every v in vs {
		v.severity in {"low", "medium", "high", "critical"}
		v.help == concat("", ["help/rules/", v.id, ".md"])
		is_string(v.title)
		is_string(v.message)
	}
}

# An unknown value is reported once, as "cannot verify", never also as the rule's own breach or pass.
test_unknown_values_are_reported_once_as_cannot_verify if {
	unknown_trail := object.union(trail, {"values": {
		"is_multi_region_trail": "${var.multi_region}",
		"enable_log_file_validation": "${var.validation}",
		"is_organization_trail": "${var.org}",
		"enable_logging": "${var.logging}",
	}})
	unknown := {
		"alert_paths": [],
		"providers": compliant.providers,
		"resources": object.union(compliant.resources, {
			"aws_cloudtrail": [unknown_trail],
			"aws_cloudwatch_log_group": [h.res("aws_cloudwatch_log_group", "trail", {"name": "/aws/cloudtrail/org", "kms_key_id": "${aws_kms_key.trail.arn}", "retention_in_days": "${var.retention}"}, {"kms_key_id": ["aws_kms_key.trail"]})],
			"aws_kms_key": [h.res_with_policies("aws_kms_key", "trail", {"enable_key_rotation": "${var.rotate}", "policy": "{}"}, {}, {"policy": {"Statement": key_statements}})],
		}),
	}
	vs := main.violations with input as unknown
	{v.id | some v in vs} == {"TG-VER-001"}
	count(vs) == 6
}
