# METADATA
# title: Verifiability
# description: |
#   What the other rules cannot judge before apply is reported, never passed
#   silently: values unknown until apply, links that cannot be followed, and
#   trust that is not configured. Each finding names what could not be checked.
package trailgate.verifiability

import data.trailgate.access
import data.trailgate.least_privilege
import data.trailgate.lib

# Arguments rules need as concrete values, with the rules that read them. A path
# is the argument followed by nested block names. `scope` limits a row to the
# resources the rule judges: "all", "log_bucket" (an aws_s3_bucket that is a
# trail log or access-log bucket) or "log_bucket_config" (a resource whose
# `bucket` is one). `keyed` rows name a key: an interpolation of a key of this
# configuration is fine there, only other unknowns are reported.
needed_values := [
	{"type": "aws_cloudtrail", "scope": "all", "path": ["enable_logging"], "rules": "TG-LOG-010"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["is_multi_region_trail"], "rules": "TG-LOG-001"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["include_global_service_events"], "rules": "TG-LOG-002"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["enable_log_file_validation"], "rules": "TG-LOG-003"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["is_organization_trail"], "rules": "TG-LOG-005"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["event_selector", "read_write_type"], "rules": "TG-LOG-011"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["event_selector", "include_management_events"], "rules": "TG-LOG-011"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["event_selector", "exclude_management_event_sources"], "rules": "TG-LOG-012"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["advanced_event_selector", "field_selector", "equals"], "rules": "TG-LOG-011, TG-LOG-012"},
	{"type": "aws_cloudtrail", "scope": "all", "path": ["advanced_event_selector", "field_selector", "not_equals"], "rules": "TG-LOG-011, TG-LOG-012"},
	{"type": "aws_kms_key", "scope": "all", "path": ["is_enabled"], "rules": "TG-ENC-007"},
	{"type": "aws_kms_key", "scope": "all", "path": ["enable_key_rotation"], "rules": "TG-ENC-002"},
	{"type": "aws_kms_key", "scope": "all", "path": ["rotation_period_in_days"], "rules": "TG-ENC-002"},
	{"type": "aws_kms_key", "scope": "all", "path": ["deletion_window_in_days"], "rules": "TG-ENC-008"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["force_destroy"], "rules": "TG-RET-007"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["versioning", "enabled"], "rules": "TG-RET-003"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["lifecycle_rule", "enabled"], "rules": "TG-RET-001"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["lifecycle_rule", "expiration", "days"], "rules": "TG-RET-001"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["object_lock_configuration", "rule", "default_retention", "mode"], "rules": "TG-RET-006"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["object_lock_configuration", "rule", "default_retention", "days"], "rules": "TG-RET-002"},
	{"type": "aws_s3_bucket", "scope": "log_bucket", "path": ["object_lock_configuration", "rule", "default_retention", "years"], "rules": "TG-RET-002"},
	{"type": "aws_s3_bucket", "scope": "all", "path": ["server_side_encryption_configuration", "rule", "apply_server_side_encryption_by_default", "sse_algorithm"], "rules": "TG-ENC-001"},
	{"type": "aws_s3_bucket_versioning", "scope": "log_bucket_config", "path": ["versioning_configuration", "status"], "rules": "TG-RET-003"},
	{"type": "aws_s3_bucket_lifecycle_configuration", "scope": "log_bucket_config", "path": ["rule", "status"], "rules": "TG-RET-001"},
	{"type": "aws_s3_bucket_lifecycle_configuration", "scope": "log_bucket_config", "path": ["rule", "expiration", "days"], "rules": "TG-RET-001"},
	{"type": "aws_s3_bucket_object_lock_configuration", "scope": "log_bucket_config", "path": ["rule", "default_retention", "mode"], "rules": "TG-RET-006"},
	{"type": "aws_s3_bucket_object_lock_configuration", "scope": "log_bucket_config", "path": ["rule", "default_retention", "days"], "rules": "TG-RET-002"},
	{"type": "aws_s3_bucket_object_lock_configuration", "scope": "log_bucket_config", "path": ["rule", "default_retention", "years"], "rules": "TG-RET-002"},
	{"type": "aws_s3_bucket_server_side_encryption_configuration", "scope": "all", "path": ["rule", "apply_server_side_encryption_by_default", "sse_algorithm"], "rules": "TG-ENC-001"},
	{"type": "aws_s3_bucket_public_access_block", "scope": "all", "path": ["block_public_acls"], "rules": "TG-LP-007"},
	{"type": "aws_s3_bucket_public_access_block", "scope": "all", "path": ["block_public_policy"], "rules": "TG-LP-007"},
	{"type": "aws_s3_bucket_public_access_block", "scope": "all", "path": ["ignore_public_acls"], "rules": "TG-LP-007"},
	{"type": "aws_s3_bucket_public_access_block", "scope": "all", "path": ["restrict_public_buckets"], "rules": "TG-LP-007"},
	{"type": "aws_s3_access_point", "scope": "all", "path": ["public_access_block_configuration", "block_public_acls"], "rules": "TG-LP-006"},
	{"type": "aws_s3_access_point", "scope": "all", "path": ["public_access_block_configuration", "block_public_policy"], "rules": "TG-LP-006"},
	{"type": "aws_s3_access_point", "scope": "all", "path": ["public_access_block_configuration", "ignore_public_acls"], "rules": "TG-LP-006"},
	{"type": "aws_s3_access_point", "scope": "all", "path": ["public_access_block_configuration", "restrict_public_buckets"], "rules": "TG-LP-006"},
	{"type": "aws_cloudwatch_log_group", "scope": "all", "path": ["retention_in_days"], "rules": "TG-RET-004"},
	{"type": "aws_cloudtrail_event_data_store", "scope": "all", "path": ["retention_period"], "rules": "TG-RET-005"},
	{"type": "aws_cloudtrail_event_data_store", "scope": "all", "path": ["kms_key_id"], "rules": "TG-ENC-009", "keyed": true},
	{"type": "aws_sns_topic", "scope": "all", "path": ["kms_master_key_id"], "rules": "TG-ENC-005", "keyed": true},
	{"type": "aws_cloudwatch_metric_alarm", "scope": "all", "path": ["actions_enabled"], "rules": "TG-LOG-013"},
	{"type": "aws_cloudwatch_log_metric_filter", "scope": "all", "path": ["pattern"], "rules": "TG-LOG-007"},
]

