package trailgate.access_test

import data.trailgate.access
import data.trailgate.main
import data.trailgate.main_test as m
import data.trailgate.test_helpers as h

# The compliant estate of main_test with one resource replaced (same type and name).
with_resource(doc, r) := object.union(doc, {"resources": object.union(doc.resources, {r.type: array.concat(
	[x | some x in doc.resources[r.type]; x.address != r.address],
	[r],
)})})

with_policy(type, name, values, refs, statements) := with_resource(m.compliant, h.res_with_policies(type, name, object.union({"policy": "{}"}, values), refs, {"policy": {"Statement": statements}}))

bucket_refs := {"bucket": ["aws_s3_bucket.trail_logs"]}

trail_bucket_with(statements) := with_policy("aws_s3_bucket_policy", "trail_logs", {}, bucket_refs, array.concat([m.deny_insecure("trail_logs")], statements))

ids(doc) := {v.id | some v in vs} if {
	vs := main.violations with input as doc
}

messages(doc, id) := h.messages(vs, id) if {
	vs := main.violations with input as doc
}

test_compliant_estate_answers_every_question_as_needed if {
	questions := access.questions with input as m.compliant
	failed := access.failed with input as m.compliant
	unanswerable := access.unanswerable with input as m.compliant
	count(questions) > 10
	count(failed) == 0
	count(unanswerable) == 0
}

# TG-LP-010: the write grant reads fine, but names another trail: CloudTrail delivers nothing.
test_lp_010_fails_when_the_write_grant_names_another_trail if {
	other_trail := "arn:aws:cloudtrail:eu-west-2:111122223333:trail/other"
	write := object.union(m.cloudtrail_bucket_statements[1], {"Condition": {"StringEquals": {"aws:SourceArn": [other_trail]}}})
	doc := trail_bucket_with([m.cloudtrail_bucket_statements[0], write, m.cloudtrail_bucket_statements[2]])
	messages(doc, "TG-LP-010") == {"may CloudTrail (for trail aws_cloudtrail.org) call s3:PutObject with bucket-owner-full-control on aws_s3_bucket.trail_logs/AWSLogs/111122223333/*?: no statement allows it; the control cannot work until a statement allows it"}
}

