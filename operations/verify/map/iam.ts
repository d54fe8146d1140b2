import { LiveDraftList } from "./builder";

export function mapRoles(list: LiveDraftList): void {
  for (const r of list.estate.roles) {
    list.add(r.account, "aws_iam_role", r.arn, r.name, list.estate.region, { name: r.name, assume_role_policy: r.assumeRolePolicy ?? undefined });
  }
}

/** A role's inline policies and attachments carry the role's ARN. */
export function mapRolePolicies(list: LiveDraftList): void {
  for (const r of list.estate.roles) {
    for (const p of r.inlinePolicies) {
      list.add(r.account, "aws_iam_role_policy", r.arn, p.name, list.estate.region, { name: p.name, role: r.name, policy: p.document }, { role: [r.arn] });
    }
    for (const policyArn of r.attachedPolicyArns) {
      list.add(r.account, "aws_iam_role_policy_attachment", r.arn, policyArn, list.estate.region, { role: r.name, policy_arn: policyArn }, { role: [r.arn] });
    }
  }
}
