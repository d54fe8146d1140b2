import { TerraformStack, TerraformVariable } from "cdktf";
import { CLOUDWATCH_RETENTION_DAYS, ResolvedTrailgateConfig, TrailgateConfig, UK_BASELINE } from "./baseline";

/**
 * The exported Terraform module's inputs (`export/`): the accounts, organisation,
 * names, region and retention of the estate become Terraform variables, each
 * validated as resolveTrailgateConfig validates the TypeScript config, so one module
 * serves every estate. Cross-variable rules (accounts differ, expiry after the lock,
 * transition before expiry) are preconditions on the trail (moduleInputPreconditions).
 */
export function moduleInputConfig(stack: TerraformStack, config: TrailgateConfig, defaults: ResolvedTrailgateConfig): TrailgateConfig {
  const text = (name: string, description: string, condition: string, errorMessage: string, fallback?: string) =>
    new TerraformVariable(stack, name, {
      type: "string",
      description,
      ...(fallback !== undefined ? { default: fallback } : {}),
      validation: [{ condition: `\${${condition}}`, errorMessage }],
    }).stringValue;
  const days = (name: string, description: string, condition: string, errorMessage: string, fallback: number) =>
    new TerraformVariable(stack, name, {
      type: "number",
      description,
      default: fallback,
      validation: [{ condition: `\${floor(var.${name}) == var.${name} && ${condition}}`, errorMessage }],
    }).numberValue;
  const floor = UK_BASELINE.minimumRetentionDays;
  return {
    ...config,
    organizationId: text(
      "organization_id", "AWS Organizations id (o-...) of the organisation the trail records",
      `can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))`, "organization_id must look like o- and 10-32 lowercase letters or digits.",
    ),
    managementAccountId: text(
      "management_account_id", "12-digit id of the Organizations management account (the trail, its log group, alarms and topics)",
      `can(regex("^[0-9]{12}$", var.management_account_id))`, "management_account_id must be a 12-digit AWS account id.",
    ),
    logArchiveAccountId: text(
      "log_archive_account_id", "12-digit id of the dedicated log-archive account (log bucket, access-log bucket, log key)",
      `can(regex("^[0-9]{12}$", var.log_archive_account_id))`, "log_archive_account_id must be a 12-digit AWS account id.",
    ),
    namePrefix: text(
      "name_prefix", "Prefix of every name (trail, buckets, keys, topics, alarms)",
      `can(regex("^[a-z0-9][a-z0-9-]{1,20}$", var.name_prefix))`, "name_prefix must be 2-21 lowercase letters, digits or hyphens.",
      defaults.namePrefix,
    ),
    region: text(
      "region", "Region of every resource; must be the region of the providers passed to the module",
      `can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))`, "region must be an AWS region name such as eu-west-2.",
      defaults.region,
    ),
    retention: {
      ...config.retention,
      objectLockDays: days(
        "object_lock_days", "Object Lock default retention of log files, in days", `var.object_lock_days >= ${floor}`,
        `object_lock_days must be a whole number of days >= ${floor}.`, defaults.retention.objectLockDays,
      ),
      objectLockMode: text(
        "object_lock_mode", "Object Lock mode: COMPLIANCE (nobody can shorten it) or GOVERNANCE",
        `contains(["COMPLIANCE", "GOVERNANCE"], var.object_lock_mode)`, "object_lock_mode must be COMPLIANCE or GOVERNANCE.",
        defaults.retention.objectLockMode,
      ) as "COMPLIANCE" | "GOVERNANCE",
      logExpiryDays: days(
        "log_expiry_days", "Days after which log files expire (>= object_lock_days)", `var.log_expiry_days >= ${floor}`,
        `log_expiry_days must be a whole number of days >= ${floor}.`, defaults.retention.logExpiryDays,
      ),
      transitionToGlacierDays: days(
        "transition_to_glacier_days", "Days after which log files move to S3 Glacier Instant Retrieval (< log_expiry_days)",
        "var.transition_to_glacier_days >= 30", "transition_to_glacier_days must be a whole number of days >= 30.",
        defaults.retention.transitionToGlacierDays,
      ),
      logGroupRetentionDays: days(
        "log_group_retention_days", "CloudWatch Logs retention of the trail's log group (a CloudWatch value >= 365, or 0 for never)",
        `contains([${CLOUDWATCH_RETENTION_DAYS.join(", ")}], var.log_group_retention_days) && (var.log_group_retention_days == 0 || var.log_group_retention_days >= ${floor})`,
        `log_group_retention_days must be 0 or one of CloudWatch's values >= ${floor}.`, defaults.retention.logGroupRetentionDays,
      ),
    },
  };
}

/** Rules over two inputs, checked by Terraform at plan (Terraform 1.5+ has no cross-variable validation). */
export const MODULE_INPUT_PRECONDITIONS = [
  {
    condition: "${var.management_account_id != var.log_archive_account_id}",
    errorMessage: "log_archive_account_id must differ from management_account_id: logs belong in a dedicated account.",
  },
  {
    condition: "${var.log_expiry_days >= var.object_lock_days}",
    errorMessage: "log_expiry_days must be >= object_lock_days.",
  },
  {
    condition: "${var.transition_to_glacier_days < var.log_expiry_days}",
    errorMessage: "transition_to_glacier_days must be below log_expiry_days.",
  },
];
