/**
 * trailgate as a cdktn team installs it: `npm pack` a staged copy of this checkout (the
 * prepack builds dist/cdktn, scripts/build-cdktn.js), then a fresh cdktn app on Node
 * 24 (cdktn needs Node >= 22; the binary comes from the npm registry through
 * scripts/node-matrix.sh) installs cdktn 0.24.0, @cdktn/provider-aws 25.7.0 (AWS
 * provider 6.66.0), constructs 10.7.2 and the tarball, type-checks its main.ts against
 * `trailgate/cdktn`'s declarations, synthesizes (the synth-time gate judging the
 * constructs), and the installed CLI gates the stack. `terraform validate` is not run:
 * it needs the AWS provider 6 schema, and this machine's provider mirror holds 5.100.0.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mustRun as mustRunWith, packCheckout, repo, run as runWith } from "./helpers/package";

const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const NODE_VERSION = "24.22.3";
const CDKTN = { cdktn: "0.24.0", "@cdktn/provider-aws": "25.7.0", constructs: "10.7.2" };
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-cdktn-"));
const app = path.join(work, "app");
let env: NodeJS.ProcessEnv;
let tarball: string;

function run(cwd: string, command: string, args: string[]): SpawnSyncReturns<string> {
  return runWith(env, cwd, command, args);
}

function mustRun(cwd: string, command: string, args: string[]): string {
  return mustRunWith(env, cwd, command, args);
}

const MAIN_TS = `import { App, TerraformStack } from "cdktn";
import { AwsProvider } from "@cdktn/provider-aws/lib/provider";
import { SnsTopic } from "@cdktn/provider-aws/lib/sns-topic";
import { Trailgate, TrailgateConfig, addPolicyGate } from "trailgate/cdktn";

const app = new App();
const stack = new TerraformStack(app, "platform");
const management = new AwsProvider(stack, "aws", { region: "eu-west-2", allowedAccountIds: ["111111111111"] });
const logArchive = new AwsProvider(stack, "log_archive", { alias: "log_archive", region: "eu-west-2", allowedAccountIds: ["222222222222"] });
// The team's own resource, in another region through provider 6's per-resource argument.
new SnsTopic(stack, "app_events", { name: "app-events", region: "us-east-1" });
// Every tier needs a subscriber, or its monitors page nobody (TG-ALR-008).
const config: TrailgateConfig = {
  organizationId: "o-exampleorg1",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
  namePrefix: "bank",
  alertEmails: { critical: ["oncall@example.co.uk"], warning: ["team@example.co.uk"], info: ["team@example.co.uk"] },
};
const audit = new Trailgate(stack, "audit", { config, providers: { management, logArchive } });
if (process.env.PLATFORM_SHORT_LOG_RETENTION) audit.monitoring.logGroup.addOverride("retention_in_days", 30);
addPolicyGate(stack);
app.synth();
`;

beforeAll(() => {
  const nodeBin = execFileSync("bash", [path.join(repo, "scripts", "node-matrix.sh"), "--bin", NODE_VERSION], { encoding: "utf8" }).trim().split("\n").pop() as string;
  env = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, CHECKPOINT_DISABLE: "1", npm_config_update_notifier: "false" };
  tarball = packCheckout(work, env).file;
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "cdktn-platform",
      private: true,
      dependencies: { ...CDKTN, trailgate: `file:${tarball}` },
      devDependencies: { typescript: manifest.devDependencies.typescript, "@types/node": manifest.devDependencies["@types/node"] },
    }),
  );
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, skipLibCheck: true, types: ["node"] }, files: ["main.ts"] }),
  );
  fs.writeFileSync(path.join(app, "main.ts"), MAIN_TS);
  mustRun(app, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
}, 600_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("runs on the Node the test fetched, and the package declares both hosts as optional peers", () => {
  expect(mustRun(app, "node", ["--version"]).trim()).toBe(`v${NODE_VERSION}`);
  const installed = JSON.parse(fs.readFileSync(path.join(app, "node_modules", "trailgate", "package.json"), "utf8"));
  expect(installed.peerDependencies).toMatchObject({ cdktf: "~0.21.0", cdktn: "~0.24.0", "@cdktf/provider-aws": "^20.1.0", "@cdktn/provider-aws": "^25.7.0" });
  // The cdktn app got no cdktf: the cdktf peers are optional.
  expect(fs.existsSync(path.join(app, "node_modules", "cdktf"))).toBe(false);
  expect(fs.existsSync(path.join(app, "node_modules", "@cdktf", "provider-aws"))).toBe(false);
});

test("main.ts type-checks against trailgate/cdktn, and the entry requires cdktn, never cdktf", () => {
  mustRun(app, "node", [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  expect(fs.existsSync(path.join(app, "main.js"))).toBe(true);
  const entry = path.join(app, "node_modules", "trailgate", "dist", "cdktn");
  const sources = execFileSync("grep", ["-rhoE", "require\\(\"[^\"]+\"\\)", entry], { encoding: "utf8" });
  expect(sources).toContain('require("cdktn")');
  expect(sources).toContain('require("@cdktn/provider-aws/lib/cloudtrail")');
  expect(sources).not.toMatch(/require\("(cdktf|@cdktf\/provider-aws)/);
});

test("synth writes the estate beside the app's own resources; the installed CLI gates it", () => {
  fs.rmSync(path.join(app, "cdktf.out"), { recursive: true, force: true });
  mustRun(app, "node", ["main.js"]);
  const stackFile = path.join(app, "cdktf.out", "stacks", "platform", "cdk.tf.json");
  const stack = JSON.parse(fs.readFileSync(stackFile, "utf8"));
  expect(stack.terraform.required_providers.aws).toMatchObject({ source: "hashicorp/aws", version: "6.66.0" });
  expect(stack.resource.aws_cloudtrail).toBeDefined();
  expect(stack.resource.aws_sns_topic.app_events.region).toBe("us-east-1");
  const cli = path.join(app, "node_modules", ".bin", "trailgate");
  // As synth judged it (the scope addPolicyGate recorded: the trailgate constructs): it passes.
  const asSynth = run(app, cli, ["check", "cdktf.out"]);
  expect({ status: asSynth.status, stdout: asSynth.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^trailgate: 0 failing, 0 waived/m) });
  // The whole stack: the app's own topic is outside the allowed regions (provider 6 region argument).
  const wholeStack = path.join(work, "whole-stack.trailgate.json");
  fs.writeFileSync(wholeStack, JSON.stringify({ scope: { constructPaths: ["platform"] } }));
  const whole = run(app, cli, ["check", "cdktf.out", "--format", "json", "--trailgate-config", wholeStack]);
  expect(whole.status).toBe(1);
  const findings = JSON.parse(whole.stdout).documents[0].findings.map((finding: { id: string; resource: string }) => `${finding.id} ${finding.resource}`);
  expect(findings).toContain("TG-RES-002 aws_sns_topic.app_events");
  const audit = run(app, cli, ["check", "cdktf.out", "--skip", "TG-RES,TG-ENC-005", "--trailgate-config", wholeStack]);
  expect({ status: audit.status, stdout: audit.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^trailgate: 0 failing, 0 waived/m) });
});

test("a violation in the estate stops the cdktn synth, naming the construct path", () => {
  const result = spawnSync("node", ["main.js"], { cwd: app, env: { ...env, PLATFORM_SHORT_LOG_RETENTION: "1" }, encoding: "utf8" });
  expect(result.status).not.toBe(0);
  expect(result.stderr + result.stdout).toMatch(/trailgate medium TG-RET-004 aws_cloudwatch_log_group\.\S+ \(construct platform\/audit\/monitoring\/log_group\)/);
});
