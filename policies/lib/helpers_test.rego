# METADATA
# title: Test helpers
# description: Shared by the _test.rego files; excluded from the bundle with them.
package trailgate.test_helpers

# Resources flagged under one rule id.
flagged(vs, id) := {v.resource | some v in vs; v.id == id}

# Messages of one rule id.
messages(vs, id) := {v.message | some v in vs; v.id == id}

provider := {"address": "provider.aws", "name": "aws", "alias": "", "region": "eu-west-2"}

# A resource in the normalised shape.
res(type, name, values, refs) := res_with_policies(type, name, values, refs, {})

# A resource with parsed policy documents. arns is what the normaliser derives:
# every string starting with "arn:" in values and policies.
res_with_policies(type, name, values, refs, policies) := {
	"address": concat(".", [type, name]),
	"type": type,
	"name": name,
	"provider": "provider.aws",
	"region": "eu-west-2",
	"values": values,
	"refs": refs,
	"policies": policies,
	"arns": sort({s |
		walk([values, policies], [_, s])
		is_string(s)
		startswith(s, "arn:")
	}),
}

# An input holding the given resources, grouped by type.
doc(list) := {
	"format": "synth",
	"providers": [provider],
	"alert_paths": [],
	"resources": {t: [r | some r in list; r.type == t] | some x in list; t := x.type},
}