in_scope(_, "all")

in_scope(r, "log_bucket") if lib.log_buckets[r.address]

in_scope(r, "log_bucket_config") if {
	some addr in lib.refs(r, "bucket")
	lib.log_buckets[addr]
}

may_hold_unknown(v) if lib.unknown(v)

may_hold_unknown(v) if is_array(v)

may_hold_unknown(v) if is_object(v)

# The first unknown at a path: the value itself, or an element of a list value.
unknown_value(v) := v if lib.unknown(v)

unknown_value(v) := x if {
	is_array(v)
	some x in v
	lib.unknown(x)
}

# A key argument may interpolate a key of this configuration (or, in a plan, be
# computed from one the refs name): that is known enough.
reportable(_, _, row) if not object.get(row, "keyed", false)

reportable(r, x, row) if {
	object.get(row, "keyed", false)
	not lib.resource_reference(x)
	count(lib.key_refs(r, row.path[0])) == 0
}

# METADATA
# title: Values a rule needs are known before apply
# description: |
#   An argument a rule must compare (a flag, a number of days, a mode, a filter
#   pattern, a key) is not known until apply ("${...}": a variable without a
#   default, a local, an attribute of another resource). The gate cannot tell
#   whether the control holds, so it says so instead of passing; so it does for
#   the principals and principal conditions of log bucket and key policies.
# related_resources:
#   - ref: help/rules/TG-VER-001.md
# custom:
#   id: TG-VER-001
#   severity: medium
#   inputs: [synth, plan, module]  # not live: live values are never unknown
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Gate the plan (terraform show -json), where variables are known, or write the value as a literal.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in ver_001_findings
}

