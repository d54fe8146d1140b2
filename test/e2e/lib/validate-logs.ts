/**
 * e2e step for `trailgate validate-logs` (issue #12): after the apply, put a signed
 * digest chain into the trail's real log bucket in moto and run the CLI end to end.
 *
 * - The chain is the unit tests' synthetic chain (test/validate-logs/chain.ts), written
 *   to the documented formats and signed with key pairs made here: an organisation
 *   layout for two accounts and two regions, plus the account layout of the trail's
 *   own account, which the AWS CLI's `aws cloudtrail validate-logs --s3-bucket` reads.
 * - moto's ListPublicKeys (tools/moto/server.py) answers from the keys file the launcher
 *   was given; `--public-keys` gets the files `aws cloudtrail list-public-keys` prints.
 * - moto applies a bucket policy's Deny statements without their conditions, so the log
 *   bucket's TLS-only Deny refuses every object request; the policy is taken off for the
 *   step and put back, byte for byte, at the end (the re-plan then sees no change). With
 *   it in place, the run must fail closed (exit 2: nothing readable, nothing valid).
 * - Object Lock: objects are put with a short GOVERNANCE retention instead of the bucket's
 *   COMPLIANCE default, so the step can remove every version it wrote before destroy.
 */
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import {
  DeleteBucketPolicyCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketPolicyCommand, ListObjectVersionsCommand, PutBucketPolicyCommand,
  PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { parseTrailArn, Scope } from "../../../operations/validate-logs/layout";
import { buildChain, Chain, listPublicKeysJson, makeSigner, Signer, StoredFile } from "../../validate-logs/chain";
import { GATE_CLI } from "./gate";
import { cloudTrailPublicKeysFile, Credentials, MotoServer, REPO, scrubbedEnv } from "./moto";
import { run, RunResult, tail } from "./proc";

export interface ValidateLogsStep {
  moto: MotoServer;
  runDir: string;
  logFile: string;
  record(phase: string, ms: number): void;
  /** The organisation trail, as applied. */
  trailArn: string;
  /** Its log bucket, and the account that owns it. */
  bucket: string;
  bucketAccountId: string;
  /** The `o-…` id in the bucket's AWSLogs/ paths. */
  organizationId: string;
}

const DIGESTS = 25;
const LOGS = 3;
const HOUR = 3_600_000;

interface Report {
  outcome: string;
  totals: { digests: Record<string, number>; logs: Record<string, number>; chainBreaks: number; gapHours: number };
  scopes: string[];
  digests: Array<{ scope: string; status: string }>;
  findings: Array<{ kind: string; uri?: string }>;
}

function fail(message: string, result: RunResult): never {
  throw new Error(`${message} (exit ${result.code})\n--- stdout ---\n${tail(result.stdout, 40)}\n--- stderr ---\n${tail(result.stderr, 20)}`);
}

function report(result: RunResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch {
    return fail("validate-logs did not print a JSON report", result);
  }
}

export async function validateLogsAgainstMoto(step: ValidateLogsStep): Promise<void> {
  const { moto, bucket } = step;
  const trail = parseTrailArn(step.trailArn);
  if (!trail) throw new Error(`not a trail ARN: ${step.trailArn}`);
  const region = trail.homeRegion;
  const archive = await moto.credentialsFor(step.bucketAccountId);
  const management = await moto.credentialsFor(trail.accountId);
  const s3 = new S3Client({ endpoint: moto.endpoint, region, credentials: archive, forcePathStyle: true, maxAttempts: 2 });
  const dir = path.join(step.runDir, "validate-logs");
  fs.mkdirSync(dir, { recursive: true });
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      step.record(phase, Date.now() - t0);
    }
  };
  const cli = (args: string[], credentials: Credentials, label: string) =>
    timed(`validate-logs: ${label}`, () =>
      run("node", [GATE_CLI, "validate-logs", "--trail-arn", trail.arn, ...period, ...args], {
        cwd: REPO,
        env: scrubbedEnv({
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_REGION: region,
          NODE_NO_WARNINGS: "1",
        }),
        timeoutMs: 180_000,
        logFile: step.logFile,
      }),
    );

  // A day of hourly digests that ended two hours ago: all delivered, none pending.
  const firstEnd = new Date(Math.floor((Date.now() - (DIGESTS + 1) * HOUR) / 1000) * 1000);
  const lastEnd = new Date(firstEnd.getTime() + (DIGESTS - 1) * HOUR);
  const period = ["--start-time", new Date(firstEnd.getTime() - HOUR / 2).toISOString(), "--end-time", new Date(lastEnd.getTime() - HOUR).toISOString()];

  const signers: Record<string, Signer> = { [region]: makeSigner(), "us-east-1": makeSigner() };
  const scopes: Scope[] = [
    { organizationId: step.organizationId, accountId: trail.accountId, region },
    { organizationId: step.organizationId, accountId: trail.accountId, region: "us-east-1" },
    { organizationId: step.organizationId, accountId: step.bucketAccountId, region },
    // The trail owner's account layout: what `aws cloudtrail validate-logs --s3-bucket` reads.
    { accountId: trail.accountId, region },
  ];
  const chains: Chain[] = scopes.map((scope) =>
    buildChain({ bucket, trail, scope, firstEnd, digests: DIGESTS, logsPerDigest: LOGS, signer: signers[scope.region] }),
  );
  const label = (scope: Scope) => `${scope.organizationId ? `${scope.organizationId}/` : ""}${scope.accountId}/${scope.region}`;

  // moto's ListPublicKeys serves the keys; the auditor's files are what the AWS CLI's
  // `aws cloudtrail list-public-keys` prints for each region.
  const validity: [Date, Date] = [new Date(firstEnd.getTime() - 30 * 24 * HOUR), new Date(lastEnd.getTime() + 30 * 24 * HOUR)];
  const motoKeys = Object.fromEntries(
    Object.entries(signers).map(([keyRegion, signer]) => [keyRegion, JSON.parse(listPublicKeysJson([signer], ...validity)).PublicKeyList]),
  );
  fs.writeFileSync(cloudTrailPublicKeysFile(step.runDir), JSON.stringify(motoKeys));
  const keyFiles: string[] = [];
  for (const keyRegion of Object.keys(signers)) {
    const listed = await awsCli(step, ["cloudtrail", "list-public-keys", "--region", keyRegion, "--start-time", period[1], "--end-time", lastEnd.toISOString()], archive, keyRegion);
    if (listed.code !== 0 || !listed.stdout.includes(signers[keyRegion].fingerprint)) {
      throw new Error(`aws cloudtrail list-public-keys --region ${keyRegion} did not list the key (exit ${listed.code}):\n${tail(listed.stdout + listed.stderr, 20)}`);
    }
    const file = path.join(dir, `list-public-keys-${keyRegion}.json`);
    fs.writeFileSync(file, listed.stdout);
    keyFiles.push(file);
  }

  const { Policy: policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
  if (!policy) throw new Error(`${bucket} has no bucket policy to set aside`);
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  const put = (file: StoredFile) =>
    s3.send(new PutObjectCommand({
      Bucket: file.bucket, Key: file.key, Body: file.body, Metadata: file.metadata,
      ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: new Date(Date.now() + HOUR),
    }));
  try {
    await timed("validate-logs: upload", async () => {
      const files = chains.flatMap((chain) => chain.files);
      for (let i = 0; i < files.length; i += 16) await Promise.all(files.slice(i, i + 16).map(put));
    });

    // 1. An auditor's run: the bucket's account, keys from files, no CloudTrail access.
    const offline = await cli(["--s3-bucket", bucket, ...keyFiles.flatMap((file) => ["--public-keys", file]), "--format", "json"], archive, "public key files");
    const clean = report(offline);
    if (offline.code !== 0 || clean.outcome !== "valid") fail("the untouched chain is not valid with --public-keys", offline);
    const expected = { digests: scopes.length * DIGESTS, logs: scopes.length * DIGESTS * LOGS };
    if (clean.totals.digests.valid !== expected.digests || clean.totals.logs.valid !== expected.logs) {
      fail(`expected ${expected.digests} valid digests and ${expected.logs} valid log files`, offline);
    }
    if (JSON.stringify(clean.scopes) !== JSON.stringify(scopes.map(label).sort())) fail(`expected the scopes ${scopes.map(label).sort().join(", ")}`, offline);

    // 2. The trail owner's run: bucket from DescribeTrails, keys from ListPublicKeys.
    const online = await cli(["--format", "json"], management, "DescribeTrails + ListPublicKeys");
    if (online.code !== 0 || report(online).totals.digests.valid !== expected.digests) fail("the untouched chain is not valid through DescribeTrails and ListPublicKeys", online);

    // 3. The AWS CLI's validate-logs agrees on the trail owner's account layout.
    const reference = await awsCliValidateLogs(step, trail.arn, period, management, region);
    const ours = clean.digests.filter((digest) => digest.scope === label(scopes[3]) && digest.status === "valid").length;
    if (reference.digests !== `${ours}/${ours}` || reference.logs !== `${ours * LOGS}/${ours * LOGS}`) {
      throw new Error(`aws cloudtrail validate-logs found ${reference.digests} digests and ${reference.logs} log files valid; trailgate ${ours} and ${ours * LOGS}\n${tail(reference.output, 20)}`);
    }

    // 4. Fail closed: with the bucket policy back, moto denies every object read.
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    const denied = await cli(["--s3-bucket", bucket, ...keyFiles.flatMap((file) => ["--public-keys", file]), "--format", "json"], archive, "reads denied");
    const deniedReport = report(denied);
    if (denied.code !== 2 || deniedReport.outcome !== "unreadable" || deniedReport.totals.digests.valid !== 0 || deniedReport.totals.digests.unreadable !== expected.digests) {
      fail("with every read denied, validate-logs must exit 2 and call nothing valid", denied);
    }
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));

    // 5. Tampering that Object Lock does not stop: a new version of a log, a delete marker on a digest.
    const modifiedLog = chains[2].digests[6].logKeys[1];
    const deletedDigest = chains[1].digests[12].key;
    const referenceLog = chains[3].digests[9].logKeys[0];
    for (const key of [modifiedLog, referenceLog]) {
      await put({ bucket, key, body: gzipSync(Buffer.from('{"Records":[]}')), metadata: {} });
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: deletedDigest }));
    const tampered = await cli(["--s3-bucket", bucket, ...keyFiles.flatMap((file) => ["--public-keys", file]), "--format", "json"], archive, "tampered");
    const found = report(tampered).findings.map((finding) => `${finding.kind} ${finding.uri}`).sort();
    const want = [
      `chain-break s3://${bucket}/${chains[1].digests[13].key}`,
      `digest-missing s3://${bucket}/${deletedDigest}`,
      `log-modified s3://${bucket}/${modifiedLog}`,
      `log-modified s3://${bucket}/${referenceLog}`,
    ].sort();
    if (tampered.code !== 1 || JSON.stringify(found) !== JSON.stringify(want)) fail(`expected exit 1 and exactly ${want.join("; ")}; got ${found.join("; ")}`, tampered);
    const referenceTampered = await awsCliValidateLogs(step, trail.arn, period, management, region);
    if (referenceTampered.logs !== `${ours * LOGS - 1}/${ours * LOGS}` || referenceTampered.code !== 1) {
      throw new Error(`aws cloudtrail validate-logs should find 1 of ${ours * LOGS} log files invalid (exit 1); found ${referenceTampered.logs} (exit ${referenceTampered.code})`);
    }
  } finally {
    await timed("validate-logs: clean up", () => removeEveryVersion(s3, bucket));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    s3.destroy();
  }
}

