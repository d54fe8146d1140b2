import * as fs from "fs";
import * as path from "path";
import { GateInputError } from "../../core/errors";
import { loadDocuments } from "../../terraform";
import { parsePolicyDocument } from "../../terraform/policy-document";
import { normalizeTerraformJson } from "../../terraform/terraform-json";
import { JsonObject } from "../../terraform/types";
import { resource } from "../helpers/documents";

const fixtures = path.join(__dirname, "fixtures");


/** The line a key first appears on, found independently of the normaliser's scanner. */
function lineOf(file: string, key: string): number {
  return fs.readFileSync(file, "utf8").split("\n").findIndex((line) => line.includes(`"${key}"`)) + 1;
}

describe("synthesized cdk.tf.json", () => {
  const file = path.join(fixtures, "synth", "cdk.tf.json");
  const [document] = loadDocuments(file);
  const input = document.input;

  test("is format synth and resolves provider regions, the default one through its variable's default", () => {
    expect(input.format).toBe("synth");
    expect(input.providers).toEqual([
      { address: "provider.aws", name: "aws", alias: "", region: "eu-west-2" },
      { address: "provider.aws.log_archive", name: "aws", alias: "log_archive", region: "eu-west-2" },
    ]);
  });

  test("leaves data sources out and groups resources by type", () => {
    expect(Object.keys(input.resources).sort()).toEqual([
      "aws_cloudtrail",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_kms_key",
      "aws_s3_bucket",
      "aws_s3_bucket_policy",
      "aws_sns_topic",
    ]);
  });

  test("links interpolations and literal bucket names through refs, dropping meta-arguments from values", () => {
    const trail = resource(input, "aws_cloudtrail.org_trail_1A2B");
    expect(trail.refs).toEqual({
      s3_bucket_name: ["aws_s3_bucket.logs_5E6F"],
      kms_key_id: ["aws_kms_key.logs_key_3C4D"],
    });
    expect(trail.values).not.toHaveProperty("depends_on");
    expect(trail.provider).toBe("provider.aws");
    const policy = resource(input, "aws_s3_bucket_policy.logs_policy_7A8B");
    expect(policy.refs).toEqual({ bucket: ["aws_s3_bucket.logs_5E6F"], policy: ["aws_s3_bucket.logs_5E6F"] });
    expect(policy.provider).toBe("provider.aws.log_archive");
    expect(policy.values).not.toHaveProperty("provider");
  });

  test("parses literal JSON policies into the normalised document shape", () => {
    expect(resource(input, "aws_iam_role.reader_9C0D").policies.assume_role_policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["sts:AssumeRole"],
          Condition: { StringEquals: { "aws:PrincipalOrgID": ["o-abc"] } },
        },
      ],
    });
    expect(resource(input, "aws_s3_bucket_policy.logs_policy_7A8B").policies.policy.Statement[0]).toEqual({
      Sid: "DenyInsecure",
      Effect: "Deny",
      Principal: { AWS: ["*"] },
      Action: ["s3:*"],
      Resource: ["${aws_s3_bucket.logs_5E6F.arn}", "${aws_s3_bucket.logs_5E6F.arn}/*"],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    });
  });

  test("reads a policy given as a data.aws_iam_policy_document's json as the document it renders", () => {
    const rolePolicy = resource(input, "aws_iam_role_policy.reader_policy_1E2F");
    expect(rolePolicy.values.policy).toBeUndefined();
    expect(rolePolicy.policies).toEqual({
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }] },
    });
    expect(rolePolicy.refs).toEqual({ role: ["aws_iam_role.reader_9C0D"] });
    expect(rolePolicy.unresolved).toBeUndefined();
  });

  test("lists the literal ARNs of values and parsed policies once each, sorted, for TG-RES-002", () => {
    const policy = {
      Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:111122223333:alerts" }],
    };
    const { resources } = normalizeTerraformJson("module", [
      {
        file: "main.tf.json",
        json: {
          resource: {
            aws_sns_topic: {
              alerts: {
                policy: JSON.stringify(policy),
                delivery: [{ target: "arn:aws:sqs:us-east-1:111122223333:q", again: "arn:aws:sqs:us-east-1:111122223333:q" }],
                kms_master_key_id: "${aws_kms_key.k.arn}",
                mapping: { "arn:aws:iam::111122223333:root": "a key, not a value" },
                tags: { owner: "arn:aws:iam::111122223333:role/left-out-with-tags" },
              },
            },
          },
        },
      },
    ]);
    expect(resources.aws_sns_topic[0].arns).toEqual([
      "arn:aws:sns:eu-west-1:111122223333:alerts",
      "arn:aws:sqs:us-east-1:111122223333:q",
    ]);
  });

  test("uses a resource's own region argument before its provider's", () => {
    expect(resource(input, "aws_sns_topic.alerts_3A4B").region).toBe("eu-west-1");
    expect(resource(input, "aws_kms_key.logs_key_3C4D").region).toBe("eu-west-2");
  });

  test("records the line of each resource key and the provider block for SARIF", () => {
    expect(document.locations.get("aws_s3_bucket.logs_5E6F")).toEqual({ file, line: lineOf(file, "logs_5E6F") });
    expect(document.locations.get("aws_sns_topic.alerts_3A4B")).toEqual({ file, line: lineOf(file, "alerts_3A4B") });
    expect(document.locations.get("provider.aws.log_archive")).toEqual({ file, line: lineOf(file, "aws") });
  });

  test("a stack with no provider block gets the default provider with region null", () => {
    const bare = normalizeTerraformJson("synth", [
      { file: "cdk.tf.json", json: { resource: { aws_s3_bucket: { b: { bucket: "x" } } } } },
    ]);
    expect(bare.providers).toEqual([{ address: "provider.aws", name: "aws", alias: "", region: null }]);
    expect(bare.resources.aws_s3_bucket[0].region).toBeNull();
  });
});

