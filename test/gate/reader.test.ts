/**
 * The reading layer reads Terraform JSON (and HCL) exactly as Terraform does:
 * issue 13 item 1 and issue 9 class 9. Each case here failed open (or read
 * differently from Terraform) before the reader existed.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GateInputError } from "../../core/errors";
import { loadDocuments } from "../../terraform";
import { InputBudget } from "../../terraform/input-file";
import { parseJson } from "../../terraform/json-reader";
import { planSourcesFor } from "../../terraform/plan-sources";
import { schemaResourceTypes } from "../../terraform/schema";
import { NormalizedDocument, PolicyDocument } from "../../terraform/types";
import { loadPolicyBundle, PolicyBundle } from "../../gate/policy";
import { resource } from "../helpers/documents";

let tmp: string;
let bundle: PolicyBundle;
let counter = 0;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-reader-"));
  bundle = loadPolicyBundle();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder holding the given files (objects are written as JSON, strings as they are). */
function folder(files: Record<string, unknown>): string {
  const dir = path.join(tmp, `case-${++counter}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

function read(dir: string, env: NodeJS.ProcessEnv = {}): NormalizedDocument {
  const documents = loadDocuments(dir, { env });
  expect(documents).toHaveLength(1);
  return documents[0].input;
}


function findings(document: NormalizedDocument, id: string): string[] {
  return bundle
    .evaluate(document)
    .filter((violation) => violation.id === id)
    .map((violation) => violation.resource);
}

const provider = { aws: { region: "eu-west-2" } };

describe("JSON syntax as Terraform reads it", () => {
  test("a repeated \"resource\" key adds its resources (JSON.parse kept only the last copy)", () => {
    const text = `{"provider": {"aws": {"region": "eu-west-2"}},
      "resource": {"aws_s3_bucket": {"public": {"bucket": "public-bucket"}}},
      "resource": {"aws_s3_bucket": {"logs": {"bucket": "logs-bucket"}}}}`;
    const document = read(folder({ "main.tf.json": text }));
    expect(document.resources.aws_s3_bucket.map((r) => r.address).sort()).toEqual(["aws_s3_bucket.logs", "aws_s3_bucket.public"]);
    // The hidden bucket is judged: no encryption, no public access block.
    expect(findings(document, "TG-ENC-001")).toContain("aws_s3_bucket.public");
    expect(findings(document, "TG-LP-007")).toContain("aws_s3_bucket.public");
  });

  test("keys after a repeated key are kept (fuzz regression: a trail after a repeated type key was lost)", () => {
    const text = `{"resource": {"aws_s3_bucket": {"a": {"bucket": "a"}}, "aws_s3_bucket": {"b": {"bucket": "b"}},
      "aws_cloudtrail": {"t": {"name": "t", "s3_bucket_name": "a"}}}}`;
    const document = read(folder({ "main.tf.json": text }));
    expect(document.resources.aws_cloudtrail.map((r) => r.address)).toEqual(["aws_cloudtrail.t"]);
    expect(findings(document, "TG-LOG-008")).toEqual([]);
  });

  test("a repeated resource type key adds its resources too", () => {
    const text = `{"resource": {"aws_s3_bucket": {"a": {"bucket": "a"}}, "aws_s3_bucket": {"b": {"bucket": "b"}}}}`;
    expect(read(folder({ "main.tf.json": text })).resources.aws_s3_bucket).toHaveLength(2);
  });

  test("array forms of blocks and labels are read", () => {
    const json = {
      provider: [{ aws: { region: "eu-west-2" } }],
      resource: [
        { aws_s3_bucket: [{ a: { bucket: "a" } }, { b: [{ bucket: "b" }] }] },
        { aws_cloudwatch_log_group: { g: { name: "g", retention_in_days: 30 } } },
      ],
    };
    const document = read(folder({ "main.tf.json": json }));
    expect(document.resources.aws_s3_bucket.map((r) => r.address).sort()).toEqual(["aws_s3_bucket.a", "aws_s3_bucket.b"]);
    expect(document.providers[0].region).toBe("eu-west-2");
    expect(findings(document, "TG-RET-004")).toEqual(["aws_cloudwatch_log_group.g"]);
  });

  test("a repeated nested block key adds blocks; a repeated argument is refused", () => {
    const lifecycle = `{"resource": {"aws_s3_bucket_lifecycle_configuration": {"l": {"bucket": "b",
      "rule": {"id": "a", "status": "Enabled", "expiration": {"days": 30}},
      "rule": {"id": "b", "status": "Enabled"}}}}}`;
    const rules = resource(read(folder({ "main.tf.json": lifecycle })), "aws_s3_bucket_lifecycle_configuration.l").values.rule;
    expect(rules).toEqual([
      { id: "a", status: "Enabled", expiration: { days: 30 } },
      { id: "b", status: "Enabled" },
    ]);
    const twice = `{"resource": {"aws_cloudwatch_log_group": {"g": {"retention_in_days": 30, "retention_in_days": 365}}}}`;
    expect(() => read(folder({ "main.tf.json": twice }))).toThrow(/the argument "retention_in_days" is set more than once/);
  });

  test("two bodies for one resource address are refused, as Terraform refuses a duplicate resource", () => {
    const json = { resource: { aws_s3_bucket: { b: [{ bucket: "x" }, { bucket: "y" }] } } };
    expect(() => read(folder({ "main.tf.json": json }))).toThrow(/resource aws_s3_bucket.b is declared more than once/);
  });

  test.each([
    ['{"resource": "aws_s3_bucket"}', /must be a JSON object or an array of objects/],
    ['{"resource": {"aws_s3_bucket": {"b": "x"}}}', /the body of resource.aws_s3_bucket.b must be a JSON object/],
    ['{"resource": {}}', /labels of resource are missing/],
    ['{"resources": {}}', /not a cdktf cdk.tf.json|"resources" is not a Terraform block type/],
    ['[{"resource": {"aws_s3_bucket": {"b": {}}}}, 1]', /not a cdktf cdk.tf.json|must be a JSON object/],
  ])("malformed Terraform JSON %s is refused", (text, reason) => {
    expect(() => read(folder({ "main.tf.json": text }))).toThrow(reason);
  });

  test("a number beyond the double range, a lone surrogate and deep nesting are handled without losing or crashing", () => {
    expect(() => parseJson('{"a": 1e400}', "x")).toThrow(/number out of range/);
    expect(parseJson('{"a": "\\ud800"}', "x")).toEqual({ a: "\ufffd" });
    const deep = `{"resource": {"aws_s3_bucket": {"b": {"tags": ${"[".repeat(100000)}${"]".repeat(100000)}}}}}`;
    expect(() => read(folder({ "main.tf.json": deep }))).toThrow(/nesting deeper than 500 levels/);
  });

  test("a key named __proto__ is an ordinary key", () => {
    const json = parseJson('{"__proto__": {"polluted": true}}', "x") as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("values converted as Terraform converts them", () => {
  const logGroup = (retention: unknown, extra: Record<string, unknown> = {}) => ({
    provider,
    ...extra,
    resource: { aws_cloudwatch_log_group: { g: { name: "g", retention_in_days: retention } } },
  });
  const retention = (dir: string, env: NodeJS.ProcessEnv = {}) => resource(read(dir, env), "aws_cloudwatch_log_group.g").values.retention_in_days;

  test.each([
    ["30", 30],
    ["3e1", 30],
    ["${30}", 30],
    ["${\"30\"}", 30],
    [30, 30],
  ])("retention_in_days %j is the number %j, and fails TG-RET-004", (written, expected) => {
    const dir = folder({ "main.tf.json": logGroup(written) });
    expect(retention(dir)).toBe(expected);
    expect(findings(read(dir), "TG-RET-004")).toEqual(["aws_cloudwatch_log_group.g"]);
  });

  test("\"${var.x}\" takes the default, then terraform.tfvars.json, then *.auto.tfvars in name order, then TF_VAR_ is below files", () => {
    const variable = { variable: { days: { type: "number", default: 30 } } };
    expect(retention(folder({ "main.tf.json": logGroup("${var.days}", variable) }))).toBe(30);
    const withTfvars = folder({
      "main.tf.json": logGroup("${var.days}", variable),
      "terraform.tfvars.json": { days: "400" },
    });
    expect(retention(withTfvars)).toBe(400);
    const withAuto = folder({
      "main.tf.json": logGroup("${var.days}", variable),
      "terraform.tfvars.json": { days: 400 },
      "a.auto.tfvars.json": { days: 500 },
      "b.auto.tfvars": "days = 20\n",
    });
    expect(retention(withAuto)).toBe(20);
    expect(findings(read(withAuto), "TG-RET-004")).toEqual(["aws_cloudwatch_log_group.g"]);
    expect(retention(folder({ "main.tf.json": logGroup("${var.days}", variable) }), { TF_VAR_days: "7" })).toBe(7);
    expect(retention(withTfvars, { TF_VAR_days: "7" })).toBe(400);
  });

  test("locals and text around interpolations are evaluated; what is not known stays a \"${\" string", () => {
    const json = {
      provider,
      variable: { env: { default: "prod" } },
      locals: { prefix: "audit-${var.env}" },
      resource: {
        aws_cloudwatch_log_group: {
          g: { name: "${local.prefix}-trail", retention_in_days: "${var.env == \"prod\" ? 30 : 365}" },
          h: { name: "h", retention_in_days: "${max(length(var.env), 3) > 3 ? 30 : 365}" },
        },
      },
    };
    const document = read(folder({ "main.tf.json": json }));
    const values = resource(document, "aws_cloudwatch_log_group.g").values;
    expect(values.name).toBe("audit-prod-trail");
    // Operators and conditionals over known values are evaluated as Terraform does.
    expect(values.retention_in_days).toBe(30);
    // A function the reader does not evaluate (max) leaves the value unknown, as written.
    expect(resource(document, "aws_cloudwatch_log_group.h").values.retention_in_days).toBe("${max(length(var.env), 3) > 3 ? 30 : 365}");
  });

  test("a local holding a reference links the resource through it (refs)", () => {
    const json = {
      provider,
      locals: { logs: "${aws_s3_bucket.logs.id}" },
      resource: {
        aws_s3_bucket: { logs: { bucket: "logs" } },
        aws_cloudtrail: { t: { name: "t", s3_bucket_name: "${local.logs}" } },
      },
    };
    const trail = resource(read(folder({ "main.tf.json": json })), "aws_cloudtrail.t");
    expect(trail.values.s3_bucket_name).toBe("${aws_s3_bucket.logs.id}");
    expect(trail.refs.s3_bucket_name).toEqual(["aws_s3_bucket.logs"]);
  });

  test("\"false\" and \"0\" are false for a bool argument; a string that is not a bool is refused", () => {
    const trail = (value: unknown) => ({
      provider,
      resource: { aws_cloudtrail: { t: { name: "t", s3_bucket_name: "b", include_global_service_events: value } } },
    });
    const document = read(folder({ "main.tf.json": trail("false") }));
    expect(resource(document, "aws_cloudtrail.t").values.include_global_service_events).toBe(false);
    expect(findings(document, "TG-LOG-002")).toEqual(["aws_cloudtrail.t"]);
    expect(resource(read(folder({ "main.tf.json": trail("1") })), "aws_cloudtrail.t").values.include_global_service_events).toBe(true);
    expect(() => read(folder({ "main.tf.json": trail("yes") }))).toThrow(/include_global_service_events: a bool is required/);
  });

  test("a resource with count 0 or an empty for_each has no instances", () => {
    const json = {
      provider,
      variable: { enabled: { default: false } },
      resource: {
        aws_cloudtrail: {
          off: { count: "${var.enabled ? 1 : 0}", name: "off", s3_bucket_name: "b" },
          on: { count: "${!var.enabled ? 1 : 0}", name: "on", s3_bucket_name: "b" },
          unknown: { count: "${aws_s3_bucket.kept.bucket == \"z\" ? 1 : 0}", name: "unknown", s3_bucket_name: "b" },
        },
        aws_s3_bucket: { gone: { count: 0, bucket: "x" }, none: { for_each: {}, bucket: "y" }, kept: { count: "1", bucket: "z" } },
      },
    };
    const document = read(folder({ "main.tf.json": json }));
    expect(document.resources.aws_s3_bucket.map((r) => r.address)).toEqual(["aws_s3_bucket.kept"]);
    // A conditional count over a known variable is evaluated; one over a resource
    // attribute is not known before apply: that trail is kept (its rules still run).
    expect(document.resources.aws_cloudtrail.map((r) => r.address)).toEqual(["aws_cloudtrail.on", "aws_cloudtrail.unknown"]);
    // Kept, but said to be of unknown existence (INPUT.md "values"), so no rule counts it as present.
    expect(resource(document, "aws_cloudtrail.unknown").instances).toBe("unknown");
    expect(resource(document, "aws_cloudtrail.on").instances).toBeUndefined();
  });

  test("a module output `var.enabled ? aws_x.y[0].name : null` over a known condition links the chosen resource", () => {
    const trail = {
      variable: { enabled: { default: true } },
      resource: { aws_cloudwatch_log_group: { g: { count: "${var.enabled ? 1 : 0}", name: "trail-events" } } },
      output: { group: { value: "${var.enabled ? aws_cloudwatch_log_group.g[0].name : null}" } },
    };
    const alarms = {
      variable: { log_group: {} },
      resource: {
        aws_cloudwatch_log_metric_filter: {
          root: { name: "root", log_group_name: "${var.log_group}", pattern: "{ $.userIdentity.type = Root }", metric_transformation: { name: "Root", namespace: "CIS", value: "1" } },
        },
      },
    };
    const root = { provider, module: { trail: { source: "./trail" }, alarms: { source: "./alarms", log_group: "${module.trail.group}" } } };
    const document = read(folder({ "main.tf.json": root, "trail/main.tf.json": trail, "alarms/main.tf.json": alarms }));
    expect(resource(document, "module.alarms.aws_cloudwatch_log_metric_filter.root").refs.log_group_name).toEqual(["module.trail.aws_cloudwatch_log_group.g"]);
  });

  test("a dynamic block over a known empty collection adds no block; over one not known, the block type stays unknown", () => {
    const dir = folder({
      "main.tf": `provider "aws" {
  region = "eu-west-2"
}
variable "selectors" {
  default = []
}
variable "extra" {
  default = []
}
variable "unknown" {}
resource "aws_cloudtrail" "none" {
  name           = "none"
  s3_bucket_name = "b"
  dynamic "event_selector" {
    for_each = var.selectors
    content {
      read_write_type = event_selector.value
    }
  }
}
resource "aws_cloudtrail" "unknown" {
  name           = "unknown"
  s3_bucket_name = "b"
  dynamic "event_selector" {
    for_each = var.unknown
    content {
      read_write_type = event_selector.value
    }
  }
}
resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = data.aws_iam_policy_document.d.json
}
data "aws_iam_policy_document" "d" {
  statement {
    sid       = "Written"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::b"]
  }
  dynamic "statement" {
    for_each = toset(var.extra)
    content {
      actions = ["s3:GetObject"]
    }
  }
}
`,
    });
    const document = read(dir);
    expect(resource(document, "aws_cloudtrail.none").values.event_selector).toBeUndefined();
    expect(resource(document, "aws_cloudtrail.unknown").values.event_selector).toBe("${dynamic.event_selector}");
    const policy = resource(document, "aws_s3_bucket_policy.p");
    expect(policy.policies.policy.Statement.map((statement) => statement.Sid)).toEqual(["Written"]);
    expect(policy.unresolved).toBeUndefined();
  });

  test("for_each over toset(), tolist() or length() of a known collection is evaluated: empty means no instances, unknown stays unknown", () => {
    const subscription = (forEach: string) => ({ for_each: forEach, topic_arn: "${aws_sns_topic.alarms.arn}", protocol: "email", endpoint: "${each.value}" });
    const json = {
      provider,
      variable: { none: { default: [] }, some: { default: ["oncall@example.co.uk"] }, nomap: { default: {} } },
      resource: {
        aws_sns_topic: { alarms: { name: "alarms-critical" } },
        aws_sns_topic_subscription: {
          empty_set: subscription("${toset(var.none)}"),
          empty_literal: subscription("${toset([])}"),
          empty_map: subscription("${tomap(var.nomap)}"),
          counted: { count: "${length(var.none)}", topic_arn: "${aws_sns_topic.alarms.arn}", protocol: "email", endpoint: "x@example.co.uk" },
          present: subscription("${toset(var.some)}"),
          from_resource: subscription("${toset([aws_sns_topic.alarms.name])}"),
        },
      },
      module: { alerts: { source: "./alerts", subscribers: "${[aws_sns_topic.alarms.name]}" } },
    };
    const child = {
      variable: { subscribers: {} },
      resource: { aws_sns_topic_subscription: { each: { for_each: "${toset(var.subscribers)}", topic_arn: "arn:aws:sns:eu-west-2:111122223333:alarms-critical", protocol: "email", endpoint: "${each.value}" } } },
    };
    const document = read(folder({ "main.tf.json": json, "alerts/main.tf.json": child }));
    const subscriptions = Object.fromEntries(document.resources.aws_sns_topic_subscription.map((r) => [r.address, r.instances ?? "known"]));
    expect(subscriptions).toEqual({ "aws_sns_topic_subscription.present": "known", "aws_sns_topic_subscription.from_resource": "unknown", "module.alerts.aws_sns_topic_subscription.each": "unknown" });
  });
});

describe("module folders as Terraform loads them", () => {
  test("override files are merged: an argument replaces, a nested block type replaces every block of that type", () => {
    const dir = folder({
      "main.tf.json": {
        provider,
        resource: {
          aws_cloudwatch_log_group: { g: { name: "g", retention_in_days: 400 } },
          aws_s3_bucket_lifecycle_configuration: {
            l: { bucket: "b", rule: [{ id: "keep", status: "Enabled", expiration: { days: 3000 } }] },
          },
        },
      },
      "override.tf.json": { resource: { aws_cloudwatch_log_group: { g: { retention_in_days: 1 } } } },
      "z_override.tf": `resource "aws_s3_bucket_lifecycle_configuration" "l" {
  rule {
    id     = "short"
    status = "Enabled"
    expiration { days = 1 }
  }
}
`,
    });
    const document = read(dir);
    expect(resource(document, "aws_cloudwatch_log_group.g").values).toEqual({ name: "g", retention_in_days: 1 });
    expect(resource(document, "aws_s3_bucket_lifecycle_configuration.l").values.rule).toEqual([
      { id: "short", status: "Enabled", expiration: [{ days: 1 }] },
    ]);
  });

  test("an override of something no primary file declares is refused", () => {
    const dir = folder({
      "main.tf.json": { provider },
      "x_override.tf.json": { resource: { aws_s3_bucket: { b: { bucket: "b" } } } },
    });
    expect(() => read(dir)).toThrow(/override file has resource aws_s3_bucket.b, which no primary file declares/);
  });

  test(".tf files beside .tf.json files are read (a public bucket policy in evil.tf is judged)", () => {
    const dir = folder({
      "main.tf.json": { provider, resource: { aws_s3_bucket: { logs: { bucket: "logs" } } } },
      "evil.tf": `resource "aws_s3_bucket_policy" "open" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }] })
}
`,
    });
    const document = read(dir);
    expect(resource(document, "aws_s3_bucket_policy.open").refs.bucket).toEqual(["aws_s3_bucket.logs"]);
    // jsonencode(...) of literals is evaluated: the policy is read, and its public grant judged.
    expect(resource(document, "aws_s3_bucket_policy.open").policies.policy.Statement[0].Principal).toEqual({ AWS: ["*"] });
    expect(findings(document, "TG-LP-001")).toContain("aws_s3_bucket_policy.open");
    expect(findings(document, "TG-LP-008")).toEqual([]);
  });

  test("a symlinked .tf.json is read; a FIFO is refused without blocking; an ignored editor file is not read", () => {
    const target = path.join(tmp, "linked-target.json");
    fs.writeFileSync(target, JSON.stringify({ resource: { aws_s3_bucket: { linked: { bucket: "l" } } } }));
    const dir = folder({ "main.tf.json": { provider }, "main.tf.json~": "not read" });
    fs.symlinkSync(target, path.join(dir, "linked.tf.json"));
    expect(read(dir).resources.aws_s3_bucket.map((r) => r.address)).toEqual(["aws_s3_bucket.linked"]);
    execFileSync("mkfifo", [path.join(dir, "pipe.tf.json")]);
    expect(() => read(dir)).toThrow(/pipe.tf.json is a FIFO; only regular files are read/);
  });

  test("local module calls are read with their variables mapped and addresses prefixed", () => {
    const dir = folder({
      "main.tf.json": {
        provider,
        module: { logs: { source: "./modules/logs", retention: 30 } },
      },
      "modules/logs/main.tf.json": {
        variable: { retention: { type: "number" } },
        resource: { aws_cloudwatch_log_group: { g: { name: "g", retention_in_days: "${var.retention}" } } },
      },
    });
    const document = read(dir);
    const group = resource(document, "module.logs.aws_cloudwatch_log_group.g");
    expect(group.values.retention_in_days).toBe(30);
    expect(group.provider).toBe("provider.aws");
    expect(group.region).toBe("eu-west-2");
    expect(findings(document, "TG-RET-004")).toEqual(["module.logs.aws_cloudwatch_log_group.g"]);
  });

  test("a module that calls itself is refused instead of looping", () => {
    const dir = folder({ "main.tf.json": { module: { again: { source: "./" } } } });
    expect(() => read(dir)).toThrow(/module calls nest deeper than 16 levels/);
  });

  test("a repeated data block is refused, as Terraform refuses it", () => {
    const data = { aws_iam_policy_document: { d: { statement: [{ actions: ["s3:GetObject"], resources: ["*"] }] } } };
    const dir = folder({ "main.tf.json": { provider, data }, "more.tf.json": { data } });
    expect(() => read(dir)).toThrow(/more.tf.json: data aws_iam_policy_document.d is declared more than once \(also in .*main.tf.json\)/);
  });

  test("a .tf file that is not HCL is refused with the parser's reason", () => {
    const dir = folder({ "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n' });
    expect(() => read(dir)).toThrow(/main.tf is not valid HCL: .*\(Terraform refuses this configuration\)/);
  });

  test("a large .tf file is read whole (the converter's output was cut off past a pipe's worth)", () => {
    // 5,000 buckets, about 1 MB of HCL and 0.9 MB of JSON back from the converter.
    const blocks = Array.from({ length: 5000 }, (_, i) => `resource "aws_s3_bucket" "b${i}" {\n  bucket = "bucket-${i}-${"x".repeat(150)}"\n}\n`);
    const document = read(folder({ "main.tf": blocks.join("") }));
    expect(document.resources.aws_s3_bucket).toHaveLength(5000);
    expect(resource(document, "aws_s3_bucket.b4999").values.bucket).toBe(`bucket-4999-${"x".repeat(150)}`);
  });

  test("findings in .tf files point at their block, labels quoted or bare, in the module that declares them", () => {
    const dir = folder({
      "main.tf": `provider "aws" {\n  region = "eu-west-2"\n}\n\nmodule "logs" {\n  source = "./logs"\n}\n`,
      "logs/main.tf": `# a log group\nresource aws_cloudwatch_log_group "g" {\n  name = "g"\n}\n`,
    });
    const [document] = loadDocuments(dir);
    expect(document.locations.get("module.logs.aws_cloudwatch_log_group.g")).toEqual({ file: path.join(dir, "logs", "main.tf"), line: 2 });
    expect(document.locations.get("provider.aws")).toEqual({ file: path.join(dir, "main.tf"), line: 1 });
  });

  test("a broken cdktf.out (a stack folder without cdk.tf.json, a listed stack missing) is refused", () => {
    const dir = folder({
      "manifest.json": { stacks: { a: {}, b: {} } },
      "stacks/a/cdk.tf.json": { provider },
    });
    expect(() => loadDocuments(dir)).toThrow(/lists stack b, but .* is missing/);
    fs.mkdirSync(path.join(dir, "stacks", "b"));
    expect(() => loadDocuments(dir)).toThrow(/stack .*b has no cdk.tf.json/);
    fs.rmSync(path.join(dir, "stacks", "b"), { recursive: true });
    fs.symlinkSync(path.join(dir, "stacks", "loop"), path.join(dir, "stacks", "loop"));
    expect(() => loadDocuments(dir)).toThrow(GateInputError);
  });
});

