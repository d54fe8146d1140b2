/**
 * Issue 9, classes 1 and 2, on real plans: small configurations of our own
 * (test/gate/plan-fixtures/<case>/main.tf) planned with terraform 1.11.4 against
 * moto by test/gate/plan-fixtures/generate.js. `plan.json` is the first plan;
 * `plan-after-apply.json` the plan after apply, when every ARN is known.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadDocuments } from "../../terraform";
import { planSourcesFor } from "../../terraform/plan-sources";
import { NormalizedDocument } from "../../terraform/types";
import { loadPolicyBundle, PolicyBundle, Violation } from "../../gate/policy";
import { resource } from "../helpers/documents";

const fixtures = path.join(__dirname, "plan-fixtures");
let bundle: PolicyBundle;

beforeAll(() => {
  bundle = loadPolicyBundle();
});

/** The plan as `trailgate check` reads it: with the configuration beside it when `withSources`. */
async function load(relative: string, withSources = true): Promise<NormalizedDocument> {
  let file = path.join(fixtures, relative);
  if (!withSources) {
    // The same plan file alone in a folder: nothing to read locals from.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-plan-"));
    fs.copyFileSync(file, path.join(dir, "plan.json"));
    file = path.join(dir, "plan.json");
  }
  const planSources = await planSourcesFor(file);
  if (withSources) expect(planSources).toBeDefined();
  return loadDocuments(file, { planSources })[0].input;
}


/**
 * Access questions (TG-LP-010..016, TG-ENC-006) whose answer needs an ARN Terraform knows
 * only after apply are TG-VER-004 at the first plan, and answered in the plan after
 * apply: the first plan's findings are the later ones plus those.
 */
const beforeApplyOnly = (found: string[]) => found.filter((finding) => !finding.startsWith("TG-VER-004"));

const findingsOf = (found: string[], id: string) => found.filter((finding) => finding.startsWith(`${id} `));

function findings(document: NormalizedDocument): string[] {
  return bundle
    .evaluate(document)
    .map((violation: Violation) => `${violation.id} ${violation.resource}`)
    .sort();
}

