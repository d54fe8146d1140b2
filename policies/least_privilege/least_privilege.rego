# METADATA
# title: Least privilege
# description: Policies around the audit trail grant only what CloudTrail and its operators need.
package trailgate.least_privilege

import data.trailgate.lib

# Condition keys that narrow who can match an Allow (compared lower-case).
limiting_keys := {
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
	"aws:sourcevpc", "aws:sourcevpce", "kms:calleraccount",
	# AWS's access point delegation: only requests through the account's own access
	# points match, and their policies name the principals.
	"s3:dataaccesspointaccount", "s3:dataaccesspointarn",
}

cloudtrail := "cloudtrail.amazonaws.com"

allows_cloudtrail(st) if {
	st.Effect == "Allow"
	cloudtrail in lib.principals(st, "Service")
}

# METADATA
# title: No Allow to everyone without a limiting condition
# description: |
#   No policy statement allows Principal "*" (or everyone but a NotPrincipal)
#   unless a condition on a principal- or source-limiting key (aws:SourceArn,
#   aws:PrincipalOrgID, ...) really narrows it: a positive operator and values
#   that name something (StringLike aws:PrincipalAccount "*", Null
#   aws:PrincipalArn false or ArnLike aws:SourceArn "*" do not).
# related_resources:
#   - ref: help/rules/TG-LP-001.md
# custom:
#   id: TG-LP-001
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.3
#   recommended_action: Name the principals explicitly, or add a condition such as aws:PrincipalOrgID or aws:SourceArn with a specific value.
violations contains lib.violation(rego.metadata.rule(), s.resource, msg) if {
	some s in lib.policy_statements
	open_to_everyone(s.statement)
	msg := sprintf("%s %s allows %s (statement %s) with no limiting condition; name the principals or add aws:PrincipalOrgID / aws:SourceArn", [s.resource, s.argument, everyone_text(s.statement), sid(s.statement)])
}

# An Allow to everyone (or everyone but some) that no condition narrows.
open_to_everyone(st) if {
	st.Effect == "Allow"
	lib.open_principal(st)
	count(lib.limiting_condition_keys(st) & limiting_keys) == 0
}

everyone_text(st) := "Principal \"*\"" if {
	"*" in lib.principals(st, "AWS")
} else := "everyone except its NotPrincipal"

sid(st) := object.get(st, "Sid", "without Sid")

# METADATA
# title: CloudTrail service grants are scoped to the source trail or account
# description: |
#   Allow statements for cloudtrail.amazonaws.com carry an aws:SourceArn or
#   aws:SourceAccount condition that limits them (confused-deputy protection):
#   a positive operator and a value naming a trail or an account. The policy of
#   a KMS key only CloudTrail Lake event data stores use is the exception: AWS
#   does not support these condition keys there, so its CloudTrail statements
#   must not carry them (the store could not use the key).
# related_resources:
#   - ref: help/rules/TG-LP-002.md
# custom:
#   id: TG-LP-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Add Condition StringEquals aws:SourceArn (the trail ARN) or aws:SourceAccount to the statement.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_002_findings
}

lp_002_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	not lake_only_key_policy(s)
	unscoped_cloudtrail_grant(s.statement)
	msg := sprintf("%s %s allows cloudtrail.amazonaws.com (statement %s) without aws:SourceArn or aws:SourceAccount limiting it; add one as a StringEquals condition naming the trail or account%s", [s.resource, s.argument, sid(s.statement), shared_lake_key_hint(s)])
}

lp_002_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	lake_only_key_policy(s)
	allows_cloudtrail(s.statement)
	unsupported := lib.limiting_condition_keys(s.statement) & source_keys
	count(unsupported) > 0
	msg := sprintf("%s %s conditions CloudTrail's grant (statement %s) on %s, which AWS does not support in the key policy of a CloudTrail Lake event data store: the store cannot use the key; remove the condition (the key must stay dedicated to Lake)", [s.resource, s.argument, sid(s.statement), concat(" and ", sort(unsupported))])
}

source_keys := {"aws:sourcearn", "aws:sourceaccount"}

unscoped_cloudtrail_grant(st) if {
	allows_cloudtrail(st)
	count(lib.limiting_condition_keys(st) & source_keys) == 0
}

# The policy of a key (aws_kms_key's policy argument, or an aws_kms_key_policy)
# that CloudTrail Lake event data stores use and no trail does.
lake_only_key_policy(s) if {
	s.argument == "policy"
	lib.is_type(s.resource, "aws_kms_key")
	lake_only_key(s.resource)
}

