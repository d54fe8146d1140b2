/**
 * `trailgate serve --run-task`: an HCP Terraform (and Terraform Enterprise) run task.
 *
 * HCP Terraform POSTs a run task request (JSON, signed: X-TFC-Task-Signature is the hex
 * HMAC-SHA512 of the body with the task's HMAC key). The server checks the signature,
 * answers 200 at once, then fetches the plan JSON from `plan_json_api_url` with the
 * request's `access_token` as bearer token, gates it as `trailgate check` would, and
 * PATCHes `task_result_callback_url` with a JSON:API task result: status passed or
 * failed, the summary as message, one outcome per unwaived finding. Whatever goes wrong
 * after the 200 (plan unreachable, too large, not a plan, policy unreadable) is reported
 * back as failed with the reason: a run task that cannot judge never passes.
 * The request with access_token "test-token" is HCP Terraform's verification request
 * when a run task is created: answered 200, nothing fetched, no callback.
 */
import { createHmac, timingSafeEqual } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { describeError } from "../core/errors";
import { Severity } from "./policy";
import { findingStatus, GateRun, summarize, summaryLine } from "./report/model";
import { runGate, RunGateOptions } from "./run";

/** HCP Terraform's verification request carries this access token. */
export const VERIFICATION_TOKEN = "test-token";

/** The most a run task request body may be; real ones are a few KiB. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** The stages that carry a plan (plan_json_api_url). */
const PLAN_STAGES = ["post_plan", "pre_apply", "post_apply"];

export interface RunTaskServerOptions {
  /** The run task's HMAC key, as configured in HCP Terraform. Required: unsigned requests are refused. */
  readonly hmacKey: string;
  /** The address to listen on. @default "127.0.0.1" (put a TLS proxy in front to expose it) */
  readonly host?: string;
  /** The port to listen on; 0 picks a free one. @default 8080 */
  readonly port?: number;
  /**
   * The HCP Terraform (or Terraform Enterprise) origin the plan and callback URLs must
   * be on, so the access token is never sent elsewhere. @default "https://app.terraform.io"
   */
  readonly hcpUrl?: string;
  /** The largest plan JSON fetched, in MiB. @default 64 (the gate's input limit) */
  readonly maxPlanMb?: number;
  /** How long fetching the plan and calling back may each take, in ms. @default 60000 */
  readonly timeoutMs?: number;
  /** How the plan is judged: data, waivers, fail-on, rule selection, policy bundle. @default as `trailgate check` */
  readonly judgement?: Omit<RunGateOptions, "path" | "readStdin" | "maxInputMb" | "configDir">;
  /** Where one-line progress and errors go (never the access token). @default standard error */
  readonly log?: (line: string) => void;
}

