# METADATA
# title: trailgate shared helpers
# description: |
#   Violation builder, block and value helpers, and memoised indexes over the
#   normalised input (see policies/INPUT.md). Indexes are rules, so the WASM
#   planner computes each once per evaluation; rules then do O(1) lookups.
#   Indexes keyed by a bucket are sets of addresses, never objects, because two
#   configurations pointing at one bucket would make an object conflict.
package trailgate.lib

# METADATA
# title: violation
# description: Builds a violation from the calling rule's rego.metadata.rule().
violation(md, resource, message) := {
	"id": md.custom.id,
	"severity": md.custom.severity,
	"title": md.title,
	"resource": resource,
	"message": message,
	"help": md.related_resources[0].ref,
}

# METADATA
# title: blocks
# description: A nested Terraform block as an array (object -> [object], array -> array, null -> []).
blocks(x) := x if is_array(x)

blocks(x) := [x] if is_object(x)

blocks(null) := []

# METADATA
# title: is_set
# description: True for a value that is present, i.e. not null and not the empty string. Unknown "${...}" values count as set.
is_set(v) if {
	v != null
	v != ""
}

# METADATA
# title: get
# description: Argument of a resource's values, null when absent.
get(r, key) := object.get(r.values, key, null)

# METADATA
# title: resources
# description: All resources of one Terraform type ([] when the type is absent).
resources(type) := object.get(input.resources, type, [])

# METADATA
# title: config
# description: Policy data.
config := data.trailgate.config

# METADATA
# title: allowed_regions
# description: Allowed regions as a set for O(1) membership.
allowed_regions := {r | some r in config.allowed_regions}

# METADATA
# title: trails
# description: Every aws_cloudtrail.
trails := resources("aws_cloudtrail")

# METADATA
# title: trail_log_buckets
# description: Addresses of aws_s3_bucket resources some trail's s3_bucket_name refers to.
trail_log_buckets := {addr |
	some t in trails
	some addr in t.refs.s3_bucket_name
}

# METADATA
# title: access_log_buckets
# description: |
#   Addresses of buckets that receive server access logs: the target_bucket of
#   an aws_s3_bucket_logging, or of a legacy inline logging block.
access_log_buckets := {addr |
	some l in resources("aws_s3_bucket_logging")
	some addr in l.refs.target_bucket
} | {addr |
	some b in resources("aws_s3_bucket")
	some l in inline_block(b, "logging", "aws_s3_bucket_logging")
	some addr in bucket_refs(b, "logging", object.get(l, "target_bucket", null))
}

# METADATA
# title: bucket_by_address
# description: aws_s3_bucket by address (addresses are unique).
bucket_by_address := {b.address: b | some b in resources("aws_s3_bucket")}

# METADATA
# title: region_by_address
# description: Effective region of buckets and KMS keys by address, for joins through refs.
region_by_address := {r.address: r.region |
	some type in ["aws_s3_bucket", "aws_kms_key", "aws_kms_replica_key"]
	some r in resources(type)
}

# METADATA
# title: is_type
# description: True when a resource address (possibly inside modules) is of the given type.
is_type(addr, type) if startswith(addr, concat("", [type, "."]))

is_type(addr, type) if contains(addr, concat("", [".", type, "."]))

# A live document (trailgate verify) addresses resources by ARN, which names no type.
is_type(addr, type) if {
	input.format == "live"
	live_addresses_by_type[type][addr]
}

# METADATA
# title: live_addresses_by_type
# description: Live documents only; addresses (ARNs) of each resource type present.
live_addresses_by_type := {type: {r.address | some r in list} |
	input.format == "live"
	some type, list in input.resources
}

# METADATA
# title: policy_statements
# description: |
#   Every statement of every parsed policy document, with its resource and
#   argument. An array, not a set: hashing thousands of statement objects into a
#   set costs more in WASM than the rules that read them.
policy_statements := [{"resource": r.address, "argument": arg, "statement": st} |
	some list in input.resources
	some r in list
	some arg, doc in r.policies
	some st in doc.Statement
]

# METADATA
# title: principals
# description: All principal values of a statement of one kind ("AWS", "Service", ...), [] when none.
principals(st, kind) := object.get(object.get(st, "Principal", {}), kind, [])