lake_only_key_policy(s) if {
	s.argument == "policy"
	some r in lib.resources("aws_kms_key_policy")
	r.address == s.resource
	lake_only({"keys": lib.key_refs(r, "key_id")})
}

# A key both a trail and a Lake store use cannot satisfy both: say so.
shared_lake_key_hint(s) := "; this key also encrypts a CloudTrail Lake event data store, where AWS does not support these conditions: give the store its own key" if {
	some addr in policy_keys(s)
	lib.lake_keys[addr]
} else := ""

policy_keys(s) := {s.resource} if {
	lib.is_type(s.resource, "aws_kms_key")
} else := {k |
	some r in lib.resources("aws_kms_key_policy")
	r.address == s.resource
	some k in lib.key_refs(r, "key_id")
}

# arn:<partition>:iam::<account>:root (the account id may be an interpolation) or a bare account id.
is_account_root(p) if {
	parts := split(p, ":")
	count(parts) == 6
	parts[0] == "arn"
	parts[2] == "iam"
	parts[5] == "root"
}

is_account_root(p) if regex.match(`^[0-9]{12}$`, p)

privileged(p) if is_account_root(p)

privileged(p) if p in lib.config.admin_principals

# What a statement grants service-wide: actions that cover every s3 or kms action
# ("*", "s3:*", "*:*", ...), or everything but a NotAction list.
service_wide_grants(st) := {a |
	some a in object.get(st, "Action", [])
	contains(a, "*") # only a wildcard covers a whole service
	some service in ["s3", "kms"]
	lib.action_covers_service(a, service)
} | {all_but(st) | st.NotAction}

all_but(st) := sprintf("every action except %s", [concat(", ", st.NotAction)])

# METADATA
# title: Service-wide actions only for account roots and admins
# description: |
#   No statement allows s3:*, kms:*, * (or any pattern covering them, or
#   everything but a NotAction list) to a principal other than an account root
#   or one of admin_principals. Identity policies (no Principal) grant to
#   whatever they are attached to, which is never an account root.
# related_resources:
#   - ref: help/rules/TG-LP-003.md
# custom:
#   id: TG-LP-003
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 1.16
#   recommended_action: List only the actions the principal needs, or add the principal ARN to admin_principals if it is a break-glass administrator.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_003_findings
}

lp_003_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	s.statement.Effect == "Allow"
	some action in service_wide_grants(s.statement)
	some kind, values in object.get(s.statement, "Principal", {})
	some p in values
	not privileged(p)
	msg := sprintf("%s %s allows %s to %s principal %s (statement %s); grant specific actions or add it to admin_principals", [s.resource, s.argument, action, kind, p, sid(s.statement)])
}

lp_003_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	s.statement.Effect == "Allow"
	s.statement.NotPrincipal
	some action in service_wide_grants(s.statement)
	msg := sprintf("%s %s allows %s to everyone except its NotPrincipal (statement %s); name the principals and grant specific actions", [s.resource, s.argument, action, sid(s.statement)])
}

lp_003_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	s.statement.Effect == "Allow"
	not s.statement.Principal
	not s.statement.NotPrincipal
	some action in service_wide_grants(s.statement)
	msg := sprintf("%s %s is an identity policy allowing %s (statement %s); grant specific actions", [s.resource, s.argument, action, sid(s.statement)])
}

cloudtrail_kms_actions := {"kms:generatedatakey*", "kms:describekey"}

# CloudTrail Lake also decrypts what it stored (queries), so its key allows kms:Decrypt.
cloudtrail_lake_kms_actions := {"kms:generatedatakey*", "kms:decrypt", "kms:describekey"}

# A statement's grants, as written, that no allowed pattern contains (IAM
# wildcard semantics, case-insensitive); everything but a NotAction list never is.
actions_outside(st, allowed) := {a |
	some a in object.get(st, "Action", [])
	not within_any(a, allowed)
} | {all_but(st) | st.NotAction}

within_any(action, allowed) if {
	some pattern in allowed
	lib.action_within(action, pattern)
}

# Keys only CloudTrail Lake stores use (no trail encrypts with them).
lake_only_key(addr) if {
	lib.lake_keys[addr]
	not lib.trail_keys[addr]
}

key_policy_statements contains {"resource": r.address, "keys": keys, "statement": st} if {
	some r in lib.resources("aws_kms_key")
	keys := {r.address}
	some st in r.policies.policy.Statement
	allows_cloudtrail(st)
}

key_policy_statements contains {"resource": r.address, "keys": keys, "statement": st} if {
	some r in lib.resources("aws_kms_key_policy")
	keys := lib.key_refs(r, "key_id")
	some st in r.policies.policy.Statement
	allows_cloudtrail(st)
}

