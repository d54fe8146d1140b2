# METADATA
# title: Effective access
# description: |
#   Rules that ask the IAM evaluator (trailgate.iam) what the estate's policies
#   do, not how they read: can CloudTrail deliver, can CloudWatch Logs and the
#   alarms use their keys and topics, can anyone outside the trusted accounts
#   reach the logs, do reads go only through the VPC-only access points. Each
#   question is a request {principal, action, resource, context} built from the
#   configuration (INPUT.md "Access questions"); each finding names the question
#   and the statements that decided it.
package trailgate.access

import data.trailgate.iam
import data.trailgate.least_privilege
import data.trailgate.lib

# --- what the configuration says about accounts and names ---

provider_by_address := {p.address: p | some p in input.providers}

# A live document (trailgate verify) addresses every resource by its ARN.
live if input.format == "live"

# METADATA
# title: account_of
# description: The account a resource is deployed into, when its provider pins exactly one (allowed_account_ids).
account_of(r) := ids[0] if {
	ids := [a | some a in object.get(provider_by_address[r.provider], "allowed_account_ids", []); not lib.unknown(a)]
	count(ids) == 1
}

# A trail's account, when its provider pins none, from the literal ARNs of its log
# group and role: CloudTrail takes them only from the trail's own account.
account_of(r) := accounts[0] if {
	r.type == "aws_cloudtrail"
	not provider_account(r)
	accounts := [a | some a in {lib.arn_account(v) |
		some arg in ["cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"]
		v := lib.get(r, arg)
		is_string(v)
		not lib.unknown(v)
	}]
	count(accounts) == 1
}

provider_account(r) if {
	ids := [a | some a in object.get(provider_by_address[r.provider], "allowed_account_ids", []); not lib.unknown(a)]
	count(ids) == 1
}

# An account, or a token standing for the one the resource is deployed into.
account_spelling(r) := account_of(r) if {
	account_of(r)
} else := sprintf("${account of %s}", [r.address])

known_region(r) := r.region if {
	is_string(r.region)
	not lib.unknown(r.region)
}

literal(v) if {
	is_string(v)
	v != ""
	not lib.unknown(v)
}

# METADATA
# title: spellings
# description: |
#   The ways a policy may write a resource's ARN: its literal ARN when the
#   configuration knows it, and references to the resource's own attributes.
#   A live resource's address is its ARN.
spellings(r, _) := [r.address] if live

spellings(r, literal_arn) := array.concat(literal_arns, [sprintf("${%s.arn}", [a]) | some a in reference_addresses(r)]) if {
	not live
	literal_arns := [a | some a in [literal_arn]; not contains(a, "${")]
}

# A resource's address, and inside a module also its address relative to the module:
# a plan writes a reference inside a module's policy that way ("${aws_s3_bucket.b.arn}").
reference_addresses(r) := {r.address, relative_address(r.address)}

relative_address(address) := concat(".", array.slice(parts, count(parts) - 2, count(parts))) if {
	parts := split(address, ".")
	startswith(address, "module.")
} else := address

bucket_spellings(b) := array.concat(spellings(b, sprintf("arn:aws:s3:::%s", [object.get(b.values, "bucket", "${unknown}")])), [s |
	some a in reference_addresses(b)
	some attribute in ["id", "bucket"]
	s := sprintf("arn:aws:s3:::${%s.%s}", [a, attribute])
]) if {
	not live
} else := [b.address]

object_spellings(b, key) := [concat("/", [s, key]) | some s in bucket_spellings(b)]

trail_arn(t) := sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", [known_region(t), account_of(t), lib.get(t, "name")]) if {
	literal(lib.get(t, "name"))
} else := "${unknown}"

trail_spellings(t) := spellings(t, trail_arn(t))

# Log stream and group ARNs CloudTrail writes to.
# The group a trail delivers to is in the trail's account (CloudTrail takes no other):
# its ARN is known when the trail's account is, even if the group's provider pins none.
log_group_arn(g, t) := sprintf("arn:aws:logs:%s:%s:log-group:%s", [known_region(g), account_of(t), lib.get(g, "name")]) if {
	literal(lib.get(g, "name"))
} else := "${unknown}"

log_group_spellings(g, t) := [g.address] if {
	live
} else := spellings(g, log_group_arn(g, t))

# --- the policies that decide ---

# Statements of a policy document, tagged with the resource holding it.
statements_of(r, arg) := [{"resource": r.address, "statement": st} | some st in r.policies[arg].Statement]

# A policy argument set to something the gate cannot read (TG-LP-008) or read only in part (TG-VER-002).
unreadable(r, arg) if {
	raw := lib.get(r, arg)
	is_string(raw)
	raw != ""
	not r.policies[arg]
}

unreadable(r, arg) if {
	r.policies[arg]
	count(lib.unresolved(r, arg)) > 0
}

# METADATA
# title: bucket_policy
# description: |
#   The policy of a bucket as {state, statements}: state "readable", "none" (no
#   policy: S3 grants nothing to other principals) or "unreadable" (a policy the
#   gate cannot read, or one whose bucket it cannot follow that may be this one's).
bucket_policy(b) := {"state": "unreadable", "statements": []} if {
	some p in bucket_policies(b)
	unreadable(p, "policy")
} else := {"state": "readable", "statements": [s | some p in bucket_policies(b); some s in statements_of(p, "policy")]} if {
	count(bucket_policies(b)) > 0
} else := {"state": "unreadable", "statements": []} if {
	count(unlinked_bucket_policies) > 0
} else := {"state": "none", "statements": []}

bucket_policies(b) := [policy_by_address[p] | some p in object.get(policies_of_bucket, b.address, set())] if {
	lib.separate_bucket_config[["aws_s3_bucket_policy", b.address]]
} else := [b] if {
	has_policy(b)
} else := []

