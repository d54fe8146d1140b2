/**
 * The policy gate CLI as a black box: `node bin/trailgate.js check <plan.json> --data
 * example-policy-data.json --format json` (the example estate's own policy data).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO, scrubbedEnv } from "./moto";
import { run, RunResult, tail } from "./proc";
import { Json } from "./stack";

export const GATE_CLI = path.join(REPO, "bin/trailgate.js");
/** The example estate's policy data: the monitor it creates beyond the CIS set is required too. */
export const EXAMPLE_POLICY_DATA = path.join(REPO, "example-policy-data.json");

export interface GateResult {
  run: RunResult;
  output: Json;
  ruleIds: string[];
}

export async function gateCheck(planJsonFile: string, logFile: string): Promise<GateResult> {
  if (!fs.existsSync(GATE_CLI)) {
    throw new Error(
      `the policy gate CLI ${path.relative(REPO, GATE_CLI)} does not exist yet (gate/ is being written): ` +
        "this e2e step cannot pass until `node bin/trailgate.js check <plan.json> --format json` works",
    );
  }
  const r = await run("node", [GATE_CLI, "check", planJsonFile, "--data", EXAMPLE_POLICY_DATA, "--format", "json"], {
    cwd: REPO, env: scrubbedEnv(), timeoutMs: 120_000, logFile,
  });
  if (r.timedOut) throw new Error(`gate timed out on ${planJsonFile}`);
  let output: Json;
  try {
    output = JSON.parse(r.stdout);
  } catch {
    throw new Error(`gate (exit ${r.code}) did not print JSON on stdout for ${planJsonFile}:\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`);
  }
  return { run: r, output, ruleIds: [...new Set(collectRuleIds(output))].sort() };
}

const RULE_ID = /^TG-[A-Z]+-\d{3}$/;

/** Every rule id in the gate's JSON output, wherever the report puts its findings. */
export function collectRuleIds(x: Json): string[] {
  if (Array.isArray(x)) return x.flatMap(collectRuleIds);
  if (x && typeof x === "object") {
    const ids: string[] = [];
    for (const [k, v] of Object.entries<Json>(x)) {
      if (["id", "rule", "ruleId", "rule_id"].includes(k) && typeof v === "string" && RULE_ID.test(v)) ids.push(v);
      else ids.push(...collectRuleIds(v));
    }
    return ids;
  }
  return [];
}

export function describeGate(g: GateResult): string {
  return `exit ${g.run.code}; rule ids: ${g.ruleIds.join(", ") || "none"}\n${tail(JSON.stringify(g.output, null, 2), 60)}\n--- stderr ---\n${tail(g.run.stderr, 20)}`;
}