lake_only(k) if {
	count(k.keys) > 0
	every addr in k.keys {
		lake_only_key(addr)
	}
}

allowed_cloudtrail_actions(k) := cloudtrail_lake_kms_actions if {
	lake_only(k)
} else := cloudtrail_kms_actions

# METADATA
# title: KMS key policies give CloudTrail only what it needs
# description: |
#   A KMS key policy allows cloudtrail.amazonaws.com only kms:GenerateDataKey*
#   and kms:DescribeKey (plus kms:Decrypt on a key only CloudTrail Lake stores
#   use), compared with IAM wildcard semantics, and a trail
#   key's GenerateDataKey grant carries a limiting
#   kms:EncryptionContext:aws:cloudtrail:arn condition.
# related_resources:
#   - ref: help/rules/TG-LP-004.md
# custom:
#   id: TG-LP-004
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.7
#   recommended_action: Limit the CloudTrail statement to kms:GenerateDataKey* (with StringLike kms:EncryptionContext:aws:cloudtrail:arn) and kms:DescribeKey.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_004_findings
}

lp_004_findings contains {"resource": k.resource, "message": msg} if {
	some k in key_policy_statements
	extra := actions_outside(k.statement, allowed_cloudtrail_actions(k))
	count(extra) > 0
	msg := sprintf("%s key policy allows CloudTrail %s (statement %s); allow only %s", [k.resource, concat(", ", sort(extra)), sid(k.statement), allowed_text(k)])
}

allowed_text(k) := "kms:GenerateDataKey*, kms:Decrypt and kms:DescribeKey (a CloudTrail Lake key)" if {
	lake_only(k)
} else := "kms:GenerateDataKey* and kms:DescribeKey"

lp_004_findings contains {"resource": k.resource, "message": msg} if {
	some k in key_policy_statements
	not lake_only(k)
	some a in object.get(k.statement, "Action", [])
	lib.action_within(a, "kms:generatedatakey*")
	not "kms:encryptioncontext:aws:cloudtrail:arn" in lib.limiting_condition_keys(k.statement)
	msg := sprintf("%s key policy allows CloudTrail %s (statement %s) without a kms:EncryptionContext:aws:cloudtrail:arn condition; add StringLike on the trail ARN", [k.resource, a, sid(k.statement)])
}

# Roles that trails use to deliver to CloudWatch Logs: referred to, or named by a
# literal role ARN (arn:aws:iam::<account>:role/<path/>name).
trail_roles := {addr |
	some t in lib.trails
	some addr in lib.refs(t, "cloud_watch_logs_role_arn")
	lib.is_type(addr, "aws_iam_role")
} | {addr |
	some t in lib.trails
	name := role_arn_name(lib.get(t, "cloud_watch_logs_role_arn"))
	some addr in roles_named(name)
}

role_arn_name(arn) := name if {
	is_string(arn)
	not lib.unknown(arn)
	parts := split(arn, ":")
	count(parts) == 6
	parts[2] == "iam"
	startswith(parts[5], "role/")
	path := split(parts[5], "/")
	name := path[count(path) - 1]
}

role_name_pairs := {[name, r.address] |
	some r in lib.resources("aws_iam_role")
	name := lib.get(r, "name")
	is_string(name)
	not lib.unknown(name)
}

roles_named(name) := {p[1] | some p in role_name_pairs; p[0] == name}

# The roles an argument of an attachment names: through refs, or by literal name.
roles_of(r, arg) := {addr | some addr in lib.refs(r, arg); lib.is_type(addr, "aws_iam_role")} | {addr |
	some name in lib.as_array(lib.get(r, arg))
	is_string(name)
	not lib.unknown(name)
	some addr in roles_named(name)
}

log_group_by_address := {g.address: g | some g in lib.resources("aws_cloudwatch_log_group")}

# Log groups each trail role delivers to. Nested over trails only: AWS allows
# five trails per region, so this stays small at any resource count.
role_groups := {role: groups |
	some role in trail_roles
	groups := {g |
		some t in lib.trails
		role in trail_roles_of(t)
		some g in delivered_groups(t)
	}
}

trail_roles_of(t) := {addr | some addr in lib.refs(t, "cloud_watch_logs_role_arn")} | {addr |
	some addr in roles_named(role_arn_name(lib.get(t, "cloud_watch_logs_role_arn")))
}

# The log groups a trail delivers to: referred to, or named in a literal ARN
# (arn:aws:logs:<region>:<account>:log-group:<name>:*).
delivered_groups(t) := {g |
	some addr in lib.refs(t, "cloud_watch_logs_group_arn")
	g := log_group_by_address[addr]
} | {g |
	name := lib.log_group_arn_name(lib.get(t, "cloud_watch_logs_group_arn"))

	# Log group names repeat across accounts and regions: every group of that name counts.
	some g in lib.resources("aws_cloudwatch_log_group")
	lib.get(g, "name") == name
}