ver_001_findings contains {"resource": r.address, "message": msg} if {
	some row in needed_values
	some r in lib.resources(row.type)
	top := object.get(r.values, row.path[0], null)
	may_hold_unknown(top) # most arguments are absent, booleans or numbers: skip them early
	in_scope(r, row.scope)
	some v in lib.values_at(r.values, row.path)
	x := unknown_value(v)
	reportable(r, x, row)
	msg := sprintf("%s argument %s is not known before apply (%s), so %s cannot be checked; gate the plan or set a literal value", [r.address, concat(".", row.path), x, row.rules])
}

ver_001_findings contains {"resource": s.resource, "message": msg} if {
	some s in least_privilege.log_access_statements
	least_privilege.unverifiable_statement(s.statement)
	msg := sprintf("%s statement %s names principals or principal conditions not known before apply, so who may reach the logs (TG-LP-009) cannot be checked; gate the plan or write them as literals", [s.resource, object.get(s.statement, "Sid", "without Sid")])
}

# Arguments rules join through; an unresolved reference in one of them hides a link.
link_arguments := {
	"aws_cloudtrail": ["s3_bucket_name", "kms_key_id", "cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"],
	"aws_s3_bucket_policy": ["bucket"],
	"aws_s3_bucket_versioning": ["bucket"],
	"aws_s3_bucket_lifecycle_configuration": ["bucket"],
	"aws_s3_bucket_object_lock_configuration": ["bucket"],
	"aws_s3_bucket_server_side_encryption_configuration": ["bucket", "rule"],
	"aws_s3_bucket_logging": ["bucket", "target_bucket"],
	"aws_s3_bucket_public_access_block": ["bucket"],
	"aws_s3_bucket_acl": ["bucket"],
	"aws_s3_access_point": ["bucket"],
	"aws_s3control_access_point_policy": ["access_point_arn"],
	"aws_kms_key_policy": ["key_id"],
	"aws_kms_alias": ["target_key_id"],
	"aws_kms_grant": ["key_id"],
	"aws_cloudwatch_metric_alarm": ["alarm_actions", "metric_name", "namespace"],
	"aws_cloudwatch_log_metric_filter": ["log_group_name"],
	"aws_cloudwatch_log_group": ["kms_key_id"],
	"aws_cloudtrail_event_data_store": ["kms_key_id"],
	"aws_sns_topic": ["kms_master_key_id"],
	"aws_iam_role_policy": ["role"],
	"aws_iam_role_policy_attachment": ["role", "policy_arn"],
	"aws_iam_policy_attachment": ["roles", "policy_arn"],
	"aws_iam_role": ["managed_policy_arns"],
	"aws_iam_role_policy_attachments_exclusive": ["role_name", "policy_arns"],
}

# What a trail's link decides, for the message.
trail_link_checks := {
	"s3_bucket_name": "the trail's bucket (Object Lock, lifecycle, versioning, encryption, access logging, bucket policy)",
	"kms_key_id": "the trail's key (key policy, rotation, state)",
	"cloud_watch_logs_group_arn": "the trail's log group (encryption, retention, which metric filters watch it)",
	"cloud_watch_logs_role_arn": "the trail's CloudWatch role (TG-LP-005)",
}

# METADATA
# title: Links the rules depend on can be followed
# description: |
#   A reference a rule joins through cannot be followed to a resource or a
#   static value (the normaliser lists it in the resource's `unresolved` map),
#   or a trail names a bucket, key, log group or role this configuration does not
#   create, or a trail role carries a customer managed policy defined elsewhere.
#   The rules on the far side of the link then cannot run; the gate says so.
# related_resources:
#   - ref: help/rules/TG-VER-002.md
# custom:
#   id: TG-VER-002
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Gate a configuration that contains both ends of the link (for example the plan of the root module that creates the bucket and the trail), or resolve the reference to a resource or literal.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in ver_002_findings
}

