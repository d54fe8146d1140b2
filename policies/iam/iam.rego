# METADATA
# title: IAM policy evaluation
# description: |
#   AWS's documented policy evaluation logic, as a library the access rules ask:
#   "does this set of statements allow, explicitly deny, or not decide this
#   request?". Three-valued throughout: a policy value not known before apply
#   ("${…}") that could change the answer makes it "unknown", never allow or
#   deny. Requests are built by trailgate.access; INPUT.md "Access questions"
#   describes their shape.
#
#   Answers of statement matching are "yes", "no" or "unknown". A decision is
#   "deny" (an explicit Deny applies), "allow" (an Allow applies and no Deny
#   does), "none" (nothing applies: implicitly denied) or "unknown".
package trailgate.iam

# --- three-valued logic ---

# METADATA
# title: all_of
# description: Conjunction of "yes"/"no"/"unknown" answers ("yes" for none).
all_of(answers) := "no" if {
	"no" in answers
} else := "unknown" if {
	"unknown" in answers
} else := "yes"

# METADATA
# title: any_of
# description: Disjunction of "yes"/"no"/"unknown" answers ("no" for none).
any_of(answers) := "yes" if {
	"yes" in answers
} else := "unknown" if {
	"unknown" in answers
} else := "no"

# METADATA
# title: negate
# description: Negation of a "yes"/"no"/"unknown" answer.
negate("yes") := "no"

negate("no") := "yes"

negate("unknown") := "unknown"

# --- values ---

# METADATA
# title: unknown_text
# description: True for a string holding a value not known before apply ("${…}").
unknown_text(v) if {
	is_string(v)
	contains(v, "${")
}

# The text of a scalar condition value (IAM documents write booleans and numbers too).
text(v) := v if {
	is_string(v)
} else := "true" if {
	v == true
} else := "false" if {
	v == false
} else := sprintf("%v", [v]) if {
	is_number(v)
} else := ""

# glob.match with an empty delimiter list treats "." as a delimiter ("*" would not
# match "a.b"). U+0001 never occurs in a policy value (NUL would end the WASM
# build's C string, leaving the default).
no_delimiters := ["\u0001"]

