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
# description: Addresses of buckets some aws_s3_bucket_logging's target_bucket refers to.
access_log_buckets := {addr |
	some l in resources("aws_s3_bucket_logging")
	some addr in l.refs.target_bucket
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
