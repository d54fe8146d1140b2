/**
 * `trailgate serve --run-task` against a fake of the HCP Terraform side on 127.0.0.1,
 * following the documented formats (run tasks integration API): a signed post-plan
 * request (X-TFC-Task-Signature = hex HMAC-SHA512 of the body), the plan JSON behind
 * plan_json_api_url (bearer access_token; the fake redirects it, as HCP Terraform
 * redirects json-output to its archive), and the PATCH of task_result_callback_url with
 * a JSON:API task result and outcomes. Then what must not pass or crash: a bad
 * signature, an unreachable or failing plan URL, an oversized plan, a body that is not
 * a plan, the verification request, and the CLI command itself.
 */
import { spawn } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { RunTaskServer, startRunTaskServer } from "../gate/run-task";

const repo = path.resolve(__dirname, "..");
const fixturePlan = fs.readFileSync(path.join(repo, "test", "gate", "fixtures", "plan.json"), "utf8");
const HMAC_KEY = "run-task-test-key";
const TOKEN = "atlasv1.test-access-token";

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The HCP Terraform side: serves plans by path, records every request (callbacks too). */
class FakeHcp {
  readonly requests: Recorded[] = [];
  readonly plans = new Map<string, (response: http.ServerResponse, request: http.IncomingMessage) => void>();
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const plan = this.plans.get(request.url ?? "");
      if (request.method === "GET" && plan) plan(response, request);
      else if (request.method === "PATCH" && request.url?.startsWith("/api/v2/task-results/")) response.writeHead(200).end();
      else response.writeHead(404).end();
    });
  });
  origin = "";

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  callbacks(): Recorded[] {
    return this.requests.filter((request) => request.method === "PATCH");
  }

  fetches(): Recorded[] {
    return this.requests.filter((request) => request.method === "GET");
  }
}

let hcp: FakeHcp;
let task: RunTaskServer;
const logLines: string[] = [];

function payload(run: string, overrides: Record<string, unknown> = {}) {
  return {
    payload_version: 1,
    stage: "post_plan",
    access_token: TOKEN,
    capabilities: { outcomes: true },
    is_speculative: false,
    organization_name: "bank",
    plan_json_api_url: `${hcp.origin}/api/v2/plans/${run}/json-output`,
    run_id: run,
    task_result_callback_url: `${hcp.origin}/api/v2/task-results/${run}/callback`,
    task_result_enforcement_level: "mandatory",
    task_result_id: `taskrs-${run}`,
    workspace_name: "audit-logging",
    ...overrides,
  };
}

function sign(body: string, key = HMAC_KEY): string {
  return createHmac("sha512", key).update(body).digest("hex");
}

async function post(body: string, signature: string | undefined): Promise<{ status: number; text: string }> {
  const response = await fetch(task.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "TFC/1.0 (+https://app.terraform.io; TFC)", ...(signature === undefined ? {} : { "X-TFC-Task-Signature": signature }) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** Sends a signed run task request and waits until its callback is done. */
async function runTask(run: string, overrides: Record<string, unknown> = {}) {
  const body = JSON.stringify(payload(run, overrides));
  const answer = await post(body, sign(body));
  await task.idle();
  const callbacks = hcp.callbacks().filter((request) => request.url === `/api/v2/task-results/${run}/callback`);
  return { answer, callbacks, result: callbacks.length === 1 ? JSON.parse(callbacks[0].body) : undefined };
}

function servePlan(run: string, text: string) {
  hcp.plans.set(`/api/v2/plans/${run}/json-output`, (response, request) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) response.writeHead(401).end();
    else response.writeHead(307, { Location: `/archivist/${run}` }).end();
  });
  hcp.plans.set(`/archivist/${run}`, (response) => response.writeHead(200, { "Content-Type": "application/json" }).end(text));
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(repo, "build", "policy", "policy.wasm"))) throw new Error("run `bash scripts/build-policy.sh` before these tests");
  hcp = new FakeHcp();
  await hcp.start();
  task = await startRunTaskServer({ hmacKey: HMAC_KEY, port: 0, hcpUrl: hcp.origin, maxPlanMb: 1, log: (line) => logLines.push(line) });
});

afterAll(async () => {
  await task.close();
  await hcp.close();
});

test("listens on 127.0.0.1 by default", () => {
  expect(new URL(task.url).hostname).toBe("127.0.0.1");
});

