/**
 * `trailgate verify` against the applied estate in moto (issue #11): the live estate
 * passes; then, through the AWS SDK as an operator or intruder would, the trail is
 * stopped, the log bucket's default encryption deleted, the critical tier's only
 * subscription deleted and the log bucket's policy loosened. After each change verify
 * must fail with exactly the findings that change explains, on the live resource's ARN.
 * `terraform apply` of the unchanged code then repairs all four, and verify passes again.
 */
import * as fs from "fs";
import * as path from "path";
import { StopLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DeleteBucketEncryptionCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { ListSubscriptionsByTopicCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { GATE_CLI } from "./gate";
import { MotoServer, REPO, scrubbedEnv } from "./moto";
import { run, tail } from "./proc";
import { Clients } from "./readback";
import { AwsProviderConfig, Json } from "./stack";
import { TerraformDir } from "./terraform";

export interface VerifyStepContext {
  moto: MotoServer;
  tf: TerraformDir;
  providers: AwsProviderConfig[];
  /** Terraform state values by resource address, after apply. */
  state: Map<string, Json>;
  clientsOf(p: { accountId: string; region: string }): Promise<Clients>;
  record(phase: string, ms: number): void;
  requires(...steps: string[]): void;
  done(step: string): void;
  runDir: string;
  logFile: string;
}

interface Finding {
  id: string;
  resource: string;
  status: string;
  message: string;
}

interface VerifyRun {
  code: number | null;
  findings: Finding[];
  ms: number;
  stderr: string;
}

/** The CLI as a user runs it: AWS configuration only through the standard environment variables. */
async function verify(ctx: VerifyStepContext, phase: string): Promise<VerifyRun> {
  const management = ctx.providers.find((p) => !p.roleArn)!;
  const archive = ctx.providers.find((p) => p.roleArn);
  const creds = await ctx.moto.credentialsFor(management.accountId);
  const report = path.join(ctx.runDir, `verify-${phase.replace(/\W+/g, "-")}.json`);
  const r = await run(
    "node",
    [GATE_CLI, "verify", ...(archive ? ["--role-arn", archive.roleArn!] : []), "--format", "json", "--output", report, "--save-estate", `${report}.estate.json`],
    {
      cwd: REPO,
      env: scrubbedEnv({
        AWS_ENDPOINT_URL: ctx.moto.endpoint,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_REGION: management.region,
      }),
      timeoutMs: 120_000,
      logFile: ctx.logFile,
    },
  );
  ctx.record(`verify: ${phase}`, r.ms);
  if (r.code !== 0 && r.code !== 1) throw new Error(`trailgate verify (${phase}) exit ${r.code}:\n${tail(r.stderr)}`);
  const json = JSON.parse(fs.readFileSync(report, "utf8"));
  const findings: Finding[] = json.documents.flatMap((d: Json) => d.findings);
  return { code: r.code, findings, ms: r.ms, stderr: r.stderr };
}

const key = (f: { id: string; resource: string }) => `${f.id} ${f.resource}`;

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `  ${f.id} ${f.resource}: ${f.message}`).join("\n") || "  (none)";
}

