/**
 * `npm run fuzz [-- --cases 2000 --terraform 200 --seed S --batch B]`.
 *
 * Mutants of the seed estate (test/fuzz/mutants.ts), judged two ways:
 * 1. every mutant: the gate's reading of the mutant against its reading of the
 *    mutant's canonical form (the values Terraform reads, written as plain
 *    literals; count 0 where a resource has no instances), or a refusal where
 *    Terraform refuses;
 * 2. the first `--terraform` mutants also by Terraform itself: planned offline
 *    (test/fuzz/oracle.ts), the gate's reading of the mutant against its reading
 *    of Terraform's plan, and the canonical form against the plan, which checks
 *    the harness's idea of what Terraform reads.
 * Prints the count of each outcome and writes every mutant that is not `agree`
 * or `both-refuse` to out/fuzz/seed-S/. Exit 1 on any fail-open or crash.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPolicyBundle, PolicyBundle } from "../../gate/policy";
import { compare, GateReading, Outcome, readFolder, writeMutant } from "./compare";
import { buildMutant, canonicalMutant, Mutant, sampleMutants } from "./mutants";
import { Oracle, OracleVerdict } from "./oracle";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** The gate's reading of a mutant's files, in a scratch folder. */
export function readMutant(bundle: PolicyBundle, mutant: Mutant, work: string): GateReading {
  const dir = path.join(work, "gate", mutant.id);
  writeMutant(mutant, dir);
  try {
    return readFolder(bundle, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Outcome of the gate's reading of a mutant against its canonical form (or the expected refusal). */
export function judgeByCanonical(bundle: PolicyBundle, mutant: Mutant, work: string): Outcome {
  const reading = readMutant(bundle, mutant, work);
  const expected: OracleVerdict = mutant.expected.refused
    ? { accepted: false, reason: "a repeated argument" }
    : { accepted: true, plan: {} };
  if (!expected.accepted || reading.kind !== "read") return compare(bundle, reading, expected);
  const canonical = readMutant(bundle, canonicalMutant(mutant), work);
  if (canonical.kind !== "read") return { kind: "crash", error: `the canonical form was not read: ${JSON.stringify(canonical)}` };
  const missing = [...canonical.findings].filter((key) => !reading.findings.has(key)).sort();
  const extra = [...reading.findings].filter((key) => !canonical.findings.has(key)).sort();
  if (missing.length > 0) return { kind: "fail-open", missing, extra };
  if (extra.length > 0) return { kind: "false-positive", extra };
  return { kind: "agree", findings: reading.findings.size };
}

export interface FuzzResult {
  mutant: Mutant;
  canonical: Outcome;
  terraform?: Outcome;
  /** The canonical form against Terraform's plan: whether the harness knows what Terraform reads. */
  harness?: Outcome;
}

export function runFuzz(cases: number, terraformCases: number, seed: number, batchSize: number, log: (line: string) => void): FuzzResult[] {
  const bundle = loadPolicyBundle();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-fuzz-"));
  try {
    const mutants = [buildMutant("m0", []), ...sampleMutants(cases, seed).map((m, i) => ({ ...m, id: `m${i + 1}` }))];
    const results: FuzzResult[] = mutants.map((mutant) => ({ mutant, canonical: judgeByCanonical(bundle, mutant, work) }));
    log(`fuzz: ${mutants.length} mutants judged against their canonical form`);
    const judged = mutants.slice(0, terraformCases + 1);
    if (judged.length > 1) {
      const oracle = new Oracle(path.join(work, "terraform"));
      for (let start = 0; start < judged.length; start += batchSize) {
        const batch = judged.slice(start, start + batchSize);
        const verdicts = oracle.judge(batch);
        for (const mutant of batch) {
          const verdict = verdicts.get(mutant.id);
          if (!verdict) throw new Error(`no Terraform verdict for ${mutant.id}`);
          const result = results[Number(mutant.id.slice(1))];
          result.terraform = compare(bundle, readMutant(bundle, mutant, work), verdict);
          if (!mutant.expected.refused) result.harness = compare(bundle, readMutant(bundle, canonicalMutant(mutant), work), verdict);
        }
        log(`fuzz: ${Math.min(start + batchSize, judged.length)}/${judged.length} mutants judged by terraform plan`);
      }
    }
    return results;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const KINDS = ["agree", "both-refuse", "gate-refuses", "terraform-refuses", "false-positive", "fail-open", "crash"];

function main(): void {
  const cases = option("cases", 2000);
  const terraformCases = option("terraform", 200);
  const seed = option("seed", 20261130);
  const batchSize = option("batch", 50);
  const started = Date.now();
  const results = runFuzz(cases, terraformCases, seed, batchSize, (line) => console.log(line));
  const outDir = path.join(process.cwd(), "out", "fuzz", `seed-${seed}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  const tally = (key: "canonical" | "terraform" | "harness") => {
    const counts = new Map<string, number>();
    for (const result of results) {
      const outcome = result[key];
      if (!outcome) continue;
      counts.set(outcome.kind, (counts.get(outcome.kind) ?? 0) + 1);
      if (outcome.kind === "agree" || outcome.kind === "both-refuse") continue;
      const dir = path.join(outDir, `${key}-${outcome.kind}-${result.mutant.id}`);
      writeMutant(result.mutant, dir);
      fs.writeFileSync(path.join(dir, "outcome.json"), JSON.stringify({ mutations: result.mutant.mutations, expected: result.mutant.expected, outcome }, null, 2));
    }
    return counts;
  };
  const tables = { canonical: tally("canonical"), terraform: tally("terraform"), harness: tally("harness") };
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`fuzz: seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  ${"outcome".padEnd(18)} ${"vs canonical".padStart(12)} ${"vs terraform".padStart(12)} ${"harness".padStart(8)}`);
  console.log(`  ${"cases".padEnd(18)} ${String(total(tables.canonical)).padStart(12)} ${String(total(tables.terraform)).padStart(12)} ${String(total(tables.harness)).padStart(8)}`);
  for (const kind of KINDS) {
    const cell = (counts: Map<string, number>, width: number) => String(counts.get(kind) ?? 0).padStart(width);
    console.log(`  ${kind.padEnd(18)} ${cell(tables.canonical, 12)} ${cell(tables.terraform, 12)} ${cell(tables.harness, 8)}`);
  }
  if (fs.existsSync(outDir)) console.log(`details: ${outDir}`);
  const bad = ["fail-open", "crash"].reduce((sum, kind) => sum + (tables.canonical.get(kind) ?? 0) + (tables.terraform.get(kind) ?? 0), 0);
  console.log(bad === 0 ? "fuzz: no fail-open, no crash" : `fuzz: ${bad} fail-open or crash`);
  process.exit(bad === 0 ? 0 : 1);
}

if (require.main === module) main();