# METADATA
# title: condition_keys
# description: |
#   Lower-cased condition keys a statement constrains positively. Operators with
#   "Not" or "IfExists" are left out: in an Allow they do not limit who matches.
condition_keys(st) := {lower(key) |
	some op, conds in object.get(st, "Condition", {})
	not contains(op, "Not")
	not endswith(op, "IfExists")
	some key, _ in conds
}

# METADATA
# title: lower_actions
# description: A statement's actions, lower-cased (IAM actions are case-insensitive).
lower_actions(st) := {lower(a) | some a in object.get(st, "Action", [])}

# METADATA
# title: refs
# description: Addresses an argument of a resource refers to, [] when none.
refs(r, arg) := object.get(object.get(r, "refs", {}), arg, [])

# METADATA
# title: unknown
# description: True for a value not known before apply, a string containing "${" (policies/INPUT.md).
unknown(v) if {
	is_string(v)
	contains(v, "${")
}

# METADATA
# title: resource_reference
# description: |
#   True for an interpolation of a managed resource of this configuration
#   ("${aws_kms_key.k.arn}", "${module.m.aws_s3_bucket.b.id}"): unknown before
#   apply, but it names a resource the configuration itself creates.
resource_reference(v) if regex.match(`^\$\{(module\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.)*aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*`, v)

# METADATA
# title: unresolved
# description: References of an argument the normaliser could not follow ([] when none).
unresolved(r, arg) := object.get(object.get(r, "unresolved", {}), arg, [])

# METADATA
# title: as_array
# description: A value as an array (IAM documents allow a single string where a list is meant).
as_array(x) := x if is_array(x)

else := [] if x == null

else := [x]

# METADATA
# title: action_within
# description: |
#   True when every action an IAM action pattern names is matched by `allowed`
#   (an action pattern whose only wildcard is "*"), case-insensitively, with IAM
#   wildcard semantics: kms:GenerateDataKey and kms:GenerateDataKeyWithoutPlaintext
#   are within kms:GenerateDataKey*, kms:Generate* is not. The action's own "*"
#   is matched as a literal character, which can only be consumed by a "*" of
#   `allowed`, so the answer is a subset test.
action_within(action, allowed) if glob.match(lower(allowed), [], lower(action))

# METADATA
# title: action_covers
# description: True when an IAM action pattern grants every action of a service, e.g. "*", "s3:*", "*:*" cover "s3:*".
action_covers_service(action, service) if glob.match(lower(action), [], concat("", [service, ":*"]))

# Operators that, in an Allow, restrict the request to the listed values.
# Negated, IfExists, Null, Bool and ForAllValues (true when the key is absent)
# operators do not.
positive_operators := {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}

# METADATA
# title: positive_operator
# description: A condition operator that limits an Allow to its values (optionally ForAnyValue:).
positive_operator(op) if lower(op) in positive_operators

positive_operator(op) if {
	startswith(lower(op), "foranyvalue:")
	substring(lower(op), 12, -1) in positive_operators
}

# METADATA
# title: limiting_value
# description: |
#   A condition value that names something specific: no wildcard in a plain
#   value (an account, an organisation, a VPC endpoint), a fixed account in an
#   ARN (arn:aws:cloudtrail:*:111122223333:trail/* limits to one account), a
#   fixed bucket in an S3 ARN. An interpolation counts: its value is checked by
#   TG-VER-001 when it is not a resource of this configuration.
limiting_value(v) if unknown(v)

limiting_value(v) if {
	is_string(v)
	not unknown(v)
	not startswith(v, "arn:")
	v != ""
	not regex.match(`[*?]`, v)
}

limiting_value(v) if {
	arn_account(v) != ""
	not regex.match(`[*?]`, arn_account(v))
}

limiting_value(v) if {
	s3_arn_bucket(v) != ""
	not regex.match(`[*?]`, s3_arn_bucket(v))
}

# METADATA
# title: arn_account
# description: The account field of a literal ARN (undefined for anything else).
arn_account(v) := parts[4] if {
	is_string(v)
	startswith(v, "arn:")
	parts := split(v, ":")
	count(parts) >= 6
}