# A Resource entry naming log group g: an interpolation of its ARN, or its literal ARN.
names_group(res, g) if contains(res, concat("", ["${", g.type, ".", g.name, ".arn}"]))

# "${aws_cloudwatch_log_group.trail[0].arn}:*": the group's ARN through an instance key.
names_group(res, g) if group_reference(split(res, ":")[0], g, {"arn"})

# "arn:aws:logs:<region>:<account>:log-group:${aws_cloudwatch_log_group.trail[0].name}:*":
# the group named by a reference to its name (a log group's id is its name).
names_group(res, g) if {
	parts := split(res, ":")
	parts[5] == "log-group"
	group_reference(parts[6], g, {"name", "id"})
}

group_reference(text, g, attributes) if {
	startswith(text, "${")
	endswith(text, "}")
	parts := split(substring(text, 2, count(text) - 3), ".")
	count(parts) == 3
	parts[0] == g.type
	split(parts[1], "[")[0] == g.name
	parts[2] in attributes
}

names_group(res, g) if {
	parts := split(res, ":")
	parts[5] == "log-group"
	parts[6] == g.values.name
}

cloudwatch_delivery_actions := {"logs:createlogstream", "logs:putlogevents"}

aws_managed_policy(arn) if startswith(arn, "arn:aws:iam::aws:policy/")

# METADATA
# title: The trail's CloudWatch role writes only to its own log group
# description: |
#   The role a trail uses for CloudWatch Logs delivery may only
#   logs:CreateLogStream and logs:PutLogEvents on the trail's own log group.
#   Every policy the role carries is read: aws_iam_role_policy, the role's
#   inline_policy blocks, and customer managed aws_iam_policy documents attached
#   through aws_iam_role_policy_attachment, aws_iam_policy_attachment,
#   managed_policy_arns or aws_iam_role_policy_attachments_exclusive. AWS
#   managed policies are never scoped to one log group.
# related_resources:
#   - ref: help/rules/TG-LP-005.md
# custom:
#   id: TG-LP-005
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Give the role one policy allowing logs:CreateLogStream and logs:PutLogEvents on "<log group arn>:*" only, and detach AWS managed policies.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_005_findings
}

role_policy_statements contains {"resource": rp.address, "role": role, "statement": st} if {
	some rp in lib.resources("aws_iam_role_policy")
	some role in roles_of(rp, "role")
	trail_roles[role]
	some st in rp.policies.policy.Statement
	st.Effect == "Allow"
}

# inline_policy blocks of the role itself (the normaliser parses only top-level documents).
role_policy_statements contains {"resource": role, "role": role, "statement": st} if {
	some role in trail_roles
	some ip in lib.blocks(lib.get(role_by_address[role], "inline_policy"))
	doc := inline_document(ip)
	some raw in lib.as_array(object.get(doc, "Statement", []))
	st := normalized_statement(raw)
	st.Effect == "Allow"
}

role_by_address := {r.address: r | some r in lib.resources("aws_iam_role")}

inline_document(ip) := doc if {
	raw := object.get(ip, "policy", null)
	is_string(raw)
	not lib.unknown(raw)
	doc := json.unmarshal(raw)
	is_object(doc)
}

# The parts of a raw statement LP-005 reads, with the list fields as arrays.
normalized_statement(raw) := object.union(
	{k: v | some k in ["Effect", "Sid"]; v := raw[k]},
	{k: lib.as_array(raw[k]) | some k in ["Action", "NotAction", "Resource", "NotResource"]},
)

# Customer managed policies attached to a trail role: [policy address, role].
attached_policies contains [p, role] if {
	some a in lib.resources("aws_iam_role_policy_attachment")
	some role in roles_of(a, "role")
	some p in lib.refs(a, "policy_arn")
	lib.is_type(p, "aws_iam_policy")
}

attached_policies contains [p, role] if {
	some a in lib.resources("aws_iam_policy_attachment")
	some role in roles_of(a, "roles")
	some p in lib.refs(a, "policy_arn")
	lib.is_type(p, "aws_iam_policy")
}

attached_policies contains [p, r.address] if {
	some r in lib.resources("aws_iam_role")
	some p in lib.refs(r, "managed_policy_arns")
	lib.is_type(p, "aws_iam_policy")
}