test_lp_010_fails_when_a_deny_stops_delivery if {
	deny_puts := {"Sid": "NoWrites", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:PutObject"], "Resource": ["${aws_s3_bucket.trail_logs.arn}/*"]}
	doc := trail_bucket_with(array.concat(m.cloudtrail_bucket_statements, [deny_puts]))
	messages(doc, "TG-LP-010") == {"may CloudTrail (for trail aws_cloudtrail.org) call s3:PutObject with bucket-owner-full-control on aws_s3_bucket.trail_logs/AWSLogs/111122223333/*?: explicitly denied by aws_s3_bucket_policy.trail_logs statement NoWrites; the control cannot work until a statement allows it"}
}

# The organisation trail also writes under AWSLogs/<organisation id>/ once the organisation is known.
test_lp_010_asks_for_the_organisation_path if {
	write := object.union(m.cloudtrail_bucket_statements[1], {"Resource": ["${aws_s3_bucket.trail_logs.arn}/AWSLogs/111122223333/*"]})
	doc := trail_bucket_with([m.cloudtrail_bucket_statements[0], write, m.cloudtrail_bucket_statements[2]])
	count(messages(doc, "TG-LP-010")) == 0
	vs := main.violations with input as doc with data.trailgate.config.organization_id as "o-a1b2c3d4e5"
	msgs := h.messages(vs, "TG-LP-010")
	msgs == {"may CloudTrail (for trail aws_cloudtrail.org) call s3:PutObject with bucket-owner-full-control on aws_s3_bucket.trail_logs/AWSLogs/o-a1b2c3d4e5/*?: no statement allows it; the control cannot work until a statement allows it"}
}

test_lp_010_unknown_source_is_cannot_verify if {
	write := object.union(m.cloudtrail_bucket_statements[1], {"Condition": {"StringEquals": {"aws:SourceArn": ["${var.trail_arn}"]}}})
	doc := trail_bucket_with([m.cloudtrail_bucket_statements[0], write, m.cloudtrail_bucket_statements[2]])
	not "TG-LP-010" in ids(doc)
	"TG-VER-004" in ids(doc)
}

key_without(sid) := [st | some st in m.key_statements; st.Sid != sid]

key_with(statements) := with_policy("aws_kms_key", "trail", {"enable_key_rotation": true}, {}, statements)

# TG-LP-011: the encryption context can never be this trail's.
test_lp_011_fails_when_the_encryption_context_never_matches if {
	encrypt := object.union(m.key_statements[1], {"Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:*:444455556666:trail/*"]}}})
	doc := key_with(array.concat(key_without("CloudTrailEncrypt"), [encrypt]))
	messages(doc, "TG-LP-011") == {"may CloudTrail (for trail aws_cloudtrail.org) call kms:GenerateDataKey on key aws_kms_key.trail?: no statement allows it; the control cannot work until a statement allows it"}
}

# TG-LP-012: the role trusts another trail; the group's key names another service.
test_lp_012_fails_when_the_role_trusts_another_trail if {
	trust := {"Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["sts:AssumeRole"], "Condition": {"StringEquals": {"aws:SourceArn": ["arn:aws:cloudtrail:eu-west-2:111122223333:trail/other"]}}}
	role := object.union(h.res_with_policies("aws_iam_role", "cloudtrail_cw", {"name": "cloudtrail-cw", "assume_role_policy": "{}"}, {}, {"assume_role_policy": {"Statement": [trust]}}), {"region": null})
	vs := main.violations with input as with_resource(m.compliant, role)
	h.flagged(vs, "TG-LP-012") == {"aws_iam_role.cloudtrail_cw"}
}

test_lp_012_fails_when_the_role_may_write_elsewhere if {
	policy := {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["arn:aws:logs:eu-west-2:111122223333:log-group:/other:*"]}
	doc := with_resource(m.compliant, object.union(h.res_with_policies("aws_iam_role_policy", "cloudtrail_cw", {"policy": "{}"}, {"role": ["aws_iam_role.cloudtrail_cw"]}, {"policy": {"Statement": [policy]}}), {"region": null}))
	"TG-LP-012" in ids(doc)
}

test_lp_012_fails_when_logs_may_not_use_the_group_key if {
	logs := object.union(m.key_statements[4], {"Principal": {"Service": ["logs.us-east-1.amazonaws.com"]}})
	doc := key_with(array.concat(key_without("Logs"), [logs]))
	messages(doc, "TG-LP-012") == {"may CloudWatch Logs call kms:Decrypt, kms:Encrypt, kms:GenerateDataKey on key aws_kms_key.trail for log group aws_cloudwatch_log_group.trail?: no statement allows it; the control cannot work until a statement allows it"}
}

# TG-LP-013: two policies for one bucket replace each other.
test_lp_013_fails_on_two_policies_for_one_bucket if {
	second := h.res_with_policies("aws_s3_bucket_policy", "second", {"policy": "{}"}, bucket_refs, {"policy": {"Statement": []}})
	doc := object.union(m.compliant, {"resources": object.union(m.compliant.resources, {"aws_s3_bucket_policy": array.concat(m.compliant.resources.aws_s3_bucket_policy, [second])})})
	messages(doc, "TG-LP-013") == {"aws_s3_bucket.trail_logs has 2 policies (aws_s3_bucket_policy.second, aws_s3_bucket_policy.trail_logs); each apply replaces the other, so which one is in force is not decided by the configuration: merge them into one"}
}

# The key's own policy parsed (so it is in `policies`, not `values`) beside a separate one.
test_lp_013_counts_a_parsed_key_policy_beside_a_separate_one if {
	key := h.res_with_policies("aws_kms_key", "trail", {"enable_key_rotation": true}, {}, {"policy": {"Statement": m.key_statements}})
	separate := h.res_with_policies("aws_kms_key_policy", "trail", {}, {"key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": m.key_statements}})
	doc := object.union(with_resource(m.compliant, key), {"resources": {"aws_kms_key_policy": [separate]}})
	vs := main.violations with input as doc
	h.flagged(vs, "TG-LP-013") == {"aws_kms_key.trail"}
}

# A policy that allows one of the requests without TLS and lacks the deny: one finding, every answer in it.
test_enc_006_lists_every_failing_answer_of_a_bucket if {
	allow_get := {"Sid": "RootReads", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["s3:GetObject"], "Resource": ["${aws_s3_bucket.trail_logs.arn}/*"]}
	doc := with_policy("aws_s3_bucket_policy", "trail_logs", {}, bucket_refs, [m.cloudtrail_bucket_statements[0], m.cloudtrail_bucket_statements[1], allow_get])
	msgs := messages(doc, "TG-ENC-006")
	count(msgs) == 1
	some msg in msgs
	contains(msg, "is s3:GetObject without TLS (aws:SecureTransport false) denied on bucket aws_s3_bucket.trail_logs?: allowed by aws_s3_bucket_policy.trail_logs statement RootReads")
	contains(msg, "is s3:DeleteObject, s3:ListBucket, s3:PutBucketPolicy, s3:PutObject without TLS")
}

test_lp_013_counts_a_key_policy_beside_the_key_own if {
	separate := h.res_with_policies("aws_kms_key_policy", "trail", {"policy": "{}"}, {"key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": m.key_statements}})
	doc := object.union(m.compliant, {"resources": object.union(m.compliant.resources, {"aws_kms_key_policy": [separate]})})
	vs := main.violations with input as doc
	h.flagged(vs, "TG-LP-013") == {"aws_kms_key.trail"}
}

# TG-LP-014: the topic's own policy leaves the alarms out.
test_lp_014_fails_when_the_topic_policy_leaves_alarms_out if {
	owner_only := {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["sns:Publish"], "Resource": ["*"]}
	topic := with_policy("aws_sns_topic", "alerts", {"name": "audit-alerts", "kms_master_key_id": "${aws_kms_key.trail.id}"}, {"kms_master_key_id": ["aws_kms_key.trail"]}, [owner_only])
	msgs := messages(topic, "TG-LP-014")
	count(msgs) == 2
	some msg in msgs
	startswith(msg, "may cloudwatch.amazonaws.com (for aws_cloudwatch_metric_alarm.")
	endswith(msg, "call sns:Publish on topic aws_sns_topic.alerts?: no statement allows it; the control cannot work until a statement allows it")
}

test_lp_014_fails_when_the_topic_key_leaves_alarms_out if {
	doc := key_with(key_without("AlertPublishers"))
	vs := main.violations with input as doc
	h.flagged(vs, "TG-LP-014") == {"aws_kms_key.trail"}
}

# TG-LP-015: without trust configured TG-LP-009 cannot judge; the outsider question still can.
test_lp_015_finds_an_outside_account_without_trust_configuration if {
	outsider := {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999999999999:root"]}, "Action": ["kms:Decrypt"], "Resource": ["*"]}
	doc := object.union(key_with(array.concat(m.key_statements, [outsider])), {"providers": [h.provider]})
	messages(doc, "TG-LP-015") == {"may a role of another account call kms:Decrypt on log key aws_kms_key.trail?: allowed by aws_kms_key.trail statement Partner; limit that statement to trusted principals"}
}

# A statement TG-LP-001 reports is not reported again.
test_lp_015_does_not_repeat_an_open_statement if {
	open := {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:PutObject"], "Resource": ["${aws_s3_bucket.trail_logs.arn}/*"]}
	doc := trail_bucket_with(array.concat(m.cloudtrail_bucket_statements, [open]))
	"TG-LP-001" in ids(doc)
	not "TG-LP-015" in ids(doc)
	failed := access.failed with input as doc
	some q in failed
	q.rule == "TG-LP-015"
}

# TG-LP-016: the deny exempts every role of the account, so direct reads are allowed.
test_lp_016_fails_when_the_deny_exempts_the_whole_account if {
	loose := object.union(m.cloudtrail_bucket_statements[2], {"Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/*"]}}})
	doc := trail_bucket_with([m.cloudtrail_bucket_statements[0], m.cloudtrail_bucket_statements[1], loose])
	messages(doc, "TG-LP-016") == {"is a role of the bucket's own account (arn:aws:iam::111122223333:role/direct-reader, not a declared break-glass reader) denied s3:GetObject, s3:GetObjectVersion, s3:ListBucket on log bucket aws_s3_bucket.trail_logs when it does not come through an access point?: no statement denies it, so an identity policy of the account can allow it; add or fix the Deny statement so it covers this request"}
}

test_lp_016_accepts_a_declared_break_glass_exception if {
	glass := object.union(m.cloudtrail_bucket_statements[2], {"Condition": {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/BreakGlass"]}}})
	doc := trail_bucket_with([m.cloudtrail_bucket_statements[0], m.cloudtrail_bucket_statements[1], glass])
	not "TG-LP-016" in ids(doc)
}

# TG-LP-014 through a role: an EventBridge target with role_arn publishes as the role.
events_trust := {"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com"]}, "Action": ["sts:AssumeRole"], "Condition": {"StringEquals": {"aws:SourceAccount": [m.account]}}}

events_publish := {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": ["${aws_sns_topic.alerts.arn}"]}

events_key_use := {"Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": ["${aws_kms_key.trail.arn}"]}

# The compliant estate with its trail-tampering target publishing through a role.
through_role(trust, permissions) := doc if {
	role := object.union(h.res_with_policies("aws_iam_role", "events", {"name": "events-publisher", "assume_role_policy": "{}"}, {}, {"assume_role_policy": {"Statement": trust}}), {"region": null})
	inline := object.union(h.res_with_policies("aws_iam_role_policy", "events", {"policy": "{}"}, {"role": ["aws_iam_role.events"]}, {"policy": {"Statement": permissions}}), {"region": null})
	target := h.res("aws_cloudwatch_event_target", "trail_tampering", {"rule": "trail-tampering", "arn": "${aws_sns_topic.alerts.arn}", "role_arn": "${aws_iam_role.events.arn}"}, {"rule": ["aws_cloudwatch_event_rule.trail_tampering"], "arn": ["aws_sns_topic.alerts"], "role_arn": ["aws_iam_role.events"]})
	doc := with_resource(with_resource(with_resource(m.compliant, role), inline), target)
}

role_questions(doc) := {q.question: q.decision | some q in access.questions with input as doc; contains(q.question, "role aws_iam_role.events")}

test_lp_014_asks_the_role_of_an_eventbridge_target if {
	doc := through_role([events_trust], [events_publish, events_key_use])
	role_questions(doc) == {
		"may events.amazonaws.com (for rule aws_cloudwatch_event_rule.trail_tampering) assume role aws_iam_role.events?": "allow",
		"may role aws_iam_role.events (for rule aws_cloudwatch_event_rule.trail_tampering) call sns:Publish on topic aws_sns_topic.alerts?": "allow",
		"may role aws_iam_role.events (for rule aws_cloudwatch_event_rule.trail_tampering) call kms:Decrypt, kms:GenerateDataKey on key aws_kms_key.trail of topic aws_sns_topic.alerts?": "allow",
	}
	not "TG-LP-014" in ids(doc)
}

test_lp_014_fails_when_events_cannot_assume_the_role if {
	lambda_trust := object.union(events_trust, {"Principal": {"Service": ["lambda.amazonaws.com"]}})
	vs := main.violations with input as through_role([lambda_trust], [events_publish, events_key_use])
	h.flagged(vs, "TG-LP-014") == {"aws_iam_role.events"}
}

test_lp_014_fails_when_the_role_may_not_publish if {
	vs := main.violations with input as through_role([events_trust], [events_key_use])
	h.flagged(vs, "TG-LP-014") == {"aws_sns_topic.alerts"}
}

# The key policy allows the account (its root): the role's own policies must allow the key too.
test_lp_014_fails_when_the_role_may_not_use_the_topic_key if {
	vs := main.violations with input as through_role([events_trust], [events_publish])
	h.flagged(vs, "TG-LP-014") == {"aws_kms_key.trail"}
}

test_lp_014_a_key_policy_naming_the_role_is_enough if {
	named := {"Sid": "EventsRole", "Effect": "Allow", "Principal": {"AWS": ["${aws_iam_role.events.arn}"]}, "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": ["*"]}
	doc := with_resource(through_role([events_trust], [events_publish]), h.res_with_policies("aws_kms_key", "trail", {"enable_key_rotation": true, "policy": "{}"}, {}, {"policy": {"Statement": array.concat(m.key_statements, [named])}}))
	vs := main.violations with input as doc
	not "aws_kms_key.trail" in h.flagged(vs, "TG-LP-014")
}

test_lp_014_a_topic_policy_deny_stops_the_role if {
	deny := {"Sid": "NoRoles", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["sns:Publish"], "Resource": ["*"], "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/*"]}}}
	allow_services := {"Sid": "Services", "Effect": "Allow", "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}, "Action": ["sns:Publish"], "Resource": ["*"], "Condition": {"StringEquals": {"aws:SourceAccount": [m.account]}}}
	topic := h.res_with_policies("aws_sns_topic", "alerts", {"name": "audit-alerts", "kms_master_key_id": "${aws_kms_key.trail.id}", "policy": "{}"}, {"kms_master_key_id": ["aws_kms_key.trail"]}, {"policy": {"Statement": [allow_services, deny]}})
	doc := with_resource(through_role([events_trust], [events_publish, events_key_use]), topic)
	qs := role_questions(doc)
	qs["may role aws_iam_role.events (for rule aws_cloudwatch_event_rule.trail_tampering) call sns:Publish on topic aws_sns_topic.alerts?"] != "allow"
}