# Indexes from a bucket, key or topic to the addresses of its policy resources, built
# in one pass and read whole (object.get), so they are evaluated once, not per lookup.
policies_of_bucket[addr] contains p.address if {
	some p in lib.resources("aws_s3_bucket_policy")
	some addr in lib.refs(p, "bucket")
}

policies_of_key[addr] contains p.address if {
	some p in lib.resources("aws_kms_key_policy")
	some addr in lib.key_refs(p, "key_id")
}

policies_of_topic[addr] contains p.address if {
	some p in lib.resources("aws_sns_topic_policy")
	some addr in lib.refs(p, "arn")
}

policy_by_address := {p.address: p |
	some type in ["aws_s3_bucket_policy", "aws_kms_key_policy", "aws_sns_topic_policy"]
	some p in lib.resources(type)
}

unlinked_bucket_policies := [p |
	some p in lib.resources("aws_s3_bucket_policy")
	count(lib.refs(p, "bucket")) == 0
	lib.unknown(lib.get(p, "bucket"))
]

key_by_address := {k.address: k | some k in lib.resources("aws_kms_key")}

key_policy_resources(addr) := [policy_by_address[p] | some p in object.get(policies_of_key, addr, set())]

# A key without a policy argument has AWS's default key policy: the account alone.
key_policy(addr) := {"state": "unreadable", "statements": []} if {
	some p in array.concat([key_by_address[addr]], key_policy_resources(addr))
	unreadable(p, "policy")
} else := {"state": "readable", "statements": [s | some p in key_policy_resources(addr); some s in statements_of(p, "policy")]} if {
	count(key_policy_resources(addr)) > 0
} else := {"state": "readable", "statements": statements_of(key_by_address[addr], "policy")} if {
	key_by_address[addr].policies.policy
} else := {"state": "readable", "statements": [default_key_statement(key_by_address[addr])]}

default_key_statement(k) := {"resource": k.address, "statement": {
	"Sid": "(AWS default key policy)",
	"Effect": "Allow",
	"Principal": {"AWS": [sprintf("arn:aws:iam::%s:root", [account_spelling(k)])]},
	"Action": ["kms:*"],
	"Resource": ["*"],
}}

topic_by_address := {t.address: t | some t in lib.resources("aws_sns_topic")}

topic_policy_resources(addr) := [policy_by_address[p] | some p in object.get(policies_of_topic, addr, set())]

# A topic without a policy has SNS's default policy, which lets its own account's
# services publish (AWS:SourceOwner): only topics with a policy of their own are asked.
topic_policy(addr) := {"state": "unreadable", "statements": []} if {
	some p in array.concat([topic_by_address[addr]], topic_policy_resources(addr))
	unreadable(p, "policy")
} else := {"state": "readable", "statements": [s | some p in topic_policy_resources(addr); some s in statements_of(p, "policy")]} if {
	count(topic_policy_resources(addr)) > 0
} else := {"state": "readable", "statements": statements_of(topic_by_address[addr], "policy")} if {
	topic_by_address[addr].policies.policy
} else := {"state": "default", "statements": []}

role_by_address := {r.address: r | some r in lib.resources("aws_iam_role")}

trust_policy(addr) := {"state": "unreadable", "statements": []} if {
	unreadable(role_by_address[addr], "assume_role_policy")
} else := {"state": "readable", "statements": statements_of(role_by_address[addr], "assume_role_policy")}

# METADATA
# title: role_permissions
# description: |
#   The identity policies of a role the configuration defines: inline role
#   policies, inline_policy blocks and attached customer managed policies. An
#   attached AWS managed policy, or one the gate cannot read, makes the set
#   partial: {state: "readable" | "partial", statements}.
role_permissions(addr) := {"state": state, "statements": array.concat(array.concat(inline_role_policies(addr), inline_policy_blocks(addr)), attached(addr))} if {
	state := permissions_state(addr)
}

permissions_state(addr) := "partial" if {
	some rp in lib.resources("aws_iam_role_policy")
	addr in least_privilege.roles_of(rp, "role")
	unreadable(rp, "policy")
} else := "partial" if {
	some att in least_privilege.literal_attachments
	att[1] == addr
} else := "partial" if {
	some ip in lib.blocks(lib.get(role_by_address[addr], "inline_policy"))
	not least_privilege.inline_document(ip)
} else := "readable"

inline_role_policies(addr) := [s |
	some rp in lib.resources("aws_iam_role_policy")
	addr in least_privilege.roles_of(rp, "role")
	some s in statements_of(rp, "policy")
]

inline_policy_blocks(addr) := [{"resource": addr, "statement": normalized(raw)} |
	some ip in lib.blocks(lib.get(role_by_address[addr], "inline_policy"))
	doc := least_privilege.inline_document(ip)
	some raw in lib.as_array(object.get(doc, "Statement", []))
]

attached(addr) := [s |
	some pair in least_privilege.attached_policies
	pair[1] == addr
	some s in statements_of(least_privilege.policy_by_address[pair[0]], "policy")
]

# A raw identity-policy statement in the normalised shape (INPUT.md "policies").
normalized(raw) := object.union(
	{k: v | some k in ["Effect", "Sid"]; v := raw[k]},
	object.union(
		{k: lib.as_array(raw[k]) | some k in ["Action", "NotAction", "Resource", "NotResource"]},
		{"Condition": {op: {key: lib.as_array(v) | some key, v in conds} | some op, conds in object.get(raw, "Condition", {})}},
	),
)

# --- requests ---

service(name) := {"kind": "Service", "service": name}

# A principal's own policies, which the configuration does not show, judged at their
# worst: they allow everything. In its own account such a principal is then stopped
# only by an explicit deny; from another account, only by the resource policy.
worst_case_identity := {"decision": "allow", "deciding": []}

