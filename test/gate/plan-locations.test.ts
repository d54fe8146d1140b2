/**
 * Findings on a `terraform show -json` plan point at the resource's block in the
 * configuration the plan was made from: the root folder's *.tf and the folders of
 * local module calls. A real (offline) Terraform plan of a small HCL root.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findingLocation } from "../../gate/report";
import { renderReport } from "../../gate/report";
import { runGate } from "../../gate/run";

const repo = path.resolve(__dirname, "..", "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-plan-locations-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const ROOT_TF = `provider "aws" {
  region                      = "eu-west-2"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

module "archive" {
  source = "./modules/archive"
}
`;

const MODULE_TF = `# A local module: its resource is found in this file.

resource aws_sns_topic "inner" {
  count = 1
  name  = "inner-\${count.index}"
}
`;

function terraform(...args: string[]): string {
  return execFileSync("terraform", [...args, "-no-color"], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(repo, "tools", "terraformrc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
  });
}

beforeAll(() => {
  fs.writeFileSync(path.join(work, "main.tf"), ROOT_TF);
  fs.mkdirSync(path.join(work, "modules", "archive"), { recursive: true });
  fs.writeFileSync(path.join(work, "modules", "archive", "main.tf"), MODULE_TF);
  terraform("init", "-input=false", "-backend=false");
  terraform("plan", "-input=false", "-refresh=false", "-out=plan.bin");
  fs.writeFileSync(path.join(work, "plan.json"), terraform("show", "-json", "plan.bin"));
});

test("a plan finding points at the resource's block in the root folder and in a local module", () => {
  const run = runGate({ path: path.join(work, "plan.json"), only: ["TG-ENC-005"] });
  const [{ document, findings }] = run.documents;
  const located = Object.fromEntries(findings.map((finding) => [finding.resource, findingLocation(document, finding)]));
  expect(located["aws_sns_topic.alerts"]).toEqual({ file: path.join(work, "main.tf"), line: 10 });
  expect(located["module.archive.aws_sns_topic.inner[0]"]).toEqual({ file: path.join(work, "modules", "archive", "main.tf"), line: 3 });

  const github = renderReport("github", run);
  expect(github).toContain(`file=${path.relative(process.cwd(), path.join(work, "main.tf"))},line=10,title=TG-ENC-005`);
});

test("a plan whose configuration is not beside it falls back to line 1 of the plan", () => {
  const elsewhere = path.join(work, "elsewhere");
  fs.mkdirSync(elsewhere);
  fs.copyFileSync(path.join(work, "plan.json"), path.join(elsewhere, "plan.json"));
  const run = runGate({ path: path.join(elsewhere, "plan.json"), only: ["TG-ENC-005"] });
  const [{ document, findings }] = run.documents;
  expect(findings.length).toBe(2);
  for (const finding of findings) expect(findingLocation(document, finding)).toEqual({ file: path.join(elsewhere, "plan.json"), line: 1 });
});

test("with --config naming the folder a plan was made in, a plan elsewhere points at the .tf line, not line 1", () => {
  const elsewhere = path.join(work, "ci-artifacts");
  fs.mkdirSync(elsewhere);
  fs.copyFileSync(path.join(work, "plan.json"), path.join(elsewhere, "plan.json"));
  const run = runGate({ path: path.join(elsewhere, "plan.json"), configDir: work, only: ["TG-ENC-005"] });
  const [{ document, findings }] = run.documents;
  const located = Object.fromEntries(findings.map((finding) => [finding.resource, findingLocation(document, finding)]));
  expect(located["aws_sns_topic.alerts"]).toEqual({ file: path.join(work, "main.tf"), line: 10 });
  expect(located["module.archive.aws_sns_topic.inner[0]"]).toEqual({ file: path.join(work, "modules", "archive", "main.tf"), line: 3 });
  expect(renderReport("github", run, { sourceRoot: work })).toContain("file=main.tf,line=10,title=TG-ENC-005");
});
