/**
 * Partial verdicts: a call that is denied, or that the endpoint does not implement,
 * leaves its part of the estate out (TG-VER-005) while everything else is read and
 * judged; the trails, the credentials and every other kind of failure still fail
 * closed. The AWS clients are fakes answering by command name, behind the real
 * session wrapper, so the error classification and collect.ts run as in production.
 */
import { GateInputError } from "../../core/errors";
import { loadPolicyBundle } from "../../gate/policy";
import { Clients, makeSession, permissionOf, Sessions, unreadableReason } from "../../operations/verify/aws";
import { collectEstate } from "../../operations/verify/collect";
import { liveDocument } from "../../operations/verify/map";
import { silentProgress } from "../../operations/verify/progress";

const ACCOUNT = "111111111111";
const TRAIL = `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:trail/org`;
const KEY = `arn:aws:kms:eu-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const GROUP = "/trailgate/cloudtrail/org";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/org-cloudwatch`;

/** An SDK-shaped service error. */
function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

type Answers = Record<string, (input: Record<string, unknown>) => unknown>;

/** One trail with its bucket, key, log group and role, all readable. */
function healthyAnswers(): Answers {
  return {
    GetCallerIdentityCommand: () => ({ Account: ACCOUNT }),
    DescribeTrailsCommand: () => ({
      trailList: [{
        Name: "org", TrailARN: TRAIL, HomeRegion: "eu-west-2", S3BucketName: "org-logs", KmsKeyId: KEY, IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true, LogFileValidationEnabled: true, IsOrganizationTrail: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:${GROUP}:*`, CloudWatchLogsRoleArn: ROLE,
      }],
    }),
    GetTrailStatusCommand: () => ({ IsLogging: true, StartLoggingTime: new Date(), LatestDeliveryTime: new Date(), LatestCloudWatchLogsDeliveryTime: new Date() }),
    GetEventSelectorsCommand: () => ({ EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }] }),
    GetBucketLocationCommand: () => ({ LocationConstraint: "eu-west-2" }),
    GetBucketEncryptionCommand: () => ({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KEY } }] } }),
    GetBucketVersioningCommand: () => ({ Status: "Enabled" }),
    GetObjectLockConfigurationCommand: () => ({}),
    GetBucketLifecycleConfigurationCommand: () => ({}),
    GetBucketLoggingCommand: () => ({}),
    GetPublicAccessBlockCommand: () => ({}),
    GetBucketPolicyCommand: () => ({ Policy: "{}" }),
    ListAccessPointsCommand: () => ({ AccessPointList: [] }),
    DescribeLogGroupsCommand: () => ({ logGroups: [{ logGroupName: GROUP, retentionInDays: 400 }] }),
    DescribeMetricFiltersCommand: () => ({ metricFilters: [] }),
    DescribeAlarmsCommand: () => ({ MetricAlarms: [] }),
    GetRoleCommand: () => ({ Role: { Arn: ROLE, AssumeRolePolicyDocument: "{}" } }),
    ListRolePoliciesCommand: () => ({ PolicyNames: [] }),
    ListAttachedRolePoliciesCommand: () => ({ AttachedPolicies: [] }),
    ListEventDataStoresCommand: () => ({ EventDataStores: [] }),
    DescribeKeyCommand: () => ({ KeyMetadata: { Arn: KEY, KeyId: KEY.split("/")[1], KeyManager: "CUSTOMER", KeyState: "Enabled", KeySpec: "SYMMETRIC_DEFAULT" } }),
    GetKeyRotationStatusCommand: () => ({ KeyRotationEnabled: true }),
    GetKeyPolicyCommand: () => ({ Policy: "{}" }),
  };
}

/** Sessions over fake clients; every command answers from `answers` by class name, or throws. */
function fakeSessions(answers: Answers): Sessions & { made: string[] } {
  const made: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      made.push(name);
      const answer = answers[name];
      if (!answer) throw new Error(`the fake AWS has no answer for ${name}`);
      return answer(command.input);
    },
    destroy: () => undefined,
  };
  const clients = Object.fromEntries(["cloudtrail", "cloudwatch", "logs", "events", "iam", "kms", "s3", "s3control", "sns", "sts"].map((k) => [k, client])) as unknown as Clients;
  const counter = { calls: 0 };
  const management = makeSession({ role: "management", accountId: ACCOUNT, region: "eu-west-2" }, clients, silentProgress, counter);
  return { management, calls: () => counter.calls, destroy: () => undefined, made };
}

const bundle = loadPolicyBundle();

test("denials and unimplemented calls are told apart from credential, network and server failures", () => {
  expect(unreadableReason(awsError("AccessDeniedException", 400))).toBe("denied");
  expect(unreadableReason(awsError("AccessDenied", 403))).toBe("denied");
  expect(unreadableReason(awsError("AuthorizationError", 403))).toBe("denied");
  expect(unreadableReason(awsError("Forbidden", 403))).toBe("denied");
  expect(unreadableReason(awsError("UnknownOperationException", 400))).toBe("not implemented");
  expect(unreadableReason(awsError("InternalFailure", 501))).toBe("not implemented");
  // moto answers an operation it lacks with an HTML 500 the SDK cannot parse.
  expect(unreadableReason(awsError("SyntaxError", 500, "Unexpected token '<'\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response"))).toBe("not implemented");
  // These end the run: they are about the credentials, the network or the service.
  expect(unreadableReason(awsError("InvalidClientTokenId", 403))).toBeUndefined();
  expect(unreadableReason(awsError("ExpiredToken", 403))).toBeUndefined();
  expect(unreadableReason(awsError("ThrottlingException", 400))).toBeUndefined();
  expect(unreadableReason(awsError("InternalError", 500))).toBeUndefined();
  expect(unreadableReason(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toBeUndefined();
});

test("a call names the IAM action it needs, S3's differently named ones included", () => {
  expect(permissionOf("cloudtrail:ListEventDataStores")).toBe("cloudtrail:ListEventDataStores");
  expect(permissionOf("s3:GetBucketEncryption org-logs")).toBe("s3:GetEncryptionConfiguration");
  expect(permissionOf("s3:GetPublicAccessBlock org-logs")).toBe("s3:GetBucketPublicAccessBlock");
  expect(permissionOf("s3control:ListAccessPoints org-logs")).toBe("s3:ListAccessPoints");
});

test("the whole estate read, nothing is unread and TG-VER-005 is silent", async () => {
  const estate = await collectEstate(fakeSessions(healthyAnswers()), { trails: [] });
  expect(estate.unread).toEqual([]);
  expect(estate.buckets.map((b) => b.name)).toEqual(["org-logs"]);
  expect(bundle.evaluate(liveDocument(estate).input).filter((v) => v.id === "TG-VER-005")).toEqual([]);
});

test("Lake denied and one bucket call unimplemented: those parts are TG-VER-005, the rest is read and judged", async () => {
  const answers = healthyAnswers();
  answers.ListEventDataStoresCommand = () => {
    throw awsError("AccessDeniedException", 400, "User is not authorized to perform: cloudtrail:ListEventDataStores");
  };
  answers.GetBucketEncryptionCommand = () => {
    throw awsError("NotImplemented", 501);
  };
  const estate = await collectEstate(fakeSessions(answers), { trails: [] });
  expect(estate.unread?.map((u) => [u.part, u.resource, u.call, u.permission, u.reason])).toEqual([
    ["bucket org-logs", "arn:aws:s3:::org-logs", "s3:GetBucketEncryption org-logs", "s3:GetEncryptionConfiguration", "not implemented"],
    ["CloudTrail Lake event data stores", `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:eventdatastore/*`, "cloudtrail:ListEventDataStores", "cloudtrail:ListEventDataStores", "denied"],
  ]);
  // Everything else was still read.
  expect(estate.buckets).toEqual([]);
  expect(estate.trails.map((t) => t.arn)).toEqual([TRAIL]);
  expect(estate.logGroups.map((g) => g.name)).toEqual([GROUP]);
  expect(estate.roles.map((r) => r.arn)).toEqual([ROLE]);
  expect(estate.keys.map((k) => k.arn)).toEqual([KEY]);

  const found = bundle.evaluate(liveDocument(estate).input);
  expect(found.filter((v) => v.id === "TG-VER-005").map((v) => [v.severity, v.resource, v.message])).toEqual([
    ["critical", `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:eventdatastore/*`, `cannot verify CloudTrail Lake event data stores: cloudtrail:ListEventDataStores was denied (management account ${ACCOUNT}), so no rule judged it; grant cloudtrail:ListEventDataStores to the identity trailgate verify runs as`],
    ["critical", "arn:aws:s3:::org-logs", `cannot verify bucket org-logs: s3:GetBucketEncryption org-logs was not implemented by the endpoint (management account ${ACCOUNT}), so no rule judged it; the endpoint does not answer s3:GetEncryptionConfiguration; verify this part against AWS itself`],
  ]);
  // The parts that were read are still judged: the log group is not encrypted with a customer key.
  expect(found.filter((v) => v.id === "TG-ENC-004").map((v) => v.resource)).toEqual([`arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:${GROUP}`]);
});

test("the trails themselves, and failures other than a denial, still end the run (exit 2)", async () => {
  const noTrails = healthyAnswers();
  noTrails.DescribeTrailsCommand = () => {
    throw awsError("AccessDeniedException", 400);
  };
  await expect(collectEstate(fakeSessions(noTrails), { trails: [] })).rejects.toThrow(
    new GateInputError(`cannot read cloudtrail:DescribeTrails (management account ${ACCOUNT}, eu-west-2): AccessDeniedException`),
  );
  const noStatus = healthyAnswers();
  noStatus.GetTrailStatusCommand = () => {
    throw awsError("AccessDeniedException", 400);
  };
  await expect(collectEstate(fakeSessions(noStatus), { trails: [] })).rejects.toThrow(`cannot read cloudtrail:GetTrailStatus ${TRAIL}`);
  const throttled = healthyAnswers();
  throttled.GetKeyPolicyCommand = () => {
    throw awsError("ThrottlingException", 400, "Rate exceeded");
  };
  await expect(collectEstate(fakeSessions(throttled), { trails: [] })).rejects.toThrow(`cannot read kms:GetKeyPolicy ${KEY} (management account ${ACCOUNT}, eu-west-2): ThrottlingException: Rate exceeded`);
});
