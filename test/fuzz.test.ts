/**
 * The bounded part of the property/fuzz suite (the long run is `npm run fuzz`,
 * test/fuzz/run.ts). Properties of the reader, checked on mutants of the seed
 * estate in test/fuzz/mutants.ts:
 * 1. Writing the same configuration another way Terraform reads the same
 *    (repeated keys, array forms, "30" for 30, "${30}", variables, locals,
 *    tfvars, override files, comments, escaped keys, split files) gives the
 *    same findings as the seed.
 * 2. Any mutant (weakenings, count 0 and repeated arguments included) is read
 *    as its canonical form: the values Terraform reads, written as literals.
 * 3. Weakening a value the rules judge gives the same findings whichever of
 *    those ways writes the weaker value: no way of writing hides it (fail-open).
 * And a small batch judged by Terraform itself (offline plan), as in the long run.
 */
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPolicyBundle, PolicyBundle } from "../gate/policy";
import { compare, GateReading, readFolder, writeMutant } from "./fuzz/compare";
import { buildMutant, leaves, Mutation, mutationArbitrary, preservesMeaning, sampleMutants, seedResources } from "./fuzz/mutants";
import { judgeByCanonical } from "./fuzz/run";
import { Oracle, terraformAvailable } from "./fuzz/oracle";

let bundle: PolicyBundle;
let tmp: string;
let counter = 0;

beforeAll(() => {
  bundle = loadPolicyBundle();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-fuzz-test-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function findings(mutations: Mutation[]): string[] {
  const dir = path.join(tmp, `m${++counter}`);
  writeMutant(buildMutant("m", mutations), dir);
  const reading: GateReading = readFolder(bundle, dir);
  fs.rmSync(dir, { recursive: true, force: true });
  if (reading.kind !== "read") throw new Error(`${reading.kind}: ${"reason" in reading ? reading.reason : reading.error}`);
  return [...reading.findings].sort();
}

const resources = seedResources();
const leafCount = leaves(resources).length;
/** HCL tfvars go through @cdktf/hcl2json (a process per read): the long run covers them, npm test keeps to JSON. */
const fast = (m: Mutation) => !(m.kind === "variable" && m.tfvars !== "none" && m.file === "terraform.tfvars");
/** Ways of writing that keep the meaning, and change the layout only. */
const structural = mutationArbitrary(resources.length, leafCount).filter(
  (m) => preservesMeaning(m) && fast(m) && !("leaf" in m),
);

test("writing the seed another way Terraform reads the same gives the same findings", () => {
  const seed = findings([]);
  fc.assert(
    fc.property(
      fc.array(mutationArbitrary(resources.length, leafCount).filter((m) => preservesMeaning(m) && fast(m)), { minLength: 1, maxLength: 5 }),
      (mutations) => {
        expect(findings(mutations)).toEqual(seed);
      },
    ),
    { numRuns: 100, seed: 20261130 },
  );
});

test("any mutant is read as its canonical form (what Terraform reads, as plain literals), or refused where Terraform refuses", () => {
  fc.assert(
    fc.property(fc.array(mutationArbitrary(resources.length, leafCount).filter(fast), { minLength: 1, maxLength: 5 }), (mutations) => {
      const mutant = buildMutant("m", mutations);
      const outcome = judgeByCanonical(bundle, mutant, tmp);
      expect(outcome.kind).toBe(mutant.expected.refused ? "both-refuse" : "agree");
    }),
    { numRuns: 200, seed: 20261202 },
  );
});

test("a weaker value is found however it is written", () => {
  const seed = findings([]);
  // The leaves some rule judges today: weakening them as a literal adds a finding.
  const judged = leaves(resources)
    .map((_, leaf) => leaf)
    .filter((leaf) => findings([{ kind: "weaken", leaf }]).some((key) => !seed.includes(key)));
  expect(judged.length).toBeGreaterThanOrEqual(15);
  const weakenedAs = (leaf: number) =>
    fc.constantFrom<Mutation[]>(
      [{ kind: "weaken", leaf }, { kind: "stringify", leaf }],
      [{ kind: "weaken", leaf }, { kind: "template", leaf }],
      [{ kind: "weaken", leaf }, { kind: "exponent", leaf }],
      [{ kind: "weaken", leaf }, { kind: "local", leaf }],
      [{ kind: "weaken", leaf }, { kind: "conditional", leaf, negate: false }],
      [{ kind: "weaken", leaf }, { kind: "conditional", leaf, negate: true }],
      [{ kind: "weaken", leaf }, { kind: "variable", leaf, typed: true, tfvars: "none", file: "terraform.tfvars.json" }],
      [{ kind: "weaken", leaf }, { kind: "variable", leaf, typed: false, tfvars: "none", file: "terraform.tfvars.json" }],
      [{ kind: "variable", leaf, typed: true, tfvars: "weaker", file: "terraform.tfvars.json" }],
      [{ kind: "variable", leaf, typed: false, tfvars: "weaker", file: "a.auto.tfvars.json" }],
      [{ kind: "override", leaf, weaker: true }],
    );
  fc.assert(
    fc.property(
      fc.constantFrom(...judged).chain((leaf) => fc.tuple(fc.constant(leaf), weakenedAs(leaf), fc.array(structural, { maxLength: 3 }))),
      ([leaf, weakening, layout]) => {
        expect(findings([...weakening, ...layout])).toEqual(findings([{ kind: "weaken", leaf }]));
      },
    ),
    { numRuns: 100, seed: 20261201 },
  );
});

(terraformAvailable() ? test : test.skip)(
  "a small batch judged by Terraform's own offline plan: no fail-open, no crash",
  () => {
    const oracle = new Oracle(path.join(tmp, "terraform"));
    const mutants = [buildMutant("m0", []), ...sampleMutants(24, 7).map((m, i) => ({ ...m, id: `m${i + 1}` }))];
    const verdicts = oracle.judge(mutants);
    const outcomes = mutants.map((mutant) => {
      const dir = path.join(tmp, "gate", mutant.id);
      writeMutant(mutant, dir);
      return { mutations: mutant.mutations, outcome: compare(bundle, readFolder(bundle, dir), verdicts.get(mutant.id)!) };
    });
    expect(outcomes[0].outcome.kind).toBe("agree");
    expect(outcomes.filter(({ outcome }) => outcome.kind === "fail-open" || outcome.kind === "crash")).toEqual([]);
    // Terraform refused some mutants (repeated arguments): the gate refused those too, or still judged them.
    expect(outcomes.filter(({ outcome }) => outcome.kind === "agree").length).toBeGreaterThan(mutants.length / 2);
  },
  300000,
);