describe("bounds", () => {
  test("an input over the limit is refused with the limit named", () => {
    const dir = folder({ "main.tf.json": { provider, resource: { aws_s3_bucket: { b: { bucket: "x".repeat(2048) } } } } });
    expect(() => loadDocuments(dir, { budget: new InputBudget(1024) })).toThrow(/larger than the limit of 0.001 MiB.*--max-input-mb/);
  });

  test("an input the heap cannot hold is refused with the reason, not a V8 abort", () => {
    const dir = folder({});
    // About 11 MiB of valid Terraform JSON (which aborted node with this heap), under a 112 MiB heap.
    const buckets = Object.fromEntries(Array.from({ length: 60000 }, (_, i) => [`b${i}`, { bucket: `bucket-${i}-${"x".repeat(160)}` }]));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { aws_s3_bucket: buckets } }));
    const loader = path.join(__dirname, "..", "..", "dist", "terraform");
    const run = spawnSync(process.execPath, ["--max-old-space-size=64", "-e", `require(${JSON.stringify(loader)}).loadDocuments(${JSON.stringify(dir)})`], {
      encoding: "utf8",
      timeout: 60000,
    });
    expect(run.signal).toBeNull();
    expect(run.stderr).toMatch(/MiB of input needs about \d+ MiB of memory, more than node's heap limit of \d+ MiB; raise it with NODE_OPTIONS=--max-old-space-size/);
  });

  test("a device is refused without reading it", () => {
    expect(() => loadDocuments("/dev/zero")).toThrow(/is a device; only regular files are read/);
  });

  test("a FIFO given as the input does not block", () => {
    const fifo = path.join(tmp, "input.fifo");
    execFileSync("mkfifo", [fifo]);
    const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(__dirname, "..", "..", "dist", "terraform"))}).loadDocuments(${JSON.stringify(fifo)})`], {
      timeout: 20000,
      encoding: "utf8",
    });
    expect(run.signal).toBeNull();
    expect(run.stderr).toContain("is a FIFO; only regular files are read");
  });

  test("bytes that are not UTF-8 are refused without being echoed", () => {
    const dir = folder({});
    fs.writeFileSync(path.join(dir, "main.tf.json"), Buffer.from([0x7b, 0xff, 0x00, 0x1b, 0x7d]));
    expect(() => read(dir)).toThrow(/main.tf.json is not UTF-8 text$/);
  });
});

describe("module outputs and variables across local modules", () => {
  const child = {
    "store/main.tf": `variable "log_bucket" {}