test("a good run: plan fetched with the token, gated, called back failed with one outcome per finding", async () => {
  servePlan("run-good", fixturePlan);
  const { answer, callbacks, result } = await runTask("run-good");
  expect(answer.status).toBe(200);
  const planFetch = hcp.fetches().find((request) => request.url === "/api/v2/plans/run-good/json-output");
  expect(planFetch?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(callbacks).toHaveLength(1);
  expect(callbacks[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(callbacks[0].headers["content-type"]).toBe("application/vnd.api+json");
  expect(result.data.type).toBe("task-results");
  expect(result.data.attributes.status).toBe("failed");
  expect(result.data.attributes.message).toMatch(/^trailgate: 8 failing \(2 critical, 5 high, 1 medium\)/);
  const outcomes = result.data.relationships.outcomes.data;
  expect(outcomes).toHaveLength(8);
  for (const outcome of outcomes) {
    expect(outcome.type).toBe("task-result-outcomes");
    expect(Object.keys(outcome.attributes).sort()).toEqual(["body", "description", "outcome-id", "tags"]);
    expect(outcome.attributes.description).not.toContain("\n");
    expect(["none", "info", "warning", "error"]).toContain(outcome.attributes.tags.Severity[0].level);
  }
  const encryption = outcomes.find((outcome: { attributes: { "outcome-id": string } }) => outcome.attributes["outcome-id"] === "TG-ENC-001 aws_s3_bucket.logs[1]");
  expect(encryption.attributes.tags).toEqual({ Severity: [{ label: "High", level: "error" }], Status: [{ label: "Failing", level: "error" }] });
  expect(encryption.attributes.body).toContain("trailgate explain TG-ENC-001");
});

test("a plan with every finding below the threshold passes, its findings kept as outcomes", async () => {
  const lenient = await startRunTaskServer({ hmacKey: HMAC_KEY, port: 0, hcpUrl: hcp.origin, judgement: { failOn: "critical", skip: ["TG-LOG-008", "TG-RES-001"] }, log: () => undefined });
  try {
    servePlan("run-pass", fixturePlan);
    const body = JSON.stringify(payload("run-pass"));
    const response = await fetch(lenient.url, { method: "POST", headers: { "X-TFC-Task-Signature": sign(body) }, body });
    expect(response.status).toBe(200);
    await lenient.idle();
    const callback = hcp.callbacks().find((request) => request.url === "/api/v2/task-results/run-pass/callback");
    const result = JSON.parse(callback?.body ?? "{}");
    expect(result.data.attributes.status).toBe("passed");
    expect(result.data.attributes.message).toMatch(/^trailgate: 0 failing, 6 below --fail-on critical/);
    const outcomes = result.data.relationships.outcomes.data;
    expect(outcomes).toHaveLength(6);
    for (const outcome of outcomes) expect(outcome.attributes.tags.Status).toEqual([{ label: "Below fail-on critical", level: "info" }]);
  } finally {
    await lenient.close();
  }
});

test("a bad, missing or other-key signature is refused with 401 and nothing is fetched or called back", async () => {
  servePlan("run-forged", fixturePlan);
  const body = JSON.stringify(payload("run-forged"));
  for (const signature of [sign(body, "another-key"), undefined, "", sign(`${body} `), "zz"]) {
    const answer = await post(body, signature);
    expect(answer.status).toBe(401);
  }
  await task.idle();
  expect(hcp.requests.filter((request) => request.url.includes("run-forged"))).toEqual([]);
});

test("the verification request (access_token test-token) is answered 200 without fetching or calling back", async () => {
  const { answer, callbacks } = await runTask("run-verify", { access_token: "test-token" });
  expect(answer.status).toBe(200);
  expect(callbacks).toEqual([]);
  expect(hcp.requests.filter((request) => request.url.includes("run-verify"))).toEqual([]);
});

test("an unreachable plan URL (connection dropped) and a failing one (500) are called back as failed", async () => {
  hcp.plans.set("/api/v2/plans/run-dropped/json-output", (response) => response.socket?.destroy());
  hcp.plans.set("/api/v2/plans/run-500/json-output", (response) => response.writeHead(500).end("boom"));
  const dropped = await runTask("run-dropped");
  expect(dropped.answer.status).toBe(200);
  expect(dropped.result.data.attributes).toEqual({ status: "failed", message: expect.stringMatching(/^trailgate could not judge this run: cannot fetch the plan JSON/) });
  const failing = await runTask("run-500");
  expect(failing.result.data.attributes).toEqual({ status: "failed", message: "trailgate could not judge this run: fetching the plan JSON answered HTTP 500" });
});

test("a plan URL on another origin is never fetched (the token stays with HCP Terraform)", async () => {
  const { result } = await runTask("run-elsewhere", { plan_json_api_url: "http://127.0.0.1:9/api/v2/plans/x/json-output" });
  expect(result.data.attributes.status).toBe("failed");
  expect(result.data.attributes.message).toContain("plan_json_api_url is not on");
});

test("an oversized plan is refused at the limit, declared or streamed, and called back as failed", async () => {
  const big = JSON.stringify({ format_version: "1.2", padding: "x".repeat(1024 * 1024 + 10) });
  servePlan("run-big", big);
  hcp.plans.set("/api/v2/plans/run-big-chunked/json-output", (response) => {
    response.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    for (let i = 0; i < 20; i++) response.write("x".repeat(128 * 1024));
    response.end();
  });
  for (const run of ["run-big", "run-big-chunked"]) {
    const { answer, result } = await runTask(run);
    expect(answer.status).toBe(200);
    expect(result.data.attributes).toEqual({ status: "failed", message: "trailgate could not judge this run: the plan JSON is larger than the limit of 1.0 MiB (serve --max-plan-mb)" });
  }
});

test("a body that is not a plan, and a stage without a plan, are called back as failed", async () => {
  servePlan("run-notplan", "<html>login</html>");
  const notPlan = await runTask("run-notplan");
  expect(notPlan.result.data.attributes.status).toBe("failed");
  expect(notPlan.result.data.attributes.message).toMatch(/^trailgate could not judge this run: /);
  const prePlan = await runTask("run-preplan", { stage: "pre_plan", plan_json_api_url: undefined });
  expect(prePlan.result.data.attributes).toEqual({ status: "failed", message: expect.stringContaining("stage pre_plan has no plan") });
});

test("malformed requests are refused without a crash: not JSON, no callback URL, callback elsewhere, too large, not a POST", async () => {
  const notJson = "{ not json";
  expect((await post(notJson, sign(notJson))).status).toBe(400);
  const noCallback = JSON.stringify({ access_token: TOKEN });
  expect((await post(noCallback, sign(noCallback))).status).toBe(400);
  const elsewhere = JSON.stringify(payload("run-x", { task_result_callback_url: "http://127.0.0.1:9/cb" }));
  expect((await post(elsewhere, sign(elsewhere))).status).toBe(400);
  const huge = JSON.stringify({ padding: "x".repeat(2 * 1024 * 1024) });
  expect((await post(huge, sign(huge))).status).toBe(413);
  expect((await fetch(task.url)).status).toBe(405);
  // Still serving after all of it.
  const { answer } = await runTask("run-after", { access_token: "test-token" });
  expect(answer.status).toBe(200);
});

test("the CLI: refuses to start without an HMAC key; serves on 127.0.0.1 and stops on SIGTERM", async () => {
  const bin = path.join(repo, "bin", "trailgate.js");
  const env = { ...process.env };
  delete env.TRAILGATE_RUN_TASK_HMAC_KEY;
  const noKey = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, "serve", "--run-task", "--port", "0"], { env });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stderr }));
  });
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toMatch(/^trailgate: error: serve --run-task needs the run task's HMAC key/);

  const child = spawn(process.execPath, [bin, "serve", "--run-task", "--port", "0", "--hcp-url", hcp.origin], { env: { ...env, TRAILGATE_RUN_TASK_HMAC_KEY: HMAC_KEY } });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.on("close", () => reject(new Error(`serve exited: ${stderr}`)));
  });
  expect(new URL(url).hostname).toBe("127.0.0.1");
  const body = JSON.stringify(payload("run-cli", { access_token: "test-token" }));
  expect((await fetch(url, { method: "POST", headers: { "X-TFC-Task-Signature": sign(body) }, body })).status).toBe(200);
  expect((await fetch(url, { method: "POST", headers: { "X-TFC-Task-Signature": sign(body, "wrong") }, body })).status).toBe(401);
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  child.kill("SIGTERM");
  expect(await exit).toBe(0);
});

test("the log names runs and reasons, never the access token", () => {
  expect(logLines.length).toBeGreaterThan(5);
  expect(logLines.join("\n")).not.toContain(TOKEN);
});