attached_policies contains [p, role] if {
	some a in lib.resources("aws_iam_role_policy_attachments_exclusive")
	some role in roles_of(a, "role_name")
	some p in lib.refs(a, "policy_arns")
	lib.is_type(p, "aws_iam_policy")
}

policy_by_address := {p.address: p | some p in lib.resources("aws_iam_policy")}

role_policy_statements contains {"resource": pair[0], "role": pair[1], "statement": st} if {
	some pair in attached_policies
	trail_roles[pair[1]]
	some st in policy_by_address[pair[0]].policies.policy.Statement
	st.Effect == "Allow"
}

# Literal managed policy ARNs attached to a trail role: [attaching resource, role, arn].
literal_attachments contains [a.address, role, arn] if {
	some spec in [["aws_iam_role_policy_attachment", "role", "policy_arn"], ["aws_iam_policy_attachment", "roles", "policy_arn"], ["aws_iam_role_policy_attachments_exclusive", "role_name", "policy_arns"]]
	some a in lib.resources(spec[0])
	some role in roles_of(a, spec[1])
	some arn in lib.as_array(lib.get(a, spec[2]))
	is_string(arn)
	startswith(arn, "arn:")
}

literal_attachments contains [r.address, r.address, arn] if {
	some r in lib.resources("aws_iam_role")
	some arn in lib.as_array(lib.get(r, "managed_policy_arns"))
	is_string(arn)
	startswith(arn, "arn:")
}

lp_005_findings contains {"resource": s.resource, "message": msg} if {
	some s in role_policy_statements
	extra := actions_outside(s.statement, cloudwatch_delivery_actions)
	count(extra) > 0
	msg := sprintf("%s (trail role %s) allows %s; allow only logs:CreateLogStream and logs:PutLogEvents", [s.resource, s.role, concat(", ", sort(extra))])
}

lp_005_findings contains {"resource": s.resource, "message": msg} if {
	some s in role_policy_statements
	some res in object.get(s.statement, "Resource", [])
	not names_own_group(res, s.role)
	msg := sprintf("%s (trail role %s) allows Resource %s, which is not the trail's log group; scope it to the log group ARN", [s.resource, s.role, res])
}

lp_005_findings contains {"resource": s.resource, "message": msg} if {
	some s in role_policy_statements
	s.statement.NotResource
	msg := sprintf("%s (trail role %s) allows every resource except %s; scope Resource to the log group ARN", [s.resource, s.role, concat(", ", s.statement.NotResource)])
}

names_own_group(res, role) if {
	some g in role_groups[role]
	names_group(res, g)
}

lp_005_findings contains {"resource": att[0], "message": msg} if {
	some att in literal_attachments
	trail_roles[att[1]]
	aws_managed_policy(att[2])
	msg := sprintf("%s attaches the AWS managed policy %s to trail role %s, which is not scoped to the trail's log group; use a policy allowing only logs:CreateLogStream and logs:PutLogEvents on it", [att[0], att[2], att[1]])
}

# Every key true; an unknown value is TG-VER-001's finding, not a second one here.
all_true(block, keys) if {
	every k in keys {
		true_or_unknown(object.get(block, k, false))
	}
}

true_or_unknown(true)

true_or_unknown(v) if lib.unknown(v)

public_access_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# METADATA
# title: S3 access points are VPC-only and block public access
# description: Every S3 access point has a vpc_configuration and a public_access_block_configuration with all four settings true.
# related_resources:
#   - ref: help/rules/TG-LP-006.md
# custom:
#   id: TG-LP-006
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Add vpc_configuration { vpc_id } and public_access_block_configuration with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_006_findings
}

lp_006_findings contains {"resource": ap.address, "message": msg} if {
	some ap in lib.resources("aws_s3_access_point")
	not vpc_only(ap)
	msg := sprintf("access point %s has no vpc_configuration with a vpc_id; restrict it to a VPC", [ap.address])
}

vpc_only(ap) if {
	some vc in lib.blocks(lib.get(ap, "vpc_configuration"))
	lib.is_set(object.get(vc, "vpc_id", null))
}

lp_006_findings contains {"resource": ap.address, "message": msg} if {
	some ap in lib.resources("aws_s3_access_point")
	not blocks_public_access(ap)
	msg := sprintf("access point %s does not set all of %s to true in public_access_block_configuration", [ap.address, concat(", ", public_access_settings)])
}

blocks_public_access(ap) if {
	some pab in lib.blocks(lib.get(ap, "public_access_block_configuration"))
	all_true(pab, public_access_settings)
}

pab_buckets := {addr |
	some p in lib.resources("aws_s3_bucket_public_access_block")
	some addr in lib.refs(p, "bucket")
}

