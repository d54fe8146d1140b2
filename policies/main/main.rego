# METADATA
# title: trailgate policy entrypoint
# description: The gate evaluates trailgate/main/violations, the union of every control family's violations.
package trailgate.main

import data.trailgate.access
import data.trailgate.alert_paths
import data.trailgate.alerting
import data.trailgate.configuration
import data.trailgate.encryption
import data.trailgate.least_privilege
import data.trailgate.logging
import data.trailgate.operations
import data.trailgate.residency
import data.trailgate.retention
import data.trailgate.uk_operations
import data.trailgate.verifiability

# METADATA
# title: violations
# description: Every violation found in the input, as {id, severity, title, resource, message, help}.
violations := ((((((((((residency.violations | encryption.violations) | retention.violations) | least_privilege.violations) | logging.violations) | verifiability.violations) | configuration.violations) | operations.violations) | alerting.violations) | access.violations) | alert_paths.violations) | uk_operations.violations
