/**
 * AWS access for `trailgate verify`: the SDK v3 clients, loaded only when verify runs
 * (they are optional dependencies: `check` never loads them), configured the AWS way
 * (the SDK's own credential chain, profiles, AWS_REGION, AWS_ENDPOINT_URL and the
 * service-specific AWS_ENDPOINT_URL_<SERVICE> variables), plus the log-archive session
 * through STS AssumeRole, and one wrapper through which every call goes: it counts
 * the call, shows progress, turns "there is none" answers into undefined and every
 * other failure into one clear GateInputError (fail closed: an estate that cannot be
 * read is never judged). A call AWS denies, or the endpoint does not implement, fails
 * with an UnreadableError, which collect.ts may turn into a "cannot verify" part of
 * the estate (TG-VER-005) where the rest can still be judged without it.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3ControlClient } from "@aws-sdk/client-s3-control";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { STSClient } from "@aws-sdk/client-sts";
import { describeError, GateInputError } from "../../core/errors";
import { AccountScope } from "./estate";
import { Progress } from "./progress";

/** The SDK packages verify uses, each loaded on first use. */
export const SDK_PACKAGES = [
  "@aws-sdk/client-cloudtrail",
  "@aws-sdk/client-cloudwatch",
  "@aws-sdk/client-cloudwatch-logs",
  "@aws-sdk/client-eventbridge",
  "@aws-sdk/client-iam",
  "@aws-sdk/client-kms",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-s3-control",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-sts",
] as const;

type SdkPackage = (typeof SDK_PACKAGES)[number];

/** require() of an optional dependency, with an install hint instead of a stack trace. */
function loadSdk<T>(name: SdkPackage): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && describeError(error).includes(name)) {
      throw new GateInputError(
        `trailgate verify needs ${name}, an optional dependency of trailgate that is not installed; install trailgate with its optional dependencies (npm install without --omit=optional)`,
      );
    }
    throw error;
  }
}

/** How the user pointed verify at AWS. */
export interface AwsOptions {
  region?: string;
  profile?: string;
  /** Role in the log-archive account, assumed with the management credentials. */
  roleArn?: string;
}

export interface Clients {
  cloudtrail: CloudTrailClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  events: EventBridgeClient;
  iam: IAMClient;
  kms: KMSClient;
  s3: S3Client;
  s3control: S3ControlClient;
  sns: SNSClient;
  sts: STSClient;
}

/** Error names meaning "the thing asked about does not exist" for the call at hand. */
export type NotFound = readonly string[];

/** One account's clients, behind the counting, fail-closed call wrapper. */
export interface Session {
  scope: AccountScope;
  clients: Clients;
  /**
   * Makes one API call. `what` names it for progress and errors ("s3:GetBucketPolicy
   * my-bucket"). Returns undefined when the call fails with one of `notFound`.
   */
  call<T>(what: string, send: () => Promise<T>, notFound?: NotFound): Promise<T | undefined>;
  destroy(): void;
}

