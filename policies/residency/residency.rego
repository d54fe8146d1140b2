# METADATA
# title: Data residency
# description: Audit logs and the resources that hold or process them stay in allowed (UK) regions.
package trailgate.residency

import data.trailgate.lib

# Types with no regional endpoint: their effective region is meaningless, so
# TG-RES-002 checks only the ARNs they mention.
global_prefixes := ["aws_iam_", "aws_organizations_", "aws_route53_", "aws_cloudfront_"]

is_global(type) if {
	some p in global_prefixes
	startswith(type, p)
	not startswith(type, "aws_route53_resolver_")
}

allowed_list := concat(", ", lib.config.allowed_regions)

# METADATA
# title: AWS providers pin an allowed region
# description: |
#   Every AWS provider configuration sets a region that is statically known and
#   in allowed_regions. An unset region is taken from the environment at apply
#   time, so residency cannot be proved.
# related_resources:
#   - ref: help/rules/TG-RES-001.md
# custom:
#   id: TG-RES-001
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32
#     - UK GDPR Chapter V (international transfers)
#     - DPA 2018
#     - FCA SYSC 9
#   recommended_action: Set region on the provider to one of allowed_regions (eu-west-2 by default).
violations contains lib.violation(rego.metadata.rule(), p.address, msg) if {
	some p in input.providers
	p.name == "aws"
	not p.region in lib.allowed_regions
	msg := provider_message(p)
}

provider_message(p) := sprintf("provider %s has no statically known region; set region to one of: %s", [p.address, allowed_list]) if {
	not lib.is_set(p.region)
} else := sprintf("provider %s uses region %s; set region to one of: %s", [p.address, p.region, allowed_list])

# METADATA
# title: Resources and the ARNs they reference are in allowed regions
# description: |
#   Every regional resource's effective region (its own region argument, else
#   its provider's) is allowed, and so is the region of every ARN in its
#   arguments and policy documents, except a wildcard region inside a policy
#   document (a grant or condition moves no data). Global types are checked for
#   ARNs only.
# related_resources:
#   - ref: help/rules/TG-RES-002.md
# custom:
#   id: TG-RES-002
#   severity: high
#   frameworks:
#     - UK GDPR Art. 32
#     - UK GDPR Chapter V (international transfers)
#     - DPA 2018
#     - FCA SYSC 9
#   recommended_action: Create the resource with a provider (or region argument) in allowed_regions and point ARNs at resources in those regions.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in res_002_findings
}

res_002_findings contains {"resource": r.address, "message": msg} if {
	some type, list in input.resources
	not is_global(type)
	some r in list
	not r.region in lib.allowed_regions
	not inherits_unset_region(r)
	msg := sprintf("%s is in region %s, not one of: %s; set the region argument or use a provider in an allowed region", [r.address, region_text(object.get(r, "region", null)), allowed_list])
}

res_002_findings contains {"resource": r.address, "message": msg} if {
	some list in input.resources
	some r in list
	some arn in r.arns
	region := split(arn, ":")[3]
	region != ""
	not startswith(region, "${")
	not region in lib.allowed_regions
	not policy_pattern_only(r, arn, region)
	msg := sprintf("%s refers to %s in region %s; use a resource in one of: %s", [r.address, arn, region, allowed_list])
}

# A wildcard-region ARN that appears only inside policy documents: a grant
# ("kms:Decrypt on arn:aws:kms:*:<account>:key/*") or a condition value (AWS's own
# CloudTrail key policy: kms:EncryptionContext:aws:cloudtrail:arn
# "arn:aws:cloudtrail:*:<account>:trail/*"). It decides who may do what; nothing
# is created, stored or sent in another region because of it. A literal region
# names a resource that lives there, and an argument value is where data goes:
# both stay findings.
policy_pattern_only(r, arn, region) if {
	regex.match(`[*?]`, region)
	count([p | walk(r.values, [p, v]); v == arn]) == 0
}

provider_by_address := {p.address: p | some p in input.providers}

# A resource whose region is unknown only because its provider sets none: TG-RES-001
# reports the provider once instead of every resource it creates.
inherits_unset_region(r) if {
	not lib.is_set(object.get(r, "region", null))
	not lib.is_set(object.get(r.values, "region", null))
	provider := provider_by_address[r.provider]
	not lib.is_set(provider.region)
}

region_text(region) := region if lib.is_set(region)

else := "unknown (not statically set)"

# METADATA
# title: Replication destinations and CloudTrail Lake stay in allowed regions
# description: |
#   S3 replication rules replicate only to buckets provably in allowed regions,
#   and CloudTrail Lake event data stores are created in allowed regions.
# related_resources:
#   - ref: help/rules/TG-RES-003.md
# custom:
#   id: TG-RES-003
#   severity: critical
#   frameworks:
#     - UK GDPR Art. 32
#     - UK GDPR Chapter V (international transfers)
#     - DPA 2018
#     - FCA SYSC 9
#   recommended_action: Replicate to a bucket defined in this configuration in an allowed region, and create event data stores with a provider in an allowed region.
violations contains lib.violation(rego.metadata.rule(), f.resource, f.message) if {
	some f in res_003_findings
}

# A destination bucket defined in this configuration, reached through refs.
res_003_findings contains {"resource": c.address, "message": msg} if {
	some c in lib.resources("aws_s3_bucket_replication_configuration")
	some addr in c.refs.rule
	lib.is_type(addr, "aws_s3_bucket")
	region := lib.region_by_address[addr]
	not region in lib.allowed_regions
	msg := sprintf("%s replicates to %s in region %s; replicate only to buckets in: %s", [c.address, addr, region_text(region), allowed_list])
}

# A literal destination ARN names a bucket outside this configuration, whose region cannot be read.
res_003_findings contains {"resource": c.address, "message": msg} if {
	some c in lib.resources("aws_s3_bucket_replication_configuration")
	some rule in lib.blocks(lib.get(c, "rule"))
	some dest in lib.blocks(object.get(rule, "destination", null))
	startswith(dest.bucket, "arn:")
	msg := sprintf("%s replicates to %s, a bucket outside this configuration whose region cannot be verified; replicate to a bucket defined here in: %s", [c.address, dest.bucket, allowed_list])
}

res_003_findings contains {"resource": s.address, "message": msg} if {
	some s in lib.resources("aws_cloudtrail_event_data_store")
	not s.region in lib.allowed_regions
	msg := sprintf("CloudTrail Lake event data store %s is in region %s; create it in one of: %s", [s.address, region_text(object.get(s, "region", null)), allowed_list])
}
