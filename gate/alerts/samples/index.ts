/** The bundled canonical CloudTrail event of each monitor of policies/data.json and example-policy-data.json, by monitor id. */
import { JsonObject } from "../../../terraform/types";
import cis31UnauthorizedApiCalls from "./cis-3.1-unauthorized-api-calls.json";
import cis310SecurityGroupChanges from "./cis-3.10-security-group-changes.json";
import cis311NaclChanges from "./cis-3.11-nacl-changes.json";
import cis312NetworkGatewayChanges from "./cis-3.12-network-gateway-changes.json";
import cis313RouteTableChanges from "./cis-3.13-route-table-changes.json";
import cis314VpcChanges from "./cis-3.14-vpc-changes.json";
import cis32ConsoleSigninWithoutMfa from "./cis-3.2-console-signin-without-mfa.json";
import cis33RootAccountUse from "./cis-3.3-root-account-use.json";
import cis34IamPolicyChanges from "./cis-3.4-iam-policy-changes.json";
import cis35CloudtrailConfigChanges from "./cis-3.5-cloudtrail-config-changes.json";
import cis36ConsoleAuthFailures from "./cis-3.6-console-auth-failures.json";
import cis37CmkDisableOrDeletion from "./cis-3.7-cmk-disable-or-deletion.json";
import cis38S3BucketPolicyChanges from "./cis-3.8-s3-bucket-policy-changes.json";
import cis39AwsConfigChanges from "./cis-3.9-aws-config-changes.json";
import cis415OrganizationsChanges from "./cis-4.15-organizations-changes.json";
import tgIamCreateDeleteChanges from "./tg-iam-create-delete-changes.json";

export const SAMPLE_EVENTS: Record<string, JsonObject> = {
  "cis-3.1-unauthorized-api-calls": cis31UnauthorizedApiCalls,
  "cis-3.10-security-group-changes": cis310SecurityGroupChanges,
  "cis-3.11-nacl-changes": cis311NaclChanges,
  "cis-3.12-network-gateway-changes": cis312NetworkGatewayChanges,
  "cis-3.13-route-table-changes": cis313RouteTableChanges,
  "cis-3.14-vpc-changes": cis314VpcChanges,
  "cis-3.2-console-signin-without-mfa": cis32ConsoleSigninWithoutMfa,
  "cis-3.3-root-account-use": cis33RootAccountUse,
  "cis-3.4-iam-policy-changes": cis34IamPolicyChanges,
  "cis-3.5-cloudtrail-config-changes": cis35CloudtrailConfigChanges,
  "cis-3.6-console-auth-failures": cis36ConsoleAuthFailures,
  "cis-3.7-cmk-disable-or-deletion": cis37CmkDisableOrDeletion,
  "cis-3.8-s3-bucket-policy-changes": cis38S3BucketPolicyChanges,
  "cis-3.9-aws-config-changes": cis39AwsConfigChanges,
  "cis-4.15-organizations-changes": cis415OrganizationsChanges,
  "tg-iam-create-delete-changes": tgIamCreateDeleteChanges,
};
