import { LiveDraftList } from "./builder";

/** Customer managed keys (AWS managed ones are named by alias where they are used). */
export function mapKeys(list: LiveDraftList): void {
  for (const key of list.estate.keys) {
    if (key.keyManager !== "CUSTOMER") continue;
    list.add(key.account, "aws_kms_key", key.arn, key.keyId, list.regionOf(key.arn), {
      key_id: key.keyId,
      description: key.description,
      enable_key_rotation: key.rotationEnabled,
      customer_master_key_spec: key.keySpec,
      key_usage: key.keyUsage,
      is_enabled: key.keyState === "Enabled",
      policy: key.policy ?? undefined,
    });
  }
}