export interface RunTaskServer {
  /** The URL the server listens on, e.g. http://127.0.0.1:8080/. */
  readonly url: string;
  /** Resolves when every accepted run task has called back (or failed to). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The fields of a run task request the gate uses. */
interface RunTaskRequest {
  accessToken: string;
  stage: string;
  callbackUrl: string;
  planUrl?: string;
  runId: string;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON:API task result body HCP Terraform's callback takes. */
export interface TaskResult {
  data: {
    type: "task-results";
    attributes: { status: "passed" | "failed"; message: string };
    relationships?: { outcomes: { data: TaskResultOutcome[] } };
  };
}

export interface TaskResultOutcome {
  type: "task-result-outcomes";
  attributes: {
    "outcome-id": string;
    description: string;
    body: string;
    tags: Record<string, { label: string; level: "none" | "info" | "warning" | "error" }[]>;
  };
}

const SEVERITY_LEVEL: Record<Severity, "error" | "warning" | "info"> = { critical: "error", high: "error", medium: "warning", low: "info" };

/** True when `signature` is the hex HMAC-SHA512 of `body` under `key` (constant time). */
export function validSignature(body: Buffer, signature: string | undefined, key: string): boolean {
  if (!signature || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  const expected = createHmac("sha512", key).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/** The task result for a gate run: failed when any finding fails, one outcome per unwaived finding. */
export function taskResultFor(run: GateRun): TaskResult {
  const outcomes: TaskResultOutcome[] = [];
  for (const { findings } of run.documents) {
    for (const finding of findings) {
      const status = findingStatus(finding, run.failOn);
      if (status === "waived") continue;
      const resource = finding.resource || "(configuration)";
      outcomes.push({
        type: "task-result-outcomes",
        attributes: {
          "outcome-id": `${finding.id} ${resource}`,
          description: `${finding.id} ${resource}: ${finding.title}`.replace(/\s+/g, " "),
          body: `${finding.message}\n\nSeverity ${finding.severity}. Run \`trailgate explain ${finding.id}\` for the fix.`,
          tags: {
            Severity: [{ label: finding.severity[0].toUpperCase() + finding.severity.slice(1), level: SEVERITY_LEVEL[finding.severity] }],
            Status: [status === "failing" ? { label: "Failing", level: "error" } : { label: `Below fail-on ${run.failOn}`, level: "info" }],
          },
        },
      });
    }
  }
  return {
    data: {
      type: "task-results",
      attributes: { status: summarize(run).failing > 0 ? "failed" : "passed", message: summaryLine(run) },
      relationships: { outcomes: { data: outcomes } },
    },
  };
}

function failedResult(reason: string): TaskResult {
  return { data: { type: "task-results", attributes: { status: "failed", message: `trailgate could not judge this run: ${reason}` } } };
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the 413 reaches the client.
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on("end", () => (size > MAX_REQUEST_BYTES ? reject(new RequestError(413, `request body over ${MAX_REQUEST_BYTES} bytes`)) : resolve(Buffer.concat(chunks))));
    request.on("error", reject);
  });
}

function stringField(payload: Record<string, unknown>, key: string): string | undefined {
  const value = payload[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function parseRequest(body: Buffer): RunTaskRequest {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    throw new RequestError(400, "the body is not JSON");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new RequestError(400, "the body is not a JSON object");
  const fields = payload as Record<string, unknown>;
  const accessToken = stringField(fields, "access_token");
  const callbackUrl = stringField(fields, "task_result_callback_url");
  if (!accessToken || !callbackUrl) throw new RequestError(400, "access_token and task_result_callback_url are required");
  return {
    accessToken,
    callbackUrl,
    stage: stringField(fields, "stage") ?? "(none)",
    planUrl: stringField(fields, "plan_json_api_url"),
    runId: stringField(fields, "run_id") ?? "(no run id)",
  };
}

/** The URL if it is on the configured HCP origin; a token must never leave it. */
function onOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** GETs the plan JSON with the bearer token, refusing more than `maxBytes` (stopped as soon as it is exceeded). */
async function fetchPlan(url: string, token: string, maxBytes: number, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(`cannot fetch the plan JSON: ${describeError(cause ?? error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`fetching the plan JSON answered HTTP ${response.status}`);
  }
  const limitMessage = `the plan JSON is larger than the limit of ${(maxBytes / 1024 / 1024).toFixed(1)} MiB (serve --max-plan-mb)`;
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(limitMessage);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw new Error(limitMessage);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw new Error(describeError(error).startsWith("the plan JSON") ? describeError(error) : `reading the plan JSON failed: ${describeError(error)}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error("the plan JSON is not UTF-8 text");
  }
}

async function callBack(request: RunTaskRequest, result: TaskResult, timeoutMs: number): Promise<number> {
  const response = await fetch(request.callbackUrl, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${request.accessToken}`, "Content-Type": "application/vnd.api+json" },
    body: JSON.stringify(result),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  return response.status;
}

/** Starts the run task server; resolves once it listens. */
export async function startRunTaskServer(options: RunTaskServerOptions): Promise<RunTaskServer> {
  if (!options.hmacKey) throw new Error("the run task needs its HMAC key (unsigned requests are refused)");
  const origin = new URL(options.hcpUrl ?? "https://app.terraform.io").origin;
  const maxPlanBytes = Math.floor((options.maxPlanMb ?? 64) * 1024 * 1024);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = new Set<Promise<void>>();

  /** After the 200: fetch, gate, call back. Never throws. */
  async function judge(request: RunTaskRequest): Promise<void> {
    let result: TaskResult;
    try {
      if (!PLAN_STAGES.includes(request.stage)) throw new Error(`stage ${request.stage} has no plan; attach trailgate at post-plan or pre-apply`);
      if (!request.planUrl) throw new Error("the request has no plan_json_api_url");
      if (!onOrigin(request.planUrl, origin)) throw new Error(`plan_json_api_url is not on ${origin} (serve --hcp-url)`);
      const text = await fetchPlan(request.planUrl, request.accessToken, maxPlanBytes, timeoutMs);
      const run = runGate({ ...options.judgement, path: "-", readStdin: () => text, maxInputMb: maxPlanBytes / 1024 / 1024 });
      result = taskResultFor(run);
    } catch (error) {
      result = failedResult(describeError(error).replace(/\s*\n\s*/g, " "));
    }
    try {
      const status = await callBack(request, result, timeoutMs);
      log(`trailgate serve: run ${request.runId}: ${result.data.attributes.status} (callback answered ${status}): ${result.data.attributes.message}`);
    } catch (error) {
      log(`trailgate serve: run ${request.runId}: the callback failed: ${describeError((error as { cause?: unknown }).cause ?? error)}`);
    }
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (request.method !== "POST") throw new RequestError(405, "run task requests are POSTs");
    const body = await readBody(request);
    const signature = request.headers["x-tfc-task-signature"];
    if (!validSignature(body, Array.isArray(signature) ? signature[0] : signature, options.hmacKey)) {
      throw new RequestError(401, "X-TFC-Task-Signature does not match the body under the configured HMAC key");
    }
    const task = parseRequest(body);
    if (task.accessToken === VERIFICATION_TOKEN) {
      log("trailgate serve: verification request answered");
      response.writeHead(200).end();
      return;
    }
    if (!onOrigin(task.callbackUrl, origin)) throw new RequestError(400, `task_result_callback_url is not on ${origin} (serve --hcp-url)`);
    response.writeHead(200).end();
    const job = judge(task).finally(() => pending.delete(job));
    pending.add(job);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      log(`trailgate serve: refused a request (${status}): ${describeError(error)}`);
      if (!response.headersSent) response.writeHead(status, { "Content-Type": "text/plain" }).end(`${describeError(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
