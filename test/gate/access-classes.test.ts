/**
 * Issue 17's classes on real Terraform: policies that read well statement by statement
 * and do the wrong thing (test/gate/plan-fixtures/access-faults/main.tf, planned against
 * moto by generate.js). The same configuration is judged as a first plan, as the plan
 * after apply (every ARN known) and as a module folder; each class is found in each.
 * The synthesized form of each class is in test/gate-stacks.test.ts.
 */
import * as path from "path";
import { loadDocuments } from "../../terraform";
import { planSourcesFor } from "../../terraform/plan-sources";
import { NormalizedDocument } from "../../terraform/types";
import { loadPolicyBundle, PolicyBundle, Violation } from "../../gate/policy";
import { EvaluatedCase, expectOpaEvalAgrees } from "../helpers/opa-differential";

const CASE = path.join(__dirname, "plan-fixtures", "access-faults");
let bundle: PolicyBundle;
const evaluated: EvaluatedCase[] = [];

beforeAll(() => {
  bundle = loadPolicyBundle();
});

async function load(input: string): Promise<NormalizedDocument> {
  const file = path.join(CASE, input);
  const planSources = input.endsWith(".json") ? await planSourcesFor(file) : undefined;
  return loadDocuments(file, { planSources })[0].input;
}

function judge(name: string, document: NormalizedDocument): Violation[] {
  const found = bundle.evaluate(document);
  evaluated.push({ name, input: bundle.policyInput(document), wasm: found });
  return found;
}

const only = (found: Violation[], id: string) => found.filter((v) => v.id === id).map((v) => `${v.resource}: ${v.message}`);

describe.each(["plan.json", "plan-after-apply.json", "."])("%s", (input) => {
  let found: Violation[];
  beforeAll(async () => {
    found = judge(input, await load(input));
  });

  test("the write grant naming another trail: CloudTrail cannot deliver (TG-LP-010)", () => {
    expect(only(found, "TG-LP-010")).toEqual([
      "aws_s3_bucket.logs: may CloudTrail (for trail aws_cloudtrail.org) call s3:PutObject with bucket-owner-full-control on aws_s3_bucket.logs/AWSLogs/123456789012/*?: no statement allows it; the control cannot work until a statement allows it",
    ]);
  });

  test("the TLS deny naming another bucket: plain HTTP is not denied on the log bucket (TG-ENC-006)", () => {
    const logBucket = only(found, "TG-ENC-006").filter((f) => f.startsWith("aws_s3_bucket.logs:"));
    expect(logBucket).toHaveLength(1);
    expect(logBucket[0]).toContain("is s3:DeleteObject, s3:GetObject, s3:ListBucket and 2 more without TLS (aws:SecureTransport false) denied on bucket aws_s3_bucket.logs?: no statement denies it");
  });

  test("the directly onboarded reader: nothing denies reads around the access points (TG-LP-016)", () => {
    expect(only(found, "TG-LP-016")).toEqual([
      "aws_s3_bucket.logs: is a role of the bucket's own account (arn:aws:iam::123456789012:role/direct-reader, not a declared break-glass reader) denied s3:GetObject, s3:GetObjectVersion, s3:ListBucket on log bucket aws_s3_bucket.logs when it does not come through an access point?: no statement denies it, so an identity policy of the account can allow it; add or fix the Deny statement so it covers this request",
    ]);
  });

  test("nothing is left unanswerable: every value the questions need is known", () => {
    expect(only(found, "TG-VER-004")).toEqual([]);
  });
});

test("the WASM bundle and opa eval on the Rego sources agree on these inputs", () => {
  expect(evaluated.length).toBe(3);
  expectOpaEvalAgrees(evaluated);
});
