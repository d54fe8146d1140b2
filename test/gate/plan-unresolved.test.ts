/**
 * The plan normaliser's `unresolved` lists and rebuilt documents on small plan
 * objects written for one case each (shapes as terraform 1.11.4 writes them; the
 * real plans are in plan-classes.test.ts).
 */
import { normalizePlan, PlanJson } from "../../terraform/plan";
import { JsonObject } from "../../terraform/types";
import { resource } from "../helpers/documents";


const DENY_TLS = {
  sid: "Tls",
  effect: "Deny",
  actions: ["s3:*"],
  resources: [null],
  principals: [{ type: "*", identifiers: ["*"] }],
  condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
};
const DENY_TLS_UNKNOWN = { resources: [true], actions: [false], principals: [{ identifiers: [false] }], condition: [{ values: [false] }] };

/** A bucket policy whose `policy` expression references `references`, with data sources deferred to apply. */
function plan(policyReferences: string[], data: Record<string, { after: JsonObject; unknown: JsonObject; expressions?: JsonObject }>): PlanJson {
  return {
    format_version: "1.2",
    variables: { region: { value: "eu-west-2" } },
    planned_values: {
      root_module: {
        resources: [
          { address: "aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", name: "b", values: { bucket: "b" } },
          { address: "aws_s3_bucket_policy.p", mode: "managed", type: "aws_s3_bucket_policy", name: "p", values: {} },
        ],
      },
    },
    resource_changes: [
      { address: "aws_s3_bucket_policy.p", mode: "managed", change: { after: {}, after_unknown: { bucket: true, policy: true } } },
      ...Object.entries(data).map(([address, { after, unknown }]) => ({
        address,
        mode: "data",
        change: { after, after_unknown: { json: true, ...unknown } },
      })),
    ],
    configuration: {
      provider_config: { aws: { name: "aws", expressions: { region: { references: ["var.region"] } } } },
      root_module: {
        resources: [
          { address: "aws_s3_bucket.b", mode: "managed", provider_config_key: "aws", expressions: { bucket: { constant_value: "b" } } },
          {
            address: "aws_s3_bucket_policy.p",
            mode: "managed",
            provider_config_key: "aws",
            expressions: { bucket: { references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"] }, policy: { references: policyReferences } },
          },
          ...Object.entries(data).map(([address, { expressions }]) => ({
            address,
            mode: "data",
            type: "aws_iam_policy_document",
            provider_config_key: "aws",
            expressions: expressions ?? { statement: [{ resources: { references: ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"] } }] },
          })),
        ],
      },
    },
  };
}

test("a document whose source documents cannot be known is kept partial and its unknown part is unresolved", () => {
  const document = normalizePlan(
    plan(["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"], {
      "data.aws_iam_policy_document.d": {
        after: { source_policy_documents: [null], statement: [DENY_TLS] },
        unknown: { source_policy_documents: [true], statement: [DENY_TLS_UNKNOWN] },
        expressions: {
          source_policy_documents: { references: ["var.extra"] },
          statement: [{ resources: { references: ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"] } }],
        },
      },
    }),
  );
  const policy = resource(document, "aws_s3_bucket_policy.p");
  expect(policy.policies.policy.Statement).toHaveLength(1);
  expect(policy.policies.policy.Statement[0]).toMatchObject({ Effect: "Deny", Resource: ["${aws_s3_bucket.b.arn}"] });
  expect(policy.unresolved).toEqual({
    policy: ["data.aws_iam_policy_document.d.source_policy_documents", "var.extra"],
  });
});

test("two documents that could each be the value (a conditional) are not guessed between", () => {
  const statement = { after: { statement: [DENY_TLS] }, unknown: { statement: [DENY_TLS_UNKNOWN] } };
  const document = normalizePlan(
    plan(
      ["var.strict", "data.aws_iam_policy_document.a.json", "data.aws_iam_policy_document.a", "data.aws_iam_policy_document.b.json", "data.aws_iam_policy_document.b"],
      { "data.aws_iam_policy_document.a": statement, "data.aws_iam_policy_document.b": statement },
    ),
  );
  const policy = resource(document, "aws_s3_bucket_policy.p");
  expect(policy.policies).toEqual({});
  expect(policy.unresolved).toEqual({ policy: ["data.aws_iam_policy_document.a", "data.aws_iam_policy_document.b", "var.strict"] });
});

test("a data source the plan does not have is unresolved, not silently unreadable", () => {
  const document = normalizePlan(plan(["data.aws_iam_policy_document.gone.json", "data.aws_iam_policy_document.gone"], {}));
  expect(resource(document, "aws_s3_bucket_policy.p").unresolved).toEqual({ policy: ["data.aws_iam_policy_document.gone"] });
});

test("without the configuration's files a local behind an unknown value is unresolved; a known value needs nothing", () => {
  const json = plan(["local.policy"], {});
  const document = normalizePlan(json);
  expect(resource(document, "aws_s3_bucket_policy.p").unresolved).toEqual({ policy: ["local.policy"] });
  expect(document.providers).toEqual([{ address: "provider.aws", name: "aws", alias: "", region: "eu-west-2" }]);
  // The same reference behind a value the plan knows is not listed.
  json.resource_changes![0].change!.after_unknown = { bucket: true };
  (json.planned_values!.root_module!.resources![1].values as Record<string, unknown>).policy = JSON.stringify({ Statement: [] });
  expect(resource(normalizePlan(json), "aws_s3_bucket_policy.p").unresolved).toBeUndefined();
});
