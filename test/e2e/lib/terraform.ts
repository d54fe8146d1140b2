/**
 * Terraform against moto: a working copy of the stack, an override file that points
 * every aws provider configuration at moto, and the CLI environment (offline provider
 * mirror, no checkpoint, moto as the HTTP proxy for the account-prefixed S3 Control host).
 */
import * as fs from "fs";
import * as path from "path";
import { Credentials, MotoServer, REPO, scrubbedEnv } from "./moto";
import { expectExit, run, RunResult } from "./proc";
import { asArray, awsProviders, Json } from "./stack";

export const TF_CLI_CONFIG_FILE = path.join(REPO, "tools/terraformrc");
export const OVERRIDE_FILE = "trailgate_e2e_override.tf.json";

/** Services the provider may call for the resource types trailgate uses; each gets a moto endpoint. */
export const SERVICES = ["cloudtrail", "cloudwatch", "ec2", "events", "iam", "kms", "logs", "organizations", "s3", "s3control", "sns", "sts"] as const;

/** Resource type prefix -> service. A type matching none fails the run rather than reach a real endpoint. */
const TYPE_SERVICE: Array<[RegExp, string]> = [
  [/^aws_s3_access_point$|^aws_s3control_|^aws_s3_account_public_access_block$/, "s3control"],
  [/^aws_s3_/, "s3"],
  [/^aws_kms_/, "kms"],
  [/^aws_cloudwatch_log_|^aws_cloudwatch_query_definition$/, "logs"],
  [/^aws_cloudwatch_(metric_alarm|composite_alarm|dashboard)$/, "cloudwatch"],
  [/^aws_cloudwatch_event_/, "events"],
  [/^aws_sns_/, "sns"],
  [/^aws_cloudtrail/, "cloudtrail"],
  [/^aws_iam_/, "iam"],
  [/^aws_(vpc|subnet|security_group|route|internet_gateway|default_)/, "ec2"],
  [/^aws_organizations_/, "organizations"],
];

/** Data sources that need no API call. Any other data source must map to a service above. */
const LOCAL_DATA = new Set(["aws_iam_policy_document", "aws_partition", "aws_region", "aws_arn"]);

export function serviceOf(type: string): string | undefined {
  return TYPE_SERVICE.find(([re]) => re.test(type))?.[1];
}

/** Fail closed: every resource and data source type must be served by an endpoint in the override. */
export function checkServiceCoverage(stack: Json): void {
  const missing: string[] = [];
  for (const type of Object.keys(stack.resource ?? {})) {
    const s = serviceOf(type);
    if (!s || !(SERVICES as readonly string[]).includes(s)) missing.push(`resource ${type}`);
  }
  for (const type of Object.keys(stack.data ?? {})) {
    if (type === "aws_caller_identity") {
      missing.push("data aws_caller_identity (an account-id lookup breaks the offline plan: pass account ids explicitly)");
    } else if (!LOCAL_DATA.has(type) && !serviceOf(type)) {
      missing.push(`data ${type}`);
    }
  }
  if (missing.length) throw new Error(`the e2e harness has no moto endpoint for: ${missing.join("; ")}`);
}

/** The override: per provider configuration (matched by alias), fake credentials and moto endpoints. */
export function overrideFor(stack: Json, moto: { endpoint: string }, creds: Credentials): Json {
  const endpoints: Record<string, string> = {};
  for (const s of SERVICES) endpoints[s] = moto.endpoint;
  const common = {
    access_key: creds.accessKeyId,
    secret_key: creds.secretAccessKey,
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
    // The provider asks moto's STS who it is, as it asks AWS in a real deployment, so the
    // stack's allowed_account_ids guard is exercised: the management key must map to the
    // management account and the assumed log-archive role to the log-archive account.
    skip_requesting_account_id: false,
    s3_use_path_style: true,
    // moto is local: a 5xx is a moto bug, not throttling; surface it instead of retrying for minutes.
    max_retries: 3,
    endpoints: [endpoints],
  };
  return {
    "//": "written by the trailgate e2e harness (test/e2e): points every aws provider at moto; never part of the shipped stack",
    provider: {
      aws: awsProviders(stack).map((p) => (p.alias ? { alias: p.alias, ...common } : { ...common })),
    },
  };
}

export interface PhaseTimer {
  (phase: string, ms: number): void;
}

export class TerraformDir {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    readonly logFile: string,
    moto: MotoServer,
    private readonly record: PhaseTimer,
  ) {
    this.env = scrubbedEnv({
      TF_CLI_CONFIG_FILE,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      // The S3 Control client prefixes the host with the account id
      // (222222222222.127.0.0.1 does not resolve); moto answers as an HTTP proxy, and Go
      // never proxies loopback IPs, so only those prefixed hosts go through it.
      HTTP_PROXY: moto.endpoint,
      http_proxy: moto.endpoint,
      // Safety net for any service not listed in the override's endpoints.
      AWS_ENDPOINT_URL: moto.endpoint,
    });
  }

  /** Copy `stack` into a fresh directory and write the override next to it. */
  static create(dir: string, stack: Json, override: Json, logFile: string, moto: MotoServer, record: PhaseTimer): TerraformDir {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
    fs.writeFileSync(path.join(dir, OVERRIDE_FILE), JSON.stringify(override, null, 2));
    return new TerraformDir(dir, logFile, moto, record);
  }

  async tf(phase: string, args: string[], timeoutMs: number, okCodes: number[] = [0]): Promise<RunResult> {
    const r = await run("terraform", [...args, "-no-color"], { cwd: this.dir, env: this.env, timeoutMs, logFile: this.logFile });
    this.record(phase, r.ms);
    return expectExit(r, okCodes, `terraform ${args[0]} (in ${this.dir}, log ${this.logFile})`);
  }

  init(phase = "init") {
    return this.tf(phase, ["init", "-input=false", "-backend=true"], 180_000);
  }

  plan(out: string, phase = "plan") {
    return this.tf(phase, ["plan", "-input=false", "-lock=false", `-out=${out}`], 300_000);
  }

  async showJson(planFile: string, phase = "show"): Promise<Json> {
    const r = await this.tf(phase, ["show", "-json", planFile], 120_000);
    return JSON.parse(r.stdout);
  }

  apply(planFile: string, phase = "apply") {
    return this.tf(phase, ["apply", "-input=false", "-lock=false", "-auto-approve", planFile], 360_000);
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  async replan(phase = "replan"): Promise<RunResult> {
    const r = await run("terraform", ["plan", "-input=false", "-lock=false", "-detailed-exitcode", "-no-color"], {
      cwd: this.dir, env: this.env, timeoutMs: 300_000, logFile: this.logFile,
    });
    this.record(phase, r.ms);
    return expectExit(r, [0, 2], "terraform plan -detailed-exitcode");
  }

  destroy(phase = "destroy", targets: string[] = []) {
    const t = targets.map((a) => `-target=${a}`);
    return this.tf(phase, ["destroy", "-input=false", "-lock=false", "-auto-approve", ...t], 300_000);
  }

  /** Current state as `terraform show -json` values, by resource address. */
  async stateValues(phase = "state"): Promise<Map<string, Json>> {
    const r = await this.tf(phase, ["show", "-json"], 120_000);
    const state = JSON.parse(r.stdout);
    const out = new Map<string, Json>();
    for (const res of asArray<Json>(state.values?.root_module?.resources)) {
      if (res.mode === "managed") out.set(res.address, res.values);
    }
    return out;
  }
}
