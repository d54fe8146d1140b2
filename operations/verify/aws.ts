/**
 * AWS access for `trailgate verify`: the SDK v3 clients, loaded only when verify runs
 * (they are optional dependencies: `check` never loads them), configured the AWS way
 * (the SDK's own credential chain, profiles, AWS_REGION, AWS_ENDPOINT_URL and the
 * service-specific AWS_ENDPOINT_URL_<SERVICE> variables), plus the log-archive session
 * through STS AssumeRole, and one wrapper through which every call goes: it counts
 * the call, shows progress, turns "there is none" answers into undefined and every
 * other failure into one clear GateInputError (fail closed: an estate that cannot be
 * read is never judged).
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
import { describeError, GateInputError } from "../../gate/errors";
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
}

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

/** The SDK's error name and message, e.g. "AccessDenied: Access Denied". */
function sdkErrorText(error: unknown): string {
  const name = (error as { name?: string })?.name;
  const message = describeError(error).replace(/\s*\n\s*/g, " ");
  return name && name !== "Error" && !message.startsWith(name) ? `${name}: ${message}` : message;
}

function makeSession(scope: AccountScope, clients: Clients, progress: Progress, counter: { calls: number }): Session {
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
        throw new GateInputError(`cannot read ${what} (${where}): ${sdkErrorText(error)}`);
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
  const base: ClientConfig = { region, maxAttempts: 4, ...(options.profile ? { profile: options.profile } : {}) };
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
