/**
 * Real Terraform over what trailgate ships: every synthesized stack, the exported
 * module, and the HCL example root that calls it, each through an offline
 * `terraform init` (providers from /opt/tf-plugins via tools/terraformrc) and
 * `terraform validate`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { TrailgateStack } from "../modules";
import { exampleConfig } from "../example-config";
import { AWS_PROVIDER_CONSTRAINT, exportTerraformModule } from "../export/terraform-module";
import { exportModuleFromConfig } from "../export/module";
import { runGate } from "../gate/run";

const REPO = path.resolve(__dirname, "..");
const TERRAFORM_ENV = {
  ...process.env,
  TF_CLI_CONFIG_FILE: path.join(REPO, "tools/terraformrc"),
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
};

function terraform(dir: string, ...args: string[]): string {
  try {
    return execFileSync("terraform", [...args, "-no-color"], { cwd: dir, env: TERRAFORM_ENV, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args.join(" ")} in ${dir} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

function initAndValidate(dir: string): string {
  terraform(dir, "init", "-input=false", "-backend=false");
  return terraform(dir, "validate");
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-validate-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const app = new App({ outdir: path.join(work, "cdktf.out") });
new TrailgateStack(app, "example", exampleConfig);
new TrailgateStack(app, "minimal", { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222" });
// The opt-in constructs the example leaves off: cost budgets, evidence roles, AWS Config rules.
new TrailgateStack(app, "opt-in", {
  organizationId: "o-abcdefghij",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
  costBudgets: { monthlyLimitsUsd: { cloudTrail: 200, s3: 150, cloudWatch: 100 } },
  evidenceRoles: { ciPrincipalArn: "arn:aws:iam::111111111111:role/github-actions-evidence" },
  awsConfigRules: true,
});
app.synth();

test("terraform and the AWS provider mirror are present", () => {
  expect(terraform(work, "version")).toMatch(/Terraform v1\./);
  expect(fs.existsSync("/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0")).toBe(true);
});

test.each(["example", "minimal", "opt-in"])("synthesized stack %s passes terraform validate", (stack) => {
  expect(initAndValidate(path.join(work, "cdktf.out/stacks", stack))).toMatch(/The configuration is valid/);
});

/** Offline AWS providers for the module: plans compute without credentials or network. */
const OFFLINE_PROVIDERS = ["", "log_archive"]
  .map(
    (alias) => `provider "aws" {
  ${alias ? `alias = "${alias}"` : ""}
  region = "eu-west-2"
  access_key = "offline"
  secret_key = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id = true
  skip_metadata_api_check = true
}`,
  )
  .join("\n");

function moduleRoot(name: string, inputs: string): string {
  const dir = path.join(work, "roots", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "main.tf"),
    `${OFFLINE_PROVIDERS}\nmodule "trailgate" {\n  source = "../../build/terraform-module/trailgate-uk"\n  providers = { aws = aws, aws.log_archive = aws.log_archive }\n${inputs}\n}\n`,
  );
  terraform(dir, "init", "-input=false", "-backend=false");
  return dir;
}

function failure(dir: string, ...args: string[]): string {
  try {
    terraform(dir, ...args);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`terraform ${args.join(" ")} in ${dir} succeeded; a failure was expected`);
}

const VALID_INPUTS = `organization_id = "o-exampleorg1"
  management_account_id = "111111111111"
  log_archive_account_id = "222222222222"`;

