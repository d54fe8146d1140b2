import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Io } from "../../cli/main";
import { publicKeyEntry, StaticPublicKeyStore } from "../../operations/validate-logs/keys";
import { parseTrailArn, Scope } from "../../operations/validate-logs/layout";
import { parseTime, validateLogsCommand } from "../../cli/validate-logs";
import { MemorySource } from "../../operations/validate-logs/source";
import { buildChain, Chain, listPublicKeysJson, makeSigner, Signer } from "./chain";

const repo = path.resolve(__dirname, "..", "..");
const BUCKET = "trailgate-log-archive";
const ARN = "arn:aws:cloudtrail:eu-west-2:111111111111:trail/trailgate-org";
const SCOPE: Scope = { organizationId: "o-abcde12345", accountId: "222222222222", region: "eu-west-2" };
const NOW = new Date("2026-11-21T00:00:00Z");
const PERIOD = ["--start-time", "2026-11-19", "--end-time", "2026-11-20T00:00:00Z"];

let signer: Signer;
let chain: Chain;
let tmp: string;
let keysFile: string;

beforeAll(() => {
  signer = makeSigner();
  chain = buildChain({ bucket: BUCKET, trail: parseTrailArn(ARN)!, scope: SCOPE, firstEnd: new Date("2026-11-19T00:01:31Z"), digests: 25, logsPerDigest: 2, signer });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-validate-logs-"));
  keysFile = path.join(tmp, "list-public-keys.json");
  fs.writeFileSync(keysFile, listPublicKeysJson([signer], new Date("2026-11-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z")));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function source(): MemorySource {
  const memory = new MemorySource();
  for (const file of chain.files) memory.put(file.bucket, file.key, file.body, file.metadata);
  return memory;
}

async function run(args: string[], memory = source()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
  const code = await validateLogsCommand(args, io, { source: memory, now: NOW });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const BASE = ["--trail-arn", ARN, ...PERIOD, "--s3-bucket", BUCKET];

describe("trailgate validate-logs (in process, objects in memory)", () => {
  test("a clean chain: exit 0, a table per day and a summary line", async () => {
    const result = await run([...BASE, "--public-keys", keysFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/o-abcde12345\/222222222222\/eu-west-2 +2026-11-19 +24 +0 +0 +0 +48 /);
    expect(result.stdout.trimEnd().split("\n").pop()).toBe(
      "trailgate validate-logs: valid; 25 digests and 50 log files valid in 1 account/region, 2026-11-19T00:00:00.000Z to 2026-11-20T00:00:00.000Z",
    );
    expect(result.stderr).toBe("");
  });

  test("a modified log: exit 1, in every format", async () => {
    const memory = source();
    const target = chain.digests[3].logKeys[0];
    memory.put(BUCKET, target, Buffer.from(memory.peek(BUCKET, target)!.body).fill(7, 20, 21));
    const text = await run([...BASE, "--public-keys", keysFile], memory);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`FAIL  2026-11-19T02:00Z  o-abcde12345/222222222222/eu-west-2  log-modified  s3://${BUCKET}/${target}`);

    const json = await run([...BASE, "--public-keys", keysFile, "--format", "json"], memory);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ schema: "trailgate-validate-logs/1", outcome: "integrity-failure", passed: false, totals: { logs: { modified: 1, valid: 49 } } });
    expect(report.days).toHaveLength(2);
    expect(report.findings).toEqual([expect.objectContaining({ kind: "log-modified", level: "error", uri: `s3://${BUCKET}/${target}` })]);
    expect(json.stderr).toMatch(/^trailgate validate-logs: FAILED \(integrity\): 1 log file modified;/);

    const sarif = JSON.parse((await run([...BASE, "--public-keys", keysFile, "--format", "sarif"], memory)).stdout);
    expect(sarif.version).toBe("2.1.0");
    const rules = sarif.runs[0].tool.driver.rules;
    expect(sarif.runs[0].results).toEqual([
      expect.objectContaining({ ruleId: "validate-logs/log-modified", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: `s3://${BUCKET}/${target}` } } }] }),
    ]);
    expect(rules[sarif.runs[0].results[0].ruleIndex].id).toBe("validate-logs/log-modified");

    const junit = (await run([...BASE, "--public-keys", keysFile, "--format", "junit"], memory)).stdout;
    expect(junit).toContain('<testsuites name="trailgate validate-logs" tests="2" failures="1" errors="0">');
    expect(junit).toMatch(/<testcase classname="o-abcde12345\/222222222222\/eu-west-2" name="2026-11-19 digests and log files">\n {6}<failure type="integrity"/);
  });

  test("--output writes the report and puts the summary on stderr", async () => {
    const output = path.join(tmp, "report.sarif");
    const result = await run([...BASE, "--public-keys", keysFile, "--format", "sarif", "--output", output]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(JSON.parse(fs.readFileSync(output, "utf8")).runs[0].results).toEqual([]);
    expect(result.stderr).toMatch(/^trailgate validate-logs: valid;/);
  });

  test("--output never overwrites the --public-keys file it read", async () => {
    const before = fs.readFileSync(keysFile, "utf8");
    await expect(run([...BASE, "--public-keys", keysFile, "--output", keysFile])).rejects.toThrow(/--output .* is the same file as the input/);
    expect(fs.readFileSync(keysFile, "utf8")).toBe(before);
  });

  test("keys that did not sign the digests: exit 1, digests not signed by a known key", async () => {
    const other = path.join(tmp, "other-keys.json");
    fs.writeFileSync(other, listPublicKeysJson([makeSigner()], NOW, NOW));
    const result = await run([...BASE, "--public-keys", other]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("25 digests not signed by a known key");
  });

  test("an unreadable object: exit 2, and the report says which", async () => {
    const memory = source();
    const denied = chain.digests[5].logKeys[1];
    const reading = {
      list: memory.list.bind(memory),
      get: memory.get.bind(memory),
      open: async (bucket: string, key: string) => {
        if (key === denied) throw new (await import("../../operations/validate-logs/source")).ObjectUnreadableError(`s3://${bucket}/${key}`, "AccessDenied: Access Denied (HTTP 403)");
        return memory.open(bucket, key);
      },
    };
    const out: string[] = [];
    const code = await validateLogsCommand([...BASE, "--public-keys", keysFile], { stdout: (t) => out.push(t), stderr: () => undefined }, { source: reading, now: NOW });
    expect(code).toBe(2);
    expect(out.join("")).toContain(`UNREAD  2026-11-19T04:00Z  o-abcde12345/222222222222/eu-west-2  log-unreadable  s3://${BUCKET}/${denied}`);
  });

  test("keys from CloudTrail when no --public-keys is given (store injected)", async () => {
    const out: string[] = [];
    const keys = new StaticPublicKeyStore("CloudTrail ListPublicKeys", [{ region: "eu-west-2", entry: publicKeyEntry(signer.publicKeyDer, signer.fingerprint) }]);
    const code = await validateLogsCommand(BASE, { stdout: (t) => out.push(t), stderr: () => undefined }, { source: source(), keys, now: NOW });
    expect(code).toBe(0);
    expect(out.join("")).toContain("keys    CloudTrail ListPublicKeys");
  });

  test.each([
    [["--start-time", "-1d"], "validate-logs needs --trail-arn"],
    [["--trail-arn", "arn:aws:s3:::bucket", "--start-time", "-1d"], "is not a trail ARN"],
    [["--trail-arn", ARN], "validate-logs needs --start-time"],
    [["--trail-arn", ARN, "--start-time", "yesterday"], '--start-time "yesterday" is not a time'],
    [["--trail-arn", ARN, "--start-time", "2026-02-30"], '--start-time "2026-02-30" is not a time'],
    [["--trail-arn", ARN, "--start-time", "2026-11-20", "--end-time", "2026-11-19"], "is not before --end-time"],
    [["--trail-arn", ARN, "--start-time", "2027-01-01", "--end-time", "2027-01-02"], "is in the future"],
    [["--trail-arn", ARN, "--start-time", "-1d", "--account-id", "12"], "--account-id must be 12 digits"],
    [["--trail-arn", ARN, "--start-time", "-1d", "--format", "html"], "--format must be one of text, json, sarif, junit"],
    [["--trail-arn", ARN, "--start-time", "-1d", "--bucket", "b"], "unknown option --bucket"],
    [["--trail-arn", ARN, "--start-time", "-1d", "--s3-bucket", BUCKET, "--public-keys", "/nonexistent/keys.json"], "cannot read --public-keys /nonexistent/keys.json: ENOENT"],
    [["--trail-arn", ARN, "--start-time", "-1d", "--s3-bucket", "other-bucket", "--public-keys", "KEYS"], "cannot list s3://other-bucket/AWSLogs/: NoSuchBucket"],
  ])("input error %j", async (args, message) => {
    await expect(run(args.map((arg) => (arg === "KEYS" ? keysFile : arg)))).rejects.toThrow(message);
  });
});

