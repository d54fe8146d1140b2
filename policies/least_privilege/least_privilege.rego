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
#   No policy statement allows Principal "*" unless a positive condition on a
#   principal- or source-limiting key (aws:SourceArn, aws:PrincipalOrgID, ...) narrows it.
# related_resources:
#   - ref: help/rules/TG-LP-001.md
# custom:
#   id: TG-LP-001
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#     - CIS AWS Foundations v1.4.0 3.3
#   recommended_action: Name the principals explicitly, or add a condition such as aws:PrincipalOrgID or aws:SourceArn.
violations contains lib.violation(rego.metadata.rule(), s.resource, msg) if {
	some s in lib.policy_statements
	s.statement.Effect == "Allow"
	"*" in lib.principals(s.statement, "AWS")
	count(lib.condition_keys(s.statement) & limiting_keys) == 0
	msg := sprintf("%s %s allows Principal \"*\" (statement %s) with no limiting condition; name the principals or add aws:PrincipalOrgID / aws:SourceArn", [s.resource, s.argument, sid(s.statement)])
}

sid(st) := object.get(st, "Sid", "without Sid")

# METADATA
# title: CloudTrail service grants are scoped to the source trail or account
# description: Allow statements for cloudtrail.amazonaws.com carry an aws:SourceArn or aws:SourceAccount condition (confused-deputy protection).
# related_resources:
#   - ref: help/rules/TG-LP-002.md
# custom:
#   id: TG-LP-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Add Condition StringEquals aws:SourceArn (the trail ARN) or aws:SourceAccount to the statement.
violations contains lib.violation(rego.metadata.rule(), s.resource, msg) if {
	some s in lib.policy_statements
	allows_cloudtrail(s.statement)
	count(lib.condition_keys(s.statement) & {"aws:sourcearn", "aws:sourceaccount"}) == 0
	msg := sprintf("%s %s allows cloudtrail.amazonaws.com (statement %s) without aws:SourceArn or aws:SourceAccount; add one as a StringEquals condition", [s.resource, s.argument, sid(s.statement)])
}

service_wide_actions := {"*", "s3:*", "kms:*"}

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

# METADATA
# title: Service-wide actions only for account roots and admins
# description: |
#   No statement allows s3:*, kms:* or * to a principal other than an account
#   root or one of admin_principals. Identity policies (no Principal) grant to
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
	some action in (lib.lower_actions(s.statement) & service_wide_actions)
	some kind, values in s.statement.Principal
	some p in values
	not privileged(p)
	msg := sprintf("%s %s allows %s to %s principal %s (statement %s); grant specific actions or add it to admin_principals", [s.resource, s.argument, action, kind, p, sid(s.statement)])
}

lp_003_findings contains {"resource": s.resource, "message": msg} if {
	some s in lib.policy_statements
	s.statement.Effect == "Allow"
	not "Principal" in object.keys(s.statement)
	some action in (lib.lower_actions(s.statement) & service_wide_actions)
	msg := sprintf("%s %s is an identity policy allowing %s (statement %s); grant specific actions", [s.resource, s.argument, action, sid(s.statement)])
}

cloudtrail_kms_actions := {"kms:generatedatakey*", "kms:describekey"}

# A statement's actions, as written, whose lower-case form is not in allowed.
actions_outside(st, allowed) := {a |
	some a in object.get(st, "Action", [])
	not lower(a) in allowed
}

key_policy_statements contains {"resource": r.address, "statement": st} if {
	some type in ["aws_kms_key", "aws_kms_key_policy"]
	some r in lib.resources(type)
	some st in r.policies.policy.Statement
	allows_cloudtrail(st)
}

# METADATA
# title: KMS key policies give CloudTrail only what it needs
# description: |
#   A KMS key policy allows cloudtrail.amazonaws.com only kms:GenerateDataKey*
#   and kms:DescribeKey, and the GenerateDataKey* grant carries the
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
	extra := actions_outside(k.statement, cloudtrail_kms_actions)
	count(extra) > 0
	msg := sprintf("%s key policy allows CloudTrail %s (statement %s); allow only kms:GenerateDataKey* and kms:DescribeKey", [k.resource, concat(", ", sort(extra)), sid(k.statement)])
}

