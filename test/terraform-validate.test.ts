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
import { exportTerraformModule } from "../export/terraform-module";

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
app.synth();

test("terraform and the AWS provider mirror are present", () => {
  expect(terraform(work, "version")).toMatch(/Terraform v1\./);
  expect(fs.existsSync("/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0")).toBe(true);
});

test.each(["example", "minimal"])("synthesized stack %s passes terraform validate", (stack) => {
  expect(initAndValidate(path.join(work, "cdktf.out/stacks", stack))).toMatch(/The configuration is valid/);
});

test("the exported module and the HCL example root that calls it pass terraform validate", () => {
  const moduleDir = path.join(work, "build/terraform-module/trailgate-uk");
  const exported = exportTerraformModule(path.join(work, "cdktf.out/stacks/example"), moduleDir);
  expect(exported.providers).toEqual(["aws", "aws.log_archive"]);
  expect(exported.files).toEqual(["versions.tf.json", "main.tf.json", "variables.tf.json", "outputs.tf.json"]);
  const main = JSON.parse(fs.readFileSync(path.join(moduleDir, "main.tf.json"), "utf8"));
  expect(main.provider).toBeUndefined();
  expect(main.terraform).toBeUndefined();
  const versions = JSON.parse(fs.readFileSync(path.join(moduleDir, "versions.tf.json"), "utf8"));
  expect(versions.terraform.backend).toBeUndefined();
  expect(versions.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "5.100.0", configuration_aliases: ["aws.log_archive"] });

  // A module that declares configuration_aliases is validated through a caller that
  // passes those providers (Terraform refuses it on its own). The example root refers
  // to the module at ../../build/terraform-module/trailgate-uk.
  const rootDir = path.join(work, "examples/terraform-root");
  fs.mkdirSync(rootDir, { recursive: true });
  fs.copyFileSync(path.join(REPO, "examples/terraform-root/main.tf"), path.join(rootDir, "main.tf"));
  expect(initAndValidate(rootDir)).toMatch(/The configuration is valid/);
});

test("a module export of something that is not a stack fails with a clear error", () => {
  const empty = path.join(work, "empty-stack");
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, "cdk.tf.json"), "{}");
  expect(() => exportTerraformModule(empty, path.join(work, "out"))).toThrow(/has no resources/);
  expect(() => exportTerraformModule(path.join(work, "missing"), path.join(work, "out"))).toThrow(/cannot read synthesized stack/);
});