# METADATA
# title: ask
# description: A resource policy's decision on a request, with the question in words.
ask(policy, principal, action, resource, context) := iam.decide(policy.statements, {
	"principal": principal,
	"action": action,
	"resource": resource,
	"context": context,
})

cloudtrail_context(t) := {
	"aws:sourcearn": trail_spellings(t),
	"aws:sourceaccount": [account_spelling(t)],
	"aws:securetransport": ["true"],
}

# Where a trail writes its log files: [label, object key] (AWS's layout; an
# organisation trail writes under the organisation id too).
delivery_keys(t) := {[sprintf("AWSLogs/%s/*", [account_spelling(t)]), key_under(t, sprintf("AWSLogs/%s/CloudTrail/%s/2026/01/01/log.json.gz", [account_spelling(t), region_text(t)]))]} | {[sprintf("AWSLogs/%s/*", [lib.organization_id]), key_under(t, sprintf("AWSLogs/%s/123456789012/CloudTrail/%s/2026/01/01/log.json.gz", [lib.organization_id, region_text(t)]))] |
	lib.get(t, "is_organization_trail") == true
	lib.organization_id != ""
}

region_text(r) := known_region(r) if {
	known_region(r)
} else := "eu-west-2"

key_under(t, key) := concat("/", [trim(prefix, "/"), key]) if {
	prefix := lib.get(t, "s3_key_prefix")
	literal(prefix)
	trim(prefix, "/") != ""
} else := key

# Every access question: {rule, resource, question, decision, expected, deciding}.
# `expected` is "allow" (the control needs it) or "deny"/"not allow".
questions contains q if {
	some t in lib.trails
	some addr in t.refs.s3_bucket_name
	b := lib.bucket_by_address[addr]
	policy := bucket_policy(b)
	policy.state in {"readable", "none"}
	d := ask(policy, service("cloudtrail.amazonaws.com"), "s3:GetBucketAcl", bucket_spellings(b), cloudtrail_context(t))
	q := question("TG-LP-010", addr, sprintf("may CloudTrail (for trail %s) call s3:GetBucketAcl on bucket %s?", [t.address, addr]), "allow", d)
}

questions contains q if {
	some t in lib.trails
	some addr in t.refs.s3_bucket_name
	b := lib.bucket_by_address[addr]
	policy := bucket_policy(b)
	policy.state in {"readable", "none"}
	some target in delivery_keys(t)
	context := object.union(cloudtrail_context(t), {"s3:x-amz-acl": ["bucket-owner-full-control"]})
	d := ask(policy, service("cloudtrail.amazonaws.com"), "s3:PutObject", object_spellings(b, target[1]), context)
	q := question("TG-LP-010", addr, sprintf("may CloudTrail (for trail %s) call s3:PutObject with bucket-owner-full-control on %s/%s?", [t.address, addr, target[0]]), "allow", d)
}

questions contains q if {
	some t in lib.trails
	some k in lib.key_refs(t, "kms_key_id")
	policy := key_policy(k)
	policy.state == "readable"
	answers := [{"item": req[0], "d": d} |
		some req in [
			["kms:GenerateDataKey", {"kms:encryptioncontext:aws:cloudtrail:arn": trail_spellings(t)}],
			["kms:DescribeKey", {}],
		]
		d := ask(policy, service("cloudtrail.amazonaws.com"), req[0], spellings(key_by_address[k], "${unknown}"), object.union(cloudtrail_context(t), req[1]))
	]
	some q in grouped("TG-LP-011", k, sprintf("may CloudTrail (for trail %s) call %%s on key %s?", [t.address, k]), "allow", answers)
}

# --- TG-LP-012: CloudTrail -> CloudWatch Logs ---

trail_group_pairs contains [t, g] if {
	some t in lib.trails
	some g in least_privilege.delivered_groups(t)
}

questions contains q if {
	some pair in trail_group_pairs
	t := pair[0]
	some role in least_privilege.trail_roles_of(t)
	role_by_address[role]
	policy := trust_policy(role)
	policy.state == "readable"
	d := ask(policy, service("cloudtrail.amazonaws.com"), "sts:AssumeRole", spellings(role_by_address[role], "${unknown}"), cloudtrail_context(t))
	q := question("TG-LP-012", role, sprintf("may CloudTrail (for trail %s) assume role %s?", [t.address, role]), "allow", d)
}

questions contains q if {
	some pair in trail_group_pairs
	[t, g] := pair
	some role in least_privilege.trail_roles_of(t)
	role_by_address[role]
	permissions := role_permissions(role)
	stream := sprintf("log-stream:%s_CloudTrail_%s", [account_spelling(t), region_text(t)])
	answers := [{"item": action, "d": d} |
		some action in ["logs:CreateLogStream", "logs:PutLogEvents"]
		d := partial_decision(
			iam.decide(permissions.statements, {
				"principal": {"kind": "AWS", "arn": role, "account": account_spelling(t)},
				"action": action,
				"resource": [concat(":", [s, stream]) | some s in log_group_spellings(g, t)],
				"context": {"aws:securetransport": ["true"]},
			}),
			permissions.state,
		)
	]
	some q in grouped("TG-LP-012", role, sprintf("may role %s (trail %s) call %%s on log group %s?", [role, t.address, g.address]), "allow", answers)
}

# An attached policy the gate cannot read may allow what the others do not.
partial_decision(d, state) := {"decision": "unknown", "deciding": d.deciding} if {
	state == "partial"
	d.decision == "none"
} else := d

questions contains q if {
	some pair in trail_group_pairs
	[t, g] := pair
	some k in lib.key_refs(g, "kms_key_id")
	policy := key_policy(k)
	policy.state == "readable"
	answers := [{"item": action, "d": d} |
		some action in ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]
		d := ask(policy, service(sprintf("logs.%s.amazonaws.com", [region_text(g)])), action, spellings(key_by_address[k], "${unknown}"), {
			"kms:encryptioncontext:aws:logs:arn": log_group_spellings(g, t),
			"aws:securetransport": ["true"],
		})
	]
	some q in grouped("TG-LP-012", k, sprintf("may CloudWatch Logs call %%s on key %s for log group %s?", [k, g.address]), "allow", answers)
}

