/**
 * The README's GitHub Actions workflow (examples/github-actions/trailgate.yml, shown
 * verbatim in the README) lints clean with the pinned actionlint (tools/actionlint,
 * built from the Go module proxy), and installs the gate only: no Go, OPA or Python.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "..");
const workflowFile = path.join(repo, "examples", "github-actions", "trailgate.yml");
const workflow = fs.readFileSync(workflowFile, "utf8");
let actionlint: string;

beforeAll(() => {
  actionlint = execFileSync("bash", [path.join(repo, "tools", "actionlint", "install.sh")], { encoding: "utf8" }).trim().split("\n").pop() as string;
});

function lint(file: string) {
  return spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", file], { encoding: "utf8" });
}

test("the README shows the workflow file verbatim", () => {
  expect(fs.readFileSync(path.join(repo, "README.md"), "utf8")).toContain(`\`\`\`yaml\n${workflow}\`\`\``);
});

test("actionlint passes the workflow", () => {
  const result = lint(workflowFile);
  expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: "" });
});

test("actionlint catches a broken copy (the check can fail)", () => {
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-workflow-")), "broken.yml");
  fs.writeFileSync(broken, workflow.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minute: 5"));
  const result = lint(broken);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain("timeout-minute");
  fs.rmSync(path.dirname(broken), { recursive: true, force: true });
});

test("the workflow installs only the gate: no Go, OPA, Python, cdktf or setup script", () => {
  expect(workflow).toMatch(/npm install [^\n]*--omit=optional --omit=peer [^\n]*trailgate-\d+\.\d+\.\d+\.tgz/);
  const steps = workflow.split("\n").filter((line) => !line.trim().startsWith("#")).join("\n");
  expect(steps).not.toMatch(/setup-go|setup-python|scripts\/setup\.sh|\bopa\b|pip install|cdktf/);
});
