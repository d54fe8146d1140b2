# METADATA
# title: Gate configuration
# description: |
#   The policy data a run uses is not looser than the UK baseline (the shipped
#   policies/data.json). The gate compares a --data override with the baseline
#   key by key (gate/policy-data.ts, where each key's schema says which way is
#   looser) and passes what it found as data.trailgate.loosened.
package trailgate.configuration

import data.trailgate.lib

# METADATA
# title: Policy data is not loosened below the UK baseline
# description: |
#   A --data override must not lower a floor (min_retention_days), allow a
#   region outside the baseline, switch off a requirement
#   (require_organization_trail), leave out or weaken a required monitor, or
#   add exceptions (admin_principals): each weakens every rule that reads it.
#   One finding per loosened key, on resource data.trailgate.config.<key>.
# related_resources:
#   - ref: help/rules/TG-CFG-001.md
# custom:
#   id: TG-CFG-001
#   severity: high
#   frameworks:
#     - UK GDPR Art. 5(2)
#     - UK GDPR Art. 32(1)(d)
#     - FCA SYSC 9
#   recommended_action: Remove the loosening from the --data file, or waive this finding for data.trailgate.config.<key> with a reason and an expiry an auditor accepts.
violations contains lib.violation(rego.metadata.rule(), sprintf("data.trailgate.config.%s", [l.key]), msg) if {
	some l in data.trailgate.loosened
	msg := sprintf("the --data override loosens the UK baseline: %s", [l.message])
}