# METADATA
# title: s3_arn_bucket
# description: The bucket name of an arn:aws:s3:::bucket[/key] ARN.
s3_arn_bucket(v) := split(parts[5], "/")[0] if {
	is_string(v)
	startswith(v, "arn:")
	parts := split(v, ":")
	count(parts) == 6
	parts[2] == "s3"
	parts[3] == ""
	parts[4] == ""
}

# METADATA
# title: limiting_condition_keys
# description: |
#   Lower-cased condition keys that really restrict an Allow statement: under a
#   positive operator, with at least one value and every value limiting.
#   StringLike aws:PrincipalAccount "*", Null aws:PrincipalArn false or
#   ArnLike aws:SourceArn "*" limit nothing and are left out.
limiting_condition_keys(st) := {lower(key) |
	some op, conds in object.get(st, "Condition", {})
	positive_operator(op)
	some key, vals in conds
	count(vals) > 0
	every v in vals {
		limiting_value(v)
	}
}

# METADATA
# title: open_principal
# description: True for a statement whose principal is everyone ("*") or everyone but some (NotPrincipal).
open_principal(st) if "*" in principals(st, "AWS")

open_principal(st) if st.NotPrincipal

# METADATA
# title: trusted_accounts
# description: |
#   Accounts whose principals may reach audit logs and keys: policy data
#   trusted_accounts plus the accounts the configuration pins its AWS providers
#   to (allowed_account_ids), which are the accounts it deploys into.
trusted_accounts := {a | some a in config.trusted_accounts} | {a |
	some p in input.providers
	some a in object.get(p, "allowed_account_ids", [])
	is_string(a)
	not unknown(a)
}

# METADATA
# title: organization_id
# description: The trusted AWS Organizations id from policy data ("" when not configured).
organization_id := object.get(config, "organization_id", "")

# METADATA
# title: bucket_name_pairs
# description: |
#   [literal bucket name, address] of every aws_s3_bucket. Pairs, not an object
#   keyed by name: two buckets with one name would make an object conflict.
bucket_name_pairs := {[name, b.address] |
	some b in resources("aws_s3_bucket")
	name := get(b, "bucket")
	is_string(name)
	not unknown(name)
}

# METADATA
# title: buckets_named
# description: Addresses of the aws_s3_bucket resources with a literal name (a linear scan; used for the few nested-block links).
buckets_named(name) := {p[1] | some p in bucket_name_pairs; p[0] == name}

# METADATA
# title: bucket_refs
# description: |
#   Buckets an argument of a resource names: through refs, or by a literal name
#   (also inside a nested block, e.g. an inline logging block's target_bucket).
bucket_refs(r, arg, value) := linked if {
	linked := {addr | some addr in refs(r, arg); is_type(addr, "aws_s3_bucket")}
	count(linked) > 0
} else := {addr |
	is_string(value)
	not unknown(value)
	some addr in buckets_named(value)
}

# METADATA
# title: separate_bucket_config
# description: |
#   [type, bucket address] for every bucket that has a separate configuration
#   resource of that type. Where one exists it alone decides: provider 5.x lets
#   the separate resource overwrite the legacy inline block of aws_s3_bucket,
#   and in a plan the inline value is then the stale state.
separate_bucket_config := {[r.type, addr] |
	some type in [
		"aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
		"aws_s3_bucket_logging", "aws_s3_bucket_lifecycle_configuration",
		"aws_s3_bucket_object_lock_configuration", "aws_s3_bucket_policy", "aws_s3_bucket_acl",
		"aws_s3_bucket_replication_configuration",
	]
	some r in resources(type)
	some addr in refs(r, "bucket")
}

# METADATA
# title: inline_block
# description: |
#   The legacy inline block `arg` of bucket b as an array, when no separate
#   resource of `type` configures that bucket ([] otherwise).
inline_block(b, arg, type) := [] if {
	separate_bucket_config[[type, b.address]]
} else := blocks(get(b, arg))

# METADATA
# title: values_at
# description: |
#   Every value at a path (1 to 4 argument and block names) below a resource's
#   values; blocks are walked as arrays. Rego has no recursion, hence one clause
#   per depth.
values_at(x, path) := [v |
	some a in items(x)
	v := object.get(a, path[0], null)
] if count(path) == 1

values_at(x, path) := [v |
	some a in items(x)
	some b in items(object.get(a, path[0], null))
	v := object.get(b, path[1], null)
] if count(path) == 2

