/**
 * Readable in a pull request: repeats of one rule on one resource are one finding listing
 * its members (--expand lists each), long messages are cut in text and github (whole in
 * json), and a github annotation is an error exactly when the finding fails --fail-on.
 */
import * as path from "path";
import { runInProcess } from "../helpers/cli";
import { DISPLAY_MESSAGE_LIMIT, GROUP_MIN } from "../../gate/report/readable";
import { helpBaseUri } from "../../gate/report/sarif";

const synthFixture = path.join(__dirname, "fixtures", "synth", "cdk.tf.json");

const trailgate = runInProcess;

interface JsonFinding {
  id: string;
  resource: string;
  message: string;
  severity: string;
  status: string;
}

async function jsonFindings(args: string[] = []): Promise<JsonFinding[]> {
  return JSON.parse((await trailgate(["check", synthFixture, "--format", "json", ...args])).stdout).documents[0].findings;
}

/** (rule, resource) pairs with at least GROUP_MIN findings: what text and github show once. */
function repeated(findings: JsonFinding[]): Map<string, JsonFinding[]> {
  const byKey = new Map<string, JsonFinding[]>();
  for (const finding of findings) byKey.set(`${finding.id} ${finding.resource}`, [...(byKey.get(`${finding.id} ${finding.resource}`) ?? []), finding]);
  return new Map([...byKey].filter(([, members]) => members.length >= GROUP_MIN));
}

test("text shows repeats of one cause once, listing the members; --expand lists each", async () => {
  const findings = await jsonFindings();
  const groups = repeated(findings);
  expect(groups.size).toBeGreaterThan(0);
  const text = (await trailgate(["check", synthFixture])).stdout;
  const expanded = (await trailgate(["check", synthFixture, "--expand"])).stdout;
  for (const [key, members] of groups) {
    const [id] = key.split(" ");
    const rows = text.split("\n").filter((line) => new RegExp(`^\\w+\\s+${id}\\s`).test(line));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`${members.length} findings of this rule here (--expand lists each):`);
    const listed = text.split("\n").filter((line) => line.startsWith("    - "));
    expect(listed.length).toBeGreaterThanOrEqual(members.length);
    expect(expanded.split("\n").filter((line) => new RegExp(`^\\w+\\s+${id}\\s`).test(line))).toHaveLength(members.length);
  }
});

test("long messages are cut in text and github and whole in json", async () => {
  const long = (await jsonFindings()).filter((finding) => finding.message.length > DISPLAY_MESSAGE_LIMIT);
  const single = long.find((finding) => finding.id === "TG-LOG-015") ?? long[0];
  expect(single).toBeDefined();
  const text = (await trailgate(["check", synthFixture, "--expand"])).stdout;
  expect(text).not.toContain(single.message);
  expect(text).toContain(`${single.message.slice(0, DISPLAY_MESSAGE_LIMIT)}… [${single.message.length - DISPLAY_MESSAGE_LIMIT} more characters in --format json]`);
  const github = (await trailgate(["check", synthFixture, "--format", "github", "--expand"])).stdout;
  expect(github).toContain(`more characters in --format json]`);
  expect(github.split("\n").every((line) => line.length < 1200)).toBe(true);
});

test("a github annotation is an error exactly when its finding fails --fail-on", async () => {
  for (const failOn of ["low", "medium", "high", "critical"]) {
    const github = (await trailgate(["check", synthFixture, "--format", "github", "--fail-on", failOn, "--expand"])).stdout;
    const annotations = github.split("\n").filter((line) => /^::(error|warning|notice) file=/.test(line));
    const findings = await jsonFindings(["--fail-on", failOn]);
    expect(annotations.filter((line) => line.startsWith("::error ")).length).toBe(findings.filter((finding) => finding.status === "failing").length);
    expect(annotations.filter((line) => line.startsWith("::notice ")).length).toBe(findings.filter((finding) => finding.status === "below-threshold").length);
    expect(annotations.some((line) => line.startsWith("::warning "))).toBe(false);
  }
});

describe("SARIF help links a reviewer can open", () => {
  const info = { name: "trailgate", version: "1.2.3" };

  test("come from the package's GitHub repository at its version tag, or its homepage", () => {
    expect(helpBaseUri({ ...info, repository: "git+https://github.com/acme/trailgate.git" }, {})).toBe("https://github.com/acme/trailgate/blob/v1.2.3/help/rules/");
    expect(helpBaseUri({ ...info, repository: "github.com:acme/trailgate" }, {})).toBe("https://github.com/acme/trailgate/blob/v1.2.3/help/rules/");
    expect(helpBaseUri({ ...info, homepage: "https://docs.acme.example/trailgate#readme" }, {})).toBe("https://docs.acme.example/trailgate/help/rules/");
  });

  test("TRAILGATE_HELP_BASE_URI overrides them; with none, the installed pages are used", () => {
    const env = { TRAILGATE_HELP_BASE_URI: "https://mirror.example/help/rules" };
    expect(helpBaseUri({ ...info, repository: "https://github.com/acme/trailgate" }, env)).toBe("https://mirror.example/help/rules/");
    expect(helpBaseUri(info, {})).toBeUndefined();
  });
});
