/**
 * moto lifecycle: start tools/moto/server.py (pinned moto from .tools/venv) on
 * 127.0.0.1 with a kernel-chosen port, wait until it answers, hand out per-account
 * credentials, and stop it by its pid.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { isAlive } from "./proc";

export const REPO = path.resolve(__dirname, "../../..");
const LAUNCHER = path.join(REPO, "tools/moto/server.py");

/**
 * The file moto's ListPublicKeys answers from (tools/moto/server.py): CloudTrail's keys
 * cannot be set through the API, so a test writes the keys it signed digests with here.
 */
export function cloudTrailPublicKeysFile(runDir: string): string {
  return path.join(runDir, "cloudtrail-public-keys.json");
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MotoServer {
  host: string;
  port: number;
  pid: number;
  version: string;
  endpoint: string;
  /** Credentials that moto maps to `accountId` (an IAM user's access key created in that account). */
  credentialsFor(accountId: string): Promise<Credentials>;
  /** An unsigned query-protocol call (IAM, EC2, STS) made as `accountId`; returns the XML body. */
  query(service: string, params: Record<string, string>, accountId: string): Promise<string>;
  stop(): Promise<void>;
}

/** Environment for moto and for every tool the harness runs: no real AWS, no proxies, no metadata service. */
export function scrubbedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^AWS_/.test(k) || /^MOTO_/.test(k) || /^(https?|all|no)_proxy$/i.test(k) || /^TF_/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    ...extra,
  };
}

export async function startMoto(opts: { python: string; runDir: string; logFile: string; startTimeoutMs?: number }): Promise<MotoServer> {
  const pidfile = path.join(opts.runDir, "moto.pid");
  const log = fs.openSync(opts.logFile, "a");
  const child: ChildProcess = spawn(
    opts.python,
    [LAUNCHER, "--host", "127.0.0.1", "--port", "0", "--parent-pid", String(process.pid), "--pidfile", pidfile,
      "--cloudtrail-public-keys", cloudTrailPublicKeysFile(opts.runDir)],
    { cwd: REPO, env: scrubbedEnv({ PYTHONUNBUFFERED: "1" }), stdio: ["ignore", "pipe", log] },
  );
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.python} ${LAUNCHER}`);

  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    });
  });

  const ready = await new Promise<{ host: string; port: number; version: string }>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => {
      reject(new Error(`moto did not print MOTO_READY within ${opts.startTimeoutMs ?? 30_000} ms (log: ${opts.logFile})`));
    }, opts.startTimeoutMs ?? 30_000);
    child.stdout!.on("data", (b: Buffer) => {
      buf += b.toString("utf8");
      fs.appendFileSync(opts.logFile, b);
      const m = /^MOTO_READY (\S+) (\d+) (\d+) moto=(\S+)$/m.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]), version: m[4] });
      }
    });
    child.on("exit", () => {
      clearTimeout(timer);
      reject(new Error(`moto exited before it was ready (${exited}); see ${opts.logFile}`));
    });
  }).catch(async (e) => {
    await stopPid(pid, exitPromise, () => exited !== undefined);
    throw e;
  });

  if (ready.host !== "127.0.0.1") throw new Error(`moto listens on ${ready.host}, not 127.0.0.1`);
  const endpoint = `http://127.0.0.1:${ready.port}`;
  await waitUntilAnswers(endpoint, 20_000);

  const creds = new Map<string, Credentials>();
  return {
    host: ready.host,
    port: ready.port,
    pid,
    version: ready.version,
    endpoint,
    async credentialsFor(accountId: string) {
      let c = creds.get(accountId);
      if (!c) {
        c = await createAccessKey(endpoint, accountId);
        creds.set(accountId, c);
      }
      return c;
    },
    query(service, params, accountId) {
      return query(endpoint, service, params, accountId);
    },
    async stop() {
      await stopPid(pid, exitPromise, () => exited !== undefined);
      if (isAlive(pid)) throw new Error(`moto (pid ${pid}) is still running after SIGKILL`);
    },
  };
}

async function stopPid(pid: number, exitPromise: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const graceful = await Promise.race([exitPromise.then(() => true), sleep(10_000).then(() => false)]);
  if (!graceful && !hasExited()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
    await Promise.race([exitPromise, sleep(5_000)]);
  }
}

/** An unsigned query-protocol call; moto routes it by the credential scope's service name. */
async function query(endpoint: string, service: string, params: Record<string, string>, accountId?: string): Promise<string> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    authorization: `AWS4-HMAC-SHA256 Credential=trailgate-e2e-bootstrap/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  if (accountId) headers["x-moto-account-id"] = accountId;
  const res = await fetch(`${endpoint}/`, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto ${service} ${params.Action}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

async function waitUntilAnswers(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const body = await query(endpoint, "sts", { Action: "GetCallerIdentity", Version: "2011-06-15" });
      if (body.includes("<Account>")) return;
      last = new Error(`unexpected answer: ${body.slice(0, 200)}`);
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`moto at ${endpoint} did not answer STS GetCallerIdentity within ${timeoutMs} ms: ${String(last)}`);
}

/** Create an IAM user + access key inside `accountId`; moto then maps that key to the account. */
async function createAccessKey(endpoint: string, accountId: string): Promise<Credentials> {
  const user = "trailgate-e2e";
  await query(endpoint, "iam", { Action: "CreateUser", UserName: user, Version: "2010-05-08" }, accountId);
  const xml = await query(endpoint, "iam", { Action: "CreateAccessKey", UserName: user, Version: "2010-05-08" }, accountId);
  const id = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
  const secret = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(xml)?.[1];
  if (!id || !secret) throw new Error(`moto CreateAccessKey gave no key: ${xml.slice(0, 300)}`);
  // Prove the mapping before anything relies on it.
  const who = await signedCallerAccount(endpoint, id);
  if (who !== accountId) throw new Error(`moto maps the new access key to account ${who}, not ${accountId}`);
  return { accessKeyId: id, secretAccessKey: secret };
}

async function signedCallerAccount(endpoint: string, accessKeyId: string): Promise<string | undefined> {
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  return /<Account>(\d+)<\/Account>/.exec(await res.text())?.[1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
