/**
 * Terraform as the oracle for the fuzz suite: a batch of mutants is planned
 * offline in one `terraform plan` (each mutant a local child module of one
 * root, fake credentials, nothing reaches AWS), and the plan is split back into
 * one `terraform show -json` plan per mutant. Mutants Terraform refuses are
 * found from the diagnostics, set aside with the reason, and the rest planned
 * again.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Mutant, OFFLINE_PROVIDER } from "./mutants";

const REPO = path.resolve(__dirname, "..", "..");
/** Resolved from the repository, whether this runs under ts-jest (test/fuzz) or compiled (dist/test/fuzz). */
const TERRAFORMRC = fs.existsSync(path.join(REPO, "tools", "terraformrc")) ? path.join(REPO, "tools", "terraformrc") : path.resolve(REPO, "..", "tools", "terraformrc");

export type OracleVerdict = { accepted: true; plan: Record<string, unknown> } | { accepted: false; reason: string };

function terraform(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("terraform", args, {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: TERRAFORMRC, TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
  });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** Whether terraform and the provider mirror are here (the suite skips the oracle otherwise). */
export function terraformAvailable(): boolean {
  return spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0 && fs.existsSync("/opt/tf-plugins");
}

/** A root initialised once (provider from the mirror); batches only rewrite its module calls. */
export class Oracle {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(
      path.join(root, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } } }),
    );
    const init = terraform(root, ["init", "-input=false", "-backend=false", "-no-color"]);
    if (init.status !== 0) throw new Error(`terraform init failed: ${init.stderr || init.stdout}`);
  }

  private writeBatch(mutants: Mutant[]): void {
    for (const entry of fs.readdirSync(this.root)) if (/^m[0-9]+$/.test(entry)) fs.rmSync(path.join(this.root, entry), { recursive: true });
    for (const mutant of mutants) {
      const dir = path.join(this.root, mutant.id);
      fs.mkdirSync(dir);
      for (const [name, text] of Object.entries(mutant.oracle.files)) fs.writeFileSync(path.join(dir, name), text);
    }
    this.arguments = new Map(mutants.map((m) => [m.id, m.oracle.arguments]));
  }

  private arguments = new Map<string, Record<string, unknown>>();

  private writeCalls(ids: string[]): void {
    fs.writeFileSync(
      path.join(this.root, "main.tf.json"),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
        provider: { aws: OFFLINE_PROVIDER },
        ...(ids.length > 0 ? { module: Object.fromEntries(ids.map((id) => [id, { source: `./${id}`, ...this.arguments.get(id) }])) } : {}),
      }),
    );
    // What `terraform init` records for local modules: no copy, no download.
    const modules = [{ Key: "", Source: "", Dir: "." }, ...ids.map((id) => ({ Key: id, Source: `./${id}`, Dir: id }))];
    fs.mkdirSync(path.join(this.root, ".terraform", "modules"), { recursive: true });
    fs.writeFileSync(path.join(this.root, ".terraform", "modules", "modules.json"), JSON.stringify({ Modules: modules }));
  }

  /** The mutant a diagnostic belongs to, from its file name or resource address. */
  private static mutantOf(diagnostic: Record<string, unknown>, ids: Set<string>): string | undefined {
    const range = diagnostic.range as { filename?: string } | undefined;
    const fromFile = range?.filename?.split(/[\\/]/)[0];
    if (fromFile && ids.has(fromFile)) return fromFile;
    const address = String(diagnostic.address ?? "") + " " + String(diagnostic.detail ?? "") + " " + String((diagnostic.snippet as { context?: string } | undefined)?.context ?? "");
    const match = /module\.(m[0-9]+)/.exec(address);
    return match && ids.has(match[1]) ? match[1] : undefined;
  }

  /** Terraform's verdict on each mutant: refused (with the reason), or its plan. */
  judge(mutants: Mutant[]): Map<string, OracleVerdict> {
    this.writeBatch(mutants);
    const verdicts = new Map<string, OracleVerdict>();
    let ids = new Set(mutants.map((m) => m.id));
    for (let attempt = 0; attempt < 50 && ids.size > 0; attempt++) {
      this.writeCalls([...ids]);
      const validate = terraform(this.root, ["validate", "-json", "-no-color"]);
      const diagnostics = ((JSON.parse(validate.stdout || "{}").diagnostics ?? []) as Record<string, unknown>[]).filter((d) => d.severity === "error");
      let refused = this.refuse(diagnostics, ids, verdicts);
      if (diagnostics.length > 0) {
        if (refused === 0) throw new Error(`terraform validate failed and no mutant could be blamed: ${JSON.stringify(diagnostics[0])}`);
        ids = new Set([...ids].filter((id) => !verdicts.has(id)));
        continue;
      }
      const plan = terraform(this.root, ["plan", "-input=false", "-refresh=false", "-lock=false", "-out=plan.bin", "-json", "-no-color"]);
      if (plan.status !== 0) {
        const lines = plan.stdout.split("\n").filter((line) => line.startsWith("{"));
        const errors = lines.map((line) => JSON.parse(line)).filter((m) => m.type === "diagnostic" && m.diagnostic?.severity === "error").map((m) => m.diagnostic);
        refused = this.refuse(errors, ids, verdicts);
        if (refused === 0) throw new Error(`terraform plan failed and no mutant could be blamed: ${plan.stderr.slice(0, 2000)} ${JSON.stringify(errors[0])}`);
        ids = new Set([...ids].filter((id) => !verdicts.has(id)));
        continue;
      }
      const show = terraform(this.root, ["show", "-json", "plan.bin"]);
      if (show.status !== 0) throw new Error(`terraform show failed: ${show.stderr}`);
      const whole = JSON.parse(show.stdout);
      for (const id of ids) verdicts.set(id, { accepted: true, plan: splitPlan(whole, id) });
      break;
    }
    return verdicts;
  }

  private refuse(diagnostics: Record<string, unknown>[], ids: Set<string>, verdicts: Map<string, OracleVerdict>): number {
    let refused = 0;
    for (const diagnostic of diagnostics) {
      const id = Oracle.mutantOf(diagnostic, ids);
      if (!id || verdicts.has(id)) continue;
      verdicts.set(id, { accepted: false, reason: `${diagnostic.summary}: ${diagnostic.detail ?? ""}`.trim() });
      refused++;
    }
    return refused;
  }
}