describe("class 1: references through locals, variables and module outputs (plan and plan after apply)", () => {
  for (const plan of ["class1-locals/plan.json", "class1-locals/plan-after-apply.json"]) {
    describe(plan, () => {
      let input: NormalizedDocument;
      beforeAll(async () => {
        input = await load(plan);
      });

      test("provider region = local.region resolves", () => {
        expect(input.providers).toEqual([{ address: "provider.aws", name: "aws", alias: "", region: "eu-west-2" }]);
      });

      test("the trail reaches its bucket through a local and a module output, and its key through a local", () => {
        const trail = resource(input, "aws_cloudtrail.trail");
        expect(trail.refs.s3_bucket_name).toEqual(["module.store.aws_s3_bucket.this"]);
        expect(trail.refs.kms_key_id).toEqual(["aws_kms_key.trail"]);
        expect(trail.unresolved).toBeUndefined();
        // Inside the module, a local names the bucket; a variable the caller's local.
        const encryption = resource(input, "module.store.aws_s3_bucket_server_side_encryption_configuration.this");
        expect(encryption.refs.bucket).toEqual(["module.store.aws_s3_bucket.this"]);
        expect(encryption.refs.rule).toEqual(["aws_kms_key.trail"]);
      });

      test("alarm_actions = local.x (distinct(compact(concat(...)))) reaches the SNS topic; for_each keys pick the own filter", () => {
        for (const key of ["root-use", "trail-changes"]) {
          const alarm = resource(input, `aws_cloudwatch_metric_alarm.monitor["${key}"]`);
          expect(alarm.refs.alarm_actions).toEqual(["aws_sns_topic.alerts"]);
          expect(alarm.refs.metric_name).toEqual([`aws_cloudwatch_log_metric_filter.monitor["${key}"]`]);
        }
      });

      test("the gate sees the trail's bucket (no Object Lock) and the two monitors, and no region problem", () => {
        const found = findings(input);
        expect(found).toContain("TG-RET-002 module.store.aws_s3_bucket.this");
        expect(found).toContain("TG-LOG-006 module.store.aws_s3_bucket.this");
        expect(found.filter((finding) => finding.startsWith("TG-RES-"))).toEqual([]);
        const monitors = bundle.evaluate(input).filter((violation) => violation.id === "TG-LOG-007");
        expect(monitors.some((violation) => /cis-3\.3-root-account-use|cis-3\.5-cloudtrail-config-changes/.test(violation.message))).toBe(false);
        expect(monitors).toHaveLength(13); // the 15 CIS monitors less the two the fixture has
      });
    });
  }

  test("the first plan and the plan after apply get the same findings", async () => {
    expect(findings(await load("class1-locals/plan-after-apply.json"))).toEqual(findings(await load("class1-locals/plan.json")));
  });

  test("without the configuration beside the plan, what cannot be followed is listed in unresolved, not dropped", async () => {
    const input = await load("class1-locals/plan.json", false);
    expect(input.providers[0]).toMatchObject({ region: null, unresolved: { region: ["local.region"] } });
    expect(resource(input, "aws_cloudtrail.trail").unresolved).toEqual({
      kms_key_id: ["local.key_arn"],
      s3_bucket_name: ["local.trail_bucket"],
    });
    expect(resource(input, 'aws_cloudwatch_metric_alarm.monitor["root-use"]').unresolved).toEqual({
      alarm_actions: ["local.alarm_actions"],
    });
    expect(resource(input, "module.store.aws_s3_bucket_versioning.this").unresolved).toEqual({ bucket: ["local.bucket_id"] });
  });

  test("a configuration folder that is not the plan's is refused with --config and ignored when found beside the plan", async () => {
    const planFile = path.join(fixtures, "class1-locals", "plan.json");
    const other = await planSourcesFor(planFile, path.join(fixtures, "class2-self-arn"));
    expect(() => loadDocuments(planFile, { planSources: other })).toThrow(/is not the configuration of this plan: aws_cloudtrail\.trail of the root module is not declared/);
    const beside = await planSourcesFor(path.join(fixtures, "class2-self-arn", "plan.json"));
    const input = loadDocuments(planFile, { planSources: beside ? { ...beside, explicit: false } : undefined })[0].input;
    expect(resource(input, "aws_cloudtrail.trail").unresolved).toBeDefined();
  });
});

describe("class 2: a bucket policy from data.aws_iam_policy_document naming the bucket's own ARN", () => {
  test("at the first plan the document is rebuilt from the data source, unknown ARNs as unknown (or as the one resource attribute they come from)", async () => {
    const input = await load("class2-self-arn/plan.json");
    const policy = resource(input, "aws_s3_bucket_policy.logs");
    expect(policy.unresolved).toBeUndefined();
    expect(policy.values).not.toHaveProperty("policy");
    expect(policy.refs.policy).toEqual(["aws_s3_bucket.logs"]);
    expect(policy.policies.policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Action: ["s3:*"],
        Resource: ["${computed}", "${computed}"],
        Principal: { AWS: ["*"] },
        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
      },
      {
        Sid: "AccountRead",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["${aws_s3_bucket.logs.arn}"],
        Principal: { AWS: ["arn:aws:iam::123456789012:root"] },
      },
    ]);
  });

  test("after apply the data source was read during the plan: the document comes from its json", async () => {
    const input = await load("class2-self-arn/plan-after-apply.json");
    const statements = resource(input, "aws_s3_bucket_policy.logs").policies.policy.Statement;
    expect(statements.map((statement) => statement.Sid)).toEqual(["DenyInsecureTransport", "AccountRead"]);
    expect(statements[0].Resource).toEqual(expect.arrayContaining(["arn:aws:s3:::tg-class2-logs", "arn:aws:s3:::tg-class2-logs/*"]));
  });

  test("the first plan and the plan after apply get the same findings, without TG-ENC-006 or TG-LP-008", async () => {
    const first = findings(await load("class2-self-arn/plan.json"));
    expect(first.filter((finding) => /TG-ENC-006|TG-LP-008/.test(finding))).toEqual([]);
    // The TLS deny's Resource is the bucket's own ARN, "${computed}" at the first plan.
    expect(findingsOf(first, "TG-VER-004")).toEqual(["TG-VER-004 aws_s3_bucket.logs"]);
    const later = findings(await load("class2-self-arn/plan-after-apply.json"));
    expect(findingsOf(later, "TG-VER-004")).toEqual([]);
    expect(later).toEqual(beforeApplyOnly(first));
  });
});

