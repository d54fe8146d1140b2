/**
 * AWS provider 6 (the major @cdktn/provider-aws 23-25 binds: hashicorp/aws 6.40-6.66)
 * gives every regional resource a `region` argument; a plan records it in the
 * configuration's expressions when set, and in planned values always (computed from
 * the provider when unset). A hand-made provider-6 plan (fixtures/provider6/plan.json):
 * a set region is the resource's own, a computed one follows its provider, an unknown
 * one is unknown, and TG-RES-002 judges each.
 */
import * as path from "path";
import { loadDocuments } from "../../terraform";
import { runGate } from "../../gate/run";
import { resource } from "../helpers/documents";

const plan = path.join(__dirname, "fixtures", "provider6", "plan.json");
const [document] = loadDocuments(plan);

test("a region the configuration sets is the resource's own: constant, from a variable, in a child module", () => {
  expect(resource(document.input, "aws_sns_topic.own").region).toBe("eu-west-1");
  expect(resource(document.input, "aws_sns_topic.from_var").region).toBe("eu-west-1");
  expect(resource(document.input, "module.replica.aws_sqs_queue.q").region).toBe("us-east-1");
  expect(resource(document.input, "aws_sns_topic.allowed").region).toBe("eu-west-2");
});

test("a region the provider computes (not in the configuration) is the provider's", () => {
  expect(document.input.providers).toEqual([{ address: "provider.aws", name: "aws", alias: "", region: "eu-west-2" }]);
  expect(resource(document.input, "aws_sns_topic.inherited")).toMatchObject({ provider: "provider.aws", region: "eu-west-2" });
});

test("a region set to a value the plan does not know is unknown (null), never the provider's", () => {
  expect(resource(document.input, "aws_sns_topic.unknown").region).toBeNull();
});

test("TG-RES-002 flags exactly the resources whose own region is outside the allowed ones or unknown", () => {
  const run = runGate({ path: plan, only: ["TG-RES-002"] });
  const flagged = run.documents[0].findings.map((finding) => finding.resource).sort();
  expect(flagged).toEqual(["aws_sns_topic.from_var", "aws_sns_topic.own", "aws_sns_topic.unknown", "module.replica.aws_sqs_queue.q"]);
  const unknown = run.documents[0].findings.find((finding) => finding.resource === "aws_sns_topic.unknown");
  expect(unknown?.message).toContain("region unknown (not statically set)");
});