# --- TG-LP-014: alarms and EventBridge -> alert topics ---

alarm_arn(a) := sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", [known_region(a), account_of(a), lib.get(a, "alarm_name")]) if {
	literal(lib.get(a, "alarm_name"))
} else := "${unknown}"

rule_arn(r) := sprintf("arn:aws:events:%s:%s:rule/%s", [known_region(r), account_of(r), lib.get(r, "name")]) if {
	literal(lib.get(r, "name"))
} else := "${unknown}"

# [publisher service, topic address, source resource, source ARN spellings]
publishers contains ["cloudwatch.amazonaws.com", topic, a.address, spellings(a, alarm_arn(a)), a] if {
	some a in lib.resources("aws_cloudwatch_metric_alarm")
	some topic in lib.refs(a, "alarm_actions")
	topic_by_address[topic]
}

publishers contains ["events.amazonaws.com", topic, rule, spellings(rule_by_address[rule], rule_arn(rule_by_address[rule])), target] if {
	some target in lib.resources("aws_cloudwatch_event_target")
	not lib.is_set(lib.get(target, "role_arn"))
	some topic in lib.refs(target, "arn")
	topic_by_address[topic]
	some rule in lib.refs(target, "rule")
	rule_by_address[rule]
}

rule_by_address := {r.address: r | some r in lib.resources("aws_cloudwatch_event_rule")}

publisher_context(p) := {
	"aws:sourcearn": p[3],
	"aws:sourceaccount": [account_spelling(p[4])],
	"aws:securetransport": ["true"],
}

# [publisher service, topic] pairs; each asks once per alarm or rule that publishes.
publisher_topics := {[p[0], p[1]] | some p in publishers}

questions contains q if {
	some pair in publisher_topics
	[svc, topic] := pair
	policy := topic_policy(topic)
	policy.state == "readable"
	answers := [{"item": p[2], "d": d} |
		some p in publishers
		p[0] == svc
		p[1] == topic
		d := ask(policy, service(svc), "sns:Publish", spellings(topic_by_address[topic], topic_arn(topic_by_address[topic])), publisher_context(p))
	]
	some q in grouped("TG-LP-014", topic, sprintf("may %s (for %%s) call sns:Publish on topic %s?", [svc, topic]), "allow", answers)
}

questions contains q if {
	some pair in publisher_topics
	[svc, topic] := pair
	some k in lib.key_refs(topic_by_address[topic], "kms_master_key_id")
	policy := key_policy(k)
	policy.state == "readable"
	some action in ["kms:GenerateDataKey", "kms:Decrypt"]
	answers := [{"item": p[2], "d": d} |
		some p in publishers
		p[0] == svc
		p[1] == topic
		d := ask(policy, service(svc), action, spellings(key_by_address[k], "${unknown}"), publisher_context(p))
	]
	some q in grouped("TG-LP-014", k, sprintf("may %s (for %%s) call %s on key %s of topic %s?", [svc, action, k, topic]), "allow", answers)
}

# EventBridge targets that publish through a role (role_arn): the rule's service assumes
# the role, and the role publishes, so the role's trust, its identity policies, the topic
# policy and the topic's key decide, not the service grants asked above.
# [target address, rule address, topic address, role address]
role_publishers contains [target.address, rule, topic, role] if {
	some target in lib.resources("aws_cloudwatch_event_target")
	lib.is_set(lib.get(target, "role_arn"))
	some topic in lib.refs(target, "arn")
	topic_by_address[topic]
	some rule in lib.refs(target, "rule")
	rule_by_address[rule]
	some role in lib.refs(target, "role_arn")
	role_by_address[role]
}

role_arn_literal(r) := sprintf("arn:aws:iam::%s:role/%s", [account_of(r), lib.get(r, "name")]) if {
	literal(lib.get(r, "name"))
} else := "${unknown}"

# The role as a principal of the rule's account (EventBridge takes a role of its own account only).
publishing_role(role, rule) := {
	"kind": "AWS",
	"arn": role_arn_spelling(role_by_address[role]),
	"account": account_spelling(rule_by_address[rule]),
	"spellings": spellings(role_by_address[role], role_arn_literal(role_by_address[role])),
}

role_arn_spelling(r) := role_arn_literal(r) if {
	not contains(role_arn_literal(r), "${")
} else := r.address

# The keys AWS sets on every request the role makes.
role_context(principal) := {
	"aws:principalarn": array.concat([principal.arn], principal.spellings),
	"aws:principalaccount": [principal.account],
	"aws:securetransport": ["true"],
}

# The role named by itself, not through its account: what a key policy grants it directly.
named_role_only(principal) := object.union(principal, {"account": "${no account}"})

# Whether the rule and the topic are in one account: the same provider, or pinned accounts.
same_account(a, b) if {
	a.provider == b.provider
} else if {
	account_of(a) == account_of(b)
} else := false if {
	account_of(a)
	account_of(b)
} else := "unknown"

questions contains q if {
	some p in role_publishers
	[_, rule, _, role] := p
	policy := trust_policy(role)
	policy.state == "readable"
	r := rule_by_address[rule]
	context := {"aws:sourcearn": spellings(r, rule_arn(r)), "aws:sourceaccount": [account_spelling(r)], "aws:securetransport": ["true"]}
	d := ask(policy, service("events.amazonaws.com"), "sts:AssumeRole", spellings(role_by_address[role], role_arn_literal(role_by_address[role])), context)
	q := question("TG-LP-014", role, sprintf("may events.amazonaws.com (for rule %s) assume role %s?", [rule, role]), "allow", d)
}