# METADATA
# title: S3 buckets block public access
# description: Every S3 bucket has an aws_s3_bucket_public_access_block with all four settings true.
# related_resources:
#   - ref: help/rules/TG-LP-007.md
# custom:
#   id: TG-LP-007
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 2.1.5
#     - CIS AWS Foundations v1.4.0 3.3
#   recommended_action: Add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_007_findings
}

lp_007_findings contains {"resource": b.address, "message": msg} if {
	some b in lib.resources("aws_s3_bucket")
	not pab_buckets[b.address]
	msg := sprintf("bucket %s has no aws_s3_bucket_public_access_block; add one with all four settings true", [b.address])
}

lp_007_findings contains {"resource": p.address, "message": msg} if {
	some p in lib.resources("aws_s3_bucket_public_access_block")
	some k in public_access_settings
	not true_or_unknown(lib.get(p, k))
	msg := sprintf("%s (bucket %s) does not set %s = true", [p.address, concat(", ", lib.refs(p, "bucket")), k])
}

# METADATA
# title: Policy documents are statically readable
# description: |
#   Every policy-like argument (policy, assume_role_policy) is a JSON document
#   the gate could parse. An expression or a value unknown until apply cannot be
#   proved least-privilege.
# related_resources:
#   - ref: help/rules/TG-LP-008.md
# custom:
#   id: TG-LP-008
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Write the policy as a literal JSON document (e.g. JSON.stringify in CDKTF) instead of a data source or computed value.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_008_findings
}

lp_008_findings contains {"resource": r.address, "message": msg} if {
	some list in input.resources
	some r in list
	some arg in ["policy", "assume_role_policy"]
	raw := lib.get(r, arg)
	is_string(raw)
	raw != ""
	object.get(object.get(r, "policies", {}), arg, null) == null
	msg := sprintf("%s %s is not a statically readable policy document (%s); write it as literal JSON so it can be checked", [r.address, arg, raw])
}

lp_008_findings contains {"resource": r.address, "message": msg} if {
	some r in lib.resources("aws_iam_role")
	some ip in lib.blocks(lib.get(r, "inline_policy"))
	raw := object.get(ip, "policy", null)
	is_string(raw)
	raw != ""
	not inline_document(ip)
	msg := sprintf("%s inline_policy %s is not a statically readable policy document (%s); write it as literal JSON so it can be checked", [r.address, object.get(ip, "name", "(unnamed)"), raw])
}

# Condition keys that identify who is asking (or on whose behalf a service acts),
# by the kind of value they take.
account_keys := {"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount", "s3:dataaccesspointaccount"}

organization_keys := {"aws:principalorgid", "aws:sourceorgid"}

organization_path_keys := {"aws:principalorgpaths", "aws:sourceorgpaths"}

arn_keys := {"aws:principalarn", "aws:sourcearn", "s3:dataaccesspointarn"} | encryption_context_keys

# The encryption context names the data (our trail's logs, our log group), not who
# asks: it ties a service principal to our resources, but an outside role allowed
# to decrypt "our trail's logs" is exactly the breach.
encryption_context_keys := {"kms:encryptioncontext:aws:cloudtrail:arn", "kms:encryptioncontext:aws:logs:arn"}

only_service_principals(st) if {
	not st.NotPrincipal
	every kind, _ in object.get(st, "Principal", {}) {
		kind == "Service"
	}
}

principal_keys := ((account_keys | organization_keys) | organization_path_keys) | arn_keys

# A condition value that names a trusted account, the trusted organisation, or
# a resource this configuration creates.
trusted_value(_, v) if lib.resource_reference(v)

trusted_value(key, v) if {
	key in account_keys
	lib.trusted_accounts[v]
}

trusted_value(key, v) if {
	key in organization_keys
	lib.organization_id != ""
	v == lib.organization_id
}

trusted_value(key, v) if {
	key in organization_path_keys
	lib.organization_id != ""
	startswith(v, concat("", [lib.organization_id, "/"]))
}

trusted_value(key, v) if {
	key in arn_keys
	lib.trusted_accounts[lib.arn_account(v)]
}

# An S3 ARN carries no account: it is trusted when it names a bucket of this configuration.
trusted_value(key, v) if {
	key in arn_keys
	count(lib.buckets_named(lib.s3_arn_bucket(v))) > 0
}

# A positive condition on a principal key whose every value is trusted.
trusted_by_condition(st) if {
	some op, conds in object.get(st, "Condition", {})
	lib.positive_operator(op)
	some key, vals in conds
	lower(key) in principal_keys
	count(vals) > 0
	context_key_allowed(st, lower(key))
	every v in vals {
		trusted_value(lower(key), v)
	}
}