describe("corpus regression: a bucket policy assembled across a module boundary (join of a counted data source, local, source_policy_documents)", () => {
  const chain = "module-policy-chain";
  test("both plans show the TLS deny and the caller's CloudTrail statements, with the same findings", async () => {
    const first = await load(`${chain}/plan.json`);
    const later = await load(`${chain}/plan-after-apply.json`);
    for (const input of [first, later]) {
      const policy = resource(input, "module.log_storage.aws_s3_bucket_policy.this");
      expect(policy.unresolved).toBeUndefined();
      expect(policy.policies.policy.Statement.map((statement) => statement.Sid).sort()).toEqual(["ForceTls", "TrailAclCheck", "TrailWrite"]);
      // The bucket's own copy of its policy (known after apply) is not the author's setting.
      expect(resource(input, "module.log_storage.aws_s3_bucket.this").policies).toEqual({});
    }
    const found = findings(first);
    expect(found.filter((finding) => /TG-ENC-006|TG-LP-008/.test(finding))).toEqual([]);
    expect(found.filter((finding) => finding.startsWith("TG-LP-002"))).toEqual([
      "TG-LP-002 module.log_storage.aws_s3_bucket_policy.this",
      "TG-LP-002 module.log_storage.aws_s3_bucket_policy.this",
    ]);
    expect(findingsOf(found, "TG-VER-004")).toEqual(["TG-VER-004 module.log_storage.aws_s3_bucket.this"]);
    expect(findings(later)).toEqual(beforeApplyOnly(found));
  });
});

describe("count / for_each instances", () => {
  let input: NormalizedDocument;
  beforeAll(async () => {
    input = await load("instances/plan.json");
  });

  test("x[count.index] links each instance to the instance with its own index", () => {
    expect(resource(input, "aws_s3_bucket_versioning.v[0]").refs.bucket).toEqual(["aws_s3_bucket.b[0]"]);
    expect(resource(input, "aws_s3_bucket_versioning.v[1]").refs.bucket).toEqual(["aws_s3_bucket.b[1]"]);
  });

  test("every instance of a for_each module resolves its variable through the one call argument", () => {
    for (const key of ["app", "web"]) {
      const logging = resource(input, `module.logs["${key}"].aws_s3_bucket_logging.this`);
      expect(logging.refs).toEqual({ bucket: [`module.logs["${key}"].aws_s3_bucket.this`], target_bucket: ["aws_s3_bucket.b[1]"] });
    }
  });

  test("module.m[1].output reaches the resource of that module instance only", () => {
    expect(resource(input, "aws_s3_bucket_public_access_block.store").refs.bucket).toEqual(["module.store[1].aws_s3_bucket.this"]);
    const found = findings(input);
    expect(found).toContain("TG-LP-007 module.store[0].aws_s3_bucket.this");
    expect(found).not.toContain("TG-LP-007 module.store[1].aws_s3_bucket.this");
  });
});

describe("corpus regression: AWS's CloudTrail key policy built by a data source", () => {
  test("the key policy is readable at the first plan, with the trail ARN pattern of its condition", async () => {
    for (const plan of ["trail-key-policy/plan.json", "trail-key-policy/plan-after-apply.json"]) {
      const key = resource(await load(plan), "aws_kms_key.trail");
      expect(key.policies.policy.Statement.map((statement) => statement.Sid)).toEqual(["AccountAdministers", "TrailEncrypts"]);
      expect(key.arns).toContain("arn:aws:cloudtrail:*:123456789012:trail/*");
      expect(key.unresolved).toBeUndefined();
    }
  });
});

