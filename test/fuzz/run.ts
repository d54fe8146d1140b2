/**
 * `npm run fuzz [-- --cases N --seed S --batch B]`: mutants of the seed estate
 * (test/fuzz/mutants.ts), each read by the gate and planned by Terraform
 * offline (test/fuzz/oracle.ts), compared (test/fuzz/compare.ts). Prints one
 * line per outcome kind and writes every mutant that is not `agree` or
 * `both-refuse` to out/fuzz/<run>/ with its files and outcome. Exit 1 on any
 * fail-open or crash.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPolicyBundle } from "../../gate/policy";
import { compare, Outcome, readFolder, writeMutant } from "./compare";
import { buildMutant, Mutant, sampleMutants } from "./mutants";
import { Oracle } from "./oracle";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

export function runFuzz(cases: number, seed: number, batchSize: number, log: (line: string) => void): Map<string, { mutant: Mutant; outcome: Outcome }> {
  const bundle = loadPolicyBundle();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-fuzz-"));
  const results = new Map<string, { mutant: Mutant; outcome: Outcome }>();
  try {
    const oracle = new Oracle(path.join(work, "terraform"));
    // The seed itself first: the two readings must agree before mutants mean anything.
    const mutants = [buildMutant("m0", []), ...sampleMutants(cases, seed).map((m, i) => ({ ...m, id: `m${i + 1}` }))];
    for (let start = 0; start < mutants.length; start += batchSize) {
      const batch = mutants.slice(start, start + batchSize);
      const verdicts = oracle.judge(batch);
      for (const mutant of batch) {
        const dir = path.join(work, "gate", mutant.id);
        writeMutant(mutant, dir);
        const verdict = verdicts.get(mutant.id);
        if (!verdict) throw new Error(`no Terraform verdict for ${mutant.id}`);
        results.set(mutant.id, { mutant, outcome: compare(bundle, readFolder(bundle, dir), verdict) });
        fs.rmSync(dir, { recursive: true, force: true });
      }
      log(`fuzz: ${Math.min(start + batchSize, mutants.length)}/${mutants.length} mutants judged`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return results;
}

function main(): void {
  const cases = option("cases", 2000);
  const seed = option("seed", 20261130);
  const batchSize = option("batch", 50);
  const started = Date.now();
  const results = runFuzz(cases, seed, batchSize, (line) => console.log(line));
  const counts = new Map<string, number>();
  const outDir = path.join(process.cwd(), "out", "fuzz", `seed-${seed}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [id, { mutant, outcome }] of results) {
    counts.set(outcome.kind, (counts.get(outcome.kind) ?? 0) + 1);
    if (outcome.kind === "agree" || outcome.kind === "both-refuse") continue;
    const dir = path.join(outDir, `${outcome.kind}-${id}`);
    writeMutant(mutant, dir);
    fs.writeFileSync(path.join(dir, "outcome.json"), JSON.stringify({ mutations: mutant.mutations, outcome }, null, 2));
  }
  console.log(`fuzz: ${results.size} cases (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const kind of ["agree", "both-refuse", "gate-refuses", "terraform-refuses", "false-positive", "fail-open", "crash"]) {
    console.log(`  ${kind.padEnd(18)} ${counts.get(kind) ?? 0}`);
  }
  if (counts.size > 0 && [...counts.keys()].some((kind) => !["agree", "both-refuse"].includes(kind))) console.log(`details: ${outDir}`);
  const bad = (counts.get("fail-open") ?? 0) + (counts.get("crash") ?? 0);
  console.log(bad === 0 ? "fuzz: no fail-open, no crash" : `fuzz: ${bad} fail-open or crash`);
  process.exit(bad === 0 ? 0 : 1);
}

if (require.main === module) main();
