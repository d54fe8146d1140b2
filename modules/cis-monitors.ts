import { MonitorDefinition } from "./alert-types";

const anyEvent = (...names: string[]) => names.map((name) => `($.eventName = ${name})`).join(" || ");
const fromSource = (source: string, ...names: string[]) => `{ ($.eventSource = ${source}) && (${anyEvent(...names)}) }`;

/**
 * The CIS AWS Foundations monitoring set plus the seed's IAM create/delete monitor.
 * The gate requires the CIS set by default; the example estate requires the IAM
 * monitor too through its policy data (example-policy-data.json, additional_monitors).
 */
export const CIS_MONITORS: readonly MonitorDefinition[] = [
  {
    id: "unauthorized-api-calls",
    control: "CIS 4.1",
    title: "Unauthorised API calls",
    metricName: "UnauthorizedApiCalls",
    pattern: '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    tier: "warning",
  },
  {
    id: "console-signin-without-mfa",
    control: "CIS 4.2",
    title: "Console sign-in without MFA",
    metricName: "ConsoleSigninWithoutMfa",
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    tier: "critical",
  },
  {
    id: "root-account-usage",
    control: "CIS 4.3",
    title: "Use of the root user",
    metricName: "RootAccountUsage",
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    tier: "critical",
  },
  {
    id: "iam-policy-changes",
    control: "CIS 4.4",
    title: "IAM policy changes",
    metricName: "IamPolicyChanges",
    pattern: fromSource(
      "iam.amazonaws.com",
      "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
      "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
      "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
    ),
    // The seed asks for IAM changes within 5 minutes; CloudTrail alone takes about 5 to deliver to
    // CloudWatch Logs, so the critical tier (about 6 minutes end to end) is the closest the path allows.
    tier: "critical",
  },
  {
    id: "cloudtrail-config-changes",
    control: "CIS 4.5",
    title: "CloudTrail configuration changes",
    metricName: "CloudTrailConfigChanges",
    pattern: `{ ${anyEvent("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")} }`,
    tier: "critical",
  },
  {
    id: "console-authentication-failures",
    control: "CIS 4.6",
    title: "Console authentication failures",
    metricName: "ConsoleAuthenticationFailures",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    tier: "warning",
  },
  {
    id: "cmk-disable-or-deletion",
    control: "CIS 4.7",
    title: "Disabling or scheduled deletion of customer-managed keys",
    metricName: "CmkDisableOrDeletion",
    pattern: fromSource("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
    tier: "critical",
  },
  {
    id: "s3-bucket-policy-changes",
    control: "CIS 4.8",
    title: "S3 bucket policy changes",
    metricName: "S3BucketPolicyChanges",
    pattern: fromSource(
      "s3.amazonaws.com",
      "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
      "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
    ),
    tier: "warning",
  },
  {
    id: "aws-config-changes",
    control: "CIS 4.9",
    title: "AWS Config configuration changes",
    metricName: "AwsConfigChanges",
    pattern: fromSource("config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"),
    tier: "warning",
  },
  {
    id: "security-group-changes",
    control: "CIS 4.10",
    title: "Security group changes",
    metricName: "SecurityGroupChanges",
    pattern: `{ ${anyEvent("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")} }`,
    tier: "warning",
    // The seed: within 15 minutes end to end, 5 of CloudTrail delivery + a 10-minute period.
    periodSeconds: 600,
  },
  {
    id: "nacl-changes",
    control: "CIS 4.11",
    title: "Network ACL changes",
    metricName: "NaclChanges",
    pattern: `{ ${anyEvent("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")} }`,
    tier: "info",
  },
  {
    id: "network-gateway-changes",
    control: "CIS 4.12",
    title: "Network gateway changes",
    metricName: "NetworkGatewayChanges",
    pattern: `{ ${anyEvent("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")} }`,
    tier: "info",
  },
  {
    id: "route-table-changes",
    control: "CIS 4.13",
    title: "Route table changes",
    metricName: "RouteTableChanges",
    pattern: fromSource(
      "ec2.amazonaws.com",
      "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
    ),
    tier: "info",
  },
  {
    id: "vpc-changes",
    control: "CIS 4.14",
    title: "VPC changes",
    metricName: "VpcChanges",
    pattern: `{ ${anyEvent(
      "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
      "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
      "DisableVpcClassicLink", "EnableVpcClassicLink",
    )} }`,
    tier: "info",
  },
  {
    id: "organizations-changes",
    control: "CIS 4.15",
    title: "AWS Organizations changes",
    metricName: "OrganizationsChanges",
    pattern: fromSource(
      "organizations.amazonaws.com",
      "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake",
      "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
      "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
      "UpdateOrganizationalUnit",
    ),
    tier: "critical",
  },
  {
    id: "iam-create-delete-changes",
    control: "trailgate seed",
    title: "IAM users, roles, groups and access keys created or deleted",
    metricName: "IamCreateDeleteChanges",
    pattern: fromSource(
      "iam.amazonaws.com",
      "CreateUser", "DeleteUser", "CreateRole", "DeleteRole", "CreateGroup", "DeleteGroup", "CreateAccessKey", "DeleteAccessKey",
    ),
    // The seed asks for IAM changes within 5 minutes; CloudTrail alone takes about 5 to deliver to
    // CloudWatch Logs, so the critical tier (about 6 minutes end to end) is the closest the path allows.
    tier: "critical",
  },
];
