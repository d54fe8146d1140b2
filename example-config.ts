import { TrailgateConfig } from "./modules/baseline";

/**
 * Example estate with documentation account ids. Everything not set here takes the
 * UK baseline default (eu-west-2, 365-day Object Lock, seven-year expiry, 365-day
 * log group retention, the full CIS monitoring set).
 */
export const exampleConfig: TrailgateConfig = {
  organizationId: "o-exampleorg1",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
  readerRoleArns: ["arn:aws:iam::222222222222:role/SecurityAuditReader"],
  accessPoints: [
    {
      name: "security-tooling",
      vpcId: "vpc-0a1b2c3d4e5f60718",
      readerRoleArns: ["arn:aws:iam::222222222222:role/SecurityAuditReader"],
    },
  ],
  alertEmails: {
    critical: ["security-oncall@example.co.uk"],
    warning: ["security-team@example.co.uk"],
    info: ["platform-team@example.co.uk"],
  },
  s3DataEventBuckets: ["example-customer-data-eu-west-2"],
  insights: true,
  lake: { retentionDays: 2555 },
  tags: { "trailgate:managed-by": "trailgate", "data-classification": "official-sensitive" },
};
