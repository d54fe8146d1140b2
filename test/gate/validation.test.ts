import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { addPolicyGate, policyGateErrors, PolicyGateOptions } from "../../gate/validation";

const bundle = path.resolve(__dirname, "..", "..", "build", "policy");

function stack(region: string, options?: PolicyGateOptions): { app: App; stack: TerraformStack } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-synth-")) });
  const stack = new TerraformStack(app, "audit");
  new AwsProvider(stack, "aws", { region });
  new SnsTopic(stack, "alerts", { name: "alerts" });
  addPolicyGate(stack, options);
  return { app, stack };
}

beforeAll(() => {
  if (!fs.existsSync(path.join(bundle, "policy.wasm"))) {
    throw new Error(`the real policy bundle is missing at ${bundle}: run \`bash scripts/build-policy.sh\` before these tests`);
  }
});

describe("addPolicyGate", () => {
  test("makes app.synth() fail with one error per failing violation, so deploy never applies", () => {
    const { app } = stack("us-east-1");
    let message = "";
    try {
      app.synth();
    } catch (error) {
      message = String(error instanceof Error ? error.message : error);
    }
    expect(message).toMatch(/trailgate critical TG-RES-001 provider\.aws: .*us-east-1/);
    expect(message).toMatch(/trailgate high TG-RES-002 aws_sns_topic\.alerts: /);
    expect(message).toContain("trailgate explain TG-RES-001");
    expect(fs.existsSync(path.join(app.outdir, "stacks", "audit", "cdk.tf.json"))).toBe(false);
  });

  test("waivers and failOn from the options apply; waived findings no longer fail", () => {
    const { stack: withoutWaivers } = stack("eu-west-2");
    const baseline = policyGateErrors(withoutWaivers);
    expect(baseline.some((error) => error.includes("TG-ENC-005 aws_sns_topic.alerts"))).toBe(true);

    const waived = policyGateErrors(withoutWaivers, {
      waivers: [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts", reason: "test", expires: "2999-01-01" }],
    });
    expect(waived).toHaveLength(baseline.length - 1);
    expect(waived.some((error) => error.includes("TG-ENC-005"))).toBe(false);

    const criticalOnly = policyGateErrors(withoutWaivers, { failOn: "critical" });
    expect(criticalOnly.length).toBeGreaterThan(0);
    expect(criticalOnly.every((error) => error.startsWith("trailgate critical "))).toBe(true);
  });

  test("an expired waiver in the options stops waiving as of `today`", () => {
    const { stack: gated } = stack("eu-west-2");
    const waivers = [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts", reason: "test", expires: "2025-01-31" }];
    expect(policyGateErrors(gated, { waivers, today: "2025-01-31" }).some((e) => e.includes("TG-ENC-005"))).toBe(false);
    expect(policyGateErrors(gated, { waivers, today: "2025-02-01" }).find((e) => e.includes("TG-ENC-005"))).toContain(
      "waiver expired on 2025-01-31",
    );
  });

  test("fails closed: a missing bundle or an invalid waiver is a synth error, not a pass", () => {
    const { app } = stack("eu-west-2", { policyDir: path.join(os.tmpdir(), "no-such-trailgate-bundle") });
    expect(() => app.synth()).toThrow(/trailgate: the policy gate could not run: policy bundle is incomplete/);
    const { stack: badWaiver } = stack("eu-west-2");
    expect(
      policyGateErrors(badWaiver, { waivers: [{ rule: "TG-ENC-005", resource: "x", reason: "", expires: "2999-01-01" }] }),
    ).toEqual([expect.stringMatching(/could not run: addPolicyGate waivers: waivers\[0\] needs a non-empty "reason"/)]);
  });
});