values_at(x, path) := [v |
	some a in items(x)
	some b in items(object.get(a, path[0], null))
	some c in items(object.get(b, path[1], null))
	v := object.get(c, path[2], null)
] if count(path) == 3

values_at(x, path) := [v |
	some a in items(x)
	some b in items(object.get(a, path[0], null))
	some c in items(object.get(b, path[1], null))
	some d in items(object.get(c, path[2], null))
	v := object.get(d, path[3], null)
] if count(path) == 4

# The objects of a block value (object or array of objects).
items(x) := [i | some i in blocks_or_value(x); is_object(i)]

blocks_or_value(x) := x if is_array(x)

else := [x]

# METADATA
# title: alias_by_address
# description: aws_kms_alias by address.
alias_by_address := {a.address: a | some a in resources("aws_kms_alias")}

# METADATA
# title: key_refs
# description: The aws_kms_key addresses an argument refers to, directly or through an aws_kms_alias.
key_refs(r, arg) := {addr | some addr in refs(r, arg); is_type(addr, "aws_kms_key")} | {k |
	some a in refs(r, arg)
	is_type(a, "aws_kms_alias")
	some k in refs(alias_by_address[a], "target_key_id")
	is_type(k, "aws_kms_key")
}

# METADATA
# title: trail_keys
# description: Keys that encrypt some trail's log files (kms_key_id).
trail_keys := {k | some t in trails; some k in key_refs(t, "kms_key_id")}

# METADATA
# title: lake_keys
# description: Keys of CloudTrail Lake event data stores.
lake_keys := {k | some s in resources("aws_cloudtrail_event_data_store"); some k in key_refs(s, "kms_key_id")}

# METADATA
# title: log_group_arn_name
# description: The log group name in a literal arn:aws:logs:<region>:<account>:log-group:<name>[:*] ARN.
log_group_arn_name(arn) := parts[6] if {
	is_string(arn)
	not unknown(arn)
	parts := split(arn, ":")
	count(parts) >= 7
	parts[5] == "log-group"
}

# METADATA
# title: trail_log_groups
# description: aws_cloudwatch_log_group addresses some trail delivers to (through refs or the name in a literal ARN).
trail_log_groups := {g | some t in trails; some g in refs(t, "cloud_watch_logs_group_arn"); is_type(g, "aws_cloudwatch_log_group")} | {g.address |
	some t in trails
	name := log_group_arn_name(get(t, "cloud_watch_logs_group_arn"))
	some g in resources("aws_cloudwatch_log_group")
	get(g, "name") == name
}

# METADATA
# title: trail_log_group_names
# description: Literal names of the log groups trails deliver to.
trail_log_group_names := {name | some t in trails; name := log_group_arn_name(get(t, "cloud_watch_logs_group_arn"))} | {name |
	some g in resources("aws_cloudwatch_log_group")
	trail_log_groups[g.address]
	name := get(g, "name")
	is_string(name)
	not unknown(name)
}

# METADATA
# title: log_buckets
# description: Trail log buckets and access-log buckets.
log_buckets := trail_log_buckets | access_log_buckets

# METADATA
# title: bucket_encryption_keys
# description: Keys that default-encrypt some bucket, as [bucket address, key address] (separate configuration or legacy inline block).
bucket_encryption_keys := {[addr, k] |
	some c in resources("aws_s3_bucket_server_side_encryption_configuration")
	some addr in refs(c, "bucket")
	some k in key_refs(c, "rule")
} | {[b.address, k] |
	some b in resources("aws_s3_bucket")
	count(inline_block(b, "server_side_encryption_configuration", "aws_s3_bucket_server_side_encryption_configuration")) > 0
	some k in key_refs(b, "server_side_encryption_configuration")
}

# METADATA
# title: log_keys
# description: |
#   Keys that protect audit records: the trails' keys, the default encryption
#   keys of log buckets, the keys of the trails' log groups and of Lake stores.
log_keys := ((trail_keys | lake_keys) | {p[1] | some p in bucket_encryption_keys; log_buckets[p[0]]}) | {k |
	some g in resources("aws_cloudwatch_log_group")
	trail_log_groups[g.address]
	some k in key_refs(g, "kms_key_id")
}