interface ClientConfig {
  region: string;
  profile?: string;
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

/**
 * Every call gives up after these (and is retried, up to maxAttempts): an endpoint that
 * accepts a request and never answers ends verify with a reason, never hangs it.
 */
const REQUEST_LIMITS = { connectionTimeout: 10_000, requestTimeout: 30_000, throwOnRequestTimeout: true };

/** A host that cannot carry an account-id prefix: an IP literal or localhost (a local emulator). */
function isLocalEndpoint(endpoint: unknown): endpoint is string {
  if (typeof endpoint !== "string") return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[");
  } catch {
    return false;
  }
}

function s3ControlClient(config: ClientConfig): S3ControlClient {
  const { S3ControlClient: Client } = loadSdk<typeof import("@aws-sdk/client-s3-control")>("@aws-sdk/client-s3-control");
  const client = new Client(config);
  // S3 Control's endpoint rules put the account id in front of the host
  // (111111111111.s3-control.eu-west-2.amazonaws.com). A configured endpoint that is an
  // IP address or localhost (an emulator such as moto) cannot take that prefix, so
  // requests go to it as configured; every other endpoint keeps the SDK's rules.
  const resolve = client.config.endpointProvider;
  client.config.endpointProvider = (params, context) =>
    isLocalEndpoint(params.Endpoint) ? { url: new URL(params.Endpoint) } : resolve(params, context);
  return client;
}

function createClients(config: ClientConfig): Clients {
  const sdk = <T>(name: SdkPackage) => loadSdk<T>(name);
  return {
    cloudtrail: new (sdk<typeof import("@aws-sdk/client-cloudtrail")>("@aws-sdk/client-cloudtrail").CloudTrailClient)(config),
    cloudwatch: new (sdk<typeof import("@aws-sdk/client-cloudwatch")>("@aws-sdk/client-cloudwatch").CloudWatchClient)(config),
    logs: new (sdk<typeof import("@aws-sdk/client-cloudwatch-logs")>("@aws-sdk/client-cloudwatch-logs").CloudWatchLogsClient)(config),
    events: new (sdk<typeof import("@aws-sdk/client-eventbridge")>("@aws-sdk/client-eventbridge").EventBridgeClient)(config),
    iam: new (sdk<typeof import("@aws-sdk/client-iam")>("@aws-sdk/client-iam").IAMClient)(config),
    kms: new (sdk<typeof import("@aws-sdk/client-kms")>("@aws-sdk/client-kms").KMSClient)(config),
    s3: new (sdk<typeof import("@aws-sdk/client-s3")>("@aws-sdk/client-s3").S3Client)(config),
    s3control: s3ControlClient(config),
    sns: new (sdk<typeof import("@aws-sdk/client-sns")>("@aws-sdk/client-sns").SNSClient)(config),
    sts: new (sdk<typeof import("@aws-sdk/client-sts")>("@aws-sdk/client-sts").STSClient)(config),
  };
}

/** Why a call could not be answered: AWS refused it, or the endpoint does not have it. */
export type UnreadableReason = "denied" | "not implemented";

/**
 * A call that was denied or is not implemented by the endpoint. It is a GateInputError
 * (exit 2) wherever nothing catches it; collect.ts catches it around the parts of the
 * estate that can be left out of the verdict.
 */
export class UnreadableError extends GateInputError {
  constructor(
    message: string,
    /** The call as progress names it, e.g. "s3:GetBucketPolicy my-bucket". */
    readonly call: string,
    /** The IAM action the call needs, e.g. "s3:GetBucketPolicy". */
    readonly permission: string,
    readonly reason: UnreadableReason,
  ) {
    super(message);
    this.name = "UnreadableError";
  }
}

/** Error names AWS services use for "this identity may not make this call". */
const DENIED_NAMES = new Set([
  "AccessDenied", "AccessDeniedException", "AuthorizationError", "AuthorizationErrorException", "UnauthorizedOperation", "UnauthorizedException", "NotAuthorized",
]);

/** 403 answers that are about the credentials themselves, not this call: the whole run cannot go on. */
const CREDENTIAL_NAMES = new Set([
  "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidAccessKeyId",
  "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
]);

/** Error names for "this endpoint has no such operation" (AWS partitions, emulators). */
const NOT_IMPLEMENTED_NAMES = new Set([
  "NotImplemented", "NotImplementedException", "UnknownOperationException", "InvalidAction", "UnsupportedOperation", "UnsupportedOperationException",
]);

/**
 * Whether a failed call was denied or not implemented, or undefined for every other
 * failure (network, throttling, server errors, bad credentials), which stays fatal.
 * An endpoint that answers a 5xx with something that is not an AWS error document
 * (moto answers an operation it lacks with an HTML 500) counts as not implementing it.
 */
export function unreadableReason(error: unknown): UnreadableReason | undefined {
  const name = (error as { name?: string })?.name ?? "";
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (CREDENTIAL_NAMES.has(name)) return undefined;
  if (DENIED_NAMES.has(name) || status === 403) return "denied";
  if (NOT_IMPLEMENTED_NAMES.has(name) || status === 501) return "not implemented";
  if (status !== undefined && status >= 500 && /Deserialization error/.test(describeError(error))) return "not implemented";
  return undefined;
}

/**
 * The IAM action a call needs. Most are the call's own name; S3's configuration reads
 * (and S3 Control's access point calls) are authorised by differently named actions.
 */
const PERMISSION_OF_CALL: Record<string, string> = {
  "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
  "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
  "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
  "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
  "s3control:ListAccessPoints": "s3:ListAccessPoints",
  "s3control:GetAccessPoint": "s3:GetAccessPoint",
  "s3control:GetAccessPointPolicy": "s3:GetAccessPointPolicy",
};

export function permissionOf(what: string): string {
  const call = what.split(" ", 1)[0];
  return PERMISSION_OF_CALL[call] ?? call;
}

/** The SDK's error name and message, e.g. "AccessDenied: Access Denied". */
function sdkErrorText(error: unknown): string {
  const name = (error as { name?: string })?.name;
  const message = describeError(error).replace(/\s*\n\s*/g, " ");
  return name && name !== "Error" && !message.startsWith(name) ? `${name}: ${message}` : message;
}

/** One account's session over its clients (exported for tests, which pass fake clients). */
export function makeSession(scope: AccountScope, clients: Clients, progress: Progress, counter: { calls: number }): Session {
  return {
    scope,
    clients,
    async call(what, send, notFound = []) {
      counter.calls++;
      progress.call(what);
      try {
        return await send();
      } catch (error) {
        const name = (error as { name?: string })?.name ?? "";
        if (notFound.includes(name)) return undefined;
        const account = scope.role === "logArchive" ? "log-archive" : "management";
        // Before STS has answered, the account is not known yet: name the credentials instead.
        const where = scope.accountId ? `${account} account ${scope.accountId}, ${scope.region}` : `${account} credentials, ${scope.region}`;
        const message = `cannot read ${what} (${where}): ${sdkErrorText(error)}`;
        const reason = unreadableReason(error);
        if (reason) throw new UnreadableError(message, what, permissionOf(what), reason);
        throw new GateInputError(message);
      }
    },
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** Region the SDK would use: --region, else AWS_REGION / AWS_DEFAULT_REGION / the profile's. */
async function resolveRegion(options: AwsOptions): Promise<string> {
  if (options.region) return options.region;
  const { STSClient: Client } = loadSdk<typeof import("@aws-sdk/client-sts")>("@aws-sdk/client-sts");
  const probe = new Client(options.profile ? { profile: options.profile } : {});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // Fall through to the error below.
  } finally {
    probe.destroy();
  }
  throw new GateInputError("no AWS region: pass --region, or set AWS_REGION or a region in the AWS profile");
}

export interface Sessions {
  management: Session;
  logArchive?: Session;
  /** API calls made so far, across both sessions. */
  calls(): number;
  destroy(): void;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@\/-]+$/;

/**
 * Opens the management session (default credentials) and, with --role-arn, the
 * log-archive session, and asks STS who each is: bad credentials or an unreachable
 * endpoint fail here, with one line, before anything is read.
 */
export async function openSessions(options: AwsOptions, progress: Progress): Promise<Sessions> {
  // The pinned SDK releases support Node 20; the SDK's notice is about later releases.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  if (options.roleArn !== undefined && !ROLE_ARN.test(options.roleArn)) {
    throw new GateInputError(`--role-arn must be an IAM role ARN such as arn:aws:iam::222222222222:role/TrailgateVerify (got "${options.roleArn}")`);
  }
  const region = await resolveRegion(options);
  const counter = { calls: 0 };
  const base: ClientConfig = { region, maxAttempts: 4, requestHandler: REQUEST_LIMITS, ...(options.profile ? { profile: options.profile } : {}) };
  const managementClients = createClients(base);
  const management = makeSession({ role: "management", accountId: "", region }, managementClients, progress, counter);
  const sessions: Sessions = {
    management,
    calls: () => counter.calls,
    destroy() {
      management.destroy();
      sessions.logArchive?.destroy();
    },
  };
  try {
    management.scope.accountId = await callerAccount(management);
    if (options.roleArn) {
      const roleArn = options.roleArn;
      const { AssumeRoleCommand } = loadSdk<typeof import("@aws-sdk/client-sts")>("@aws-sdk/client-sts");
      const assumed = await management.call(`sts:AssumeRole ${roleArn}`, () =>
        managementClients.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "trailgate-verify", DurationSeconds: 3600 })),
      );
      const credentials = assumed?.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        throw new GateInputError(`sts:AssumeRole ${roleArn} returned no credentials`);
      }
      const temporary = {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
      const { profile: _profile, ...withoutProfile } = base;
      const logArchive = makeSession(
        { role: "logArchive", accountId: "", region },
        createClients({ ...withoutProfile, credentials: async () => temporary }),
        progress,
        counter,
      );
      sessions.logArchive = logArchive;
      logArchive.scope.accountId = await callerAccount(logArchive);
      const expected = ROLE_ARN.exec(roleArn)?.[1];
      if (logArchive.scope.accountId !== expected) {
        throw new GateInputError(`the --role-arn session is account ${logArchive.scope.accountId}, not ${expected} as the role ARN says`);
      }
    }
  } catch (error) {
    sessions.destroy();
    throw error;
  }
  return sessions;
}