describe("time arguments", () => {
  test.each([
    ["2026-11-20", "2026-11-20T00:00:00.000Z"],
    ["2026-11-20T09:30", "2026-11-20T09:30:00.000Z"],
    ["2026-11-20T09:30:15Z", "2026-11-20T09:30:15.000Z"],
    ["2026-11-20T09:30:15.250Z", "2026-11-20T09:30:15.250Z"],
    ["2026-11-20T10:30:15+01:00", "2026-11-20T09:30:15.000Z"],
    ["-7d", "2026-11-14T00:00:00.000Z"],
    ["-36h", "2026-11-19T12:00:00.000Z"],
    ["-90m", "2026-11-20T22:30:00.000Z"],
    ["now", "2026-11-21T00:00:00.000Z"],
  ])("%s", (text, iso) => {
    expect(parseTime(text, "--start-time", NOW).toISOString()).toBe(iso);
  });
});

describe("the CLI binary", () => {
  beforeAll(() => {
    spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
  });

  test("validate-logs --help prints its usage and exit codes", () => {
    const result = spawnSync(process.execPath, ["bin/trailgate.js", "validate-logs", "--help"], { cwd: repo, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("exit codes: 0 every digest and log file valid, 1 integrity failure");
  });

  test("an input error is one line and exit 2", () => {
    const result = spawnSync(process.execPath, ["bin/trailgate.js", "validate-logs", "--trail-arn", "nope", "--start-time", "-1d"], { cwd: repo, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('trailgate: error: --trail-arn "nope" is not a trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME)\n');
  });

  test("an unreachable endpoint is exit 2, never valid", () => {
    const env = { ...process.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "x", AWS_EC2_METADATA_DISABLED: "true", AWS_MAX_ATTEMPTS: "1", NODE_NO_WARNINGS: "1" };
    const result = spawnSync(process.execPath, ["bin/trailgate.js", "validate-logs", "--trail-arn", ARN, "--start-time", "-1d", "--s3-bucket", BUCKET], { cwd: repo, env, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^trailgate: error: cannot list s3:\/\/trailgate-log-archive\/AWSLogs\/: .*ECONNREFUSED/);
  });

  test("trailgate check never loads the AWS SDK or validate-logs; validate-logs does", () => {
    const probe = (argv: string[]) => `const cli = require(${JSON.stringify(path.join(repo, "dist", "cli", "main.js"))});
      Promise.resolve(cli.main(${JSON.stringify(argv)}, { stdout() {}, stderr() {} })).then((code) => {
        const loaded = Object.keys(require.cache).filter((file) => /@aws-sdk|validate-logs/.test(file)).length;
        process.stdout.write(JSON.stringify({ code, loaded }));
      });`;
    const check = spawnSync(process.execPath, ["-e", probe(["check", path.join(repo, "test/gate/fixtures/synth/cdk.tf.json")])], { cwd: repo, encoding: "utf8" });
    expect(JSON.parse(check.stdout)).toEqual({ code: expect.any(Number), loaded: 0 });
    expect([0, 1]).toContain(JSON.parse(check.stdout).code);
    const validate = spawnSync(process.execPath, ["-e", probe(["validate-logs", "--trail-arn", "nope", "--start-time", "-1d"])], { cwd: repo, encoding: "utf8" });
    expect(JSON.parse(validate.stdout).code).toBe(2);
    expect(JSON.parse(validate.stdout).loaded).toBeGreaterThan(0);
  });
});