questions contains q if {
	some p in role_publishers
	[_, rule, topic, role] := p
	policy := topic_policy(topic)
	policy.state != "unreadable"
	t := topic_by_address[topic]
	principal := publishing_role(role, rule)
	resource := spellings(t, topic_arn(t))
	context := role_context(principal)
	permissions := role_permissions(role)
	identity := partial_decision(iam.decide(permissions.statements, {"principal": principal, "action": "sns:Publish", "resource": resource, "context": context}), permissions.state)
	d := iam.access(ask(policy, principal, "sns:Publish", resource, context), identity, same_account(rule_by_address[rule], t))
	q := question("TG-LP-014", topic, sprintf("may role %s (for rule %s) call sns:Publish on topic %s?", [role, rule, topic]), "allow", d)
}

questions contains q if {
	some p in role_publishers
	[_, rule, topic, role] := p
	some k in lib.key_refs(topic_by_address[topic], "kms_master_key_id")
	policy := key_policy(k)
	policy.state == "readable"
	principal := publishing_role(role, rule)
	key := spellings(key_by_address[k], "${unknown}")
	context := role_context(principal)
	permissions := role_permissions(role)
	answers := [{"item": action, "d": d} |
		some action in ["kms:GenerateDataKey", "kms:Decrypt"]
		identity := partial_decision(iam.decide(permissions.statements, {"principal": principal, "action": action, "resource": key, "context": context}), permissions.state)
		d := key_decision(ask(policy, principal, action, key, context), ask(policy, named_role_only(principal), action, key, context), identity)
	]
	some q in grouped("TG-LP-014", k, sprintf("may role %s (for rule %s) call %%s on key %s of topic %s?", [role, rule, k, topic]), "allow", answers)
}

# KMS: a key policy that names the role allows it alone; one that allows the role's
# account (its root) delegates to IAM, so the role's identity policies must allow too.
key_decision(any_statement, named, identity) := any_statement if {
	any_statement.decision == "deny"
} else := named if {
	named.decision == "allow"
} else := iam.access(any_statement, identity, false)

items_text(items) := concat(", ", sort(items)) if {
	count(items) <= 4
} else := sprintf("%s and %d more", [concat(", ", array.slice(sort(items), 0, 3)), count(items) - 3])

topic_arn(t) := sprintf("arn:aws:sns:%s:%s:%s", [known_region(t), account_of(t), lib.get(t, "name")]) if {
	literal(lib.get(t, "name"))
} else := "${unknown}"

# --- TG-LP-015: nobody outside the trusted accounts ---

# An account no rule trusts.
outside_account := [a | some a in ["999999999999", "999999999998"]; not lib.trusted_accounts[a]][0]

# Principals the outsider questions ask about, as [account, role ARN]: a role of an
# account no rule trusts and, once trust is configured, every principal of another
# account that a policy of the configuration names (a role or user by its ARN, an
# account by a role of it).
outside_principals := {[outside_account, outside_role(outside_account)]} | named_untrusted_principals

named_untrusted_principals contains [a, arn] if {
	least_privilege.trust_configured
	some s in lib.policy_statements
	some named in named_principals(s.statement)
	[a, arn] := named
	not lib.trusted_accounts[a]
}

named_principals(st) := {[a, principal_arn(v, a)] |
	some v in object.get(object.get(st, "Principal", {}), "AWS", [])
	a := account_in(v)
} | {[a, outside_role(a)] |
	some op, conds in object.get(st, "Condition", {})
	lib.positive_operator(op)
	some key, values in conds
	lower(key) in {"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount"}
	some v in values
	a := account_in(v)
}

principal_arn(v, a) := v if {
	parts := split(v, ":")
	count(parts) == 6
	parts[2] == "iam"
	account_id(parts[4])
	some kind in ["role/", "user/"]
	startswith(parts[5], kind)
} else := outside_role(a)

account_in(v) := v if {
	account_id(v)
} else := lib.arn_account(v) if {
	account_id(lib.arn_account(v))
}

# Twelve digits (no regex.match: see iam.references_in).
account_id(v) if {
	count(v) == 12
	iam.digits_only(v)
}

outside_label(p) := "a role of another account" if {
	p[0] == outside_account
} else := sprintf("%s (account %s, not trusted)", [p[1], p[0]])

outside_role(a) := sprintf("arn:aws:iam::%s:role/outsider", [a])

outside_identity(p) := {
	"aws:principalaccount": [p[0]],
	"aws:principalarn": [p[1]],
	"aws:principalorgid": ["o-outsider000"],
	"aws:principaltype": ["AssumedRole"],
	"aws:securetransport": ["true"],
	"aws:sourceip": ["198.51.100.7"],
}

# [label, principal, context]
outsiders contains [outside_label(p), {"kind": "AWS", "arn": p[1], "account": p[0]}, outside_identity(p)] if some p in outside_principals

outsiders contains ["anonymous", {"kind": "Anonymous"}, {"aws:securetransport": ["true"], "aws:sourceip": ["198.51.100.7"]}]

# Through an access point of the outside account, which can name any bucket.
s3_outsiders contains [concat(" ", [outside_label(p), "through its own access point"]), {"kind": "AWS", "arn": p[1], "account": p[0]}, object.union(outside_identity(p), {
	"s3:dataaccesspointaccount": [p[0]],
	"s3:dataaccesspointarn": [sprintf("arn:aws:s3:eu-west-2:%s:accesspoint/outside", [p[0]])],
})] if some p in outside_principals

s3_outsiders contains o if some o in outsiders

# CloudTrail acting for another account's trail (the confused deputy).
outside_trail := sprintf("arn:aws:cloudtrail:eu-west-2:%s:trail/outside", [outside_account])

