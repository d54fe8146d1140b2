import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { addPolicyGate, policyGateErrors, PolicyGateOptions } from "../../gate/validation";
import { Trailgate } from "../../modules/trailgate-stack";
import { WAIVER_EXPIRES } from "../helpers/waivers";

const bundle = path.resolve(__dirname, "..", "..", "build", "policy");

function stack(region: string, options?: PolicyGateOptions): { app: App; stack: TerraformStack } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-synth-")) });
  const stack = new TerraformStack(app, "audit");
  new AwsProvider(stack, "aws", { region });
  new SnsTopic(stack, "alerts", { name: "alerts" });
  // No trailgate construct here: judge the whole stack.
  addPolicyGate(stack, { scope: "stack", ...options });
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
    expect(message).toMatch(/trailgate high TG-RES-002 aws_sns_topic\.alerts \(construct audit\/alerts\): /);
    expect(message).toContain("trailgate explain TG-RES-001");
    expect(fs.existsSync(path.join(app.outdir, "stacks", "audit", "cdk.tf.json"))).toBe(false);
  });

  test("waivers and failOn from the options apply; waived findings no longer fail", () => {
    const { stack: withoutWaivers } = stack("eu-west-2");
    const baseline = policyGateErrors(withoutWaivers, { scope: "stack" });
    expect(baseline.some((error) => error.includes("TG-ENC-005 aws_sns_topic.alerts"))).toBe(true);

    const waived = policyGateErrors(withoutWaivers, {
      scope: "stack",
      waivers: [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts", reason: "test", expires: WAIVER_EXPIRES }],
    });
    expect(waived).toHaveLength(baseline.length - 1);
    expect(waived.some((error) => error.includes("TG-ENC-005"))).toBe(false);

    const criticalOnly = policyGateErrors(withoutWaivers, { scope: "stack", failOn: "critical" });
    expect(criticalOnly.length).toBeGreaterThan(1);
    expect(criticalOnly[0]).toMatch(/^trailgate: \d+ failing \(\d+ critical\)/);
    expect(criticalOnly.slice(1).every((error) => error.startsWith("trailgate critical "))).toBe(true);
  });

  test("an expired waiver in the options stops waiving as of `today`", () => {
    const { stack: gated } = stack("eu-west-2");
    const waivers = [{ rule: "TG-ENC-005", resource: "aws_sns_topic.alerts", reason: "test", expires: "2025-01-31" }];
    expect(policyGateErrors(gated, { scope: "stack", waivers, today: "2025-01-31" }).some((e) => e.includes("TG-ENC-005"))).toBe(false);
    expect(policyGateErrors(gated, { scope: "stack", waivers, today: "2025-02-01" }).find((e) => e.includes("TG-ENC-005 "))).toContain(
      "waiver expired on 2025-01-31",
    );
  });

  test("fails closed: a missing bundle or an invalid waiver is a synth error, not a pass", () => {
    const { app } = stack("eu-west-2", { policyDir: path.join(os.tmpdir(), "no-such-trailgate-bundle") });
    expect(() => app.synth()).toThrow(/trailgate: the policy gate could not run: policy bundle is incomplete/);
    const { stack: badWaiver } = stack("eu-west-2");
    expect(
      policyGateErrors(badWaiver, { scope: "stack", waivers: [{ rule: "TG-ENC-005", resource: "x", reason: "", expires: WAIVER_EXPIRES }] }),
    ).toEqual([expect.stringMatching(/could not run: addPolicyGate waivers: waivers\[0\] needs a non-empty "reason"/)]);
  });
});