/** Registers the verify steps as one describe block of the e2e suite. */
export function describeVerifyOnLiveState(context: () => VerifyStepContext): void {
  describe("trailgate verify on the live estate: four drifts caught on their ARNs, cleared by terraform apply", () => {
    let ctx: VerifyStepContext;
    let trailArn: string;
    let bucketName: string;
    let criticalTopicArn: string;
    /** Findings expected so far: each drift adds its own, on top of the earlier ones. */
    const expected = new Set<string>();

    const stateOf = (type: string, pick: (v: Json) => boolean = () => true): Json => {
      const found = [...ctx.state.entries()].filter(([address, v]) => address.startsWith(`${type}.`) && pick(v)).map(([, v]) => v);
      if (found.length !== 1) throw new Error(`expected one ${type} in the state, found ${found.length}`);
      return found[0];
    };
    const archiveClients = async () => ctx.clientsOf(ctx.providers.find((p) => p.roleArn) ?? ctx.providers[0]);
    const managementClients = async () => ctx.clientsOf(ctx.providers.find((p) => !p.roleArn)!);

    async function expectDrift(phase: string, added: Array<{ id: string; resource: string }>): Promise<void> {
      for (const f of added) expected.add(key(f));
      const v = await verify(ctx, phase);
      const failing = v.findings.filter((f) => f.status === "failing");
      if (v.code !== 1 || [...new Set(failing.map(key))].sort().join("\n") !== [...expected].sort().join("\n")) {
        throw new Error(`after "${phase}" verify should exit 1 with exactly:\n  ${[...expected].sort().join("\n  ")}\ngot exit ${v.code} with:\n${describeFindings(failing)}`);
      }
    }

    test("the applied estate passes trailgate verify (exit 0, no findings)", async () => {
      ctx = context();
      ctx.requires("apply");
      trailArn = stateOf("aws_cloudtrail").arn;
      const trailBucket = stateOf("aws_cloudtrail").s3_bucket_name;
      bucketName = stateOf("aws_s3_bucket", (b) => b.bucket === trailBucket).bucket;
      criticalTopicArn = stateOf("aws_sns_topic", (t) => String(t.name).endsWith("-alerts-critical")).arn;
      const v = await verify(ctx, "applied estate");
      if (v.code !== 0 || v.findings.length > 0) throw new Error(`verify should pass the applied estate; exit ${v.code}:\n${describeFindings(v.findings)}\n${tail(v.stderr, 5)}`);
      // It read the estate through both accounts: trail, both buckets, alarms, topics.
      expect(v.stderr).toMatch(/read 1 trail\(s\), 2 bucket\(s\), \d+ alarm\(s\), 3 topic\(s\) in \d+ API calls/);
      ctx.done("verify");
    }, 180_000);

    test("stop logging -> TG-OPS-001 on the trail", async () => {
      ctx.requires("verify");
      await (await managementClients()).cloudtrail.send(new StopLoggingCommand({ Name: trailArn }));
      await expectDrift("trail stopped", [{ id: "TG-OPS-001", resource: trailArn }]);
    }, 120_000);

    test("strip the log bucket's default encryption -> TG-ENC-001 on the bucket", async () => {
      ctx.requires("verify");
      await (await archiveClients()).s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucketName }));
      await expectDrift("encryption stripped", [{ id: "TG-ENC-001", resource: `arn:aws:s3:::${bucketName}` }]);
    }, 120_000);

    test("delete the critical tier's subscription -> TG-OPS-007 and TG-ALR-008 (the critical monitors page nobody) on the critical topic", async () => {
      ctx.requires("verify");
      const sns = (await managementClients()).sns;
      const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: criticalTopicArn }));
      expect(Subscriptions.length).toBe(1);
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: Subscriptions[0].SubscriptionArn! }));
      await expectDrift("critical subscription deleted", [
        { id: "TG-OPS-007", resource: criticalTopicArn },
        { id: "TG-ALR-008", resource: criticalTopicArn },
      ]);
    }, 120_000);

    test("loosen the log bucket's policy (no TLS-only deny, CloudTrail ACL check unscoped) -> TG-ENC-006 and TG-LP-002 on the bucket", async () => {
      ctx.requires("verify");
      const s3 = (await archiveClients()).s3;
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucketName }))).Policy ?? "{}");
      const statements: Json[] = policy.Statement;
      expect(statements.some((s) => s.Sid === "DenyInsecureTransport")).toBe(true);
      policy.Statement = statements
        .filter((s) => s.Sid !== "DenyInsecureTransport")
        .map((s) => (s.Sid === "CloudTrailAclCheck" ? { ...s, Condition: undefined } : s));
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucketName, Policy: JSON.stringify(policy) }));
      const bucketArn = `arn:aws:s3:::${bucketName}`;
      await expectDrift("bucket policy loosened", [
        { id: "TG-ENC-006", resource: bucketArn },
        { id: "TG-LP-002", resource: bucketArn },
      ]);
      ctx.done("drifts");
    }, 120_000);

    test("terraform apply of the unchanged code repairs all four, and verify passes again", async () => {
      ctx.requires("drifts");
      const plan = await ctx.tf.replan("replan after drift");
      // Exit 2: the refresh sees the drift and the plan changes it back.
      expect(plan.code).toBe(2);
      await ctx.tf.plan("restore.tfplan", "plan (restore)");
      await ctx.tf.apply("restore.tfplan", "apply (restore)");
      const v = await verify(ctx, "restored estate");
      if (v.code !== 0 || v.findings.length > 0) throw new Error(`verify should pass after terraform apply; exit ${v.code}:\n${describeFindings(v.findings)}`);
      ctx.done("verify restored");
    }, 600_000);
  });
}