async function callerAccount(session: Session): Promise<string> {
  const { GetCallerIdentityCommand } = loadSdk<typeof import("@aws-sdk/client-sts")>("@aws-sdk/client-sts");
  const who = await session.call("sts:GetCallerIdentity", () => session.clients.sts.send(new GetCallerIdentityCommand({})));
  if (!who?.Account) throw new GateInputError("sts:GetCallerIdentity returned no account");
  return who.Account;
}

/** The session that owns resources of an account id, if verify has one for it. */
export function sessionForAccount(sessions: Sessions, accountId: string | undefined): Session | undefined {
  if (!accountId) return undefined;
  if (sessions.management.scope.accountId === accountId) return sessions.management;
  if (sessions.logArchive?.scope.accountId === accountId) return sessions.logArchive;
  return undefined;
}


/** Loads an SDK package's command classes (for collect.ts). */
export const sdk = {
  cloudtrail: () => loadSdk<typeof import("@aws-sdk/client-cloudtrail")>("@aws-sdk/client-cloudtrail"),
  cloudwatch: () => loadSdk<typeof import("@aws-sdk/client-cloudwatch")>("@aws-sdk/client-cloudwatch"),
  logs: () => loadSdk<typeof import("@aws-sdk/client-cloudwatch-logs")>("@aws-sdk/client-cloudwatch-logs"),
  events: () => loadSdk<typeof import("@aws-sdk/client-eventbridge")>("@aws-sdk/client-eventbridge"),
  iam: () => loadSdk<typeof import("@aws-sdk/client-iam")>("@aws-sdk/client-iam"),
  kms: () => loadSdk<typeof import("@aws-sdk/client-kms")>("@aws-sdk/client-kms"),
  s3: () => loadSdk<typeof import("@aws-sdk/client-s3")>("@aws-sdk/client-s3"),
  s3control: () => loadSdk<typeof import("@aws-sdk/client-s3-control")>("@aws-sdk/client-s3-control"),
  sns: () => loadSdk<typeof import("@aws-sdk/client-sns")>("@aws-sdk/client-sns"),
};
