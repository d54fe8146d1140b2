package trailgate.iam_test

import data.trailgate.iam

role := {"kind": "AWS", "arn": "arn:aws:iam::111122223333:role/reader", "account": "111122223333"}

cloudtrail := {"kind": "Service", "service": "cloudtrail.amazonaws.com"}

object_arn := ["arn:aws:s3:::logs/AWSLogs/111122223333/CloudTrail/eu-west-2/2026/01/01/x.json.gz"]

req(principal, action, resource, context) := {"principal": principal, "action": action, "resource": resource, "context": context}

stmts(list) := [{"resource": "p", "statement": st} | some st in list]

allow_all := {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"], "Resource": ["*"]}

decision(list, request) := iam.decide(stmts(list), request).decision

test_explicit_deny_wins_over_allow if {
	deny := {"Sid": "D", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::logs/*"]}
	d := iam.decide(stmts([allow_all, deny]), req(role, "s3:GetObject", object_arn, {}))
	d == {"decision": "deny", "deciding": [{"resource": "p", "sid": "D"}]}
}

test_nothing_applies_is_implicit_deny if {
	decision([], req(role, "s3:GetObject", object_arn, {})) == "none"
}

test_wildcards_span_slashes_dots_and_colons if {
	st := object.union(allow_all, {"Resource": ["arn:aws:s3:::logs/AWSLogs/*"]})
	decision([st], req(role, "s3:GetObject", object_arn, {})) == "allow"
	st2 := object.union(allow_all, {"Resource": ["arn:aws:s3:::logs/AWSLogs/111122223333/CloudTrail/eu-west-?/*"]})
	decision([st2], req(role, "s3:GetObject", object_arn, {})) == "allow"
	st3 := object.union(allow_all, {"Resource": ["arn:aws:s3:::other/*"]})
	decision([st3], req(role, "s3:GetObject", object_arn, {})) == "none"
}

test_actions_are_case_insensitive_and_not_action_inverts if {
	decision([object.union(allow_all, {"Action": ["S3:get*"]})], req(role, "s3:GetObject", object_arn, {})) == "allow"
	not_action := {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "NotAction": ["s3:Delete*"], "Resource": ["*"]}
	decision([not_action], req(role, "s3:GetObject", object_arn, {})) == "allow"
	decision([not_action], req(role, "s3:DeleteObject", object_arn, {})) == "none"
}

test_not_resource_and_not_principal if {
	st := {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/reader"]}, "Action": ["s3:*"], "NotResource": ["arn:aws:s3:::public/*"]}
	decision([st], req(role, "s3:GetObject", object_arn, {})) == "none"
	other := object.union(role, {"arn": "arn:aws:iam::111122223333:role/other"})
	decision([st], req(other, "s3:GetObject", object_arn, {})) == "deny"
	decision([st], req(other, "s3:GetObject", ["arn:aws:s3:::public/x"], {})) == "none"
}

allow_to(principal) := object.union(object.remove(allow_all, ["Principal"]), {"Principal": principal})

test_principals_by_account_root_and_service if {
	by_root := allow_to({"AWS": ["arn:aws:iam::111122223333:root"]})
	decision([by_root], req(role, "s3:GetObject", object_arn, {})) == "allow"
	by_id := allow_to({"AWS": ["444455556666"]})
	decision([by_id], req(role, "s3:GetObject", object_arn, {})) == "none"
	by_service := allow_to({"Service": ["cloudtrail.amazonaws.com"]})
	decision([by_service], req(cloudtrail, "s3:GetObject", object_arn, {})) == "allow"
	decision([by_service], req(role, "s3:GetObject", object_arn, {})) == "none"
	decision([allow_all], req({"kind": "Anonymous"}, "s3:GetObject", object_arn, {})) == "allow"
}

cond(c) := object.union(allow_all, {"Condition": c})

test_missing_keys_follow_aws if {
	r := req(role, "s3:GetObject", object_arn, {})
	decision([cond({"StringEquals": {"aws:SourceArn": ["x"]}})], r) == "none"
	decision([cond({"StringNotEquals": {"aws:SourceArn": ["x"]}})], r) == "allow"
	decision([cond({"StringEqualsIfExists": {"aws:SourceArn": ["x"]}})], r) == "allow"
	decision([cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["x"]}})], r) == "allow"
	decision([cond({"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}})], r) == "none"
	decision([cond({"Null": {"s3:DataAccessPointArn": ["true"]}})], r) == "allow"
	decision([cond({"Null": {"s3:DataAccessPointArn": ["false"]}})], r) == "none"
}

test_condition_keys_are_case_insensitive_and_blocks_are_conjunctions if {
	c := {"StringEquals": {"AWS:SourceAccount": ["111122223333"]}, "Bool": {"aws:SecureTransport": ["true"]}}
	decision([cond(c)], req(cloudtrail, "s3:GetObject", object_arn, {"aws:sourceaccount": ["111122223333"], "aws:securetransport": ["true"]})) == "allow"
	decision([cond(c)], req(cloudtrail, "s3:GetObject", object_arn, {"aws:sourceaccount": ["111122223333"], "aws:securetransport": ["false"]})) == "none"
}

test_set_operators_over_multivalued_keys if {
	tags := {"aws:tagkeys": ["team", "cost"]}
	decision([cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost", "env"]}})], req(role, "s3:GetObject", object_arn, tags)) == "allow"
	decision([cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})], req(role, "s3:GetObject", object_arn, tags)) == "none"
	decision([cond({"ForAnyValue:StringLike": {"aws:TagKeys": ["co*"]}})], req(role, "s3:GetObject", object_arn, tags)) == "allow"
}

test_ip_arn_numeric_date_and_bool_operators if {
	ip := {"aws:sourceip": ["10.1.2.3"]}
	decision([cond({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}})], req(role, "s3:GetObject", object_arn, ip)) == "allow"
	decision([cond({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.1"]}})], req(role, "s3:GetObject", object_arn, ip)) == "none"
	arn := {"aws:sourcearn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org"]}
	decision([cond({"ArnLike": {"aws:SourceArn": ["arn:aws:cloudtrail:*:111122223333:trail/*"]}})], req(cloudtrail, "s3:GetObject", object_arn, arn)) == "allow"
	decision([cond({"ArnEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:*:444455556666:trail/*"]}})], req(cloudtrail, "s3:GetObject", object_arn, arn)) == "none"
	decision([cond({"ArnNotLike": {"aws:SourceArn": ["arn:aws:cloudtrail:*:444455556666:*"]}})], req(cloudtrail, "s3:GetObject", object_arn, arn)) == "allow"
	age := {"aws:multifactorauthage": ["120"]}
	decision([cond({"NumericLessThan": {"aws:MultiFactorAuthAge": ["300"]}})], req(role, "s3:GetObject", object_arn, age)) == "allow"
	decision([cond({"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": [300]}})], req(role, "s3:GetObject", object_arn, age)) == "none"
	now := {"aws:currenttime": ["2026-12-07T10:00:00Z"]}
	decision([cond({"DateLessThan": {"aws:CurrentTime": ["2027-01-01T00:00:00Z"]}})], req(role, "s3:GetObject", object_arn, now)) == "allow"
	decision([cond({"Bool": {"aws:SecureTransport": [false]}})], req(role, "s3:GetObject", object_arn, {"aws:securetransport": ["false"]})) == "allow"
	decision([cond({"StringEqualsIgnoreCase": {"s3:x-amz-acl": ["BUCKET-OWNER-FULL-CONTROL"]}})], req(role, "s3:PutObject", object_arn, {"s3:x-amz-acl": ["bucket-owner-full-control"]})) == "allow"
}

# A value known only after apply decides nothing, unless it names another resource.
test_unknown_values_make_the_answer_unknown if {
	r := req(cloudtrail, "s3:GetObject", object_arn, {"aws:sourcearn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/org", "${aws_cloudtrail.org.arn}"]})
	decision([cond({"StringEquals": {"aws:SourceArn": ["${var.trail_arn}"]}})], r) == "unknown"
	decision([cond({"StringEquals": {"aws:SourceArn": ["${aws_cloudtrail.org.arn}"]}})], r) == "allow"
	decision([cond({"StringEquals": {"aws:SourceArn": ["${aws_cloudtrail.other.arn}"]}})], r) == "none"
}

test_an_unknown_deny_leaves_even_an_allow_unknown if {
	deny := {"Sid": "D", "Effect": "Deny", "Principal": {"AWS": ["${var.who}"]}, "Action": ["s3:*"], "Resource": ["*"]}
	d := iam.decide(stmts([allow_all, deny]), req(role, "s3:GetObject", object_arn, {}))
	d == {"decision": "unknown", "deciding": [{"resource": "p", "sid": "D"}]}
}

test_resource_spellings if {
	spellings := ["arn:aws:s3:::logs/x", "${aws_s3_bucket.logs.arn}/x"]
	decision([object.union(allow_all, {"Resource": ["${aws_s3_bucket.logs.arn}/*"]})], req(role, "s3:GetObject", spellings, {})) == "allow"
	decision([object.union(allow_all, {"Resource": ["${aws_s3_bucket.other.arn}/*"]})], req(role, "s3:GetObject", spellings, {})) == "none"
	decision([object.union(allow_all, {"Resource": ["${data.aws_s3_bucket.b.arn}/*"]})], req(role, "s3:GetObject", spellings, {})) == "unknown"
}

decided(d) := {"decision": d, "deciding": []}

test_access_across_accounts if {
	# Another account's principal needs both the resource policy's and its own policy's allow.
	iam.access(decided("allow"), decided("allow"), false).decision == "allow"
	iam.access(decided("none"), decided("allow"), false).decision == "none"
	iam.access(decided("allow"), decided("none"), false).decision == "none"

	# In the resource's own account either allow is enough; a deny anywhere wins.
	iam.access(decided("none"), decided("allow"), true).decision == "allow"
	iam.access(decided("allow"), decided("none"), true).decision == "allow"
	iam.access(decided("allow"), decided("deny"), true).decision == "deny"
	iam.access(decided("none"), decided("allow"), "unknown").decision == "unknown"
}

test_operators_iam_does_not_document_are_unknown if {
	decision([cond({"StringSometimes": {"aws:SourceArn": ["x"]}})], req(role, "s3:GetObject", object_arn, {"aws:sourcearn": ["x"]})) == "unknown"
}

test_same_unknowns_compare_by_the_rest if {
	spellings := ["${aws_s3_bucket.logs.arn}/AWSLogs/o-1/x"]
	decision([object.union(allow_all, {"Resource": ["${aws_s3_bucket.logs.arn}/AWSLogs/111122223333/*"]})], req(role, "s3:GetObject", spellings, {})) == "none"
	decision([object.union(allow_all, {"Resource": ["arn:aws:s3:::logs/AWSLogs/*"]})], req(role, "s3:GetObject", spellings, {})) == "unknown"
}

# One "?" and no "*": not a prefix-suffix pattern, glob decides.
test_a_single_question_mark_matches_one_character if {
	decision([object.union(allow_all, {"Action": ["s3:?etObject"]})], req(role, "s3:GetObject", object_arn, {})) == "allow"
	decision([object.union(allow_all, {"Action": ["s3:?Object"]})], req(role, "s3:GetObject", object_arn, {})) == "none"
}

# A folder keeps a counted resource as one address without an instance key; a policy
# naming `aws_cloudwatch_log_group.g[0]` names that resource, not another one.
test_instance_key_names_the_unexpanded_resource if {
	spellings := ["${module.m.aws_cloudwatch_log_group.g.arn}:*"]
	pattern := "arn:aws:logs:eu-west-2:${var.account}:log-group:${aws_cloudwatch_log_group.g[0].name}:log-stream:*"
	decision([object.union(allow_all, {"Action": ["logs:PutLogEvents"], "Resource": [pattern]})], req(role, "logs:PutLogEvents", spellings, {})) == "unknown"
	other := "arn:aws:logs:eu-west-2:${var.account}:log-group:${aws_cloudwatch_log_group.other[0].name}:log-stream:*"
	decision([object.union(allow_all, {"Action": ["logs:PutLogEvents"], "Resource": [other]})], req(role, "logs:PutLogEvents", spellings, {})) == "none"
}

# Two instances of one resource are two resources.
test_different_instance_keys_name_different_resources if {
	spellings := ["${aws_cloudwatch_log_group.g[0].arn}:*"]
	pattern := "${aws_cloudwatch_log_group.g[1].arn}:*"
	decision([object.union(allow_all, {"Action": ["logs:PutLogEvents"], "Resource": [pattern]})], req(role, "logs:PutLogEvents", spellings, {})) == "none"
}