variable "days" {
  default = 400
}
resource "aws_s3_bucket" "b" {
  bucket = "store-own"
}
resource "aws_s3_bucket_versioning" "v" {
  bucket = var.log_bucket
  versioning_configuration {
    status = "Enabled"
  }
}
output "bucket_id" {
  value = aws_s3_bucket.b.id
}
output "whole" {
  value = aws_s3_bucket.b
}
output "retention" {
  value = var.days * 2
}
`,
  };

  test("an output naming the module's resource links to it; a literal output is its value; a variable links to the caller's resource, never to the module's own of the same name", () => {
    const dir = folder({
      ...child,
      "main.tf": `provider "aws" {
  region = "eu-west-2"
}
resource "aws_s3_bucket" "b" {
  bucket = "root-own"
}
module "store" {
  source     = "./store"
  log_bucket = aws_s3_bucket.b.id
}
resource "aws_s3_bucket_policy" "p" {
  bucket = module.store.bucket_id
  policy = "{}"
}
resource "aws_s3_bucket_public_access_block" "w" {
  bucket = module.store.whole.id
}
resource "aws_cloudwatch_log_group" "g" {
  name              = "g"
  retention_in_days = module.store.retention
}
`,
    });
    const document = read(dir);
    expect(resource(document, "aws_s3_bucket_policy.p").refs.bucket).toEqual(["module.store.aws_s3_bucket.b"]);
    expect(resource(document, "aws_s3_bucket_public_access_block.w").refs.bucket).toEqual(["module.store.aws_s3_bucket.b"]);
    expect(resource(document, "aws_cloudwatch_log_group.g").values.retention_in_days).toBe(800);
    // Inside the module, var.log_bucket is the caller's aws_s3_bucket.b, not the module's own.
    expect(resource(document, "module.store.aws_s3_bucket_versioning.v").refs.bucket).toEqual(["aws_s3_bucket.b"]);
  });

  test("the outputs of a module called with count are not followed: the link is reported as not followed (TG-VER-002)", () => {
    const dir = folder({
      ...child,
      "main.tf": `provider "aws" {
  region = "eu-west-2"
}
module "store" {
  source     = "./store"
  count      = 1
  log_bucket = "elsewhere"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = module.store[0].bucket_id
  policy = "{}"
}
`,
    });
    const document = read(dir);
    const policy = resource(document, "aws_s3_bucket_policy.p");
    expect(policy.refs.bucket).toBeUndefined();
    expect(findings(document, "TG-VER-002")).toContain("aws_s3_bucket_policy.p");
  });
});

describe("aws_iam_policy_document in a folder or a synthesized stack, rebuilt as in a plan", () => {
  const bucketAndPolicy = `provider "aws" {
  region = "eu-west-2"
}
variable "reader_account" {
  default = "123456789012"
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.bucket.json
}
`;
  const tlsDeny = `  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "\${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
