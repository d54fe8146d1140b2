package trailgate.configuration_test

import data.trailgate.configuration

test_no_finding_without_loosened_keys if {
	count(configuration.violations) == 0 with data.trailgate.loosened as []
}

test_no_finding_when_the_gate_passes_nothing if {
	count(configuration.violations) == 0
}

test_one_finding_per_loosened_key if {
	loosened := [
		{"key": "min_retention_days", "message": "min_retention_days is 30, below the UK baseline of 365"},
		{"key": "allowed_regions", "message": "allowed_regions allows \"us-east-1\", outside the UK baseline [\"eu-west-2\"]"},
	]
	found := configuration.violations with data.trailgate.loosened as loosened
	count(found) == 2
	some v in found
	v.id == "TG-CFG-001"
	v.severity == "high"
	v.resource == "data.trailgate.config.min_retention_days"
	contains(v.message, "below the UK baseline of 365")
}