deputy_context := {"aws:sourcearn": [outside_trail], "aws:sourceaccount": [outside_account], "aws:securetransport": ["true"]}

bucket_object_actions := ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:BypassGovernanceRetention", "s3:PutObjectAcl"]

bucket_actions := ["s3:ListBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketLogging", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketAcl", "s3:DeleteBucket"]

key_actions := ["kms:Decrypt", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]

sample_key := "AWSLogs/111111111111/CloudTrail/eu-west-2/2026/01/01/log.json.gz"

questions contains q if {
	some addr in lib.log_buckets
	b := lib.bucket_by_address[addr]
	policy := bucket_policy(b)
	policy.state == "readable"
	some o in s3_outsiders
	answers := [{"item": target[0], "d": d} |
		some target in array.concat(
			[[a, object_spellings(b, sample_key)] | some a in bucket_object_actions],
			[[a, bucket_spellings(b)] | some a in bucket_actions],
		)
		d := iam.access(ask(policy, o[1], target[0], target[1], o[2]), worst_case_identity, false)
	]
	some q in grouped("TG-LP-015", addr, sprintf("may %s call %%s on log bucket %s?", [o[0], addr]), "not allow", answers)
}

questions contains q if {
	some addr in lib.trail_log_buckets
	b := lib.bucket_by_address[addr]
	policy := bucket_policy(b)
	policy.state == "readable"
	context := object.union(deputy_context, {"s3:x-amz-acl": ["bucket-owner-full-control"]})
	d := ask(policy, service("cloudtrail.amazonaws.com"), "s3:PutObject", object_spellings(b, sprintf("AWSLogs/%s/CloudTrail/eu-west-2/2026/01/01/log.json.gz", [outside_account])), context)
	q := question("TG-LP-015", addr, sprintf("may CloudTrail, for a trail of another account (%s), write into log bucket %s?", [outside_trail, addr]), "not allow", d)
}

questions contains q if {
	some k in lib.log_keys
	key_by_address[k]
	policy := key_policy(k)
	policy.state == "readable"
	some o in outsiders
	answers := [{"item": action, "d": d} |
		some action in key_actions
		d := iam.access(ask(policy, o[1], action, spellings(key_by_address[k], "${unknown}"), o[2]), worst_case_identity, false)
	]
	some q in grouped("TG-LP-015", k, sprintf("may %s call %%s on log key %s?", [o[0], k]), "not allow", answers)
}

questions contains q if {
	some k in lib.trail_keys
	key_by_address[k]
	policy := key_policy(k)
	policy.state == "readable"
	context := object.union(deputy_context, {"kms:encryptioncontext:aws:cloudtrail:arn": [outside_trail]})
	d := ask(policy, service("cloudtrail.amazonaws.com"), "kms:GenerateDataKey", spellings(key_by_address[k], "${unknown}"), context)
	q := question("TG-LP-015", k, sprintf("may CloudTrail, for a trail of another account (%s), encrypt with log key %s?", [outside_trail, k]), "not allow", d)
}

questions contains q if {
	some role in least_privilege.trail_roles
	role_by_address[role]
	policy := trust_policy(role)
	policy.state == "readable"
	some o in outsiders
	d := iam.access(ask(policy, o[1], "sts:AssumeRole", spellings(role_by_address[role], "${unknown}"), o[2]), worst_case_identity, false)
	q := question("TG-LP-015", role, sprintf("may %s assume trail role %s?", [o[0], role]), "not allow", d)
}

# --- TG-LP-016: reads only through the access points ---

direct_reader(b) := sprintf("arn:aws:iam::%s:role/direct-reader", [account_spelling(b)])

questions contains q if {
	some addr in lib.trail_log_buckets
	b := lib.bucket_by_address[addr]
	policy := bucket_policy(b)
	policy.state in {"readable", "none"}
	principal := {"kind": "AWS", "arn": direct_reader(b), "account": account_spelling(b)}
	context := {
		"aws:principalaccount": [account_spelling(b)],
		"aws:principalarn": [direct_reader(b)],
		"aws:securetransport": ["true"],
	}
	answers := [{"item": target[0], "d": d} |
		some target in [["s3:GetObject", object_spellings(b, sample_key)], ["s3:GetObjectVersion", object_spellings(b, sample_key)], ["s3:ListBucket", bucket_spellings(b)]]
		d := iam.access(ask(policy, principal, target[0], target[1], context), worst_case_identity, true)
	]
	some q in grouped("TG-LP-016", addr, sprintf("is a role of the bucket's own account (%s, not a declared break-glass reader) denied %%s on log bucket %s when it does not come through an access point?", [direct_reader(b), addr]), "deny", answers)
}

# --- TG-ENC-006: no request without TLS ---

# Per bucket with a readable policy (or none): is each kind of request made without
# TLS explicitly denied?
questions contains q if {
	some b in lib.resources("aws_s3_bucket")
	policy := bucket_policy(b)
	policy.state in {"readable", "none"}
	principal := {"kind": "AWS", "arn": direct_reader(b), "account": account_spelling(b)}
	context := {"aws:principalaccount": [account_spelling(b)], "aws:principalarn": [direct_reader(b)], "aws:securetransport": ["false"]}
	answers := [{"item": target[0], "d": d} |
		some target in [
			["s3:GetObject", object_spellings(b, "any-object")], ["s3:PutObject", object_spellings(b, "any-object")],
			["s3:DeleteObject", object_spellings(b, "any-object")], ["s3:ListBucket", bucket_spellings(b)],
			["s3:PutBucketPolicy", bucket_spellings(b)],
		]
		d := iam.access(ask(policy, principal, target[0], target[1], context), worst_case_identity, true)
	]
	some q in grouped("TG-ENC-006", b.address, sprintf("is %%s without TLS (aws:SecureTransport false) denied on bucket %s?", [b.address]), "deny", answers)
}

# --- answers ---

# METADATA
# title: question
# description: One access question with its answer, as the rules read it.
question(rule, resource, text, expected, d) := {
	"rule": rule,
	"resource": resource,
	"question": text,
	"expected": expected,
	"decision": d.decision,
	"deciding": d.deciding,
}

# METADATA
# title: grouped
# description: |
#   The questions of one subject that differ only in their item (the actions asked
#   of one bucket, the alarms of one topic) and get the same answer, as one question
#   naming all the items (the template's %s). `answers` is [{item, d}].
grouped(rule, resource, template, expected, answers) := {q |
	some d in {a.d | some a in answers}
	items := {a.item | some a in answers; a.d == d}
	q := question(rule, resource, question_text(template, items), expected, d)
}

question_text(template, items) := sprintf(template, [items_text(items)]) if {
	contains(template, "%s")
} else := template

# METADATA
# title: failed
# description: Questions answered against what the control needs.
failed contains q if {
	some q in questions
	q.decision != "unknown"
	not holds(q)
}

holds(q) if {
	q.expected == "allow"
	q.decision == "allow"
}

holds(q) if {
	q.expected == "deny"
	q.decision == "deny"
}

holds(q) if {
	q.expected == "not allow"
	q.decision != "allow"
}

# METADATA
# title: unanswerable
# description: Questions whose answer depends on a value not known before apply.
unanswerable contains q if {
	some q in questions
	q.decision == "unknown"
}

answer_text(q) := sprintf("explicitly denied by %s", [statement_list(q.deciding)]) if {
	q.decision == "deny"
} else := sprintf("allowed by %s", [statement_list(q.deciding)]) if {
	q.decision == "allow"
	count(q.deciding) > 0
} else := "no statement denies it, so an identity policy of the account can allow it" if {
	q.decision == "allow"
} else := "no statement allows it"

statement_list(deciding) := concat(", ", sort({sprintf("%s statement %s", [s.resource, sid_text(s.sid)]) | some s in deciding}))

sid_text(s) := "(no Sid)" if {
	s == ""
} else := s

# METADATA
# title: finding
# description: The message of a failed question.
finding(q) := sprintf("%s: %s; %s", [q.question, answer_text(q), remedy[q.expected]])

remedy := {
	"allow": "the control cannot work until a statement allows it",
	"deny": "add or fix the Deny statement so it covers this request",
	"not allow": "limit that statement to trusted principals",
}

# METADATA
# title: unanswerable_text
# description: The message of a question that cannot be answered before apply.
unanswerable_text(q) := sprintf("%s: cannot be answered before apply, because %s depends on a value not known until then", [q.question, unknown_cause(q)])

unknown_cause(q) := statement_list(q.deciding) if {
	count(q.deciding) > 0
} else := "a name the request needs (an account, region or ARN)"

# Statements TG-LP-001, TG-LP-002 and TG-LP-009 already report: the outsider
# question repeats them only when some other statement lets an outsider in.
already_reported(q) if {
	q.rule == "TG-LP-015"
	count(q.deciding) > 0
	count([d | some d in q.deciding; not reported(d)]) == 0
}

# A deciding statement TG-LP-001, TG-LP-002 or TG-LP-009 reports. Looked up per
# failed question (few), not as a set over every statement of the configuration.
reported(d) if {
	some s in lib.policy_statements
	s.resource == d.resource
	object.get(s.statement, "Sid", "") == d.sid
	reported_by_shape(s)
}

reported_by_shape(s) if least_privilege.open_to_everyone(s.statement)

reported_by_shape(s) if least_privilege.unscoped_cloudtrail_grant(s.statement)

# TG-LP-009's test, asked of the statement itself: it judges the policies of log
# buckets, access points and keys (never a role's trust policy). Iterating its set of
# judged statements here, after the questions, trapped the WASM build at 1,000 buckets.
reported_by_shape(s) if {
	least_privilege.trust_configured
	not lib.is_type(s.resource, "aws_iam_role")
	s.statement.Effect == "Allow"
	not least_privilege.unverifiable_statement(s.statement)
	not least_privilege.trusted_by_condition(s.statement)
	count(least_privilege.untrusted_principals(s.statement)) > 0
}

findings_of(rule) := {{"resource": q.resource, "message": finding(q)} |
	some q in failed
	q.rule == rule
	not already_reported(q)
}

# METADATA
# title: CloudTrail can write to its log bucket
# description: |
#   The bucket policy of every trail's log bucket allows CloudTrail, for this
#   trail (aws:SourceArn, aws:SourceAccount), s3:GetBucketAcl on the bucket and
#   s3:PutObject with bucket-owner-full-control where the trail writes
#   (<prefix>/AWSLogs/<account>/…, and AWSLogs/<organisation id>/… for an
#   organisation trail), and no Deny stops it: otherwise no log file is delivered.
# related_resources:
#   - ref: help/rules/TG-LP-010.md
# custom:
#   id: TG-LP-010
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 30
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.1
#   recommended_action: Allow cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on <bucket>/<prefix>/AWSLogs/<account or organisation id>/*, with aws:SourceArn naming this trail.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-010")
}