function stripModule(value: unknown, prefix: string): unknown {
  if (typeof value === "string") {
    if (value.startsWith(`${prefix}.`)) return value.slice(prefix.length + 1);
    if (value.startsWith(`${prefix}:`)) return value.slice(prefix.length + 1);
    return value === prefix ? "" : value;
  }
  if (Array.isArray(value)) return value.map((item) => stripModule(item, prefix));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "module_address" && item === prefix) continue;
      out[key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : key] = stripModule(item, prefix);
    }
    return out;
  }
  return value;
}

/** One mutant's plan, as if it had been planned as the root module. */
export function splitPlan(whole: Record<string, unknown>, id: string): Record<string, unknown> {
  const prefix = `module.${id}`;
  const planned = whole.planned_values as { root_module: { child_modules?: { address: string }[] } };
  const child = (planned.root_module.child_modules ?? []).find((m) => m.address === prefix) ?? { resources: [] };
  const configuration = whole.configuration as {
    provider_config?: Record<string, { module_address?: string }>;
    root_module: { module_calls?: Record<string, { module?: unknown }> };
  };
  const providerConfig = Object.fromEntries(
    // The root's configuration, which every mutant inherits (the mutant's own provider block is the same).
    Object.entries(configuration.provider_config ?? {}).filter(([, config]) => config.module_address === undefined),
  );
  const changes = ((whole.resource_changes ?? []) as { address: string }[]).filter((change) => change.address.startsWith(`${prefix}.`));
  return stripModule(
    {
      format_version: whole.format_version,
      terraform_version: whole.terraform_version,
      planned_values: { root_module: { ...child, address: undefined } },
      resource_changes: changes,
      configuration: { provider_config: providerConfig, root_module: configuration.root_module.module_calls?.[id]?.module ?? {} },
    },
    prefix,
  ) as Record<string, unknown>;
}