lp_004_findings contains {"resource": k.resource, "message": msg} if {
	some k in key_policy_statements
	"kms:generatedatakey*" in lib.lower_actions(k.statement)
	not "kms:encryptioncontext:aws:cloudtrail:arn" in lib.condition_keys(k.statement)
	msg := sprintf("%s key policy allows CloudTrail kms:GenerateDataKey* (statement %s) without a kms:EncryptionContext:aws:cloudtrail:arn condition; add StringLike on the trail ARN", [k.resource, sid(k.statement)])
}

# Roles that trails use to deliver to CloudWatch Logs.
trail_roles := {addr |
	some t in lib.trails
	some addr in lib.refs(t, "cloud_watch_logs_role_arn")
}

log_group_by_address := {g.address: g | some g in lib.resources("aws_cloudwatch_log_group")}

# Log groups each trail role delivers to. Nested over trails only: AWS allows
# five trails per region, so this stays small at any resource count.
role_groups := {role: groups |
	some role in trail_roles
	groups := {g |
		some t in lib.trails
		role in lib.refs(t, "cloud_watch_logs_role_arn")
		some g in delivered_groups(t)
	}
}

# The log groups a trail delivers to: referred to, or named in a literal ARN
# (arn:aws:logs:<region>:<account>:log-group:<name>:*).
delivered_groups(t) := {g |
	some addr in lib.refs(t, "cloud_watch_logs_group_arn")
	g := log_group_by_address[addr]
} | {g |
	arn := lib.get(t, "cloud_watch_logs_group_arn")
	is_string(arn)
	parts := split(arn, ":")
	parts[5] == "log-group"

	# Log group names repeat across accounts and regions: every group of that name counts.
	some g in lib.resources("aws_cloudwatch_log_group")
	lib.get(g, "name") == parts[6]
}

# A Resource entry naming log group g: an interpolation of its ARN, or its literal ARN.
names_group(res, g) if contains(res, concat("", ["${", g.type, ".", g.name, ".arn}"]))

names_group(res, g) if {
	parts := split(res, ":")
	parts[5] == "log-group"
	parts[6] == g.values.name
}

cloudwatch_delivery_actions := {"logs:createlogstream", "logs:putlogevents"}

# METADATA
# title: The trail's CloudWatch role writes only to its own log group
# description: |
#   The role a trail uses for CloudWatch Logs delivery may only
#   logs:CreateLogStream and logs:PutLogEvents on the trail's own log group,
#   through inline aws_iam_role_policy resources (managed and inline_policy
#   attachments cannot be checked here).
# related_resources:
#   - ref: help/rules/TG-LP-005.md
# custom:
#   id: TG-LP-005
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Give the role one aws_iam_role_policy allowing logs:CreateLogStream and logs:PutLogEvents on "<log group arn>:*" only.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in lp_005_findings
}

role_policy_statements contains {"resource": rp.address, "role": role, "statement": st} if {
	some rp in lib.resources("aws_iam_role_policy")
	some role in lib.refs(rp, "role")
	trail_roles[role]
	some st in rp.policies.policy.Statement
	st.Effect == "Allow"
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

names_own_group(res, role) if {
	some g in role_groups[role]
	names_group(res, g)
}

lp_005_findings contains {"resource": a.address, "message": msg} if {
	some a in lib.resources("aws_iam_role_policy_attachment")
	some role in lib.refs(a, "role")
	trail_roles[role]
	msg := sprintf("%s attaches managed policy %v to trail role %s; use only an inline aws_iam_role_policy scoped to the log group", [a.address, lib.get(a, "policy_arn"), role])
}

role_by_address := {r.address: r | some r in lib.resources("aws_iam_role")}

lp_005_findings contains {"resource": role, "message": msg} if {
	some role in trail_roles
	r := role_by_address[role]
	some arg in ["inline_policy", "managed_policy_arns"]
	count(lib.blocks(lib.get(r, arg))) > 0
	msg := sprintf("trail role %s sets %s; remove it and use only an inline aws_iam_role_policy scoped to the log group", [role, arg])
}

all_true(block, keys) if {
	every k in keys {
		object.get(block, k, false) == true
	}
}

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
	lib.get(p, k) != true
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
violations contains lib.violation(rego.metadata.rule(), r.address, msg) if {
	some list in input.resources
	some r in list
	some arg in ["policy", "assume_role_policy"]
	raw := lib.get(r, arg)
	is_string(raw)
	raw != ""
	object.get(object.get(r, "policies", {}), arg, null) == null
	msg := sprintf("%s %s is not a statically readable policy document (%s); write it as literal JSON so it can be checked", [r.address, arg, raw])
}
