/**
 * The configuration beside a plan (for the `locals` a plan JSON leaves out) is
 * read by the same reader as a module folder input (config-folder.ts): override
 * files merged, Terraform's JSON rules, bounded reads of regular files only.
 * A real plan (test/gate/plan-fixtures/class1-locals) with its HCL copied to a
 * scratch folder and changed one way per case.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadDocuments } from "../../terraform";
import { InputBudget } from "../../terraform/input-file";
import { planSourcesFor } from "../../terraform/plan-sources";
import { NormalizedDocument } from "../../terraform/types";

const fixture = path.join(__dirname, "plan-fixtures", "class1-locals");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-plan-sources-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** A copy of the fixture (plan.json, main.tf, store/) plus `extra` files. */
function configuration(extra: Record<string, string>): string {
  const dir = path.join(work, `case-${++counter}`);
  fs.cpSync(fixture, dir, { recursive: true });
  fs.rmSync(path.join(dir, "plan-after-apply.json"));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function trailUnresolved(document: NormalizedDocument): unknown {
  return document.resources.aws_cloudtrail[0].unresolved;
}

test("an override file's local replaces the primary one, as Terraform merges it", () => {
  const dir = configuration({ "override.tf": 'locals {\n  region = "us-east-1"\n}\n' });
  const plan = path.join(dir, "plan.json");
  const [document] = loadDocuments(plan, { planSources: planSourcesFor(plan) });
  expect(document.input.providers[0]).toMatchObject({ address: "provider.aws", region: "us-east-1" });
});

test("a local defined twice is refused with --config and not used when found beside the plan", () => {
  // JSON.parse-style reading kept whichever came last; Terraform refuses the configuration.
  const dir = configuration({ "extra.tf.json": JSON.stringify({ locals: { region: "eu-west-1" } }) });
  const plan = path.join(dir, "plan.json");
  expect(() => planSourcesFor(plan, dir)).toThrow(/main.tf: local value "region" is defined more than once \(also in .*extra.tf.json\)/);
  const [document] = loadDocuments(plan, { planSources: planSourcesFor(plan) });
  expect(document.input.providers[0]).toMatchObject({ region: null, unresolved: { region: ["local.region"] } });
  expect(trailUnresolved(document.input)).toEqual({ kms_key_id: ["local.key_arn"], s3_bucket_name: ["local.trail_bucket"] });
});

test("a repeated key in a .tf.json is read as Terraform reads it, not as JSON.parse keeps it", () => {
  // Two "locals" keys: JSON.parse kept only the second; both count.
  const dir = configuration({ "extra.tf.json": '{"locals": {"extra_a": "a"}, "locals": {"extra_b": "b"}}' });
  const sources = planSourcesFor(path.join(dir, "plan.json"), dir);
  expect([...(sources?.modules.get("")?.config.locals.keys() ?? [])]).toEqual(expect.arrayContaining(["extra_a", "extra_b", "region"]));
  expect(sources?.modules.get("store")?.config.locals.has("bucket_id")).toBe(true);
});

test("only regular files are read: a FIFO is refused with --config, never waited on", () => {
  const dir = configuration({});
  execFileSync("mkfifo", [path.join(dir, "pipe.tf.json")]);
  expect(() => planSourcesFor(path.join(dir, "plan.json"), dir)).toThrow(/pipe.tf.json is a FIFO; only regular files are read/);
});

test("the sources count toward the input limit; sources given up beside a plan give their bytes back", () => {
  const dir = configuration({});
  const plan = path.join(dir, "plan.json");
  expect(() => planSourcesFor(plan, dir, new InputBudget(1024))).toThrow(/main.tf: the input is larger than the limit of 0.001 MiB/);
  // The folder cannot be read whole (a FIFO after main.tf): without its bytes back, the plan would not fit.
  execFileSync("mkfifo", [path.join(dir, "z.tf.json")]);
  const budget = new InputBudget(fs.statSync(plan).size);
  const planSources = planSourcesFor(plan, undefined, budget);
  expect(planSources).toBeUndefined();
  const [document] = loadDocuments(plan, { budget, planSources });
  expect(trailUnresolved(document.input)).toEqual({ kms_key_id: ["local.key_arn"], s3_bucket_name: ["local.trail_bucket"] });
});