ver_002_findings contains {"resource": r.address, "message": msg} if {
	some list in input.resources
	some r in list
	some arg, references in object.get(r, "unresolved", {}) # absent on almost every resource
	arg in object.get(link_arguments, r.type, [])
	count(references) > 0
	msg := sprintf("%s argument %s refers to %s, which the gate cannot follow to a resource or value, so the rules that join through it cannot check it; gate a configuration that holds both ends", [r.address, arg, concat(", ", references)])
}

ver_002_findings contains {"resource": t.address, "message": msg} if {
	some t in lib.trails
	some arg, checks in trail_link_checks
	count(lib.unresolved(t, arg)) == 0
	value := lib.get(t, arg)
	lib.is_set(value)
	not linked(t, arg)
	msg := sprintf("trail %s %s %s, which this configuration does not create, so %s cannot be checked; gate the configuration that creates it too", [t.address, arg, outside_text(value), checks])
}

outside_text(value) := sprintf("is not known before apply (%s) and names nothing", [value]) if {
	lib.unknown(value)
} else := sprintf("names %s", [value])

linked(t, "s3_bucket_name") if count(lib.trail_log_buckets & {a | some a in lib.refs(t, "s3_bucket_name")}) > 0

linked(t, "kms_key_id") if count(lib.key_refs(t, "kms_key_id")) > 0

linked(t, "cloud_watch_logs_group_arn") if some_group(t)

linked(t, "cloud_watch_logs_role_arn") if count(least_privilege.trail_roles_of(t)) > 0

some_group(t) if {
	some g in lib.refs(t, "cloud_watch_logs_group_arn")
	lib.is_type(g, "aws_cloudwatch_log_group")
}

some_group(t) if {
	name := lib.log_group_arn_name(lib.get(t, "cloud_watch_logs_group_arn"))
	some g in lib.resources("aws_cloudwatch_log_group")
	lib.get(g, "name") == name
}

# A customer managed policy ARN attached to a trail role but defined elsewhere.
ver_002_findings contains {"resource": att[0], "message": msg} if {
	some att in least_privilege.literal_attachments
	least_privilege.trail_roles[att[1]]
	not least_privilege.aws_managed_policy(att[2])
	msg := sprintf("%s attaches %s to trail role %s; that policy is not in this configuration, so TG-LP-005 cannot check what it allows", [att[0], att[2], att[1]])
}

# A policy document the normaliser could rebuild only in part: statements a source
# or override document brings, or a reference, are not known before apply, so the
# rules that read the policy (TLS, least privilege, residency) see only the rest.
ver_002_findings contains {"resource": r.address, "message": msg} if {
	some list in input.resources
	some r in list
	some arg, references in object.get(r, "unresolved", {}) # absent on almost every resource
	r.policies[arg]
	count(references) > 0
	msg := sprintf("%s %s is only partly known before apply: %s cannot be followed, so the rules that read this policy check only its known statements; gate the plan or write those statements in the document", [r.address, arg, concat(", ", references)])
}

# Alarm actions the gate cannot resolve: TG-LOG-007 counts them as SNS actions.
ver_002_findings contains {"resource": a.address, "message": msg} if {
	some a in lib.resources("aws_cloudwatch_metric_alarm")
	count(lib.unresolved(a, "alarm_actions")) == 0
	count(lib.refs(a, "alarm_actions")) == 0
	some action in lib.as_array(lib.get(a, "alarm_actions"))
	lib.unknown(action)
	not lib.resource_reference(action)
	msg := sprintf("alarm %s alarm_actions %s is not known before apply, so whether it notifies an SNS topic (TG-LOG-007) cannot be checked; gate the plan", [a.address, action])
}

# A link argument that is not known, names no resource of this configuration, and
# that the normaliser left no unresolved entry for: a module output or variable in
# a folder or synthesized stack (a plan lists those in unresolved, above), or a
# value a plan computes from a data source. Trails and alarm actions have their own
# checks below.
ver_002_findings contains {"resource": r.address, "message": msg} if {
	some type, args in link_arguments
	type != "aws_cloudtrail"
	some r in lib.resources(type)
	some arg in args
	not own_link_check(type, arg)
	count(lib.refs(r, arg)) == 0
	count(lib.unresolved(r, arg)) == 0
	some v in lib.as_array(lib.get(r, arg))
	lib.unknown(v)
	not lib.resource_reference(v)
	msg := sprintf("%s argument %s is %s, which is not known before apply and which the gate cannot follow to a resource of this configuration, so the rules that join through it cannot check it; gate the plan (it follows module outputs and variables) or the configuration that holds both ends", [r.address, arg, v])
}