describe("corpus regression: links between sibling modules exist only through module outputs (trussworks-trail, nozaq-trail)", () => {
  const links = "cross-module-links";
  const rule = (found: string[], id: string) => found.filter((finding) => finding.startsWith(`${id} `));
  const rootUseMissing = (document: NormalizedDocument) =>
    bundle.evaluate(document).some((violation) => violation.id === "TG-LOG-007" && violation.message.includes("cis-4.3-root-account-use"));

  test.each(["plan.json", "plan-after-apply.json"])("%s: the trail reaches the other module's bucket, the filter the trail's log group", async (plan) => {
    const input = await load(`${links}/${plan}`);
    expect(resource(input, "module.trail.aws_cloudtrail.trail").refs.s3_bucket_name).toEqual(["module.archive.aws_s3_bucket.logs"]);
    expect(resource(input, "aws_s3_bucket_policy.logs").refs.bucket).toEqual(["module.archive.aws_s3_bucket.logs"]);
    expect(resource(input, "module.alarms.aws_cloudwatch_log_metric_filter.root_use").refs.log_group_name).toEqual(["module.trail.aws_cloudwatch_log_group.trail"]);
    const found = findings(input);
    // The bucket is the trail's: its rules run; the rebuilt policy holds the TLS deny.
    expect(found).toContain("TG-RET-002 module.archive.aws_s3_bucket.logs");
    expect(rule(found, "TG-ENC-006")).toEqual([]);
    expect(rule(found, "TG-LP-008")).toEqual([]);
    expect(rule(found, "TG-VER-002")).toEqual([]);
    expect(rootUseMissing(input)).toBe(false);
  });

  test("the trail role's policy names the trail's log group at the first plan as after apply (no TG-LP-005 flip)", async () => {
    const first = await load(`${links}/plan.json`);
    // One unknown element from one resource attribute is that reference, as synthesized JSON has it.
    expect(resource(first, "module.trail.aws_iam_role_policy.delivery").policies.policy.Statement[0].Resource).toEqual(["${aws_cloudwatch_log_group.trail.arn}"]);
    expect(rule(findings(first), "TG-LP-005")).toEqual([]);
    expect(findings(await load(`${links}/plan-after-apply.json`))).toEqual(beforeApplyOnly(findings(first)));
  });

  test("a folder check follows module outputs and variables across modules, as the plan does", async () => {
    const input = loadDocuments(path.join(fixtures, links))[0].input;
    expect(input.format).toBe("module");
    const found = findings(input);
    // The root's bucket policy names module.archive.bucket_id, an output that is the
    // module's aws_s3_bucket.logs.id; the trail's bucket and the filters' log group reach
    // their modules as variables holding such outputs: every link is followed.
    expect(resource(input, "aws_s3_bucket_policy.logs").refs.bucket).toEqual(["module.archive.aws_s3_bucket.logs"]);
    expect(resource(input, "module.trail.aws_cloudtrail.trail").refs.s3_bucket_name).toEqual(["module.archive.aws_s3_bucket.logs"]);
    expect(resource(input, "module.alarms.aws_cloudwatch_log_metric_filter.root_use").refs.log_group_name).toEqual(["module.trail.aws_cloudwatch_log_group.trail"]);
    expect(rule(found, "TG-VER-002")).toEqual([]);
    expect(rootUseMissing(input)).toBe(false);
    // The same findings as the plan, but for the account id only the plan knows
    // (data.aws_caller_identity): principals the folder cannot check (TG-VER-001), which
    // the plan judges against the trusted accounts (TG-VER-003 there: none configured).
    const plan = findings(await load(`${links}/plan.json`)).map((key) => key.replace(/\[[^\]]*\]/g, ""));
    // Access questions the folder cannot answer for want of the account (TG-VER-004) differ too.
    const neither = (prefixes: string[]) => (key: string) => !prefixes.some((prefix) => key.startsWith(prefix));
    expect(found.filter(neither(["TG-VER-001", "TG-VER-004"]))).toEqual(plan.filter(neither(["TG-VER-003", "TG-VER-004"])));
    expect(rule(found, "TG-VER-001")).toEqual(["TG-VER-001 aws_s3_bucket_policy.logs", "TG-VER-001 aws_s3_bucket_policy.logs"]);
  });
});
