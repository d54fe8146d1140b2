/**
 * IAM policy documents built as plain objects and rendered to JSON. Literal ARNs are
 * used wherever the config knows them, so a `terraform plan` shows the whole document
 * (the gate can read it before apply) instead of "(known after apply)".
 */
import { TerraformElement, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[] };

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string | string[];
  /** Absent only in a role's trust policy, where IAM refuses a Resource element. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Renders statements as an IAM policy document string. */
export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The statement every S3 resource policy here carries: refuse anything not over TLS. */
export function denyInsecureTransport(resources: string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export const arns = {
  bucket: (name: string) => `arn:aws:s3:::${name}`,
  trail: (region: string, account: string, name: string) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`,
  logGroup: (region: string, account: string, name: string) => `arn:aws:logs:${region}:${account}:log-group:${name}`,
  topic: (region: string, account: string, name: string) => `arn:aws:sns:${region}:${account}:${name}`,
  accountRoot: (account: string) => `arn:aws:iam::${account}:root`,
  accessPoint: (region: string, account: string, name: string) => `arn:aws:s3:${region}:${account}:accesspoint/${name}`,
};

/** Key administration without the right to use the key: admins cannot read the logs. */
export const KMS_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/**
 * A readable, stable Terraform address for an element, derived from its construct
 * path below the stack (e.g. `log_archive_bucket`), so waivers, plans and the exported
 * module name it the same way every time. Below `base` (e.g. the Trailgate construct
 * of a TrailgateStack), paths are taken from there.
 */
export function stableLogicalId(stack: TerraformStack, element: TerraformElement, base?: IConstruct): string {
  const within = base && element.node.path.startsWith(`${base.node.path}/`) ? base : stack;
  const relative = element.node.path.slice(within.node.path.length).replace(/^\//, "");
  return relative.replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}
