/**
 * Evidence on a schedule: EvidenceRoles' read-only roles for `trailgate verify` and
 * `validate-logs` (exact actions, trust limited to the named CI principal and then to
 * the management role), as TrailgateStack wires them with config.evidenceRoles; the
 * gate passes the result; and the example scheduled workflow lints clean and uses
 * only options the commands have.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { TrailgateConfig, TrailgateStack, VERIFY_MANAGEMENT_ACTIONS } from "../modules";
import { synthDocument } from "../terraform";
import { loadPolicyBundle } from "../gate/policy";
import { JsonObject } from "../terraform/types";

type Synth = Record<string, any>;

const repo = path.resolve(__dirname, "..");
const CI = "arn:aws:iam::111111111111:role/github-actions-evidence";
const config: TrailgateConfig = { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222", evidenceRoles: { ciPrincipalArn: CI }, alertEmails: { critical: ["oncall@example.co.uk"], warning: ["ops@example.co.uk"], info: ["ops@example.co.uk"] } };
const stack = new TrailgateStack(Testing.app(), "evidence", config);
const doc: Synth = JSON.parse(Testing.synth(stack));
const statements = (policy: string): Synth[] => JSON.parse(policy).Statement;

test("the management role: only the CI principal may assume it; exactly verify's reads, ListPublicKeys and the log-archive role", () => {
  const role = doc.resource.aws_iam_role.evidence_roles_management_role;
  expect(role.name).toBe("trailgate-evidence-reader");
  expect(statements(role.assume_role_policy)).toEqual([{ Sid: "NamedCiPrincipal", Effect: "Allow", Principal: { AWS: CI }, Action: "sts:AssumeRole" }]);
  const policy = statements(doc.resource.aws_iam_role_policy.evidence_roles_management_policy.policy);
  expect(policy.find((s) => s.Sid === "VerifyReads")!.Action).toEqual([...VERIFY_MANAGEMENT_ACTIONS]);
  expect(policy.find((s) => s.Sid === "AssumeLogArchiveEvidenceRole")).toMatchObject({ Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/trailgate-evidence-log-archive" });
  // Read-only: no action that creates, changes or deletes anything.
  const actions = policy.flatMap((s) => [s.Action].flat()) as string[];
  expect(actions.filter((a) => !/:(Describe|Get|List)[A-Za-z]*$/.test(a) && a !== "sts:AssumeRole")).toEqual([]);
});

test("the log-archive role: only the management role may assume it; bucket settings on the two log buckets, log files under AWSLogs/", () => {
  const role = doc.resource.aws_iam_role.evidence_roles_log_archive_role;
  expect(statements(role.assume_role_policy)).toEqual([
    { Sid: "ManagementEvidenceRole", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/trailgate-evidence-reader" }, Action: "sts:AssumeRole" },
  ]);
  expect(doc.resource.aws_iam_role_policy.evidence_roles_log_archive_policy.provider).toBe("aws.log_archive");
  const policy = statements(doc.resource.aws_iam_role_policy.evidence_roles_log_archive_policy.policy);
  expect(policy.find((s) => s.Sid === "VerifyBucketSettings")!.Resource).toEqual(["arn:aws:s3:::trailgate-cloudtrail-222222222222-eu-west-2", "arn:aws:s3:::trailgate-access-logs-222222222222-eu-west-2"]);
  expect(policy.find((s) => s.Sid === "ValidateLogsRead")).toMatchObject({ Action: "s3:GetObject", Resource: "arn:aws:s3:::trailgate-cloudtrail-222222222222-eu-west-2/AWSLogs/*" });
  const actions = policy.flatMap((s) => [s.Action].flat()) as string[];
  expect(actions.filter((a) => !/:(Describe|Get|List)[A-Za-z]*$/.test(a))).toEqual([]);
});

test("the gate passes the stack with the evidence roles, and a bad CI principal fails at construction", () => {
  expect(loadPolicyBundle().evaluate(synthDocument("evidence", JSON.parse(Testing.synth(stack)) as JsonObject).input)).toEqual([]);
  expect(() => new TrailgateStack(Testing.app(), "bad", { ...config, evidenceRoles: { ciPrincipalArn: "github" } })).toThrow('evidenceRoles.ciPrincipalArn must be an IAM role ARN (got "github")');
});

describe("the example scheduled evidence workflow (examples/github-actions/evidence.yml)", () => {
  const file = path.join(repo, "examples", "github-actions", "evidence.yml");
  const workflow = fs.readFileSync(file, "utf8");

  test("actionlint passes it", () => {
    const actionlint = execFileSync("bash", [path.join(repo, "tools", "actionlint", "install.sh")], { encoding: "utf8" }).trim().split("\n").pop() as string;
    const result = spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", file], { encoding: "utf8" });
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: "" });
  });

  test("runs daily, both commands, keeps JSON and SARIF, and uses only options the commands have", () => {
    expect(workflow).toMatch(/cron: "\d+ \d+ \* \* \*"/);
    const commands = workflow.replace(/\\\n\s*/g, " ").replace(/>\n\s*/g, "").split("\n").filter((l) => /trailgate (verify|validate-logs)\b/.test(l));
    expect(commands.some((l) => l.includes("trailgate verify"))).toBe(true);
    expect(commands.some((l) => l.includes("trailgate validate-logs"))).toBe(true);
    const usage = (command: string) => spawnSync(process.execPath, [path.join(repo, "bin", "trailgate.js"), command, "--help"], { cwd: repo, encoding: "utf8" }).stdout;
    const verifyUsage = usage("verify");
    const validateUsage = usage("validate-logs");
    for (const line of commands) {
      const [, command, rest] = /trailgate (verify|validate-logs)\b(.*)/.exec(line)!;
      for (const flag of rest.match(/--[a-z-]+/g) ?? []) expect({ flag, known: (command === "verify" ? verifyUsage : validateUsage).includes(flag) }).toEqual({ flag, known: true });
    }
    expect(workflow).toContain("--format sarif");
    expect(workflow).toContain("actions/upload-artifact");
  });
});