describe("cdktf.out directory", () => {
  test("gives one synth document per stacks/*/cdk.tf.json, named after the stack", () => {
    const documents = loadDocuments(path.join(fixtures, "cdktf.out"));
    expect(documents.map((document) => [document.name, document.input.format])).toEqual([
      ["alpha", "synth"],
      ["beta", "synth"],
    ]);
    expect(documents[1].input.providers[0].region).toBe("us-east-1");
    expect(Object.keys(documents[0].input.resources)).toEqual(["aws_kms_key"]);
  });

  test("a single stack's folder (holding only cdk.tf.json) is a synth document too", () => {
    const [document] = loadDocuments(path.join(fixtures, "cdktf.out", "stacks", "beta"));
    expect(document.input.format).toBe("synth");
    expect(Object.keys(document.input.resources)).toEqual(["aws_sns_topic"]);
  });
});

describe("folder of *.tf.json (module)", () => {
  const dir = path.join(fixtures, "module");
  const [document] = loadDocuments(dir);

  test("merges the files; a provider region from a variable without default is null", () => {
    expect(document.input.format).toBe("module");
    expect(document.input.providers).toEqual([{ address: "provider.aws", name: "aws", alias: "", region: null }]);
    expect(document.input.resources.aws_s3_bucket.map((bucket) => bucket.region)).toEqual([null, null]);
  });

  test("links literal bucket and target_bucket names to the buckets with those names", () => {
    expect(resource(document.input, "aws_s3_bucket_logging.logs").refs).toEqual({
      bucket: ["aws_s3_bucket.logs"],
      target_bucket: ["aws_s3_bucket.access_logs"],
    });
  });

  test("locates resources in the file that declares them", () => {
    const main = path.join(dir, "main.tf.json");
    expect(document.locations.get("aws_s3_bucket_logging.logs")).toEqual({ file: main, line: lineOf(main, "aws_s3_bucket_logging") + 1 });
  });

  test("rejects a resource declared in two files", () => {
    const json = { resource: { aws_s3_bucket: { b: {} } } };
    expect(() =>
      normalizeTerraformJson("module", [
        { file: "a.tf.json", json },
        { file: "b.tf.json", json },
      ]),
    ).toThrow(GateInputError);
    expect(() =>
      normalizeTerraformJson("module", [
        { file: "a.tf.json", json },
        { file: "b.tf.json", json },
      ]),
    ).toThrow("b.tf.json: resource aws_s3_bucket.b is declared more than once (also in a.tf.json)");
  });
});