context_key_allowed(_, key) if not key in encryption_context_keys

context_key_allowed(st, key) if {
	key in encryption_context_keys
	only_service_principals(st)
}

# An AWS principal in a trusted account (an account id, an ARN, or a role or user of this configuration).
trusted_principal(p) if lib.resource_reference(p)

trusted_principal(p) if lib.trusted_accounts[p]

trusted_principal(p) if lib.trusted_accounts[lib.arn_account(p)]

# Principals of a statement the gate cannot tie to a trusted account.
untrusted_principals(st) := {sprintf("%s principal %s", [kind, p]) |
	some kind, values in object.get(st, "Principal", {})
	some p in values
	not trusted_aws_principal(kind, p)
} | {"everyone except its NotPrincipal" | st.NotPrincipal}

trusted_aws_principal("AWS", p) if trusted_principal(p)

# A value an unknown (not a resource of this configuration) stands for: TG-VER-001 reports it.
unverifiable_value(v) if {
	lib.unknown(v)
	not lib.resource_reference(v)
}

# A statement whose principals or principal conditions the gate cannot read before apply.
unverifiable_statement(st) if {
	some _, values in object.get(st, "Principal", {})
	some p in values
	unverifiable_value(p)
}

unverifiable_statement(st) if {
	some _, conds in object.get(st, "Condition", {})
	some key, vals in conds
	lower(key) in principal_keys
	some v in vals
	unverifiable_value(v)
}