# A pattern for glob.match with IAM wildcards only: "*" (any text, "/" and ":"
# included) and "?" (one character). glob's other special characters are escaped.
glob_pattern(p) := replace(replace(replace(replace(replace(p, `\`, `\\`), "[", `\[`), "]", `\]`), "{", `\{`), "}", `\}`)

# METADATA
# title: wildcard_match
# description: |
#   IAM wildcard matching of a value against a pattern. A pattern without
#   wildcards compares as text and one with a single "*" by its prefix and
#   suffix; only the rest goes through glob.match. The WASM build compiles every
#   distinct glob into an RE2 object, and thousands of them (one per bucket
#   policy) corrupted its heap.
wildcard_match(p, v) if {
	not contains(p, "*")
	not contains(p, "?")
	p == v
}

wildcard_match(p, v) if {
	not contains(p, "?")
	parts := split(p, "*")
	count(parts) == 2
	startswith(v, parts[0])
	endswith(v, parts[1])
	count(v) >= count(parts[0]) + count(parts[1])
}

wildcard_match(p, v) if {
	glob_needed(p)
	glob.match(glob_pattern(p), no_delimiters, v)
}

glob_needed(p) if contains(p, "?")

glob_needed(p) if count(split(p, "*")) > 2

# METADATA
# title: references_in
# description: |
#   Each reference to an attribute of a managed resource in a text, as written
#   in synthesized JSON and plans ("${aws_s3_bucket.logs.arn}",
#   "${module.m.aws_kms_key.k[0].arn}"), as {address, type, attribute}.
#   Parsed with split, not regex.match: the WASM build's regex cache holds one
#   compiled pattern and crashed when calls with different patterns interleaved
#   at 1,000 buckets.
references_in(v) := [ref |
	some i, part in split(v, "${")
	i > 0
	inner := split(part, "}")[0]
	segments := split(inner, ".")
	n := count(segments)
	n >= 3
	startswith(segments[n - 3], "aws_")
	every j, segment in array.slice(segments, 0, n - 3) {
		module_step(j, segment)
	}
	ref := {
		"address": concat(".", array.slice(segments, 0, n - 1)),
		"type": segments[n - 3],
		"attribute": segments[n - 1],
	}
]

# A reference's path through modules: "module", a call name, "module", …
module_step(j, "module") if j % 2 == 0

module_step(j, _) if j % 2 == 1

# A pattern names another resource than the value's: it holds a reference to an
# identifying attribute of a resource the value is not (two resources of a
# configuration never share an ARN, nor two of one type a name).
foreign_reference(pattern, spellings) if {
	some ref in references_in(pattern)
	identifying(ref)
	some s in spellings
	some own in references_in(s)
	not same_address(own.address, ref.address)
	comparable(ref, own)
}

# One address may be the other relative to its module (plans write references inside a
# module that way): those are the same resource. A folder keeps a counted resource as
# one address without instance keys, which names every instance a reference may key.
same_address(a, b) if same_relative_address(a, b)

same_address(a, b) if {
	not contains(a, "[")
	same_relative_address(a, without_instance_keys(b))
}

same_address(a, b) if {
	not contains(b, "[")
	same_relative_address(without_instance_keys(a), b)
}

same_relative_address(a, a)

same_relative_address(a, b) if endswith(a, concat("", [".", b]))

same_relative_address(a, b) if endswith(b, concat("", [".", a]))

# "module.m[0].aws_x.y[\"k\"]" -> "module.m.aws_x.y" (split, not regex: see references_in).
without_instance_keys(address) := concat("", [kept |
	some i, part in split(address, "[")
	kept := after_key(i, part)
])

after_key(0, part) := part

after_key(i, part) := concat("]", array.slice(pieces, 1, count(pieces))) if {
	i > 0
	pieces := split(part, "]")
}

identifying(ref) if ref.attribute in {"arn", "id", "bucket", "name"}

comparable(ref, _) if ref.attribute == "arn"

comparable(ref, own) if ref.type == own.type

# METADATA
# title: match_any
# description: |
#   Whether a pattern matches a value given as its spellings (the literal value
#   when known, and the references that denote it). "yes" when one spelling
#   matches; "no" when none does and either everything is literal or the pattern
#   names another resource; "unknown" otherwise.
match_any(kind, pattern, spellings) := "yes" if {
	some s in comparable_spellings(pattern, spellings)
	match_text(kind, pattern, s)
} else := "no" if {
	not unknown_text(pattern)
	some s in spellings
	not unknown_text(s)
} else := "no" if {
	foreign_reference(pattern, spellings)
} else := "no" if {
	# The pattern and a spelling hold the same unknowns: the rest of the text decides.
	some s in spellings
	count(interpolations(pattern)) > 0
	interpolations(pattern) == interpolations(s)
} else := "unknown"

# A literal pattern can match a reference spelling only where it matches the literal
# too (a wildcard), and a pattern holding "${" never matches a literal: compare each
# pattern with the spellings of its own kind when there are any.
comparable_spellings(pattern, spellings) := literal if {
	not unknown_text(pattern)
	literal := [s | some s in spellings; not unknown_text(s)]
	count(literal) > 0
} else := [s | some s in spellings; unknown_text(s)] if {
	unknown_text(pattern)
} else := spellings

# The "${…}" parts of a text.
interpolations(v) := {concat("", ["${", split(part, "}")[0], "}"]) |
	some i, part in split(v, "${")
	i > 0
}

# How one condition operator family compares a policy value with a context value.
match_text("string", p, v) if p == v

match_text("string_ignore_case", p, v) if lower(p) == lower(v)

match_text("like", p, v) if wildcard_match(p, v)

# IAM actions are case-insensitive.
match_text("action", p, v) if wildcard_match(lower(p), lower(v))

# ArnEquals and ArnLike behave alike (AWS): field by field, wildcards allowed; the
# resource field may itself hold ":".
match_text("arn", p, v) if {
	pf := arn_fields(p)
	vf := arn_fields(v)
	every i in numbers.range(0, 5) {
		wildcard_match(pf[i], vf[i])
	}
}

match_text("arn", p, v) if {
	not arn_fields(p)
	wildcard_match(p, v)
}

match_text("bool", p, v) if lower(p) == lower(v)

match_text("binary", p, v) if p == v

match_text("numeric_eq", p, v) if to_number(p) == to_number(v)

match_text("numeric_lt", p, v) if to_number(v) < to_number(p)

match_text("numeric_lte", p, v) if to_number(v) <= to_number(p)

match_text("numeric_gt", p, v) if to_number(v) > to_number(p)

match_text("numeric_gte", p, v) if to_number(v) >= to_number(p)

# Dates as epoch seconds or as ISO 8601 UTC text of one form (compared as text).
match_text("date_eq", p, v) if date_key(p) == date_key(v)

match_text("date_lt", p, v) if date_key(v) < date_key(p)

match_text("date_lte", p, v) if date_key(v) <= date_key(p)

match_text("date_gt", p, v) if date_key(v) > date_key(p)

match_text("date_gte", p, v) if date_key(v) >= date_key(p)

match_text("ip", p, v) if net.cidr_contains(cidr(p), v)

cidr(p) := p if {
	contains(p, "/")
} else := concat("", [p, "/32"]) if {
	not contains(p, ":")
} else := concat("", [p, "/128"])

date_key(v) := to_number(v) if {
	digits_only(v)
} else := v if {
	count(v) == 20
	substring(v, 10, 1) == "T"
	endswith(v, "Z")
	digits_only(concat("", [substring(v, 0, 4), substring(v, 5, 2), substring(v, 8, 2), substring(v, 11, 2), substring(v, 14, 2), substring(v, 17, 2)]))
}

# METADATA
# title: digits_only
# description: A non-empty text of the digits 0-9 alone, checked without regex.match (see references_in).
digits_only(v) if {
	is_string(v)
	v != ""
	trim(v, "0123456789") == ""
}

# The six fields of an ARN, the last keeping any ":" it holds.
arn_fields(v) := array.concat(array.slice(parts, 0, 5), [concat(":", array.slice(parts, 5, count(parts)))]) if {
	parts := split(v, ":")
	count(parts) >= 6
	parts[0] == "arn"
}

# --- condition operators ---

# Base operator (lower case, without IfExists) -> [comparison, negated].
operators := {
	"stringequals": ["string", false],
	"stringnotequals": ["string", true],
	"stringequalsignorecase": ["string_ignore_case", false],
	"stringnotequalsignorecase": ["string_ignore_case", true],
	"stringlike": ["like", false],
	"stringnotlike": ["like", true],
	"numericequals": ["numeric_eq", false],
	"numericnotequals": ["numeric_eq", true],
	"numericlessthan": ["numeric_lt", false],
	"numericlessthanequals": ["numeric_lte", false],
	"numericgreaterthan": ["numeric_gt", false],
	"numericgreaterthanequals": ["numeric_gte", false],
	"dateequals": ["date_eq", false],
	"datenotequals": ["date_eq", true],
	"datelessthan": ["date_lt", false],
	"datelessthanequals": ["date_lte", false],
	"dategreaterthan": ["date_gt", false],
	"dategreaterthanequals": ["date_gte", false],
	"bool": ["bool", false],
	"binaryequals": ["binary", false],
	"ipaddress": ["ip", false],
	"notipaddress": ["ip", true],
	"arnequals": ["arn", false],
	"arnlike": ["arn", false],
	"arnnotequals": ["arn", true],
	"arnnotlike": ["arn", true],
}

# METADATA
# title: parse_operator
# description: |
#   A condition operator as {set, base, if_exists}, where set is "",
#   "foranyvalue" or "forallvalues".
parse_operator(op) := {"set": set, "base": base, "if_exists": if_exists} if {
	l := lower(op)
	prefix := split(l, ":")
	set := set_qualifier(prefix)
	rest := prefix[count(prefix) - 1]
	if_exists := endswith(rest, "ifexists")
	base := trim_suffix(rest, "ifexists")
}

set_qualifier(prefix) := prefix[0] if {
	count(prefix) == 2
} else := ""

# METADATA
# title: condition_answer
# description: |
#   One operator's answer for one key: every policy value against the request's
#   values for the key (context[key], an array; absent when the key is not in
#   the request). Missing keys follow AWS: positive operators fail, negated ones
#   and IfExists pass, ForAllValues passes, ForAnyValue fails, Null compares
#   presence.
condition_answer(op, key, values, context) := answer if {
	o := parse_operator(op)
	o.base == "null"
	present := lower(key) in object.keys(context)
	answer := null_answer(present, values)
}

condition_answer(op, key, _, context) := answer if {
	o := parse_operator(op)
	o.base != "null"
	not lower(key) in object.keys(context)
	answer := missing_key_answer(o)
}

condition_answer(op, key, values, context) := answer if {
	o := parse_operator(op)
	o.base != "null"
	observed := context[lower(key)]
	answer := present_key_answer(o, values, observed)
}

null_answer(present, values) := any_of([a |
	some v in values
	a := null_value_answer(present, lower(text(v)))
])

null_value_answer(present, "true") := "yes" if {
	not present
} else := "no"

null_value_answer(present, "false") := "yes" if {
	present
} else := "no"

null_value_answer(_, v) := "unknown" if unknown_text(v)

missing_key_answer(o) := "yes" if {
	o.if_exists
} else := "yes" if {
	o.set == "forallvalues"
} else := "no" if {
	o.set == "foranyvalue"
} else := "yes" if {
	operators[o.base][1]
} else := "no" if {
	operators[o.base]
} else := "unknown"

present_key_answer(o, values, observed) := answer if {
	o.set == "forallvalues"
	answer := all_of([a | some v in observed; a := single_value_answer(o, values, [v])])
}

present_key_answer(o, values, observed) := answer if {
	o.set == "foranyvalue"
	answer := any_of([a | some v in observed; a := single_value_answer(o, values, [v])])
}

# A single-valued key: observed holds the spellings of its one value.
present_key_answer(o, values, observed) := single_value_answer(o, values, observed) if o.set == ""

single_value_answer(o, values, spellings) := answer if {
	op := operators[o.base]
	positive := any_of([a | some v in values; a := match_any(op[0], text(v), spellings)])
	answer := negated_if(op[1], positive)
}

# An operator IAM does not document: nothing can be said.
single_value_answer(o, _, _) := "unknown" if not operators[o.base]

negated_if(true, a) := negate(a)

negated_if(false, a) := a

# METADATA
# title: conditions_answer
# description: The answer of a statement's Condition block, where every operator and every key must hold.
conditions_answer(st, context) := all_of([a |
	some op, conds in object.get(st, "Condition", {})
	some key, values in conds
	a := condition_answer(op, key, values, context)
])

# --- principals, actions, resources ---

# METADATA
# title: principal_answer
# description: |
#   Whether a statement's Principal (or NotPrincipal) names the request's
#   principal: {kind: "AWS", arn, account} | {kind: "Service", service} |
#   {kind: "Anonymous"}. "*" names everyone. An account id or account root ARN
#   names every principal of the account. Identity policies (no Principal)
#   apply to whoever they are attached to: "yes".
principal_answer(st, _) := "yes" if {
	not st.Principal
	not st.NotPrincipal
}

principal_answer(st, principal) := any_of([a |
	some kind, values in st.Principal
	some v in values
	a := principal_value_answer(kind, v, principal)
]) if st.Principal

principal_answer(st, principal) := negate(any_of([a |
	some kind, values in st.NotPrincipal
	some v in values
	a := principal_value_answer(kind, v, principal)
])) if st.NotPrincipal

principal_value_answer("AWS", "*", _) := "yes"

principal_value_answer("AWS", v, principal) := "yes" if {
	v != "*"
	principal.kind == "AWS"
	names_aws_principal(v, principal)
} else := "unknown" if {
	v != "*"
	principal.kind == "AWS"
	unknown_text(v)
	not foreign_reference(v, object.get(principal, "spellings", []))
} else := "no" if {
	v != "*"
}

principal_value_answer("Service", v, principal) := "yes" if {
	principal.kind == "Service"
	lower(v) == lower(principal.service)
} else := "unknown" if {
	principal.kind == "Service"
	unknown_text(v)
} else := "no"

principal_value_answer(kind, _, _) := "no" if not kind in {"AWS", "Service"}

names_aws_principal(v, principal) if v == principal.account

names_aws_principal(v, principal) if v == sprintf("arn:aws:iam::%s:root", [principal.account])

names_aws_principal(v, principal) if v == principal.arn

names_aws_principal(v, principal) if v in object.get(principal, "spellings", [])

# METADATA
# title: action_answer
# description: Whether Action or NotAction names the request's action (IAM wildcards, case-insensitive).
action_answer(st, action) := any_of([a | some p in st.Action; a := match_any("action", p, [action])]) if st.Action

action_answer(st, action) := negate(any_of([a | some p in st.NotAction; a := match_any("action", p, [action])])) if st.NotAction

action_answer(st, _) := "no" if {
	not st.Action
	not st.NotAction
}

# METADATA
# title: resource_answer
# description: Whether Resource or NotResource names the request's resource (given as its spellings); a statement with neither (a trust policy) does.
resource_answer(st, spellings) := any_of([a | some p in st.Resource; a := match_any("like", p, spellings)]) if st.Resource

resource_answer(st, spellings) := negate(any_of([a | some p in st.NotResource; a := match_any("like", p, spellings)])) if st.NotResource

resource_answer(st, _) := "yes" if {
	not st.Resource
	not st.NotResource
}

# METADATA
# title: statement_answer
# description: Whether one statement applies to a request.
statement_answer(st, request) := all_of([action, resource, principal, conditions]) if {
	# The cheap parts first: most statements of a policy are about other actions.
	action := action_answer(st, request.action)
	action != "no"
	resource := resource_answer(st, request.resource)
	resource != "no"
	principal := principal_answer(st, request.principal)
	principal != "no"
	conditions := conditions_answer(st, request.context)
} else := "no"

# METADATA
# title: decide
# description: |
#   The decision of a set of statements ([{resource, statement}]) on a request,
#   with the statements that decided it: {decision, deciding}. An explicit Deny
#   wins; a Deny that may apply (unknown) leaves the answer unknown unless an
#   explicit Deny applies; then an Allow; else "none".
decide(statements, request) := result if {
	answers := [{"resource": s.resource, "sid": object.get(s.statement, "Sid", ""), "effect": s.statement.Effect, "answer": a} |
		some s in statements
		a := statement_answer(s.statement, request)
		a != "no"
	]
	result := decision(answers)
}

decision(answers) := {"decision": "deny", "deciding": deciding(answers, "Deny", "yes")} if {
	count(deciding(answers, "Deny", "yes")) > 0
} else := {"decision": "unknown", "deciding": deciding(answers, "Deny", "unknown")} if {
	count(deciding(answers, "Deny", "unknown")) > 0
} else := {"decision": "allow", "deciding": deciding(answers, "Allow", "yes")} if {
	count(deciding(answers, "Allow", "yes")) > 0
} else := {"decision": "unknown", "deciding": deciding(answers, "Allow", "unknown")} if {
	count(deciding(answers, "Allow", "unknown")) > 0
} else := {"decision": "none", "deciding": []}

deciding(answers, effect, answer) := [{"resource": a.resource, "sid": a.sid} |
	some a in answers
	a.effect == effect
	a.answer == answer
]

# METADATA
# title: access
# description: |
#   Whether a principal may make a request, combining a resource policy's
#   decision with the principal's identity policies' decision as AWS does:
#   an explicit deny in either wins; a service principal, or a principal of
#   another account, needs the resource policy's allow (and, across accounts,
#   its identity policy's too); in the resource's own account either allow is
#   enough. `same_account` is true, false or "unknown". Identity decisions for
#   principals the configuration does not define are "allow" when a rule asks
#   the worst case. Result: {decision: "allow"|"deny"|"none"|"unknown", deciding}.
access(resource_decision, identity_decision, same_account) := {"decision": "deny", "deciding": array.concat(resource_decision.deciding, identity_decision.deciding)} if {
	"deny" in {resource_decision.decision, identity_decision.decision}
} else := {"decision": "unknown", "deciding": array.concat(resource_decision.deciding, identity_decision.deciding)} if {
	"unknown" in {resource_decision.decision, identity_decision.decision}
} else := {"decision": "allow", "deciding": resource_decision.deciding} if {
	resource_decision.decision == "allow"
	identity_allows_across(identity_decision, same_account)
} else := {"decision": "allow", "deciding": identity_decision.deciding} if {
	same_account == true
	identity_decision.decision == "allow"
} else := {"decision": "unknown", "deciding": identity_decision.deciding} if {
	same_account == "unknown"
	identity_decision.decision == "allow"
} else := {"decision": "none", "deciding": []}

identity_allows_across(_, true)

identity_allows_across(identity_decision, same_account) if {
	same_account != true
	identity_decision.decision == "allow"
}