describe("terraform show -json plan", () => {
  const [document] = loadDocuments(path.join(fixtures, "plan.json"));
  const input = document.input;

  test("is format plan; provider regions come from constants or the plan's variable values", () => {
    expect(input.format).toBe("plan");
    expect(input.providers).toEqual([
      { address: "provider.aws", name: "aws", alias: "", region: "eu-west-2" },
      { address: "provider.aws.dr", name: "aws", alias: "dr", region: "eu-west-1" },
    ]);
  });

  test("walks child modules, keeps instance addresses and leaves data sources out", () => {
    const addresses = Object.values(input.resources).flatMap((list) => list.map((r) => r.address)).sort();
    expect(addresses).toEqual([
      "aws_kms_key.k",
      "aws_s3_bucket.logs[0]",
      "aws_s3_bucket.logs[1]",
      "aws_s3_bucket_policy.p",
      "aws_s3_bucket_server_side_encryption_configuration.logs",
      "module.archive.aws_s3_bucket_versioning.v",
    ]);
  });

  test("refs come from configuration references, stripped to the most specific instance", () => {
    expect(resource(input, "aws_s3_bucket_policy.p").refs).toEqual({ bucket: ["aws_s3_bucket.logs[1]"] });
    expect(resource(input, "aws_s3_bucket_server_side_encryption_configuration.logs").refs).toEqual({
      bucket: ["aws_s3_bucket.logs[0]"],
      rule: ["aws_kms_key.k"],
    });
    expect(resource(input, "aws_s3_bucket.logs[0]").refs).toEqual({});
  });

  test("a module variable's refs resolve through the module call's argument", () => {
    expect(resource(input, "module.archive.aws_s3_bucket_versioning.v").refs).toEqual({ bucket: ["aws_s3_bucket.logs[0]"] });
  });

  test("unknown values the configuration sets become the first reference (top level) or ${computed}", () => {
    const policy = resource(input, "aws_s3_bucket_policy.p");
    expect(policy.values.bucket).toBe("${aws_s3_bucket.logs[1].id}");
    expect(policy.values.policy).toBe("${data.aws_iam_policy_document.deny.json}");
    expect(policy.policies).toEqual({});
    // Computed by the provider, not set by the configuration (the key's arn, id and
    // policy): absent, as in synthesized JSON, so no rule mistakes them for settings.
    const key = resource(input, "aws_kms_key.k").values;
    expect(["arn", "id", "policy"].filter((attribute) => attribute in key)).toEqual([]);
    expect(key.enable_key_rotation).toBe(true);
    expect(resource(input, "aws_s3_bucket_server_side_encryption_configuration.logs").values.rule).toEqual([
      {
        apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms", kms_master_key_id: "${computed}" }],
        bucket_key_enabled: null,
      },
    ]);
  });

  test("resources take the region of the provider configuration they use", () => {
    expect(resource(input, "aws_s3_bucket_policy.p")).toMatchObject({ provider: "provider.aws.dr", region: "eu-west-1" });
    expect(resource(input, "module.archive.aws_s3_bucket_versioning.v")).toMatchObject({
      provider: "provider.aws",
      region: "eu-west-2",
    });
  });
});

describe("policy documents", () => {
  test("normalises singular statements, principals, actions and condition values", () => {
    const document = parsePolicyDocument(
      JSON.stringify({
        Statement: {
          Effect: "Allow",
          NotPrincipal: { Service: "cloudtrail.amazonaws.com" },
          NotAction: "s3:DeleteObject",
          NotResource: "arn:aws:s3:::b/*",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      }),
    );
    expect(document).toEqual({
      Statement: [
        {
          Effect: "Allow",
          NotPrincipal: { Service: ["cloudtrail.amazonaws.com"] },
          NotAction: ["s3:DeleteObject"],
          NotResource: ["arn:aws:s3:::b/*"],
          Condition: { StringEquals: { "aws:SourceAccount": ["123456789012"] } },
        },
      ],
    });
  });

  test.each([
    ["an expression", "${data.aws_iam_policy_document.x.json}"],
    ["malformed JSON", '{"Statement": ['],
    ["an Action that is not a string", '{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}'],
    ["a non-string value", 42],
  ])("does not parse %s", (_, value) => {
    expect(parsePolicyDocument(value as string)).toBeUndefined();
  });
});

describe("scale", () => {
  // Speed at scale is measured by `npm run bench`, not asserted here.
  test("links refs correctly across 50,000 resources", () => {
    const buckets: JsonObject = {};
    const encryption: JsonObject = {};
    for (let i = 0; i < 25000; i++) {
      buckets[`b${i}`] = { bucket: `bucket-${i}` };
      encryption[`e${i}`] = { bucket: `\${aws_s3_bucket.b${i}.id}` };
    }
    const json: JsonObject = {
      provider: { aws: [{ region: "eu-west-2" }] },
      resource: { aws_s3_bucket: buckets, aws_s3_bucket_server_side_encryption_configuration: encryption },
    };
    const document = normalizeTerraformJson("synth", [{ file: "big.tf.json", json }]);
    const configurations = document.resources.aws_s3_bucket_server_side_encryption_configuration;
    expect(configurations).toHaveLength(25000);
    expect(configurations[0].refs).toEqual({ bucket: ["aws_s3_bucket.b0"] });
    expect(configurations[24999].refs).toEqual({ bucket: ["aws_s3_bucket.b24999"] });
  });
});