# METADATA
# title: log_access_statements
# description: |
#   Allow statements of the policies that decide who may read, write or delete
#   log objects, change the log buckets, or use the log keys: bucket policies
#   (separate or inline) of trail log and access-log buckets, access point
#   policies on them, and key policies of the log keys.
log_access_statements contains {"resource": p.address, "statement": st} if {
	some p in lib.resources("aws_s3_bucket_policy")
	some addr in lib.refs(p, "bucket")
	lib.log_buckets[addr]
	some st in p.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_statements contains {"resource": b.address, "statement": st} if {
	some b in lib.resources("aws_s3_bucket")
	lib.log_buckets[b.address]
	not lib.separate_bucket_config[["aws_s3_bucket_policy", b.address]]
	some st in b.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_statements contains {"resource": ap.address, "statement": st} if {
	some ap in log_access_points
	some st in ap.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_statements contains {"resource": p.address, "statement": st} if {
	some p in lib.resources("aws_s3control_access_point_policy")
	some ap in log_access_points
	ap.address in lib.refs(p, "access_point_arn")
	some st in p.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_statements contains {"resource": k.address, "statement": st} if {
	some k in lib.resources("aws_kms_key")
	lib.log_keys[k.address]
	some st in k.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_statements contains {"resource": p.address, "statement": st} if {
	some p in lib.resources("aws_kms_key_policy")
	some k in lib.key_refs(p, "key_id")
	lib.log_keys[k]
	some st in p.policies.policy.Statement
	st.Effect == "Allow"
}

log_access_points contains ap if {
	some ap in lib.resources("aws_s3_access_point")
	some addr in lib.refs(ap, "bucket")
	lib.log_buckets[addr]
}

# Statements whose principals TG-LP-009 judges: readable, and not already
# reported by TG-LP-001 (open to everyone) or TG-LP-002 (unscoped CloudTrail grant).
judged_statements contains s if {
	some s in log_access_statements
	not open_to_everyone(s.statement)
	not unscoped_cloudtrail_grant(s.statement)
	not unverifiable_statement(s.statement)
	not trusted_by_condition(s.statement)
	count(untrusted_principals(s.statement)) > 0
}

# METADATA
# title: trust_configured
# description: True when the gate knows the trusted accounts or organisation (policy data or the providers' allowed_account_ids).
trust_configured if count(lib.trusted_accounts) > 0

trust_configured if lib.organization_id != ""

# METADATA
# title: Only trusted accounts reach the audit logs and their keys
# description: |
#   Who may read, write or delete log objects, change the log buckets, or use
#   the log keys is limited to principals of the trusted accounts (policy data
#   trusted_accounts plus the providers' allowed_account_ids) or the trusted
#   organisation (organization_id): every principal of an Allow in those
#   policies belongs to a trusted account, or a positive condition on a
#   principal key (aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceArn,
#   aws:SourceAccount, ...) names only trusted accounts or the organisation.
#   KMS grants on the log keys go to trusted principals only, and the log
#   buckets' ACLs grant nothing to the public or other accounts (unless ACLs are
#   disabled by BucketOwnerEnforced).
# related_resources:
#   - ref: help/rules/TG-LP-009.md
# custom:
#   id: TG-LP-009
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - UK GDPR Art. 5(1)(f)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.3
#   recommended_action: Remove the principal, or limit the statement with aws:PrincipalOrgID / aws:PrincipalAccount / aws:SourceAccount naming your organisation or accounts; add legitimate accounts to trusted_accounts in policy data.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	trust_configured
	some f in lp_009_findings
}

trusted_text := sprintf("trusted accounts [%s], organisation %s", [concat(", ", sort(lib.trusted_accounts)), organization_text])

organization_text := lib.organization_id if lib.organization_id != ""

else := "(none configured)"

lp_009_findings contains {"resource": s.resource, "message": msg} if {
	some s in judged_statements
	msg := sprintf("%s allows %s to %s (statement %s), outside the %s; limit it to trusted principals (or add the account to trusted_accounts)", [s.resource, concat(", ", object.get(s.statement, "Action", ["its actions"])), concat(", ", sort(untrusted_principals(s.statement))), sid(s.statement), trusted_text])
}

lp_009_findings contains {"resource": g.address, "message": msg} if {
	some g in lib.resources("aws_kms_grant")
	some k in lib.key_refs(g, "key_id")
	lib.log_keys[k]
	grantee := lib.get(g, "grantee_principal")
	is_string(grantee)
	not unverifiable_value(grantee)
	not trusted_principal(grantee)
	msg := sprintf("%s grants log key %s to %s, outside the %s; grant only to principals of trusted accounts", [g.address, k, grantee, trusted_text])
}

# --- ACLs on log buckets (TG-LP-009) ---

public_canned_acls := {"public-read", "public-read-write", "authenticated-read"}

public_group_uris := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

# With BucketOwnerEnforced, S3 disables ACLs: they grant nothing.
acls_disabled(addr) if {
	some c in lib.resources("aws_s3_bucket_ownership_controls")
	addr in lib.refs(c, "bucket")
	some rule in lib.blocks(lib.get(c, "rule"))
	rule.object_ownership == "BucketOwnerEnforced"
}

# ACL grants on log buckets, as [resource, bucket, what it grants to]: an
# aws_s3_bucket_acl, or the legacy inline acl / grant of a bucket without one.
acl_grants contains [a.address, addr, sprintf("everyone through the canned ACL %s", [acl])] if {
	some a in lib.resources("aws_s3_bucket_acl")
	some addr in lib.refs(a, "bucket")
	acl := lib.get(a, "acl")
	acl in public_canned_acls
}

acl_grants contains [a.address, addr, grantee_text(grantee)] if {
	some a in lib.resources("aws_s3_bucket_acl")
	some addr in lib.refs(a, "bucket")
	some acp in lib.blocks(lib.get(a, "access_control_policy"))
	owners := {o.id | some o in lib.blocks(object.get(acp, "owner", null))}
	some g in lib.blocks(object.get(acp, "grant", null))
	some grantee in lib.blocks(object.get(g, "grantee", null))
	outside_grantee(grantee, owners)
}

acl_grants contains [b.address, b.address, sprintf("everyone through the canned ACL %s", [acl])] if {
	some b in lib.resources("aws_s3_bucket")
	not lib.separate_bucket_config[["aws_s3_bucket_acl", b.address]]
	acl := lib.get(b, "acl")
	acl in public_canned_acls
}

# Inline grant blocks list the owner's own grant without its id, so only group grants are judged.
acl_grants contains [b.address, b.address, grantee_text(g)] if {
	some b in lib.resources("aws_s3_bucket")
	not lib.separate_bucket_config[["aws_s3_bucket_acl", b.address]]
	some g in lib.blocks(lib.get(b, "grant"))
	object.get(g, "type", "") == "Group"
	object.get(g, "uri", "") in public_group_uris
}

outside_grantee(grantee, _) if object.get(grantee, "uri", "") in public_group_uris

outside_grantee(grantee, owners) if {
	grantee.type == "CanonicalUser"
	is_string(grantee.id)
	not lib.unknown(grantee.id)
	not grantee.id in owners
}

grantee_text(g) := sprintf("the group %s", [g.uri]) if {
	is_string(object.get(g, "uri", null))
} else := sprintf("canonical user %s (another account)", [g.id])

lp_009_findings contains {"resource": grant[0], "message": msg} if {
	some grant in acl_grants
	lib.log_buckets[grant[1]]
	not acls_disabled(grant[1])
	msg := sprintf("%s grants log bucket %s to %s through its ACL, outside the %s; remove the grant or set object ownership to BucketOwnerEnforced", [grant[0], grant[1], grant[2], trusted_text])
}