`;
  const failing = (document: NormalizedDocument, address: string) =>
    bundle.evaluate(document).filter((v) => v.resource === address).map((v) => v.id).sort();

  test("policy = data.aws_iam_policy_document.x.json is judged as the document: the TLS deny counts, the account reader is seen", () => {
    const dir = folder({
      "main.tf": `${bucketAndPolicy}data "aws_iam_policy_document" "bucket" {
${tlsDeny}  statement {
    sid       = "AccountRead"
    actions   = ["s3:GetObject"]
    resources = ["\${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::\${var.reader_account}:root"]
    }
  }
}
`,
    });
    const document = read(dir);
    const policy = resource(document, "aws_s3_bucket_policy.logs");
    expect(policy.policies.policy.Statement.map((statement) => statement.Sid)).toEqual(["DenyInsecureTransport", "AccountRead"]);
    expect(policy.policies.policy.Statement[1].Principal).toEqual({ AWS: ["arn:aws:iam::123456789012:root"] });
    expect(policy.refs.policy).toEqual(["aws_s3_bucket.logs"]);
    expect(policy.unresolved).toBeUndefined();
    expect(failing(document, "aws_s3_bucket_policy.logs")).not.toContain("TG-LP-008");
    expect(failing(document, "aws_s3_bucket.logs")).not.toContain("TG-ENC-006");
  });

  test("source and override documents merge by Sid as the provider merges them; an override file replaces the statements", () => {
    const dir = folder({
      "main.tf": `${bucketAndPolicy}data "aws_iam_policy_document" "base" {
${tlsDeny}}
data "aws_iam_policy_document" "loosen" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "bucket" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.loosen.json]
}
`,
    });
    // The override replaced the deny with a public read: the gate must see the loosened policy.
    const merged = read(dir);
    expect(resource(merged, "aws_s3_bucket_policy.logs").policies.policy.Statement).toEqual([
      { Sid: "DenyInsecureTransport", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Principal: { AWS: ["*"] } },
    ]);
    expect(failing(merged, "aws_s3_bucket.logs")).toContain("TG-ENC-006");
    fs.writeFileSync(path.join(dir, "override.tf"), 'data "aws_iam_policy_document" "bucket" {\n  override_policy_documents = []\n}\n');
    const overridden = read(dir);
    expect(resource(overridden, "aws_s3_bucket_policy.logs").policies.policy.Statement.map((statement) => statement.Effect)).toEqual(["Deny"]);
    expect(failing(overridden, "aws_s3_bucket.logs")).not.toContain("TG-ENC-006");
  });

  test("the module forms one(…[*].json) and join(\"\", ….*.json) name the document; with count = 0 there is none", () => {
    const forms = ["one(data.aws_iam_policy_document.bucket[*].json)", 'join("", data.aws_iam_policy_document.bucket.*.json)'];
    for (const form of forms) {
      for (const count of [1, 0]) {
        const dir = folder({
          "main.tf": `${bucketAndPolicy.replace("data.aws_iam_policy_document.bucket.json", form)}data "aws_iam_policy_document" "bucket" {
  count = ${count}
${tlsDeny}}
`,
        });
        const policy = resource(read(dir), "aws_s3_bucket_policy.logs");
        if (count === 1) expect(policy.policies.policy.Statement[0].Sid).toBe("DenyInsecureTransport");
        else expect(policy.policies).toEqual({});
      }
    }
  });

  test("what cannot be known is a listed unknown part: dynamic statements, an unknown source", () => {
    const dir = folder({
      "main.tf": `${bucketAndPolicy}variable "extra" {
  type = list(string)
}
data "aws_iam_policy_document" "bucket" {
  source_policy_documents = var.extra
${tlsDeny}}
resource "aws_s3_bucket_policy" "dynamic" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.dynamic.json
}
data "aws_iam_policy_document" "dynamic" {
  statement {
    sid       = "Written"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.logs.arn]
  }
  dynamic "statement" {
    for_each = var.extra
    content {
      actions = ["s3:GetObject"]
    }
  }
}
`,
    });
    const document = read(dir);
    // The block's own statements are known; the statements var.extra brings are not, and the gate says which part.
    const partial = resource(document, "aws_s3_bucket_policy.logs");
    expect(partial.policies.policy.Statement.map((statement) => statement.Sid)).toEqual(["DenyInsecureTransport"]);
    expect(partial.unresolved).toEqual({ policy: ["data.aws_iam_policy_document.bucket.source_policy_documents"] });
    // A dynamic statement block: the written statements are read, the generated ones are an unknown part.
    const dynamic = resource(document, "aws_s3_bucket_policy.dynamic");
    expect(dynamic.policies.policy.Statement.map((statement) => statement.Sid)).toEqual(["Written"]);
    expect(dynamic.unresolved).toEqual({ policy: ["data.aws_iam_policy_document.dynamic.statement"] });
    expect(failing(document, "aws_s3_bucket_policy.dynamic")).toContain("TG-VER-002");
    expect(failing(document, "aws_s3_bucket_policy.dynamic")).not.toContain("TG-LP-008");
    // Either policy may hold the TLS deny in its unknown part: the bucket is not claimed to lack it.
    expect(failing(document, "aws_s3_bucket.logs")).not.toContain("TG-ENC-006");
  });

  test("a document that includes itself is refused, as Terraform refuses the cycle", () => {
    const dir = folder({
      "main.tf": `${bucketAndPolicy.replace(".bucket.json", ".loop.json")}data "aws_iam_policy_document" "loop" {
  source_policy_documents = [data.aws_iam_policy_document.loop.json]
}
`,
    });
    expect(() => read(dir)).toThrow(/main.tf: data.aws_iam_policy_document.loop includes itself .*Terraform refuses the cycle/);
  });

  test("on every plan fixture, the folder's documents are the plan's, but for values only the plan knows", () => {
    // The plan holds the provider's own rendering (or the plan reader's rebuild): the oracle.
    const fixtures = path.join(__dirname, "plan-fixtures");
    const documents = (document: NormalizedDocument) => {
      const found = new Map<string, { policy: PolicyDocument; partial: boolean }>();
      for (const list of Object.values(document.resources)) {
        for (const r of list) {
          for (const [argument, policy] of Object.entries(r.policies)) {
            found.set(`${r.address.replace(/\[[^\]]*\]/g, "")}.${argument}`, { policy, partial: !!r.unresolved?.[argument] });
          }
        }
      }
      return found;
    };
    // Equal, or the folder has an unknown ("${…}") where the plan has a value.
    const agrees = (folder: unknown, plan: unknown): boolean => {
      if (typeof folder === "string" && folder.includes("${")) return true;
      if (Array.isArray(folder) && Array.isArray(plan)) return folder.length === plan.length && folder.every((item, i) => agrees(item, plan[i]));
      if (folder && plan && typeof folder === "object" && typeof plan === "object") {
        const keys = new Set([...Object.keys(folder), ...Object.keys(plan)]);
        return [...keys].every((key) => agrees((folder as Record<string, unknown>)[key], (plan as Record<string, unknown>)[key]));
      }
      return folder === plan;
    };
    let compared = 0;
    for (const name of fs.readdirSync(fixtures).filter((entry) => fs.existsSync(path.join(fixtures, entry, "plan.json")))) {
      const dir = path.join(fixtures, name);
      const [plan] = loadDocuments(path.join(dir, "plan.json"), { planSources: planSourcesFor(path.join(dir, "plan.json")) });
      const copy = path.join(tmp, `fixture-${name}`);
      fs.cpSync(dir, copy, { recursive: true, filter: (source) => !source.endsWith(".json") });
      const fromPlan = documents(plan.input);
      for (const [key, folder] of documents(read(copy))) {
        const planned = fromPlan.get(key)?.policy;
        if (!planned) continue;
        // A document the folder knows only in part: each statement it reads is one of the plan's.
        const agreed = folder.partial
          ? folder.policy.Statement.every((statement) => planned.Statement.some((other) => agrees(statement, other)))
          : agrees(folder.policy, planned);
        expect({ key, agreed }).toEqual({ key, agreed: true });
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });

  test("a synthesized stack's DataAwsIamPolicyDocument is rebuilt the same way", () => {
    const dir = folder({
      "cdk.tf.json": {
        provider,
        resource: {
          aws_s3_bucket: { logs: { bucket: "logs" } },
          aws_s3_bucket_policy: { logs: { bucket: "${aws_s3_bucket.logs.id}", policy: "${data.aws_iam_policy_document.bucket.json}" } },
        },
        data: {
          aws_iam_policy_document: {
            bucket: {
              statement: [
                {
                  sid: "DenyInsecureTransport",
                  effect: "Deny",
                  actions: ["s3:*"],
                  resources: ["${aws_s3_bucket.logs.arn}", "${aws_s3_bucket.logs.arn}/*"],
                  principals: [{ type: "*", identifiers: ["*"] }],
                  condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
                },
              ],
            },
          },
        },
      },
    });
    const document = read(dir);
    expect(resource(document, "aws_s3_bucket_policy.logs").policies.policy.Statement[0].Condition).toEqual({ Bool: { "aws:SecureTransport": ["false"] } });
    expect(failing(document, "aws_s3_bucket.logs")).not.toContain("TG-ENC-006");
  });
});

describe("the schema table", () => {
  test("covers every resource type a rule names (else: bash scripts/gen-schema-types.sh)", () => {
    const policies = path.join(__dirname, "..", "..", "policies");
    const named = new Set<string>();
    const pending = [policies];
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) pending.push(file);
        else if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) {
          for (const match of fs.readFileSync(file, "utf8").matchAll(/"(aws_[a-z0-9_]*[a-z0-9])"/g)) named.add(match[1]);
        }
      }
    }
    expect(named.size).toBeGreaterThan(10);
    const covered = new Set(schemaResourceTypes());
    expect([...named].filter((type) => !covered.has(type))).toEqual([]);
  });
});
