package trailgate.least_privilege_test

import data.trailgate.least_privilege as lp
import data.trailgate.test_helpers as h

# A bucket policy resource holding the given statements.
bucket_policy(statements) := h.res_with_policies(
	"aws_s3_bucket_policy", "logs", {"bucket": "logs", "policy": "{}"},
	{"bucket": ["aws_s3_bucket.logs"]}, {"policy": {"Statement": statements}},
)

key(statements) := h.res_with_policies(
	"aws_kms_key", "trail", {"enable_key_rotation": true, "policy": "{}"},
	{}, {"policy": {"Statement": statements}},
)

source_arn := {"StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"]}}

# TG-LP-001

public_read := {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::logs/*"]}

test_lp_001_passes_with_org_condition if {
	limited := object.union(public_read, {"Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}})
	vs := lp.violations with input as h.doc([bucket_policy([limited])])
	count(h.flagged(vs, "TG-LP-001")) == 0
}

test_lp_001_passes_access_point_delegation if {
	delegated := object.union(public_read, {"Condition": {"StringEquals": {"s3:DataAccessPointAccount": ["111122223333"]}}})
	vs := lp.violations with input as h.doc([bucket_policy([delegated])])
	count(h.flagged(vs, "TG-LP-001")) == 0
}

test_lp_001_fails_without_condition if {
	vs := lp.violations with input as h.doc([bucket_policy([public_read])])
	h.messages(vs, "TG-LP-001") == {"aws_s3_bucket_policy.logs policy allows Principal \"*\" (statement Read) with no limiting condition; name the principals or add aws:PrincipalOrgID / aws:SourceArn"}
}

test_lp_001_fails_with_negated_or_if_exists_condition if {
	negated := object.union(public_read, {"Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}})
	if_exists := object.union(public_read, {"Condition": {"StringEqualsIfExists": {"aws:SourceAccount": ["111122223333"]}}})
	every st in [negated, if_exists] {
		vs := lp.violations with input as h.doc([bucket_policy([st])])
		h.flagged(vs, "TG-LP-001") == {"aws_s3_bucket_policy.logs"}
	}
}

test_lp_001_ignores_deny if {
	deny := object.union(public_read, {"Effect": "Deny"})
	vs := lp.violations with input as h.doc([bucket_policy([deny])])
	count(h.flagged(vs, "TG-LP-001")) == 0
}

# TG-LP-002

cloudtrail_write := {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::logs/AWSLogs/*"]}

test_lp_002_passes_with_source_arn if {
	vs := lp.violations with input as h.doc([bucket_policy([object.union(cloudtrail_write, {"Condition": source_arn})])])
	count(h.flagged(vs, "TG-LP-002")) == 0
}

test_lp_002_passes_with_source_account_in_any_case if {
	cond := {"StringEquals": {"AWS:SourceAccount": ["111122223333"]}}
	vs := lp.violations with input as h.doc([bucket_policy([object.union(cloudtrail_write, {"Condition": cond})])])
	count(h.flagged(vs, "TG-LP-002")) == 0
}

test_lp_002_fails_without_source_condition if {
	vs := lp.violations with input as h.doc([bucket_policy([cloudtrail_write])])
	h.flagged(vs, "TG-LP-002") == {"aws_s3_bucket_policy.logs"}
	some m in h.messages(vs, "TG-LP-002")
	contains(m, "(statement Write) without aws:SourceArn or aws:SourceAccount")
}

# TG-LP-003

root_admin := {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["kms:*"], "Resource": ["*"]}

test_lp_003_passes_account_root_admins_and_specific_actions if {
	interpolated_root := object.union(root_admin, {"Principal": {"AWS": ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root", "111122223333"]}})
	admin := object.union(root_admin, {"Principal": {"AWS": ["arn:aws:iam::111122223333:role/break-glass"]}})
	specific := object.union(root_admin, {"Principal": {"AWS": ["arn:aws:iam::111122223333:role/reader"]}, "Action": ["kms:Decrypt"]})
	vs := lp.violations with input as h.doc([key([root_admin, interpolated_root, admin, specific])])
		with data.trailgate.config.admin_principals as ["arn:aws:iam::111122223333:role/break-glass"]
	count(h.flagged(vs, "TG-LP-003")) == 0
}

test_lp_003_fails_service_wide_action_to_role if {
	role := object.union(root_admin, {"Principal": {"AWS": ["arn:aws:iam::111122223333:role/ops"]}, "Action": ["KMS:*"]})
	vs := lp.violations with input as h.doc([key([role])])
	h.messages(vs, "TG-LP-003") == {"aws_kms_key.trail policy allows KMS:* to AWS principal arn:aws:iam::111122223333:role/ops (statement Root); grant specific actions or add it to admin_principals"}
}

test_lp_003_fails_identity_policy if {
	doc := {"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]}
	rp := h.res_with_policies("aws_iam_role_policy", "ops", {"policy": "{}"}, {"role": ["aws_iam_role.ops"]}, {"policy": doc})
	vs := lp.violations with input as h.doc([rp])
	h.flagged(vs, "TG-LP-003") == {"aws_iam_role_policy.ops"}
	some m in h.messages(vs, "TG-LP-003")
	contains(m, "is an identity policy allowing s3:*")
}

# TG-LP-004

generate := {
	"Sid": "CloudTrailEncrypt",
	"Effect": "Allow",
	"Principal": {"Service": ["cloudtrail.amazonaws.com"]},
	"Action": ["kms:GenerateDataKey*"],
	"Resource": ["*"],
	"Condition": {
		"StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"]},
		"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/*"]},
	},
}

describe := {"Sid": "CloudTrailDescribe", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["kms:DescribeKey"], "Resource": ["*"], "Condition": source_arn}

test_lp_004_passes_minimal_grants if {
	vs := lp.violations with input as h.doc([key([root_admin, generate, describe])])
	count(h.flagged(vs, "TG-LP-004")) == 0
}

test_lp_004_fails_extra_actions if {
	greedy := object.union(describe, {"Action": ["kms:DescribeKey", "kms:Decrypt", "kms:Encrypt"]})
	vs := lp.violations with input as h.doc([key([greedy])])
	h.messages(vs, "TG-LP-004") == {"aws_kms_key.trail key policy allows CloudTrail kms:Decrypt, kms:Encrypt (statement CloudTrailDescribe); allow only kms:GenerateDataKey* and kms:DescribeKey"}
}

test_lp_004_fails_generate_without_encryption_context if {
	loose := object.union(object.remove(generate, ["Condition"]), {"Condition": source_arn})
	policy := h.res_with_policies("aws_kms_key_policy", "trail", {"policy": "{}"}, {"key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": [loose]}})
	vs := lp.violations with input as h.doc([policy])
	h.flagged(vs, "TG-LP-004") == {"aws_kms_key_policy.trail"}
	some m in h.messages(vs, "TG-LP-004")
	contains(m, "without a kms:EncryptionContext:aws:cloudtrail:arn condition")
}

# TG-LP-005

trail := h.res(
	"aws_cloudtrail", "org",
	{"cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.trail.arn}:*", "cloud_watch_logs_role_arn": "${aws_iam_role.cw.arn}"},
	{"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"], "cloud_watch_logs_role_arn": ["aws_iam_role.cw"]},
)

log_group := h.res("aws_cloudwatch_log_group", "trail", {"name": "/aws/cloudtrail/org"}, {})

cw_role := h.res("aws_iam_role", "cw", {"name": "cw", "managed_policy_arns": []}, {})

delivery := {
	"Effect": "Allow",
	"Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
	"Resource": ["${aws_cloudwatch_log_group.trail.arn}:*", "arn:aws:logs:eu-west-2:111122223333:log-group:/aws/cloudtrail/org:log-stream:*"],
}

role_policy(statement) := h.res_with_policies(
	"aws_iam_role_policy", "cw", {"policy": "{}"},
	{"role": ["aws_iam_role.cw"]}, {"policy": {"Statement": [statement]}},
)

test_lp_005_passes_scoped_delivery if {
	vs := lp.violations with input as h.doc([trail, log_group, cw_role, role_policy(delivery)])
	count(h.flagged(vs, "TG-LP-005")) == 0
}

# The trail names its log group by a literal ARN instead of a reference.
literal_arn_trail := h.res(
	"aws_cloudtrail", "org",
	{"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111122223333:log-group:/aws/cloudtrail/org:*"},
	{"cloud_watch_logs_role_arn": ["aws_iam_role.cw"]},
)

test_lp_005_passes_log_group_named_by_literal_arn if {
	vs := lp.violations with input as h.doc([literal_arn_trail, log_group, cw_role, role_policy(delivery)])
	count(h.flagged(vs, "TG-LP-005")) == 0
}

test_lp_005_fails_other_group_with_literal_arn_trail if {
	other := object.union(delivery, {"Resource": ["arn:aws:logs:eu-west-2:111122223333:log-group:/other:log-stream:*"]})
	vs := lp.violations with input as h.doc([literal_arn_trail, log_group, cw_role, role_policy(other)])
	h.flagged(vs, "TG-LP-005") == {"aws_iam_role_policy.cw"}
}

# A module's count-ed log group, named through an instance key and by its name attribute.
test_lp_005_passes_log_group_named_by_reference_to_an_instance if {
	by_name := object.union(delivery, {"Resource": [
		"arn:aws:logs:eu-west-2:${var.account_id}:log-group:${aws_cloudwatch_log_group.trail[0].name}:log-stream:*",
		"${aws_cloudwatch_log_group.trail[0].arn}:*",
	]})
	vs := lp.violations with input as h.doc([trail, log_group, cw_role, role_policy(by_name)])
	count(h.flagged(vs, "TG-LP-005")) == 0
	other := object.union(delivery, {"Resource": ["arn:aws:logs:eu-west-2:${var.account_id}:log-group:${aws_cloudwatch_log_group.other[0].name}:*"]})
	ws := lp.violations with input as h.doc([trail, log_group, cw_role, role_policy(other)])
	h.flagged(ws, "TG-LP-005") == {"aws_iam_role_policy.cw"}
}

test_lp_005_fails_extra_action if {
	vs := lp.violations with input as h.doc([trail, log_group, cw_role, role_policy(object.union(delivery, {"Action": ["logs:*"]}))])
	h.messages(vs, "TG-LP-005") == {"aws_iam_role_policy.cw (trail role aws_iam_role.cw) allows logs:*; allow only logs:CreateLogStream and logs:PutLogEvents"}
}

test_lp_005_fails_other_log_group if {
	other := object.union(delivery, {"Resource": ["arn:aws:logs:eu-west-2:111122223333:log-group:/other:*"]})
	vs := lp.violations with input as h.doc([trail, log_group, cw_role, role_policy(other)])
	h.flagged(vs, "TG-LP-005") == {"aws_iam_role_policy.cw"}
	some m in h.messages(vs, "TG-LP-005")
	contains(m, "allows Resource arn:aws:logs:eu-west-2:111122223333:log-group:/other:*, which is not the trail's log group")
}

test_lp_005_fails_attached_and_role_level_policies if {
	attachment := h.res("aws_iam_role_policy_attachment", "cw", {"policy_arn": "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"}, {"role": ["aws_iam_role.cw"]})
	role := object.union(cw_role, {"values": {"managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}})
	vs := lp.violations with input as h.doc([trail, log_group, role, role_policy(delivery), attachment])
	h.flagged(vs, "TG-LP-005") == {"aws_iam_role_policy_attachment.cw", "aws_iam_role.cw"}
}

test_lp_005_ignores_roles_of_no_trail if {
	other := object.union(role_policy(object.union(delivery, {"Action": ["logs:*"]})), {"refs": {"role": ["aws_iam_role.other"]}})
	vs := lp.violations with input as h.doc([trail, log_group, cw_role, other])
	count(h.flagged(vs, "TG-LP-005")) == 0
}

# TG-LP-006

all_blocked := {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}

access_point(values) := h.res("aws_s3_access_point", "ap", object.union({"bucket": "logs", "name": "ap"}, values), {"bucket": ["aws_s3_bucket.logs"]})

test_lp_006_passes_vpc_only_and_blocked if {
	vs := lp.violations with input as h.doc([access_point({"vpc_configuration": {"vpc_id": "${aws_vpc.main.id}"}, "public_access_block_configuration": all_blocked})])
	count(h.flagged(vs, "TG-LP-006")) == 0
}

test_lp_006_fails_internet_access_point if {
	vs := lp.violations with input as h.doc([access_point({"public_access_block_configuration": [all_blocked]})])
	h.messages(vs, "TG-LP-006") == {"access point aws_s3_access_point.ap has no vpc_configuration with a vpc_id; restrict it to a VPC"}
}

test_lp_006_fails_partial_public_access_block if {
	partial := object.union(all_blocked, {"restrict_public_buckets": false})
	vs := lp.violations with input as h.doc([access_point({"vpc_configuration": [{"vpc_id": "vpc-1"}], "public_access_block_configuration": partial})])
	h.flagged(vs, "TG-LP-006") == {"aws_s3_access_point.ap"}
	some m in h.messages(vs, "TG-LP-006")
	contains(m, "does not set all of")
}

# TG-LP-007

bucket := h.res("aws_s3_bucket", "logs", {"bucket": "logs"}, {})

pab(settings) := h.res("aws_s3_bucket_public_access_block", "logs", object.union({"bucket": "logs"}, settings), {"bucket": ["aws_s3_bucket.logs"]})

test_lp_007_passes_full_block if {
	vs := lp.violations with input as h.doc([bucket, pab(all_blocked)])
	count(h.flagged(vs, "TG-LP-007")) == 0
}

test_lp_007_fails_missing_block if {
	vs := lp.violations with input as h.doc([bucket])
	h.flagged(vs, "TG-LP-007") == {"aws_s3_bucket.logs"}
}

test_lp_007_fails_partial_block if {
	vs := lp.violations with input as h.doc([bucket, pab(object.union(all_blocked, {"ignore_public_acls": false}))])
	h.messages(vs, "TG-LP-007") == {"aws_s3_bucket_public_access_block.logs (bucket aws_s3_bucket.logs) does not set ignore_public_acls = true"}
}

# TG-LP-008

test_lp_008_passes_parsed_policy if {
	vs := lp.violations with input as h.doc([bucket_policy([root_admin])])
	count(h.flagged(vs, "TG-LP-008")) == 0
}

test_lp_008_fails_unparsed_policy if {
	role := h.res("aws_iam_role", "cw", {"assume_role_policy": "${data.aws_iam_policy_document.assume.json}"}, {})
	vs := lp.violations with input as h.doc([role])
	h.messages(vs, "TG-LP-008") == {"aws_iam_role.cw assume_role_policy is not a statically readable policy document (${data.aws_iam_policy_document.assume.json}); write it as literal JSON so it can be checked"}
}

# Two log groups may share a name (one per account or region); a trail naming
# that group by ARN must not make the policy fail with an object insert conflict.
test_two_log_groups_with_one_name_do_not_conflict if {
	groups := [
		{"address": "aws_cloudwatch_log_group.a", "type": "aws_cloudwatch_log_group", "name": "a", "values": {"name": "trail"}, "refs": {}, "policies": {}},
		{"address": "aws_cloudwatch_log_group.b", "type": "aws_cloudwatch_log_group", "name": "b", "values": {"name": "trail"}, "refs": {}, "policies": {}},
	]
	trail := {
		"address": "aws_cloudtrail.t", "type": "aws_cloudtrail", "name": "t",
		"values": {"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111111111111:log-group:trail:*"},
		"refs": {"cloud_watch_logs_role_arn": ["aws_iam_role.r"]}, "policies": {},
	}
	found := lp.delivered_groups(trail) with input as {"resources": {"aws_cloudwatch_log_group": groups, "aws_cloudtrail": [trail]}}
	count(found) == 2
}

# Class 5: conditions that name no one do not limit.

test_lp_001_fails_conditions_that_limit_nothing if {
	conditions := [
		{"StringLike": {"aws:PrincipalAccount": ["*"]}},
		{"Null": {"aws:PrincipalArn": ["false"]}},
		{"ArnLike": {"aws:SourceArn": ["*"]}},
		{"ArnLike": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:*:trail/*"]}},
		{"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}},
		{"StringEquals": {"aws:PrincipalOrgID": []}},
	]
	every c in conditions {
		vs := lp.violations with input as h.doc([bucket_policy([object.union(public_read, {"Condition": c})])])
		h.flagged(vs, "TG-LP-001") == {"aws_s3_bucket_policy.logs"}
	}
}

test_lp_001_passes_wildcard_region_arn_in_one_account if {
	st := object.union(public_read, {"Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:cloudtrail:*:111122223333:trail/*"]}}})
	vs := lp.violations with input as h.doc([bucket_policy([st])])
	count(h.flagged(vs, "TG-LP-001")) == 0
}

test_lp_001_fails_not_principal if {
	st := object.union(object.remove(public_read, ["Principal"]), {"NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root"]}})
	vs := lp.violations with input as h.doc([bucket_policy([st])])
	some m in h.messages(vs, "TG-LP-001")
	contains(m, "allows everyone except its NotPrincipal (statement Read)")
}

test_lp_002_fails_wildcard_source_arn if {
	st := object.union(cloudtrail_write, {"Condition": {"ArnLike": {"aws:SourceArn": ["*"]}}})
	vs := lp.violations with input as h.doc([bucket_policy([st])])
	h.flagged(vs, "TG-LP-002") == {"aws_s3_bucket_policy.logs"}
}

test_lp_003_fails_not_action_and_covering_patterns if {
	not_action := object.union(object.remove(root_admin, ["Action"]), {"Principal": {"AWS": ["arn:aws:iam::111122223333:role/ops"]}, "NotAction": ["kms:ScheduleKeyDeletion"]})
	star_star := object.union(root_admin, {"Sid": "StarStar", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/ops"]}, "Action": ["*:*"]})
	vs := lp.violations with input as h.doc([key([not_action, star_star])])
	h.messages(vs, "TG-LP-003") == {
		"aws_kms_key.trail policy allows every action except kms:ScheduleKeyDeletion to AWS principal arn:aws:iam::111122223333:role/ops (statement Root); grant specific actions or add it to admin_principals",
		"aws_kms_key.trail policy allows *:* to AWS principal arn:aws:iam::111122223333:role/ops (statement StarStar); grant specific actions or add it to admin_principals",
	}
}

test_lp_003_passes_narrower_wildcards if {
	reader := object.union(root_admin, {"Principal": {"AWS": ["arn:aws:iam::111122223333:role/ops"]}, "Action": ["s3:Get*", "kms:Describe*"]})
	vs := lp.violations with input as h.doc([key([reader])])
	count(h.flagged(vs, "TG-LP-003")) == 0
}

# Class 7: IAM wildcard semantics for KMS actions.

test_lp_004_passes_actions_within_the_allowed_patterns if {
	exact := object.union(generate, {"Action": ["kms:GenerateDataKey", "KMS:GenerateDataKeyWithoutPlaintext", "kms:describekey"]})
	vs := lp.violations with input as h.doc([key([exact])])
	count(h.flagged(vs, "TG-LP-004")) == 0
}

test_lp_004_fails_broader_wildcards if {
	broad := object.union(generate, {"Action": ["kms:Generate*"]})
	vs := lp.violations with input as h.doc([key([broad])])
	some m in h.messages(vs, "TG-LP-004")
	contains(m, "allows CloudTrail kms:Generate* (statement CloudTrailEncrypt)")
}

test_lp_004_requires_the_context_for_exact_generate_data_key if {
	exact := object.union(object.remove(generate, ["Condition"]), {"Action": ["kms:GenerateDataKey"], "Condition": source_arn})
	vs := lp.violations with input as h.doc([key([exact])])
	some m in h.messages(vs, "TG-LP-004")
	contains(m, "kms:GenerateDataKey (statement CloudTrailEncrypt) without a kms:EncryptionContext:aws:cloudtrail:arn condition")
}

test_lp_004_fails_wildcard_encryption_context if {
	loose := object.union(generate, {"Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["*"]}, "StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"]}}})
	vs := lp.violations with input as h.doc([key([loose])])
	h.flagged(vs, "TG-LP-004") == {"aws_kms_key.trail"}
}

test_lp_004_fails_not_action if {
	st := object.union(object.remove(describe, ["Action"]), {"NotAction": ["kms:ScheduleKeyDeletion"]})
	vs := lp.violations with input as h.doc([key([st])])
	some m in h.messages(vs, "TG-LP-004")
	contains(m, "every action except kms:ScheduleKeyDeletion")
}

# As AWS's CloudTrail guide gives it: no aws:SourceArn / aws:SourceAccount, which Lake key policies do not support.
lake_statement := {"Sid": "Lake", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": ["*"]}

lake_store := h.res("aws_cloudtrail_event_data_store", "lake", {"kms_key_id": "${aws_kms_key.trail.arn}"}, {"kms_key_id": ["aws_kms_key.trail"]})

test_lp_004_lets_a_lake_key_decrypt if {
	vs := lp.violations with input as h.doc([key([lake_statement]), lake_store])
	count(h.flagged(vs, "TG-LP-004")) == 0
}

test_lp_004_keeps_trail_keys_from_decrypting if {
	vs := lp.violations with input as h.doc([key([lake_statement]), lake_store, trail_using_key])
	some m in h.messages(vs, "TG-LP-004")
	contains(m, "allows CloudTrail kms:Decrypt (statement Lake)")
}

trail_using_key := h.res("aws_cloudtrail", "org", {"kms_key_id": "${aws_kms_key.trail.arn}"}, {"kms_key_id": ["aws_kms_key.trail"]})

test_lp_002_does_not_demand_source_conditions_on_a_lake_only_key if {
	vs := lp.violations with input as h.doc([key([lake_statement]), lake_store])
	count(h.flagged(vs, "TG-LP-002")) == 0
}

test_lp_002_reads_a_separate_key_policy_of_a_lake_only_key if {
	policy := h.res_with_policies("aws_kms_key_policy", "lake", {"key_id": "${aws_kms_key.trail.id}", "policy": "{}"}, {"key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": [lake_statement]}})
	vs := lp.violations with input as h.doc([key([]), policy, lake_store])
	count(h.flagged(vs, "TG-LP-002")) == 0
	conditioned := h.res_with_policies("aws_kms_key_policy", "lake", {"key_id": "${aws_kms_key.trail.id}", "policy": "{}"}, {"key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": [object.union(lake_statement, {"Condition": source_arn})]}})
	broken := lp.violations with input as h.doc([key([]), conditioned, lake_store])
	h.flagged(broken, "TG-LP-002") == {"aws_kms_key_policy.lake"}
}

test_lp_002_fails_an_unsupported_source_condition_on_a_lake_only_key if {
	conditioned := object.union(lake_statement, {"Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333"]}}})
	vs := lp.violations with input as h.doc([key([conditioned]), lake_store])
	h.messages(vs, "TG-LP-002") == {"aws_kms_key.trail policy conditions CloudTrail's grant (statement Lake) on aws:sourceaccount, which AWS does not support in the key policy of a CloudTrail Lake event data store: the store cannot use the key; remove the condition (the key must stay dedicated to Lake)"}
}

test_lp_002_still_demands_source_conditions_on_a_trail_key if {
	trail_key := lp.violations with input as h.doc([key([lake_statement]), trail_using_key])
	h.flagged(trail_key, "TG-LP-002") == {"aws_kms_key.trail"}
	unused_key := lp.violations with input as h.doc([key([lake_statement])])
	h.flagged(unused_key, "TG-LP-002") == {"aws_kms_key.trail"}
}

test_lp_002_tells_a_shared_trail_and_lake_key_to_split if {
	vs := lp.violations with input as h.doc([key([lake_statement]), lake_store, trail_using_key])
	some m in h.messages(vs, "TG-LP-002")
	contains(m, "also encrypts a CloudTrail Lake event data store, where AWS does not support these conditions: give the store its own key")
}

# A lake-only key is still held to the Lake actions (no service-wide grant to CloudTrail).
test_lp_004_still_limits_a_lake_only_key_to_the_lake_actions if {
	everything := object.union(lake_statement, {"Action": ["kms:*"]})
	vs := lp.violations with input as h.doc([key([everything]), lake_store])
	h.flagged(vs, "TG-LP-004") == {"aws_kms_key.trail"}
}

# Class 6: managed and inline_policy documents of the trail role are read.

managed(statement) := h.res_with_policies("aws_iam_policy", "cw", {"policy": "{}"}, {"policy": ["aws_cloudwatch_log_group.trail"]}, {"policy": {"Statement": [statement]}})

test_lp_005_reads_attached_customer_managed_policies if {
	cases := [
		[cw_role, h.res("aws_iam_role_policy_attachment", "cw", {"role": "${aws_iam_role.cw.name}", "policy_arn": "${aws_iam_policy.cw.arn}"}, {"role": ["aws_iam_role.cw"], "policy_arn": ["aws_iam_policy.cw"]})],
		[cw_role, h.res("aws_iam_policy_attachment", "cw", {"roles": ["cw"], "policy_arn": "${aws_iam_policy.cw.arn}"}, {"policy_arn": ["aws_iam_policy.cw"]})],
		[cw_role, h.res("aws_iam_role_policy_attachments_exclusive", "cw", {"role_name": "cw", "policy_arns": ["${aws_iam_policy.cw.arn}"]}, {"policy_arns": ["aws_iam_policy.cw"]})],
		[object.union(cw_role, {"values": {"name": "cw", "managed_policy_arns": ["${aws_iam_policy.cw.arn}"]}, "refs": {"managed_policy_arns": ["aws_iam_policy.cw"]}}), log_group],
	]
	every c in cases {
		scoped := lp.violations with input as h.doc([trail, log_group, c[0], c[1], managed(delivery)])
		count(h.flagged(scoped, "TG-LP-005")) == 0
		broad := lp.violations with input as h.doc([trail, c[0], c[1], managed(object.union(delivery, {"Resource": ["*"]}))])
		h.flagged(broad, "TG-LP-005") == {"aws_iam_policy.cw"}
	}
}

test_lp_005_reads_inline_policy_blocks if {
	doc := json.marshal({"Statement": {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}})
	role := object.union(cw_role, {"values": {"name": "cw", "inline_policy": [{"name": "all-logs", "policy": doc}]}})
	vs := lp.violations with input as h.doc([trail, log_group, role])
	h.messages(vs, "TG-LP-005") == {
		"aws_iam_role.cw (trail role aws_iam_role.cw) allows logs:*; allow only logs:CreateLogStream and logs:PutLogEvents",
		"aws_iam_role.cw (trail role aws_iam_role.cw) allows Resource *, which is not the trail's log group; scope it to the log group ARN",
	}
}

test_lp_005_finds_the_role_by_a_literal_arn if {
	literal_role_trail := h.res("aws_cloudtrail", "org", {"cloud_watch_logs_role_arn": "arn:aws:iam::111122223333:role/service/cw"}, {"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]})
	by_name := object.union(role_policy(object.union(delivery, {"Action": ["logs:*"]})), {"refs": {}, "values": {"role": "cw", "policy": "{}"}})
	vs := lp.violations with input as h.doc([literal_role_trail, log_group, cw_role, by_name])
	h.flagged(vs, "TG-LP-005") == {"aws_iam_role_policy.cw"}
}

test_lp_008_fails_unreadable_inline_policy if {
	role := object.union(cw_role, {"values": {"name": "cw", "inline_policy": [{"name": "x", "policy": "${data.aws_iam_policy_document.x.json}"}]}})
	vs := lp.violations with input as h.doc([role])
	h.messages(vs, "TG-LP-008") == {"aws_iam_role.cw inline_policy x is not a statically readable policy document (${data.aws_iam_policy_document.x.json}); write it as literal JSON so it can be checked"}
}

# TG-LP-009

trusted_provider := object.union(h.provider, {"allowed_account_ids": ["111122223333"]})

trusted_doc(list) := object.union(h.doc(list), {"providers": [trusted_provider]})

log_trail := h.res("aws_cloudtrail", "org", {"s3_bucket_name": "${aws_s3_bucket.logs.id}", "kms_key_id": "${aws_kms_key.trail.arn}"}, {"s3_bucket_name": ["aws_s3_bucket.logs"], "kms_key_id": ["aws_kms_key.trail"]})

logs_bucket := h.res("aws_s3_bucket", "logs", {"bucket": "org-logs"}, {})

test_lp_009_passes_trusted_principals_and_conditions if {
	statements := [
		root_admin,
		object.union(cloudtrail_write, {"Condition": source_arn}),
		object.union(public_read, {"Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}}),
		object.union(public_read, {"Sid": "Delegated", "Condition": {"StringEquals": {"s3:DataAccessPointAccount": ["111122223333"]}}}),
		object.union(public_read, {"Sid": "Reader", "Principal": {"AWS": ["${aws_iam_role.reader.arn}", "111122223333"]}}),
	]
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, bucket_policy(statements), key([root_admin, generate, describe])])
		with data.trailgate.config.organization_id as "o-abc123"
	count(h.flagged(vs, "TG-LP-009")) == 0
}

test_lp_009_fails_other_accounts_and_conditions_naming_them if {
	outsider := object.union(public_read, {"Sid": "Outsider", "Principal": {"AWS": ["arn:aws:iam::999999999999:role/x"]}})
	other_org := object.union(public_read, {"Sid": "OtherOrg", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-other"]}}})
	foreign_trail := object.union(cloudtrail_write, {"Sid": "ForeignTrail", "Condition": {"StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:999999999999:trail/x"]}}})
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, bucket_policy([outsider, other_org, foreign_trail])])
		with data.trailgate.config.organization_id as "o-abc123"
	h.messages(vs, "TG-LP-009") == {
		"aws_s3_bucket_policy.logs allows s3:GetObject to AWS principal arn:aws:iam::999999999999:role/x (statement Outsider), outside the trusted accounts [111122223333], organisation o-abc123; limit it to trusted principals (or add the account to trusted_accounts)",
		"aws_s3_bucket_policy.logs allows s3:GetObject to AWS principal * (statement OtherOrg), outside the trusted accounts [111122223333], organisation o-abc123; limit it to trusted principals (or add the account to trusted_accounts)",
		"aws_s3_bucket_policy.logs allows s3:PutObject to Service principal cloudtrail.amazonaws.com (statement ForeignTrail), outside the trusted accounts [111122223333], organisation o-abc123; limit it to trusted principals (or add the account to trusted_accounts)",
	}
}

test_lp_009_reads_key_policies_of_log_keys_only if {
	decrypt := object.union(root_admin, {"Sid": "Decrypt", "Principal": {"AWS": ["arn:aws:iam::999999999999:root"]}, "Action": ["kms:Decrypt"]})
	other_key := object.union(key([decrypt]), {"address": "aws_kms_key.other", "name": "other"})
	on_log_key := lp.violations with input as trusted_doc([log_trail, logs_bucket, key([decrypt])])
	h.flagged(on_log_key, "TG-LP-009") == {"aws_kms_key.trail"}
	on_other_key := lp.violations with input as trusted_doc([log_trail, logs_bucket, other_key])
	count(h.flagged(on_other_key, "TG-LP-009")) == 0
}

test_lp_009_reads_trusted_accounts_from_policy_data if {
	outsider := object.union(public_read, {"Sid": "Partner", "Principal": {"AWS": ["arn:aws:iam::999999999999:role/siem"]}})
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, bucket_policy([outsider])])
		with data.trailgate.config.trusted_accounts as ["999999999999"]
	count(h.flagged(vs, "TG-LP-009")) == 0
}

test_lp_009_reads_inline_bucket_policies_and_grants if {
	outsider := object.union(public_read, {"Sid": "Outsider", "Principal": {"AWS": ["999999999999"]}})
	inline := h.res_with_policies("aws_s3_bucket", "logs", {"bucket": "org-logs"}, {}, {"policy": {"Statement": [outsider]}})
	grant := h.res("aws_kms_grant", "x", {"key_id": "${aws_kms_key.trail.key_id}", "grantee_principal": "arn:aws:iam::999999999999:role/x"}, {"key_id": ["aws_kms_key.trail"]})
	vs := lp.violations with input as trusted_doc([log_trail, inline, key([root_admin]), grant])
	h.flagged(vs, "TG-LP-009") == {"aws_s3_bucket.logs", "aws_kms_grant.x"}
}

test_lp_009_is_silent_without_trusted_accounts if {
	outsider := object.union(public_read, {"Principal": {"AWS": ["arn:aws:iam::999999999999:role/x"]}})
	vs := lp.violations with input as h.doc([log_trail, logs_bucket, bucket_policy([outsider])])
	count(h.flagged(vs, "TG-LP-009")) == 0
	judged := lp.judged_statements with input as h.doc([log_trail, logs_bucket, bucket_policy([outsider])])
	count(judged) == 1
}

test_lp_009_leaves_open_statements_to_lp_001 if {
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, bucket_policy([public_read])])
	h.flagged(vs, "TG-LP-001") == {"aws_s3_bucket_policy.logs"}
	count(h.flagged(vs, "TG-LP-009")) == 0
}

test_lp_009_encryption_context_trusts_services_not_outside_roles if {
	context := {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"]}}
	outside_reader := {"Sid": "OutsideReader", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999999999999:role/x"]}, "Action": ["kms:Decrypt"], "Resource": ["*"], "Condition": context}
	service := {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": ["logs.eu-west-2.amazonaws.com"]}, "Action": ["kms:Decrypt"], "Resource": ["*"], "Condition": context}
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, key([outside_reader, service])])
	some m in h.messages(vs, "TG-LP-009")
	contains(m, "(statement OutsideReader)")
	count(h.messages(vs, "TG-LP-009")) == 1
}

test_lp_009_reads_acls_of_log_buckets if {
	canned := h.res("aws_s3_bucket_acl", "logs", {"acl": "public-read"}, {"bucket": ["aws_s3_bucket.logs"]})
	foreign := h.res(
		"aws_s3_bucket_acl", "logs", {"access_control_policy": [{
			"owner": [{"id": "owner-canonical-id"}],
			"grant": [
				{"permission": "FULL_CONTROL", "grantee": [{"type": "CanonicalUser", "id": "owner-canonical-id"}]},
				{"permission": "READ", "grantee": [{"type": "CanonicalUser", "id": "other-canonical-id"}]},
			],
		}]},
		{"bucket": ["aws_s3_bucket.logs"]},
	)
	inline := h.res("aws_s3_bucket", "logs", {"bucket": "org-logs", "acl": "authenticated-read"}, {})
	every resources in [[logs_bucket, canned], [logs_bucket, foreign], [inline]] {
		vs := lp.violations with input as trusted_doc(array.concat([log_trail], resources))
		count(h.flagged(vs, "TG-LP-009")) == 1
	}
}

test_lp_009_ignores_acls_when_the_bucket_disables_them if {
	canned := h.res("aws_s3_bucket_acl", "logs", {"acl": "public-read"}, {"bucket": ["aws_s3_bucket.logs"]})
	enforced := h.res("aws_s3_bucket_ownership_controls", "logs", {"rule": [{"object_ownership": "BucketOwnerEnforced"}]}, {"bucket": ["aws_s3_bucket.logs"]})
	vs := lp.violations with input as trusted_doc([log_trail, logs_bucket, canned, enforced])
	count(h.flagged(vs, "TG-LP-009")) == 0
	private := h.res("aws_s3_bucket_acl", "logs", {"acl": "private"}, {"bucket": ["aws_s3_bucket.logs"]})
	ok := lp.violations with input as trusted_doc([log_trail, logs_bucket, private])
	count(h.flagged(ok, "TG-LP-009")) == 0
}