describe("addPolicyGate scope and rule selection", () => {
  // Alert e-mails: without them every alert topic has no subscriber (TG-ALR-008).
  const CONFIG = {
    organizationId: "o-abcdefghij",
    managementAccountId: "111111111111",
    logArchiveAccountId: "222222222222",
    alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] },
  };

  /** An application's own stack: its providers, an app topic in us-east-1, and the Trailgate construct. */
  function appStack(): { stack: TerraformStack; trailgate: Trailgate } {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-app-")) });
    const stack = new TerraformStack(app, "platform");
    // Pinned, as README's library use does: the access questions need the accounts to
    // write the trail's, buckets' and alarms' ARNs (TG-VER-004 otherwise).
    const management = new AwsProvider(stack, "aws", { region: "eu-west-2", allowedAccountIds: ["111111111111"] });
    const logArchive = new AwsProvider(stack, "log_archive", { alias: "log_archive", region: "eu-west-2", allowedAccountIds: ["222222222222"] });
    const us = new AwsProvider(stack, "us", { alias: "us", region: "us-east-1" });
    new SnsTopic(stack, "app_events", { name: "app-events", provider: us });
    const trailgate = new Trailgate(stack, "audit", { config: CONFIG, providers: { management, logArchive } });
    return { stack, trailgate };
  }

  test("by default judges only trailgate's constructs (and the providers they use) in an application stack", () => {
    const { stack } = appStack();
    expect(policyGateErrors(stack)).toEqual([]);
    const whole = policyGateErrors(stack, { scope: "stack" });
    expect(whole[0]).toMatch(/judged the whole stack$/);
    expect(whole.some((error) => /TG-RES-001 provider\.aws\.us:/.test(error))).toBe(true);
    expect(whole.some((error) => /TG-ENC-005 aws_sns_topic\.app_events /.test(error))).toBe(true);
  });

  test("a finding inside the scope names its construct path", () => {
    const { stack, trailgate } = appStack();
    trailgate.monitoring.logGroup.addOverride("retention_in_days", 30);
    const errors = policyGateErrors(stack);
    expect(errors[0]).toMatch(/^trailgate: 1 failing \(1 medium\), 0 waived, \d+ rules \(\d+ not applicable\), 1 document; judged constructs platform\/audit$/);
    // The construct path, and the line of this file that created the Trailgate construct.
    const createdAt = fs.readFileSync(__filename, "utf8").split("\n").findIndex((line) => line.includes('new Trailgate(stack, "audit"')) + 1;
    expect(errors[1]).toMatch(
      new RegExp(`^trailgate medium TG-RET-004 aws_cloudwatch_log_group\\.\\S+ \\(construct platform/audit/monitoring/log_group\\) at test/gate/validation\\.test\\.ts:${createdAt}: `),
    );
    // Scoped to the constructs named: the trail alone does not hold the log group.
    expect(policyGateErrors(stack, { scope: [trailgate.trail] })).toEqual([]);
    expect(policyGateErrors(stack, { scope: [trailgate.monitoring] })[1]).toContain("TG-RET-004");
  });

  test("a stack without trailgate constructs, or a scope outside the stack, cannot be gated by default", () => {
    const { stack: plain } = stack("eu-west-2");
    expect(policyGateErrors(plain, { scope: "trailgate" })).toEqual([
      expect.stringMatching(/could not run: stack audit has no trailgate constructs to judge; pass scope: "stack"/),
    ]);
    const { trailgate } = appStack();
    expect(policyGateErrors(plain, { scope: [trailgate] })[0]).toMatch(/scope construct platform\/audit is not in stack audit/);
  });

  test("rule selection applies at synth and is stated, also when synth passes", () => {
    const { stack: gated } = stack("us-east-1");
    const errors = policyGateErrors(gated, { scope: "stack", only: ["TG-ENC"] });
    expect(errors[0]).toMatch(/rules selected: --only TG-ENC \(\d+ of \d+ rules\)/);
    expect(errors.slice(1).every((error) => / TG-ENC-\d{3} /.test(error))).toBe(true);
    const logged: string[] = [];
    expect(policyGateErrors(gated, { scope: "stack", only: ["TG-LOG-001"], log: (line) => logged.push(line) })).toEqual([]);
    expect(logged).toEqual([expect.stringMatching(/^trailgate: 0 failing, 0 waived, rules selected: --only TG-LOG-001 \(1 of \d+ rules\), 1 document; judged the whole stack$/)]);
    expect(policyGateErrors(gated, { scope: "stack", skip: ["TG-NOPE"] })[0]).toMatch(/could not run: skip: "TG-NOPE" matches no rule/);
  });
});
