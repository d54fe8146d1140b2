/**
 * AWS Config (opt-in): TrailConfigRules' managed rules on the trails (management
 * account) and on each log bucket (log-archive account, scoped to that bucket), as
 * TrailgateStack wires them with config.awsConfigRules; none by default; the gate
 * passes the result.
 */
import { Testing } from "cdktf";
import { LOG_BUCKET_CONFIG_RULES, TRAIL_CONFIG_RULES, TrailgateConfig, TrailgateStack } from "../modules";
import { synthDocument } from "../terraform";
import { loadPolicyBundle } from "../gate/policy";
import { JsonObject } from "../terraform/types";

type Synth = Record<string, any>;
const BASE: TrailgateConfig = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222", alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] } };

test("with awsConfigRules: the trail rules in the management account, the bucket rules per log bucket in the log-archive account", () => {
  const stack = new TrailgateStack(Testing.app(), "config", { ...BASE, awsConfigRules: true });
  const doc: Synth = JSON.parse(Testing.synth(stack));
  const rules = Object.values(doc.resource.aws_config_config_rule as Record<string, Synth>);
  const trailRules = rules.filter((r) => r.provider === "aws");
  expect(trailRules.map((r) => r.source.source_identifier).sort()).toEqual(TRAIL_CONFIG_RULES.map((r) => r.id).sort());
  for (const r of trailRules) expect(r.source.owner).toBe("AWS");
  const bucketRules = rules.filter((r) => r.provider === "aws.log_archive");
  expect(bucketRules).toHaveLength(2 * LOG_BUCKET_CONFIG_RULES.length);
  expect([...new Set(bucketRules.map((r) => r.scope.compliance_resource_id))].sort()).toEqual(["trailgate-access-logs-222222222222-eu-west-2", "trailgate-cloudtrail-222222222222-eu-west-2"]);
  for (const r of bucketRules) expect(r.scope.compliance_resource_types).toEqual(["AWS::S3::Bucket"]);
  expect(loadPolicyBundle().evaluate(synthDocument("config", JSON.parse(Testing.synth(stack)) as JsonObject).input)).toEqual([]);
});

test("none by default", () => {
  const doc: Synth = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "plain", BASE)));
  expect(doc.resource.aws_config_config_rule).toBeUndefined();
});
