/** The bundled canonical CloudTrail event of each monitor of policies/data.json and example-policy-data.json, by monitor id. */
import { JsonObject } from "../../../terraform/types";
import cis41UnauthorizedApiCalls from "./cis-4.1-unauthorized-api-calls.json";
import cis410SecurityGroupChanges from "./cis-4.10-security-group-changes.json";
import cis411NaclChanges from "./cis-4.11-nacl-changes.json";
import cis412NetworkGatewayChanges from "./cis-4.12-network-gateway-changes.json";
import cis413RouteTableChanges from "./cis-4.13-route-table-changes.json";
import cis414VpcChanges from "./cis-4.14-vpc-changes.json";
import cis42ConsoleSigninWithoutMfa from "./cis-4.2-console-signin-without-mfa.json";
import cis43RootAccountUse from "./cis-4.3-root-account-use.json";
import cis44IamPolicyChanges from "./cis-4.4-iam-policy-changes.json";
import cis45CloudtrailConfigChanges from "./cis-4.5-cloudtrail-config-changes.json";
import cis46ConsoleAuthFailures from "./cis-4.6-console-auth-failures.json";
import cis47CmkDisableOrDeletion from "./cis-4.7-cmk-disable-or-deletion.json";
import cis48S3BucketPolicyChanges from "./cis-4.8-s3-bucket-policy-changes.json";
import cis49AwsConfigChanges from "./cis-4.9-aws-config-changes.json";
import cis415OrganizationsChanges from "./cis-4.15-organizations-changes.json";
import tgIamCreateDeleteChanges from "./tg-iam-create-delete-changes.json";

export const SAMPLE_EVENTS: Record<string, JsonObject> = {
  "cis-4.1-unauthorized-api-calls": cis41UnauthorizedApiCalls,
  "cis-4.10-security-group-changes": cis410SecurityGroupChanges,
  "cis-4.11-nacl-changes": cis411NaclChanges,
  "cis-4.12-network-gateway-changes": cis412NetworkGatewayChanges,
  "cis-4.13-route-table-changes": cis413RouteTableChanges,
  "cis-4.14-vpc-changes": cis414VpcChanges,
  "cis-4.2-console-signin-without-mfa": cis42ConsoleSigninWithoutMfa,
  "cis-4.3-root-account-use": cis43RootAccountUse,
  "cis-4.4-iam-policy-changes": cis44IamPolicyChanges,
  "cis-4.5-cloudtrail-config-changes": cis45CloudtrailConfigChanges,
  "cis-4.6-console-auth-failures": cis46ConsoleAuthFailures,
  "cis-4.7-cmk-disable-or-deletion": cis47CmkDisableOrDeletion,
  "cis-4.8-s3-bucket-policy-changes": cis48S3BucketPolicyChanges,
  "cis-4.9-aws-config-changes": cis49AwsConfigChanges,
  "cis-4.15-organizations-changes": cis415OrganizationsChanges,
  "tg-iam-create-delete-changes": tgIamCreateDeleteChanges,
};

/**
 * Monitor ids before the CIS AWS Foundations v3.0 numbering (v1.2's section 3), mapped
 * to today's: a policy-data file that copied the old monitor set, or a script running
 * `simulate sample:<old id>`, keeps its bundled sample; simulate prints a deprecation
 * note. The numbers map one to one (v1.2 3.N is v3.0 4.N), the names did not change.
 */
export const LEGACY_MONITOR_IDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(SAMPLE_EVENTS)
    .map((id) => /^cis-4\.(1[0-4]|[1-9])-(.+)$/.exec(id))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [`cis-3.${m[1]}-${m[2]}`, m[0]]),
);

/** The bundled sample of a monitor id, following LEGACY_MONITOR_IDS. */
export function sampleEvent(id: string): JsonObject | undefined {
  return SAMPLE_EVENTS[id] ?? SAMPLE_EVENTS[LEGACY_MONITOR_IDS[id] ?? ""];
}