# METADATA
# title: CloudTrail can encrypt with the trail's key
# description: |
#   The key policy of every trail's KMS key allows CloudTrail, for this trail
#   (its ARN as aws:SourceArn and as the kms:EncryptionContext:aws:cloudtrail:arn
#   it encrypts under), kms:GenerateDataKey and kms:DescribeKey: otherwise the
#   trail cannot encrypt and delivers nothing.
# related_resources:
#   - ref: help/rules/TG-LP-011.md
# custom:
#   id: TG-LP-011
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32(1)(a)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.7
#   recommended_action: Allow cloudtrail.amazonaws.com kms:GenerateDataKey* with StringLike kms:EncryptionContext:aws:cloudtrail:arn and aws:SourceArn naming this trail, and kms:DescribeKey.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-011")
}

# METADATA
# title: CloudTrail can deliver to its CloudWatch Logs group
# description: |
#   For every trail with CloudWatch Logs delivery: the trail's role trusts
#   CloudTrail (for this trail), the role's policies allow logs:CreateLogStream
#   and logs:PutLogEvents on the trail's log group, and the group's KMS key
#   allows CloudWatch Logs (logs.<region>.amazonaws.com) to use it for that
#   group: otherwise no event reaches the metric filters and no alarm can fire.
# related_resources:
#   - ref: help/rules/TG-LP-012.md
# custom:
#   id: TG-LP-012
#   severity: high
#   frameworks:
#     - CIS AWS Foundations v1.4.0 3.4
#     - FCA SYSC 9
#   recommended_action: Trust cloudtrail.amazonaws.com (aws:SourceArn the trail) in the role, allow logs:CreateLogStream and logs:PutLogEvents on "<log group arn>:log-stream:*", and allow logs.<region>.amazonaws.com on the group's key with kms:EncryptionContext:aws:logs:arn the group's ARN.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-012")
}

