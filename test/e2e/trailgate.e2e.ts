/**
 * End-to-end: synthesize the example app, plan it against moto, gate the plan, apply,
 * read everything back through the AWS SDK, re-plan (no changes), destroy, check that
 * nothing is left, and check that the gate fails a misconfigured variant per rule family.
 *
 * Run through scripts/e2e.sh (npm run e2e). Steps run in order and share state; a step
 * whose prerequisite failed fails too, naming the prerequisite (nothing is skipped).
 * Artifacts (logs, plans, state) are kept under .tools/e2e/ for inspection.
 */
import * as fs from "fs";
import * as path from "path";
import {
  DescribeTrailsCommand, GetEventDataStoreCommand, GetEventSelectorsCommand, GetInsightSelectorsCommand, GetTrailStatusCommand,
  ListEventDataStoresCommand, Trail, UpdateEventDataStoreCommand,
} from "@aws-sdk/client-cloudtrail";
import { DescribeAlarmsCommand, MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand, DescribeQueryDefinitionsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import {
  GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLoggingCommand, GetBucketPolicyCommand,
  DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectLockConfigurationCommand, GetPublicAccessBlockCommand, HeadBucketCommand,
  ListBucketsCommand, ListObjectVersionsCommand,
} from "@aws-sdk/client-s3";
import { GetAccessPointCommand, GetAccessPointPolicyCommand, ListAccessPointsCommand } from "@aws-sdk/client-s3-control";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import { describeGate, gateCheck } from "./lib/gate";
import { MotoServer, REPO, startMoto } from "./lib/moto";
import { isAlive, killAllChildren } from "./lib/proc";
import { Clients, clientsFor } from "./lib/readback";
import { asArray, AwsProviderConfig, awsProviders, Json, obtainStack, ofType, resources, StackResource, StackSource } from "./lib/stack";
import { checkServiceCoverage, OVERRIDE_FILE, overrideFor, TerraformDir } from "./lib/terraform";
import { validateLogsAgainstMoto } from "./lib/validate-logs";
import { buildVariant, trailBucketNames, VARIANTS } from "./lib/variants";
import { describeVerifyOnLiveState } from "./lib/verify";

const RUN_DIR = path.resolve(process.env.TRAILGATE_E2E_RUN_DIR ?? path.join(REPO, ".tools/e2e"));
const PYTHON = process.env.TRAILGATE_E2E_PYTHON ?? path.join(REPO, ".tools/venv/bin/python");
const LOG = path.join(RUN_DIR, "e2e.log");
const MIN_RETENTION_DAYS = 365;

const timings: Array<[string, number]> = [];
function record(phase: string, ms: number): void {
  timings.push([phase, ms]);
  process.stdout.write(`[e2e] ${phase.padEnd(28)} ${(ms / 1000).toFixed(1).padStart(6)} s\n`);
}

const done = new Set<string>();
function requires(...steps: string[]): void {
  for (const s of steps) if (!done.has(s)) throw new Error(`cannot run: the earlier step "${s}" did not succeed`);
}

let moto: MotoServer | undefined;
let source: StackSource;
let stack: Json;
let providers: AwsProviderConfig[];
let all: StackResource[];
let tf: TerraformDir;
let state: Map<string, Json>;
const clients = new Map<string, Clients>();

async function clientsOf(p: { accountId: string; region: string }): Promise<Clients> {
  const key = `${p.accountId}/${p.region}`;
  let c = clients.get(key);
  if (!c) {
    c = await clientsFor(moto!, p.accountId, p.region);
    clients.set(key, c);
  }
  return c;
}

/** Base address of an instance address: aws_x.y["k"] / aws_x.y[0] -> aws_x.y. */
function baseAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, "");
}

function instancesOf(r: StackResource): Json[] {
  return [...state.entries()].filter(([a]) => baseAddress(a) === r.address).map(([, v]) => v);
}

function stateOf(r: StackResource): Json {
  const v = instancesOf(r);
  if (v.length !== 1) throw new Error(`${r.address} has ${v.length} instances in the Terraform state after apply, expected 1`);
  return v[0];
}

/** State values of the resources of `type` whose `bucket` is `bucketName`. */
function forBucket(type: string, bucketName: string): Json[] {
  return ofType(all, type).map(stateOf).filter((v) => v.bucket === bucketName);
}

function accountOfArn(arn: string): string {
  const m = /^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn);
  if (!m) throw new Error(`not an ARN with an account: ${arn}`);
  return m[1];
}

