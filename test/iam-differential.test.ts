/**
 * The IAM evaluator (policies/iam) against an independent simulator,
 * @cloud-copilot/iam-simulate (AGPL-3.0: a dev dependency for this test only, never in
 * the published package; test/package.test.ts checks the installed tarball's tree).
 *
 * A seeded generator writes policies and requests from a vocabulary of what this
 * estate's policies use: actions and NotAction with wildcards, resources and
 * NotResource, principals ("*", a role, another role, a service) and NotPrincipal,
 * every condition operator family with IfExists, Null, ForAnyValue and ForAllValues,
 * over keys present and absent from the request. Two modes:
 *   identity: the statements are the caller's identity policy, no resource policy;
 *   resource: the statements are the bucket policy, the caller a role of the bucket's
 *             own account with no identity policy (AWS then decides by the bucket
 *             policy alone when it names the role, or everyone).
 * Every case is evaluated by `opa eval` on the Rego sources (one run) and by the
 * simulator; every disagreement fails, with the case printed.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { parsePolicyDocument } from "../terraform/policy-document";

const REPO = path.resolve(__dirname, "..");
const OPA = path.join(REPO, ".tools/bin/opa");
const SEED = 20261207;
const CASES = 600;
const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const BUCKET = "arn:aws:s3:::audit-logs";

/** mulberry32: a small seeded generator, so every run draws the same cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;

interface Case {
  mode: "identity" | "resource";
  statements: Json[];
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

// [key, values a policy may name, values a request may carry; multi-valued?]
const KEYS: Array<[string, string[], string[], boolean]> = [
  ["aws:SourceIp", ["10.0.0.0/8", "192.168.1.0/24", "203.0.113.7"], ["10.1.2.3", "192.168.1.9", "203.0.113.7", "198.51.100.1"], false],
  ["aws:SecureTransport", ["true", "false"], ["true", "false"], false],
  ["aws:PrincipalOrgID", ["o-a1b2c3d4e5", "o-*", "o-zzzzzzzzzz"], ["o-a1b2c3d4e5", "o-zzzzzzzzzz"], false],
  ["aws:SourceVpce", ["vpce-1a2b3c4d", "vpce-*"], ["vpce-1a2b3c4d", "vpce-99999999"], false],
  ["aws:PrincipalArn", [ROLE, `arn:aws:iam::${ACCOUNT}:role/*`, "arn:aws:iam::444455556666:role/*"], [ROLE], false],
  ["aws:CurrentTime", ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"], ["2026-06-01T12:00:00Z"], false],
  ["aws:EpochTime", ["1700000000", "1900000000"], ["1800000000"], false],
  ["aws:PrincipalOrgPaths", ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "o-a1b2c3d4e5/*", "o-zzzzzzzzzz/*"], ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/"], true],
];

const OPERATORS: Record<string, string[]> = {
  "aws:SourceIp": ["IpAddress", "NotIpAddress"],
  "aws:SecureTransport": ["Bool"],
  "aws:PrincipalOrgID": ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase"],
  "aws:SourceVpce": ["StringEquals", "StringLike", "StringNotLike"],
  "aws:PrincipalArn": ["ArnEquals", "ArnLike", "ArnNotLike", "ArnNotEquals"],
  "aws:CurrentTime": ["DateLessThan", "DateGreaterThan", "DateEquals"],
  "aws:EpochTime": ["NumericLessThan", "NumericGreaterThanEquals", "NumericEquals"],
  "aws:PrincipalOrgPaths": ["ForAnyValue:StringLike", "ForAllValues:StringLike", "ForAnyValue:StringEquals"],
};

const ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const ACTION_PATTERNS = ["s3:*", "s3:Get*", "s3:GetObject", "s3:Put*", "*", "S3:getobject", "s3:?etObject", "s3:Delete*"];
const OBJECTS = [`${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/eu-west-2/2026/01/01/log.json.gz`, `${BUCKET}/readme.txt`, "arn:aws:s3:::other-bucket/x.txt"];
const RESOURCE_PATTERNS = ["*", `${BUCKET}/*`, `${BUCKET}/AWSLogs/*`, `${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/*.gz`, `${BUCKET}/readme.???`, "arn:aws:s3:::other-bucket/*", BUCKET];
const PRINCIPALS: unknown[] = ["*", { AWS: ROLE }, { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }, { Service: "cloudtrail.amazonaws.com" }];

function generate(): Case[] {
  const rnd = random(SEED);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const some = <T>(list: T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(list)))];
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const mode = rnd() < 0.5 ? "identity" : "resource";
    const statements: Json[] = [];
    for (let s = 0, n = 1 + Math.floor(rnd() * 3); s < n; s++) {
      const st: Json = { Sid: `S${s}`, Effect: rnd() < 0.3 ? "Deny" : "Allow" };
      if (mode === "resource") {
        if (rnd() < 0.15) st.NotPrincipal = { AWS: `arn:aws:iam::${ACCOUNT}:role/other` };
        else st.Principal = pick(PRINCIPALS);
      }
      if (rnd() < 0.15) st.NotAction = some(ACTION_PATTERNS, 2);
      else st.Action = some(ACTION_PATTERNS, 2);
      if (rnd() < 0.15) st.NotResource = some(RESOURCE_PATTERNS, 2);
      else st.Resource = some(RESOURCE_PATTERNS, 2);
      if (rnd() < 0.7) {
        const condition: Record<string, Record<string, string[]>> = {};
        for (let c = 0, m = 1 + Math.floor(rnd() * 2); c < m; c++) {
          const [key, policyValues] = pick(KEYS);
          let op = pick(OPERATORS[key]);
          const roll = rnd();
          if (roll < 0.12) op = "Null";
          else if (roll < 0.3 && !op.includes(":") && op !== "Bool") op = `${op}IfExists`;
          const values = op === "Null" ? [pick(["true", "false"])] : some(policyValues, 2);
          condition[op] = { ...(condition[op] ?? {}), [key]: values };
        }
        st.Condition = condition;
      }
      statements.push(st);
    }
    const context: Record<string, string | string[]> = {};
    for (const [key, , requestValues, multi] of KEYS) {
      if (rnd() < 0.55) context[key] = multi ? some(requestValues, 2) : pick(requestValues);
    }
    cases.push({ mode, statements, action: pick(ACTIONS), resource: pick(OBJECTS), context });
  }
  return cases;
}

/** The request as trailgate.access builds requests: lower-case keys, every value an array. */
function ours(c: Case) {
  const document = parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: c.statements }));
  if (!document) throw new Error(`generated policy did not parse: ${JSON.stringify(c.statements)}`);
  return {
    statements: document.Statement.map((statement) => ({ resource: "policy", statement })),
    request: {
      principal: { kind: "AWS", arn: ROLE, account: ACCOUNT },
      action: c.action,
      resource: [c.resource],
      context: Object.fromEntries(Object.entries(c.context).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]])),
    },
  };
}