/** The AWS CLI (v1, on this machine) against moto. */
async function awsCli(step: ValidateLogsStep, args: string[], credentials: Credentials, region: string): Promise<RunResult> {
  const t0 = Date.now();
  try {
    return await run("aws", args, {
      cwd: REPO,
      env: scrubbedEnv({
        AWS_ENDPOINT_URL: step.moto.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_DEFAULT_REGION: region,
      }),
      timeoutMs: 180_000,
      logFile: step.logFile,
    });
  } catch (error) {
    throw new Error(`the AWS CLI (aws, v1), which this step runs, could not start: ${(error as Error).message}`);
  } finally {
    step.record(`validate-logs: aws ${args.slice(0, 2).join(" ")}`, Date.now() - t0);
  }
}

/** `aws cloudtrail validate-logs` on the trail owner's account layout: its "N/M ... valid" lines. */
async function awsCliValidateLogs(step: ValidateLogsStep, trailArn: string, period: string[], credentials: Credentials, region: string) {
  const result = await awsCli(step, ["cloudtrail", "validate-logs", "--trail-arn", trailArn, ...period, "--s3-bucket", step.bucket], credentials, region);
  const output = `${result.stdout}\n${result.stderr}`;
  const digests = /(\d+\/\d+) digest files valid/.exec(output)?.[1];
  const logs = /(\d+\/\d+) log files valid/.exec(output)?.[1];
  if (!digests || !logs) throw new Error(`aws cloudtrail validate-logs printed no result (exit ${result.code}):\n${tail(output, 30)}`);
  return { digests, logs, code: result.code, output };
}

/** Deletes every version and delete marker, bypassing the GOVERNANCE retention the step set. */
async function removeEveryVersion(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((o) => ({ Key: o.Key!, VersionId: o.VersionId }));
    if (objects.length === 0) return;
    for (let i = 0; i < objects.length; i += 1000) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, BypassGovernanceRetention: true, Delete: { Objects: objects.slice(i, i + 1000) } }));
      if ((result.Errors ?? []).length > 0) throw new Error(`could not remove the chain from ${bucket}: ${JSON.stringify(result.Errors!.slice(0, 3))}`);
    }
  }
}
