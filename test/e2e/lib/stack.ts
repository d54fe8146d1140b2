/**
 * The stack under test, synthesized from the example app (main.ts), plus helpers that
 * read a Terraform JSON stack: its AWS provider configurations, their accounts, its
 * resources.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO, scrubbedEnv } from "./moto";
import { expectExit, run } from "./proc";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export interface StackSource {
  file: string;
  json: Json;
  /** Per step timings of the synth (build, synth). */
  timings: Record<string, number>;
}

export async function obtainStack(runDir: string, logFile: string): Promise<StackSource> {
  const env = scrubbedEnv();
  const build = expectExit(await run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: REPO, env, timeoutMs: 300_000, logFile }), [0], "tsc -p tsconfig.json");
  const outdir = path.join(runDir, "synth");
  const synth = expectExit(
    await run("node", ["dist/main.js"], { cwd: REPO, env: { ...env, CDKTF_OUTDIR: outdir }, timeoutMs: 120_000, logFile }),
    [0],
    "node dist/main.js",
  );
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter((s) => fs.existsSync(path.join(stacksDir, s, "cdk.tf.json"))) : [];
  const wanted = process.env.TRAILGATE_E2E_STACK_NAME;
  let name: string;
  if (wanted) {
    if (!stacks.includes(wanted)) throw new Error(`stack "${wanted}" not synthesized; got: ${stacks.join(", ") || "none"}`);
    name = wanted;
  } else if (stacks.length === 1) {
    name = stacks[0];
  } else {
    throw new Error(`expected exactly one synthesized stack under ${stacksDir} (or TRAILGATE_E2E_STACK_NAME), got: ${stacks.join(", ") || "none"}`);
  }
  const file = path.join(stacksDir, name, "cdk.tf.json");
  return { file, json: readJson(file), timings: { build: build.ms, synth: synth.ms } };
}

export function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function asArray<T>(x: T | T[] | undefined | null): T[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

export interface AwsProviderConfig {
  alias: string; // "" = default
  address: string; // provider.aws or provider.aws.<alias>
  region: string;
  roleArn?: string;
  accountId: string;
}

export const MANAGEMENT_ACCOUNT = process.env.TRAILGATE_E2E_MANAGEMENT_ACCOUNT ?? "111111111111";

/** Every `aws` provider configuration of the stack, with the account its resources land in. */
export function awsProviders(stack: Json): AwsProviderConfig[] {
  const configs = asArray<Json>(stack.provider?.aws);
  if (configs.length === 0) throw new Error("the stack has no aws provider configuration");
  const seen = new Set<string>();
  return configs.map((c) => {
    const alias: string = c.alias ?? "";
    if (seen.has(alias)) throw new Error(`two aws provider configurations with alias "${alias}"`);
    seen.add(alias);
    const roleArn: string | undefined = asArray<Json>(c.assume_role)[0]?.role_arn;
    let accountId = MANAGEMENT_ACCOUNT;
    if (roleArn !== undefined) {
      const m = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn);
      if (!m) throw new Error(`provider aws${alias ? "." + alias : ""}: assume_role.role_arn "${roleArn}" is not a literal role ARN`);
      accountId = m[1];
    } else {
      const allowed = asArray<string>(c.allowed_account_ids);
      if (allowed.length === 1) accountId = allowed[0];
    }
    if (typeof c.region !== "string" || c.region.includes("${")) {
      throw new Error(`provider aws${alias ? "." + alias : ""}: region must be a literal (got ${JSON.stringify(c.region)})`);
    }
    return { alias, address: alias ? `provider.aws.${alias}` : "provider.aws", region: c.region, roleArn, accountId };
  });
}

export interface StackResource {
  type: string;
  name: string;
  address: string;
  config: Json;
  provider: AwsProviderConfig;
}

/** Top-level resources of the stack (modules are not used by cdktf output). */
export function resources(stack: Json, providers = awsProviders(stack)): StackResource[] {
  const byAlias = new Map(providers.map((p) => [p.alias, p]));
  const out: StackResource[] = [];
  for (const [type, byName] of Object.entries<Json>(stack.resource ?? {})) {
    for (const [name, config] of Object.entries<Json>(byName)) {
      const ref: string = config.provider ?? "aws";
      const m = /^aws(?:\.(.+))?$/.exec(ref);
      if (!m) throw new Error(`${type}.${name}: provider "${ref}" is not an aws provider`);
      const p = byAlias.get(m[1] ?? "");
      if (!p) throw new Error(`${type}.${name}: provider "${ref}" is not configured in the stack`);
      out.push({ type, name, address: `${type}.${name}`, config, provider: p });
    }
  }
  return out;
}

export function ofType(all: StackResource[], type: string): StackResource[] {
  return all.filter((r) => r.type === type);
}