const EXPECTED: Record<string, string> = { allow: "Allowed", deny: "ExplicitlyDenied", none: "ImplicitlyDenied" };

test(`the evaluator agrees with @cloud-copilot/iam-simulate on ${CASES} generated policies and requests`, async () => {
  const cases = generate();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tg-iam-differential-"));
  let decisions: string[];
  try {
    fs.writeFileSync(path.join(work, "cases.json"), JSON.stringify({ iam_cases: cases.map(ours) }));
    const output = execFileSync(
      OPA,
      ["eval", "--format=json", "-d", path.join(REPO, "policies/iam/iam.rego"), "-d", path.join(work, "cases.json"), "[d | some c in data.iam_cases; d := data.trailgate.iam.decide(c.statements, c.request).decision]"],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    decisions = JSON.parse(output).result[0].expressions[0].value as string[];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  expect(decisions).toHaveLength(cases.length);

  const disagreements: string[] = [];
  const seen: Record<string, number> = {};
  for (const [i, c] of cases.entries()) {
    const policy = { Version: "2012-10-17", Statement: c.statements };
    const simulation: Simulation = {
      identityPolicies: c.mode === "identity" ? [{ name: "generated", policy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: c.mode === "resource" ? policy : undefined,
      request: { action: c.action, principal: ROLE, resource: { accountId: ACCOUNT, resource: c.resource }, contextVariables: c.context },
    } as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`case ${i}: the simulator refused it: ${JSON.stringify(result.errors)}`);
    const theirs = result.overallResult;
    seen[theirs] = (seen[theirs] ?? 0) + 1;
    // Identity-mode statements carry no Principal, so "unknown" is never an honest answer here.
    const mine = EXPECTED[decisions[i]] ?? decisions[i];
    if (mine !== theirs) disagreements.push(`case ${i} (${c.mode}): trailgate ${mine}, iam-simulate ${theirs}: ${JSON.stringify({ action: c.action, resource: c.resource, context: c.context, statements: c.statements })}`);
  }
  // The generator must reach every outcome, or agreement proves little.
  expect(Object.keys(seen).sort()).toEqual(["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"]);
  expect(disagreements).toEqual([]);
}, 120_000);