describe("the exported module", () => {
  const moduleDir = path.join(work, "build/terraform-module/trailgate-uk");
  let exported: ReturnType<typeof exportModuleFromConfig>;
  beforeAll(() => {
    exported = exportModuleFromConfig(exampleConfig, moduleDir, path.join(work, "module-synth"));
  });

  test("is a plain module: no provider configuration or backend, a version range, variables, outputs, a README", () => {
    expect(exported.providers).toEqual(["aws", "aws.log_archive"]);
    expect(exported.files).toEqual(["versions.tf.json", "main.tf.json", "variables.tf.json", "outputs.tf.json", "README.md"]);
    const main = JSON.parse(fs.readFileSync(path.join(moduleDir, "main.tf.json"), "utf8"));
    expect(main.provider).toBeUndefined();
    expect(main.terraform).toBeUndefined();
    const versions = JSON.parse(fs.readFileSync(path.join(moduleDir, "versions.tf.json"), "utf8"));
    expect(versions.terraform.backend).toBeUndefined();
    expect(versions.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT, configuration_aliases: ["aws.log_archive"] });
    const variables = JSON.parse(fs.readFileSync(path.join(moduleDir, "variables.tf.json"), "utf8")).variable;
    expect(Object.keys(variables).sort()).toEqual([
      "critical_alert_emails", "info_alert_emails", "log_archive_account_id", "log_expiry_days", "log_group_retention_days",
      "management_account_id", "name_prefix", "object_lock_days", "object_lock_mode", "organization_id", "region",
      "transition_to_glacier_days", "warning_alert_emails",
    ]);
    for (const required of ["organization_id", "management_account_id", "log_archive_account_id"]) expect(variables[required].default).toBeUndefined();
    for (const [name, variable] of Object.entries<{ validation?: unknown[]; description?: string }>(variables)) {
      expect({ name, validated: (variable.validation ?? []).length > 0, described: Boolean(variable.description) }).toEqual({ name, validated: true, described: true });
    }
    // Nothing of the example estate's accounts is baked in.
    expect(fs.readFileSync(path.join(moduleDir, "main.tf.json"), "utf8")).not.toMatch(/111111111111|222222222222|o-exampleorg1|example\.co\.uk/);
    const readme = fs.readFileSync(path.join(moduleDir, "README.md"), "utf8");
    for (const name of Object.keys(variables)) expect(readme).toContain(`\`${name}\``);
  });

  test("the HCL example root that sets its variables passes terraform validate", () => {
    // The example root refers to the module at ../../build/terraform-module/trailgate-uk.
    const rootDir = path.join(work, "examples/terraform-root");
    fs.mkdirSync(rootDir, { recursive: true });
    fs.copyFileSync(path.join(REPO, "examples/terraform-root/main.tf"), path.join(rootDir, "main.tf"));
    expect(initAndValidate(rootDir)).toMatch(/The configuration is valid/);
  });

  test("variable validation refuses bad inputs with the variable's own message", () => {
    const dir = moduleRoot(
      "bad-inputs",
      `organization_id = "org-1"
  management_account_id = "1111"
  log_archive_account_id = "222222222222"
  region = "London"
  name_prefix = "Trail_Gate"
  object_lock_days = 90
  object_lock_mode = "LOOSE"
  log_group_retention_days = 30
  critical_alert_emails = ["not-an-address"]`,
    );
    const message = failure(dir, "validate");
    for (const expected of [
      "organization_id must look like o-",
      "management_account_id must be a 12-digit AWS account id.",
      "region must be an AWS region name",
      "name_prefix must be 2-21 lowercase letters",
      "object_lock_days must be a whole number of days >= 365.",
      "object_lock_mode must be COMPLIANCE or GOVERNANCE.",
      "log_group_retention_days must be 0 or one of CloudWatch's values >= 365.",
      "Every critical_alert_emails entry must be an e-mail address.",
    ]) {
      expect(message.replace(/\s+/g, " ")).toContain(expected);
    }
  });

  test("preconditions refuse inputs that contradict each other, at plan (offline)", () => {
    const dir = moduleRoot(
      "contradicting-inputs",
      `organization_id = "o-exampleorg1"
  management_account_id = "111111111111"
  log_archive_account_id = "111111111111"
  object_lock_days = 400
  log_expiry_days = 380`,
    );
    const message = failure(dir, "plan", "-input=false", "-refresh=false").replace(/\s+/g, " ");
    expect(message).toContain("log_archive_account_id must differ from management_account_id");
    expect(message).toContain("log_expiry_days must be >= object_lock_days.");
  });

  test("a caller's plan of the module (offline) passes the gate, but for the access questions that need the providers' accounts", () => {
    // With subscribers on every tier (TG-ALR-008 otherwise: an alarm that pages nobody).
    const emails = ["critical", "warning", "info"].map((tier) => `${tier}_alert_emails = ["${tier}-oncall@example.co.uk"]`).join("\n  ");
    const dir = moduleRoot("gated", `${VALID_INPUTS}\n  ${emails}`);
    terraform(dir, "plan", "-input=false", "-refresh=false", "-out=plan.bin");
    fs.writeFileSync(path.join(dir, "plan.json"), terraform(dir, "show", "-json", "plan.bin"));
    // These offline providers cannot pin allowed_account_ids (skip_requesting_account_id),
    // so the caller tells the gate which accounts are its own (TG-LP-009, else TG-VER-003).
    // Nor can the access questions write the trail's, buckets' and alarms' ARNs without
    // the accounts: TG-VER-004, which a caller whose providers pin their accounts does not get.
    const untrusted = runGate({ path: path.join(dir, "plan.json") });
    expect([...new Set(untrusted.documents[0].findings.map((finding) => finding.id))]).toEqual(["TG-VER-003", "TG-VER-004"]);
    const trust = path.join(dir, "trust.json");
    fs.writeFileSync(trust, JSON.stringify({ trailgate: { config: { trusted_accounts: ["111111111111", "222222222222"], organization_id: "o-exampleorg1" } } }));
    const run = runGate({ path: path.join(dir, "plan.json"), dataFile: trust });
    expect([...new Set(run.documents[0].findings.map((finding) => finding.id))]).toEqual(["TG-VER-004"]);
    expect(run.documents[0].findings.every((finding) => /cannot be answered before apply/.test(finding.message))).toBe(true);
    expect(Object.values(run.documents[0].document.input.resources).flat().length).toBeGreaterThan(50);
  });
});

test("a module export of something that is not a stack fails with a clear error", () => {
  const empty = path.join(work, "empty-stack");
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, "cdk.tf.json"), "{}");
  expect(() => exportTerraformModule(empty, path.join(work, "out"))).toThrow(/has no resources/);
  expect(() => exportTerraformModule(path.join(work, "missing"), path.join(work, "out"))).toThrow(/cannot read synthesized stack/);
});