function regionOfArn(arn: string): string {
  const m = /^arn:aws:[a-z0-9-]+:([a-z0-9-]+):/.exec(arn);
  if (!m) throw new Error(`not a regional ARN: ${arn}`);
  return m[1];
}

async function expectRejects(p: Promise<unknown>, name: RegExp): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  expect((err as Error).name).toMatch(name);
}

beforeAll(async () => {
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  fs.mkdirSync(RUN_DIR, { recursive: true });
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} not found: run tools/moto/setup.sh (scripts/e2e.sh does)`);
  const t0 = Date.now();
  moto = await startMoto({ python: PYTHON, runDir: RUN_DIR, logFile: path.join(RUN_DIR, "moto.log") });
  record("moto start", Date.now() - t0);
  process.stdout.write(`[e2e] moto ${moto.version} pid ${moto.pid} at ${moto.endpoint}; artifacts in ${RUN_DIR}\n`);
}, 60_000);

afterAll(async () => {
  for (const c of clients.values()) c.destroy();
  const leftovers = killAllChildren();
  let stopError: unknown;
  if (moto) {
    const pid = moto.pid;
    const t0 = Date.now();
    try {
      await moto.stop();
    } catch (e) {
      stopError = e;
    }
    record("moto stop", Date.now() - t0);
    if (isAlive(pid)) stopError = new Error(`moto pid ${pid} still alive after stop`);
  }
  const total = timings.reduce((n, [, ms]) => n + ms, 0);
  const table = timings.map(([p, ms]) => `  ${p.padEnd(28)} ${(ms / 1000).toFixed(1).padStart(6)} s`).join("\n");
  process.stdout.write(`\n[e2e] timings (stack: ${source?.file ?? "none"})\n${table}\n  ${"sum".padEnd(28)} ${(total / 1000).toFixed(1).padStart(6)} s\n`);
  fs.writeFileSync(path.join(RUN_DIR, "timings.json"), JSON.stringify(Object.fromEntries(timings), null, 2));
  if (leftovers.length) throw new Error(`had to kill still-running commands (process groups ${leftovers.join(", ")})`);
  if (stopError) throw stopError;
}, 60_000);

describe("trailgate example app against moto", () => {
  test("the stack synthesizes, and every service it uses has a moto endpoint", async () => {
    source = await obtainStack(RUN_DIR, LOG);
    for (const [k, ms] of Object.entries(source.timings)) record(k, ms);
    process.stdout.write(`[e2e] stack: ${source.file}\n`);
    stack = source.json;
    providers = awsProviders(stack);
    all = resources(stack, providers);
    checkServiceCoverage(stack);
    expect(ofType(all, "aws_cloudtrail").length).toBeGreaterThan(0);
    done.add("synth");
  }, 420_000);

  test("terraform init works offline with the override for every aws provider configuration", async () => {
    requires("synth");
    const mgmt = providers.find((p) => !p.roleArn) ?? providers[0];
    const creds = await moto!.credentialsFor(mgmt.accountId);
    const override = overrideFor(stack, moto!, creds);
    expect(override.provider.aws.map((p: Json) => p.alias ?? "")).toEqual(providers.map((p) => p.alias));
    tf = TerraformDir.create(path.join(RUN_DIR, "stack"), stack, override, LOG, moto!, record);
    // The shipped stack stays clean: the override lives only in the working copy.
    expect(fs.existsSync(path.join(path.dirname(source.file), OVERRIDE_FILE))).toBe(false);
    await tf.init();
    done.add("init");
  }, 240_000);

  test("terraform plan", async () => {
    requires("init");
    await tf.plan("plan.tfplan");
    const plan = await tf.showJson("plan.tfplan", "show plan");
    fs.writeFileSync(path.join(RUN_DIR, "plan.json"), JSON.stringify(plan));
    const creates = asArray<Json>(plan.resource_changes).filter((c) => c.mode === "managed");
    expect([...new Set(creates.map((c) => baseAddress(c.address)))].sort()).toEqual(all.map((r) => r.address).sort());
    for (const c of creates) expect(c.change.actions).toEqual(["create"]);
    done.add("plan");
  }, 420_000);

  test("the policy gate passes the plan (exit 0)", async () => {
    requires("plan");
    const t0 = Date.now();
    const g = await gateCheck(path.join(RUN_DIR, "plan.json"), LOG);
    record("gate (good plan)", Date.now() - t0);
    if (g.run.code !== 0) throw new Error(`the gate did not pass the example app's plan: ${describeGate(g)}`);
    expect(g.ruleIds).toEqual([]);
  }, 180_000);

  test("terraform apply", async () => {
    requires("plan");
    await tf.apply("plan.tfplan");
    state = await tf.stateValues("show state");
    expect(all.filter((r) => instancesOf(r).length === 0).map((r) => r.address)).toEqual([]);
    done.add("apply");
  }, 900_000);

  describe("read back through the AWS SDK", () => {
    test("trails: logging, multi-region, validation, KMS, CloudWatch delivery, org trail, selectors", async () => {
      requires("apply");
      const trails = ofType(all, "aws_cloudtrail");
      let orgTrails = 0;
      for (const r of trails) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { trailList = [] } = await c.cloudtrail.send(new DescribeTrailsCommand({ trailNameList: [want.arn], includeShadowTrails: false }));
        const t: Trail | undefined = trailList.find((x) => x.TrailARN === want.arn);
        if (!t) throw new Error(`${r.address}: trail ${want.arn} not found in account ${c.accountId}`);
        expect(t.Name).toBe(want.name);
        expect(t.IsMultiRegionTrail).toBe(true);
        expect(t.LogFileValidationEnabled).toBe(true);
        expect(t.IncludeGlobalServiceEvents).toBe(true);
        expect(t.IsOrganizationTrail).toBe(want.is_organization_trail);
        if (t.IsOrganizationTrail) orgTrails++;
        expect(t.KmsKeyId).toBe(want.kms_key_id);
        expect(t.KmsKeyId).toMatch(/^arn:aws:kms:/);
        expect(t.S3BucketName).toBe(want.s3_bucket_name);
        expect(t.CloudWatchLogsLogGroupArn).toBe(want.cloud_watch_logs_group_arn);
        expect(t.CloudWatchLogsRoleArn).toBe(want.cloud_watch_logs_role_arn);
        // CloudWatch delivery goes to a log group and a role of this stack.
        const groupArns = ofType(all, "aws_cloudwatch_log_group").map((g) => `${stateOf(g).arn}:*`);
        expect(groupArns).toContain(t.CloudWatchLogsLogGroupArn);
        expect(ofType(all, "aws_iam_role").map((x) => stateOf(x).arn)).toContain(t.CloudWatchLogsRoleArn);
        // The trail's key is a key of this stack, enabled, in the account its ARN names.
        expect(ofType(all, "aws_kms_key").map((k) => stateOf(k).arn)).toContain(t.KmsKeyId);

        const status = await c.cloudtrail.send(new GetTrailStatusCommand({ Name: want.arn }));
        expect(status.IsLogging).toBe(true);

        const sel = await c.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: want.arn }));
        const wantAdvanced = asArray<Json>(want.advanced_event_selector);
        const wantBasic = asArray<Json>(want.event_selector);
        expect(wantAdvanced.length + wantBasic.length).toBeGreaterThan(0);
        if (wantAdvanced.length) {
          const norm = (name: string | undefined, fs: Array<Record<string, unknown>>) => ({
            name,
            fields: fs
              .map((f) => JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k.toLowerCase().replace(/_/g, ""), Array.isArray(v) ? [...v].sort() : v]).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).sort())))
              .sort(),
          });
          const got = (sel.AdvancedEventSelectors ?? []).map((s) => norm(s.Name, (s.FieldSelectors ?? []) as unknown as Array<Record<string, unknown>>));
          const exp = wantAdvanced.map((s) => norm(s.name, asArray<Json>(s.field_selector)));
          expect(got).toEqual(exp);
          // Management events are recorded.
          expect(JSON.stringify(got)).toContain("Management");
        } else {
          expect((sel.EventSelectors ?? []).length).toBe(wantBasic.length);
          expect((sel.EventSelectors ?? []).some((s) => s.IncludeManagementEvents)).toBe(true);
        }
        const wantInsights = asArray<Json>(want.insight_selector).map((i) => i.insight_type).sort();
        if (wantInsights.length) {
          const ins = await c.cloudtrail.send(new GetInsightSelectorsCommand({ TrailName: want.arn }));
          expect((ins.InsightSelectors ?? []).map((i) => i.InsightType).sort()).toEqual(wantInsights);
        }
      }
      expect(orgTrails).toBeGreaterThan(0);
    }, 120_000);

    test("buckets: encryption, versioning, object lock, lifecycle, logging, public access blocks, policy", async () => {
      requires("apply");
      const trailBuckets = new Set(trailBucketNames(stack).map((n) => stateOf(ofType(all, "aws_s3_bucket").find((b) => b.name === n)!).bucket));
      expect(trailBuckets.size).toBeGreaterThan(0);
      const accessLogTargets = new Set(ofType(all, "aws_s3_bucket_logging").map((l) => stateOf(l).target_bucket as string));
      for (const r of ofType(all, "aws_s3_bucket")) {
        const b = stateOf(r);
        const name: string = b.bucket;
        const s3 = (await clientsOf(r.provider)).s3;
        await s3.send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: r.provider.accountId }));

        const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
        const rule = enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
        const sse = forBucket("aws_s3_bucket_server_side_encryption_configuration", name);
        expect(sse.length).toBe(1);
        const wantRule = asArray<Json>(asArray<Json>(sse[0].rule)[0].apply_server_side_encryption_by_default)[0];
        expect(rule?.SSEAlgorithm).toBe(wantRule.sse_algorithm);
        if (trailBuckets.has(name)) {
          expect(rule?.SSEAlgorithm).toBe("aws:kms");
          expect(rule?.KMSMasterKeyID).toBe(wantRule.kms_master_key_id);
          expect(ofType(all, "aws_kms_key").map((k) => stateOf(k).arn)).toContain(rule?.KMSMasterKeyID);
        }

        const ver = await s3.send(new GetBucketVersioningCommand({ Bucket: name }));
        if (trailBuckets.has(name) || accessLogTargets.has(name)) expect(ver.Status).toBe("Enabled");
        for (const v of forBucket("aws_s3_bucket_versioning", name)) expect(ver.Status).toBe(asArray<Json>(v.versioning_configuration)[0].status);

        if (trailBuckets.has(name)) {
          const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: name }));
          expect(lock.ObjectLockConfiguration?.ObjectLockEnabled).toBe("Enabled");
          const ret = lock.ObjectLockConfiguration?.Rule?.DefaultRetention;
          const wantLock = forBucket("aws_s3_bucket_object_lock_configuration", name);
          expect(wantLock.length).toBe(1);
          const wantRet = asArray<Json>(asArray<Json>(wantLock[0].rule)[0].default_retention)[0];
          expect(ret?.Mode).toBe(wantRet.mode);
          const days = ret?.Days ?? (ret?.Years ?? 0) * 365;
          expect(days).toBe(wantRet.days || wantRet.years * 365);
          expect(days).toBeGreaterThanOrEqual(MIN_RETENTION_DAYS);
        }

        const wantLifecycle = forBucket("aws_s3_bucket_lifecycle_configuration", name);
        if (trailBuckets.has(name)) expect(wantLifecycle.length).toBe(1);
        if (wantLifecycle.length) {
          const lc = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }));
          const rules = lc.Rules ?? [];
          const wantRules = asArray<Json>(wantLifecycle[0].rule);
          expect(rules.map((x) => x.ID).sort()).toEqual(wantRules.map((x) => x.id).sort());
          for (const x of rules) {
            const w = wantRules.find((y) => y.id === x.ID);
            expect(x.Status).toBe(w.status);
            const wExp = asArray<Json>(w.expiration)[0];
            if (wExp?.days) expect(x.Expiration?.Days).toBe(wExp.days);
            if (trailBuckets.has(name) && x.Expiration?.Days !== undefined) expect(x.Expiration.Days).toBeGreaterThanOrEqual(MIN_RETENTION_DAYS);
            const wTr = asArray<Json>(w.transition);
            expect((x.Transitions ?? []).map((t) => [t.Days, t.StorageClass])).toEqual(wTr.map((t) => [t.days, t.storage_class]));
          }
        }

        const logging = await s3.send(new GetBucketLoggingCommand({ Bucket: name }));
        const wantLogging = forBucket("aws_s3_bucket_logging", name);
        if (trailBuckets.has(name)) expect(wantLogging.length).toBe(1);
        if (wantLogging.length) {
          expect(logging.LoggingEnabled?.TargetBucket).toBe(wantLogging[0].target_bucket);
          expect(logging.LoggingEnabled?.TargetBucket).not.toBe(name);
          expect(logging.LoggingEnabled?.TargetPrefix ?? "").toBe(wantLogging[0].target_prefix ?? "");
        } else {
          expect(logging.LoggingEnabled).toBeUndefined();
        }

        const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: name }));
        expect(pab.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
        });

        const wantPolicy = forBucket("aws_s3_bucket_policy", name);
        expect(wantPolicy.length).toBe(1);
        const pol = await s3.send(new GetBucketPolicyCommand({ Bucket: name }));
        const got = JSON.parse(pol.Policy ?? "{}");
        expect(got).toEqual(JSON.parse(wantPolicy[0].policy));
        const denies = asArray<Json>(got.Statement).filter((s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport"));
        expect(denies.length).toBeGreaterThan(0);
      }
    }, 180_000);

    // moto stores and returns the definitions (with tools/moto/server.py's patch); its
    // Logs Insights engine does not evaluate filter expressions, so running one proves nothing.
    test("the subject-access query definitions are saved on the trail's log group", async () => {
      requires("apply");
      const saved = ofType(all, "aws_cloudwatch_query_definition");
      expect(saved.map((r) => stateOf(r).name as string).sort()).toEqual(
        ["one-bucket", "one-object-prefix", "one-principal", "one-source-ip"].map((n) => `trailgate/subject-access/${n}`),
      );
      for (const r of saved) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { queryDefinitions = [] } = await c.logs.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: want.name as string }));
        const got = queryDefinitions.find((d) => d.name === want.name);
        if (!got) throw new Error(`${r.address}: query definition ${want.name} not found`);
        expect(got.queryString).toBe(want.query_string);
        expect(got.logGroupNames).toEqual(want.log_group_names);
      }
    }, 60_000);

    test("log groups, metric filters, alarms and their SNS topics", async () => {
      requires("apply");
      const groups = ofType(all, "aws_cloudwatch_log_group");
      expect(groups.length).toBeGreaterThan(0);
      for (const r of groups) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { logGroups = [] } = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: want.name }));
        const g = logGroups.find((x) => x.logGroupName === want.name);
        if (!g) throw new Error(`${r.address}: log group ${want.name} not found`);
        expect(g.retentionInDays).toBe(want.retention_in_days);
        expect(g.retentionInDays).toBeGreaterThanOrEqual(MIN_RETENTION_DAYS);
        expect(g.kmsKeyId).toBe(want.kms_key_id);
        expect(g.kmsKeyId).toMatch(/^arn:aws:kms:/);
      }

      const filters = ofType(all, "aws_cloudwatch_log_metric_filter");
      const alarms = ofType(all, "aws_cloudwatch_metric_alarm");
      expect(filters.length).toBeGreaterThan(0);
      const metricsWithFilter = new Set<string>();
      for (const r of filters) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { metricFilters = [] } = await c.logs.send(new DescribeMetricFiltersCommand({ logGroupName: want.log_group_name, filterNamePrefix: want.name }));
        const f = metricFilters.find((x) => x.filterName === want.name);
        if (!f) throw new Error(`${r.address}: metric filter ${want.name} not found on ${want.log_group_name}`);
        expect(f.filterPattern).toBe(want.pattern);
        const wt = asArray<Json>(want.metric_transformation)[0];
        expect(f.metricTransformations?.map((m) => [m.metricNamespace, m.metricName])).toEqual([[wt.namespace, wt.name]]);
        metricsWithFilter.add(`${wt.namespace}/${wt.name}`);
      }

      const topicArns = new Set(ofType(all, "aws_sns_topic").map((t) => stateOf(t).arn as string));
      const alarmedMetrics = new Set<string>();
      for (const r of alarms) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { MetricAlarms = [] } = await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [want.alarm_name] }));
        const a: MetricAlarm | undefined = MetricAlarms.find((x) => x.AlarmName === want.alarm_name);
        if (!a) throw new Error(`${r.address}: alarm ${want.alarm_name} not found`);
        expect([a.Namespace, a.MetricName]).toEqual([want.namespace, want.metric_name]);
        expect([...(a.AlarmActions ?? [])].sort()).toEqual([...asArray<string>(want.alarm_actions)].sort());
        expect(a.ComparisonOperator).toBe(want.comparison_operator);
        expect(a.Threshold).toBe(want.threshold);
        if ((a.AlarmActions ?? []).some((x) => topicArns.has(x))) alarmedMetrics.add(`${a.Namespace}/${a.MetricName}`);
      }
      // Every metric filter's metric has an alarm that notifies one of the stack's SNS topics.
      expect([...metricsWithFilter].filter((m) => !alarmedMetrics.has(m))).toEqual([]);

      expect(topicArns.size).toBeGreaterThan(0);
      for (const r of ofType(all, "aws_sns_topic")) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const { Attributes = {} } = await c.sns.send(new GetTopicAttributesCommand({ TopicArn: want.arn }));
        expect(Attributes.TopicArn).toBe(want.arn);
        expect(Attributes.KmsMasterKeyId).toBe(want.kms_master_key_id);
        expect(Attributes.KmsMasterKeyId).toBeTruthy();
      }
      for (const r of ofType(all, "aws_sns_topic_subscription")) {
        const c = await clientsOf(r.provider);
        for (const want of instancesOf(r)) {
          const { Subscriptions = [] } = await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: want.topic_arn }));
          expect(Subscriptions.map((x) => [x.Protocol, x.Endpoint])).toContainEqual([want.protocol, want.endpoint]);
        }
      }
    }, 180_000);

    test("KMS keys: enabled, rotation on, in the account and region of their provider", async () => {
      requires("apply");
      const keys = ofType(all, "aws_kms_key");
      expect(keys.length).toBeGreaterThan(0);
      for (const r of keys) {
        const want = stateOf(r);
        expect(accountOfArn(want.arn)).toBe(r.provider.accountId);
        expect(regionOfArn(want.arn)).toBe(r.provider.region);
        const c = await clientsOf(r.provider);
        const { KeyMetadata } = await c.kms.send(new DescribeKeyCommand({ KeyId: want.key_id }));
        expect(KeyMetadata?.Arn).toBe(want.arn);
        expect(KeyMetadata?.KeyState).toBe("Enabled");
        expect(KeyMetadata?.KeyManager).toBe("CUSTOMER");
        const rot = await c.kms.send(new GetKeyRotationStatusCommand({ KeyId: want.key_id }));
        expect(rot.KeyRotationEnabled).toBe(true);
      }
    }, 120_000);

    test("CloudTrail Lake event data stores: retention, multi-region, organisation, termination protection, customer-managed key", async () => {
      requires("apply");
      for (const r of ofType(all, "aws_cloudtrail_event_data_store")) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const eds = await c.cloudtrail.send(new GetEventDataStoreCommand({ EventDataStore: want.arn }));
        expect(eds.Name).toBe(want.name);
        expect(eds.Status).toBe("ENABLED");
        expect(eds.RetentionPeriod).toBe(want.retention_period);
        expect(eds.RetentionPeriod).toBeGreaterThanOrEqual(MIN_RETENTION_DAYS);
        expect(eds.MultiRegionEnabled).toBe(want.multi_region_enabled);
        expect(eds.OrganizationEnabled).toBe(want.organization_enabled);
        expect(eds.TerminationProtectionEnabled).toBe(want.termination_protection_enabled);
        expect(eds.KmsKeyId).toBe(want.kms_key_id);
        expect(ofType(all, "aws_kms_key").map((k) => stateOf(k).arn)).toContain(eds.KmsKeyId);
        expect((eds.AdvancedEventSelectors ?? []).map((x) => x.Name).sort()).toEqual(asArray<Json>(want.advanced_event_selector).map((x) => x.name).sort());
      }
    }, 60_000);

    test("S3 access points: VPC-only, public access blocked, policy as configured", async () => {
      requires("apply");
      const points = ofType(all, "aws_s3_access_point");
      for (const r of points) {
        const want = stateOf(r);
        const c = await clientsOf(r.provider);
        const ap = await c.s3control.send(new GetAccessPointCommand({ AccountId: want.account_id, Name: want.name }));
        expect(ap.Bucket).toBe(want.bucket);
        expect(ap.NetworkOrigin).toBe("VPC");
        expect(ap.VpcConfiguration?.VpcId).toBe(asArray<Json>(want.vpc_configuration)[0].vpc_id);
        expect(ap.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
        });
        if (want.policy) {
          const p = await c.s3control.send(new GetAccessPointPolicyCommand({ AccountId: want.account_id, Name: want.name }));
          expect(JSON.parse(p.Policy ?? "{}")).toEqual(JSON.parse(want.policy));
        }
      }
      if (points.length === 0) process.stdout.write("[e2e] note: the stack has no aws_s3_access_point\n");
    }, 120_000);
  });

  test("validate-logs proves a signed digest chain in the trail's bucket and catches tampering", async () => {
    requires("apply");
    const trail = ofType(all, "aws_cloudtrail").find((r) => stateOf(r).is_organization_trail)!;
    const bucket = ofType(all, "aws_s3_bucket").find((r) => stateOf(r).bucket === stateOf(trail).s3_bucket_name);
    if (!bucket) throw new Error(`the organisation trail's bucket ${stateOf(trail).s3_bucket_name} is not a bucket of this stack`);
    const organizationId = /AWSLogs\/(o-[a-z0-9]{10,32})\//.exec(JSON.stringify(stack))?.[1];
    if (!organizationId) throw new Error("the stack names no AWSLogs/o-… path for the organisation trail");
    await validateLogsAgainstMoto({
      moto: moto!, runDir: RUN_DIR, logFile: LOG, record, trailArn: stateOf(trail).arn, bucket: stateOf(bucket).bucket, bucketAccountId: bucket.provider.accountId, organizationId,
    });
  }, 600_000);

  test("a second plan reports no changes (-detailed-exitcode 0)", async () => {
    requires("apply");
    const r = await tf.replan();
    if (r.code !== 0) throw new Error(`re-plan after apply wants changes (exit ${r.code}):\n${r.stdout.split("\n").filter((l) => /^\s+[~+-]|will be|must be/.test(l)).slice(0, 80).join("\n")}`);
    done.add("replan");
  }, 420_000);

  // trailgate verify on the live estate, four drifts, repair (test/e2e/lib/verify.ts).
  describeVerifyOnLiveState(() => ({
    moto: moto!, tf, providers, state, clientsOf, record, requires, done: (step) => void done.add(step), runDir: RUN_DIR, logFile: LOG,
  }));

  test("terraform destroy, and nothing is left behind", async () => {
    requires("apply");
    // S3 delivers server access logs into the access-log buckets (moto does too), and a
    // bucket that holds objects cannot be deleted without force_destroy, which an audit
    // estate must not set. Like an operator: stop access logging, empty the targets
    // (which must hold nothing but access logs under the configured prefixes), destroy.
    // A termination-protected Lake event data store cannot be deleted (by design); the
    // operator lifts the protection first, then Terraform deletes it.
    for (const r of ofType(all, "aws_cloudtrail_event_data_store")) {
      const want = stateOf(r);
      if (!want.termination_protection_enabled) continue;
      const c = await clientsOf(r.provider);
      await c.cloudtrail.send(new UpdateEventDataStoreCommand({ EventDataStore: want.arn, TerminationProtectionEnabled: false }));
      process.stdout.write(`[e2e] ${r.address}: termination protection lifted before destroy\n`);
    }
    // moto evaluates bucket policies without their conditions, so the target's
    // DenyInsecureTransport statement would deny every object delete (and the SDK talks
    // plain HTTP to moto, so it would be insecure transport anyway): the target buckets'
    // policies go in this first step too.
    const loggings = ofType(all, "aws_s3_bucket_logging");
    const targetNames = new Set(loggings.map((l) => stateOf(l).target_bucket as string));
    const targetPolicies = ofType(all, "aws_s3_bucket_policy").filter((p) => targetNames.has(stateOf(p).bucket));
    if (loggings.length) await tf.destroy("destroy access logging", [...loggings, ...targetPolicies].map((r) => r.address));
    for (const l of loggings) {
      const { target_bucket: target, target_prefix: prefix = "" } = stateOf(l);
      const owner = ofType(all, "aws_s3_bucket").find((b) => stateOf(b).bucket === target);
      if (!owner) throw new Error(`${l.address}: target bucket ${target} is not a bucket of this stack`);
      const s3 = (await clientsOf(owner.provider)).s3;
      // A page (up to 1,000 versions) at a time: the validate-logs step's reads alone log thousands.
      let emptied = 0;
      for (;;) {
        const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: target }));
        const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((o) => ({ Key: o.Key!, VersionId: o.VersionId }));
        expect(objects.filter((o) => !o.Key.startsWith(prefix))).toEqual([]);
        if (objects.length === 0) break;
        const del = await s3.send(new DeleteObjectsCommand({ Bucket: target, Delete: { Objects: objects } }));
        expect(del.Errors ?? []).toEqual([]);
        emptied += objects.length;
      }
      process.stdout.write(`[e2e] ${target}: ${emptied} access-log object versions, emptied before destroy\n`);
    }
    await tf.destroy();
    const names = {
      buckets: ofType(all, "aws_s3_bucket").map((r) => stateOf(r).bucket as string),
      vpcs: ofType(all, "aws_vpc").map((r) => stateOf(r).id as string),
      roles: ofType(all, "aws_iam_role").map((r) => stateOf(r).name as string),
    };
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const p of providers) {
      const key = `${p.accountId}/${p.region}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = await clientsOf(p);
      const { trailList = [] } = await c.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      if (trailList.length) problems.push(`${key}: trails ${trailList.map((t) => t.TrailARN).join(", ")}`);
      const { EventDataStores = [] } = await c.cloudtrail.send(new ListEventDataStoresCommand({}));
      for (const e of EventDataStores) if (e.Status !== "PENDING_DELETION") problems.push(`${key}: event data store ${e.EventDataStoreArn} is ${e.Status}`);
      const { Buckets = [] } = await c.s3.send(new ListBucketsCommand({}));
      if (Buckets.length) problems.push(`${key}: buckets ${Buckets.map((b) => b.Name).join(", ")}`);
      const { Keys = [] } = await c.kms.send(new ListKeysCommand({}));
      for (const k of Keys) {
        const { KeyMetadata } = await c.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }));
        if (KeyMetadata?.KeyManager === "CUSTOMER" && KeyMetadata.KeyState !== "PendingDeletion") problems.push(`${key}: KMS key ${k.KeyId} is ${KeyMetadata.KeyState}`);
      }
      const { logGroups = [] } = await c.logs.send(new DescribeLogGroupsCommand({}));
      if (logGroups.length) problems.push(`${key}: log groups ${logGroups.map((g) => g.logGroupName).join(", ")}`);
      const { Topics = [] } = await c.sns.send(new ListTopicsCommand({}));
      if (Topics.length) problems.push(`${key}: SNS topics ${Topics.map((t) => t.TopicArn).join(", ")}`);
      const { MetricAlarms = [] } = await c.cloudwatch.send(new DescribeAlarmsCommand({}));
      if (MetricAlarms.length) problems.push(`${key}: alarms ${MetricAlarms.map((a) => a.AlarmName).join(", ")}`);
      const { AccessPointList = [] } = await c.s3control.send(new ListAccessPointsCommand({ AccountId: p.accountId }));
      if (AccessPointList.length) problems.push(`${key}: access points ${AccessPointList.map((a) => a.Name).join(", ")}`);
      const vpcs = await moto!.query("ec2", { Action: "DescribeVpcs", Version: "2016-11-15" }, p.accountId);
      for (const v of names.vpcs) if (vpcs.includes(`<vpcId>${v}</vpcId>`)) problems.push(`${key}: VPC ${v}`);
      const roles = await moto!.query("iam", { Action: "ListRoles", Version: "2010-05-08" }, p.accountId);
      for (const role of names.roles) if (roles.includes(`<RoleName>${role}</RoleName>`)) problems.push(`${key}: IAM role ${role}`);
    }
    // Buckets are global: none of the stack's may exist in any account.
    for (const b of names.buckets) {
      const c = await clientsOf(providers[0]);
      await expectRejects(c.s3.send(new HeadBucketCommand({ Bucket: b })), /NotFound|NoSuchBucket/);
    }
    expect(problems).toEqual([]);
    done.add("destroy");
  }, 900_000);

  describe("misconfigured variants: the gate fails each real plan with the family's rule", () => {
    test.each(VARIANTS.map((v) => [v.family, v.expectRule, v] as const))("%s -> %s", async (family, rule, v) => {
      requires("synth");
      const variant = buildVariant(stack, v);
      const creds = await moto!.credentialsFor((providers.find((p) => !p.roleArn) ?? providers[0]).accountId);
      const slug = family.replace(/\W+/g, "-");
      const dir = TerraformDir.create(path.join(RUN_DIR, `variant-${slug}`), variant, overrideFor(variant, moto!, creds), LOG, moto!, record);
      await dir.init(`variant ${slug}: init`);
      await dir.plan("plan.tfplan", `variant ${slug}: plan`);
      const plan = await dir.showJson("plan.tfplan", `variant ${slug}: show`);
      const planFile = path.join(dir.dir, "plan.json");
      fs.writeFileSync(planFile, JSON.stringify(plan));
      const g = await gateCheck(planFile, LOG);
      if (g.run.code !== 1 || !g.ruleIds.includes(rule)) {
        throw new Error(`variant "${v.description}": wanted gate exit 1 reporting ${rule}; got ${describeGate(g)}`);
      }
    }, 300_000);
  });
});