own_link_check("aws_cloudwatch_metric_alarm", "alarm_actions")

# METADATA
# title: Trusted accounts are configured
# description: |
#   TG-LP-009 judges who may reach the logs against trusted accounts (policy data
#   trusted_accounts and the providers' allowed_account_ids) and the trusted
#   organisation (organization_id). When none is known and the log bucket or key
#   policies name other principals, the gate cannot tell insiders from outsiders.
# related_resources:
#   - ref: help/rules/TG-VER-003.md
# custom:
#   id: TG-VER-003
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Pin allowed_account_ids on each AWS provider, or set trusted_accounts and organization_id in policy data (--data).
violations contains lib.violation(rego.metadata.rule(), "", msg) if {
	not least_privilege.trust_configured
	count(undecided) > 0
	msg := sprintf("no trusted accounts or organisation are known, so who may reach the logs (TG-LP-009) cannot be judged for %s; pin allowed_account_ids on the AWS providers or set trusted_accounts / organization_id in policy data", [concat(", ", sort(undecided))])
}

undecided := {f.resource | some f in least_privilege.lp_009_findings}

# METADATA
# title: Access questions can be answered before apply
# description: |
#   The access rules (TG-LP-010..016, TG-ENC-006) ask the IAM evaluator whether
#   a request is allowed or denied. When the answer depends on a value not known
#   before apply (a principal, a condition value or an ARN written as "${…}", or
#   an account, region or name the request needs), the question is reported here,
#   naming the statements whose values decide it, never passed or failed on a guess.
# related_resources:
#   - ref: help/rules/TG-VER-004.md
# custom:
#   id: TG-VER-004
#   severity: medium
#   frameworks:
#     - UK GDPR Art. 32(1)(b)
#     - FCA SYSC 9
#   recommended_action: Write the policy's principals, conditions and resources as literal values or references to resources of the configuration, pin allowed_account_ids on the providers, and give trails and buckets literal names; or gate the plan after apply, when the values are known.
violations contains lib.violation(rego.metadata.rule(), q.resource, access.unanswerable_text(q)) if {
	some q in access.unanswerable
}

# METADATA
# title: Every part of the live estate could be read
# description: |
#   trailgate verify reads the estate with the identity it runs as. When a call is
#   denied, or the endpoint does not implement it, the part it belongs to (a bucket,
#   its access points, the log group, the alarms, a role, a topic, the EventBridge
#   rules, the CloudTrail Lake stores, a key) is left out and everything else is
#   judged. The rules cannot vouch for what was not read, so each such part is a
#   finding naming the call and the IAM action it needs.
# related_resources:
#   - ref: help/rules/TG-VER-005.md
# custom:
#   id: TG-VER-005
#   severity: critical
#   inputs: [live]
#   frameworks:
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9.1
#   recommended_action: Grant the named read-only action to the identity verify runs as (help/operations/README.md "Permissions"), or waive the part with a dated reason if it is deliberately out of reach.
violations contains lib.violation(rego.metadata.rule(), u.resource, msg) if {
	some u in object.get(object.get(input, "runtime", {}), "unread", [])
	msg := sprintf("cannot verify %s: %s was %s (%s account %s), so no rule judged it; %s", [u.part, u.call, unread_reason(u.reason), unread_account(u.account), u.account_id, unread_fix(u)])
}

unread_reason("denied") := "denied"

unread_reason("not implemented") := "not implemented by the endpoint"

unread_account("logArchive") := "log-archive"

unread_account("management") := "management"

unread_fix(u) := sprintf("grant %s to the identity trailgate verify runs as", [u.permission]) if {
	u.reason == "denied"
} else := sprintf("the endpoint does not answer %s; verify this part against AWS itself", [u.permission])