# METADATA
# title: One resource, one policy
# description: |
#   A bucket, key or topic has one policy resource: two aws_s3_bucket_policy
#   (or aws_kms_key_policy, aws_sns_topic_policy) for one resource, or one
#   beside the resource's own policy argument, replace each other at every
#   apply, and which one is in force depends on the order Terraform applies them.
# related_resources:
#   - ref: help/rules/TG-LP-013.md
# custom:
#   id: TG-LP-013
#   severity: high
#   inputs: [synth, plan, module]
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Merge the statements into one policy resource and remove the other (and the resource's own policy argument).
violations contains lib.violation(rego.metadata.rule(), pair[0], msg) if {
	some pair in multiple_policies
	[target, holders] := pair
	msg := sprintf("%s has %d policies (%s); each apply replaces the other, so which one is in force is not decided by the configuration: merge them into one", [target, count(holders), concat(", ", sort(holders))])
}

# [target, addresses of the resources holding a policy for it]. A key's or topic's
# own policy argument counts too; an S3 bucket's inline policy does not (the
# provider lets the separate resource win, and a plan leaves it out, INPUT.md).
multiple_policies contains [target, holders] if {
	some target, holders in policies_of_bucket
	count(holders) > 1
}

multiple_policies contains [target, holders] if {
	some index in [policies_of_key, policies_of_topic]
	some target, separate in index
	holders := separate | own_policy(target)
	count(holders) > 1
}

own_policy(target) := {target} if {
	some r in [object.get(key_by_address, target, null), object.get(topic_by_address, target, null)]
	r != null
	has_policy(r)
} else := set()

# A policy argument that parsed is in `policies`, one that did not stays in values.
has_policy(r) if r.policies.policy

has_policy(r) if lib.is_set(lib.get(r, "policy"))

# METADATA
# title: Alarms and EventBridge can publish to their alert topics
# description: |
#   Every SNS topic an alarm or an EventBridge rule notifies lets that service
#   publish (topic policy, for the alarm's or rule's ARN and account) and, when
#   the topic is encrypted with a key of the configuration, the key policy lets
#   the service call kms:GenerateDataKey and kms:Decrypt: otherwise the alarm
#   fires and nobody is told. An EventBridge target with a role_arn publishes as
#   the role: events.amazonaws.com must be able to assume it, and the role to
#   publish to the topic and use its key.
# related_resources:
#   - ref: help/rules/TG-LP-014.md
# custom:
#   id: TG-LP-014
#   severity: high
#   frameworks:
#     - CIS AWS Foundations v1.4.0 4.1
#     - FCA SYSC 9
#   recommended_action: Allow cloudwatch.amazonaws.com (alarms) and events.amazonaws.com (EventBridge rules) sns:Publish in the topic policy with aws:SourceAccount or aws:SourceArn, and kms:GenerateDataKey* and kms:Decrypt in the topic key's policy; for a target with a role, let events.amazonaws.com assume the role and the role publish to the topic and use its key.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-014")
}

# METADATA
# title: Nobody outside the trusted accounts reaches the logs, keys or trail roles
# description: |
#   Asked of the evaluator with a role of an untrusted account (directly and
#   through an access point of its own), an anonymous caller and CloudTrail
#   acting for another account's trail: none may read, write, delete or
#   re-configure (policy, lifecycle, versioning, logging, Object Lock, ACL) a
#   log bucket, use or manage (decrypt, grant, disable, delete, re-policy) a log
#   key, or assume a trail role. Statements TG-LP-001, TG-LP-002 or TG-LP-009
#   already report are not reported twice.
# related_resources:
#   - ref: help/rules/TG-LP-015.md
# custom:
#   id: TG-LP-015
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 5(1)(f)
#     - FCA SYSC 9
#   recommended_action: Limit the statement to principals of the trusted accounts or organisation (aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount naming them).
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-015")
}

# METADATA
# title: Log objects are read only through the VPC-only access points
# description: |
#   Every trail log bucket's policy explicitly denies object reads and listing
#   (s3:GetObject, s3:GetObjectVersion, s3:ListBucket) that do not come through
#   an access point of the bucket's account, except for declared break-glass
#   readers: an identity policy in the account could otherwise read every log
#   from anywhere, around the VPC-only access points.
# related_resources:
#   - ref: help/rules/TG-LP-016.md
# custom:
#   id: TG-LP-016
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Add a Deny of s3:GetObject, s3:GetObjectVersion and s3:ListBucket for Principal "*" with StringNotEquals s3:DataAccessPointAccount (the bucket's account) and ArnNotEquals aws:PrincipalArn (the break-glass roles).
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in findings_of("TG-LP-016")
}
