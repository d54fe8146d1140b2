/**
 * `trailgate init` in-process (test/package-init.test.ts runs it from the packed tarball
 * and synthesizes the result): what it writes, that each placeholder it leaves stops the
 * construct's validation naming its field and flag, and that it never overwrites by
 * accident.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { scaffold } from "../../cli/init";
import { resolveTrailgateConfig, TrailgateConfig } from "../../modules/baseline";
import { expectInputError } from "../helpers/cli";

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const ESTATE = { managementAccount: "111111111111", logArchiveAccount: "222222222222", organizationId: "o-exampleorg1", alertEmails: ["security-oncall@example.co.uk"] };

async function init(args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await main(["init", ...args], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { status, stdout, stderr };
}

/** The config object main.ts holds, read back from its text. */
function configOf(mainTs: string): TrailgateConfig {
  const field = (name: string) => JSON.parse((mainTs.match(new RegExp(`${name}: ("[^"]*")`)) as RegExpMatchArray)[1]);
  const emails = JSON.parse(`[${(mainTs.match(/const alertEmails = \[(.*)\];/) as RegExpMatchArray)[1]}]`);
  // Every tier gets the same addresses, so each tier's alarms page someone (TG-ALR-008).
  expect(mainTs).toContain("alertEmails: { critical: alertEmails, warning: alertEmails, info: alertEmails }");
  return {
    organizationId: field("organizationId"),
    managementAccountId: field("managementAccountId"),
    logArchiveAccountId: field("logArchiveAccountId"),
    alertEmails: { critical: emails, warning: emails, info: emails },
  };
}

test("package.json pins trailgate's own exact versions and this trailgate", () => {
  const written = JSON.parse(scaffold({ dir: "/tmp/My Estate!", ...ESTATE }).files.get("package.json") as string);
  expect(written.name).toBe("my-estate");
  expect(written.dependencies).toEqual({
    cdktf: manifest.devDependencies.cdktf,
    constructs: manifest.devDependencies.constructs,
    "@cdktf/provider-aws": "20.1.0",
    [manifest.name]: manifest.version,
  });
  expect(Object.keys(written.devDependencies).sort()).toEqual(["@types/node", "cdktf-cli", "ts-node", "typescript"]);
  expect(JSON.parse(scaffold({ dir: "x", ...ESTATE, packageSpec: "file:../trailgate-0.1.0.tgz" }).files.get("package.json") as string).dependencies[manifest.name]).toBe("file:../trailgate-0.1.0.tgz");
});

test("with every flag, main.ts holds a config the constructs accept; each one left out is a placeholder that stops them naming its field and flag", () => {
  const complete = scaffold({ dir: "x", ...ESTATE });
  expect(complete.placeholders).toEqual([]);
  expect(() => resolveTrailgateConfig(configOf(complete.files.get("main.ts") as string))).not.toThrow();
  const cases: [Partial<typeof ESTATE>, RegExp][] = [
    [{ organizationId: undefined }, /^trailgate config: organizationId .*--organization-id/],
    [{ managementAccount: undefined }, /^trailgate config: managementAccountId .*--management-account/],
    [{ logArchiveAccount: undefined }, /^trailgate config: logArchiveAccountId .*--log-archive-account/],
    [{ alertEmails: [] }, /^trailgate config: alertEmails\.critical\[0\] .*--alert-email/],
  ];
  expect(scaffold({ dir: "x", alertEmails: [] }).placeholders).toEqual([
    "organizationId (--organization-id)",
    "managementAccountId (--management-account)",
    "logArchiveAccountId (--log-archive-account)",
    "alertEmails.critical (--alert-email)",
  ]);
  for (const [left, error] of cases) {
    const { files, placeholders } = scaffold({ dir: "x", ...ESTATE, ...left });
    expect(placeholders).toHaveLength(1);
    expect(() => resolveTrailgateConfig(configOf(files.get("main.ts") as string))).toThrow(error);
  }
});

test("init writes every file, refuses to overwrite any (exit 2, nothing written) and overwrites with --force", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-init-unit-"));
  const flags = ["--management-account", "111111111111", "--log-archive-account", "222222222222", "--organization-id", "o-exampleorg1", "--alert-email", "a@example.co.uk"];
  const first = await init([dir, ...flags]);
  expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: "" });
  const written = ["package.json", "tsconfig.json", "cdktf.json", "main.ts", "trailgate.config.json", ".github/workflows/trailgate.yml", ".gitignore"];
  for (const file of written) expect({ file, exists: fs.existsSync(path.join(dir, file)) }).toEqual({ file, exists: true });
  expect(JSON.parse(fs.readFileSync(path.join(dir, "trailgate.config.json"), "utf8"))).toEqual({ scope: { constructPaths: ["audit"] } });

  fs.rmSync(path.join(dir, "main.ts"));
  fs.writeFileSync(path.join(dir, ".gitignore"), "mine\n");
  expectInputError(await init([dir, ...flags]), `init: ${path.join(dir, "package.json")} exists (and 5 more:`);
  expect(fs.existsSync(path.join(dir, "main.ts"))).toBe(false);
  expect(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")).toBe("mine\n");

  expect((await init([dir, "--force", ...flags])).status).toBe(0);
  expect(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")).toContain("cdktf.out/");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("usage errors exit 2 with one line; --help exits 0", async () => {
  expectInputError(await init(["--region", "eu-west-2"]), "unknown option --region (see trailgate init --help)");
  expectInputError(await init(["a", "b"]), "init takes one DIR at most, got 2");
  expectInputError(await init(["x", "--alert-email"]), "--alert-email needs a value");
  expectInputError(await init(["x", "--management-account", "1", "--log-archive-account", "1"]), "--management-account must be a 12-digit AWS account id, not 1");
  const help = await init(["--help"]);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^usage: trailgate init/);
});
