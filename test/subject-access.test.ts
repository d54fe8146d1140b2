/**
 * Subject access: the queries (Logs Insights and CloudTrail Lake SQL) for one
 * principal, one bucket or object prefix, one source IP; the saved query definitions
 * the constructs put on the trail's log group; and `trailgate subject-access`, which
 * prints them filled in for a time window, fails closed on bad input, and loads
 * neither the AWS SDK nor cdktf.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { Testing } from "cdktf";
import { TrailgateStack } from "../modules";
import { insightsQuery, lakeQuery, SAVED_QUERIES, validateSubject } from "../modules/subject-access-query-text";
import { parseSubjectAccessArguments, renderSubjectAccess } from "../cli/subject-access";
import { expectInputError, Run } from "./helpers/cli";

const repo = path.resolve(__dirname, "..");
const bin = path.join(repo, "bin", "trailgate.js");

function trailgate(args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: repo });
});

describe("queries", () => {
  test("one principal: an ARN matches the identity or the role its sessions were issued by; a name matches the user or session name", () => {
    expect(insightsQuery({ kind: "principal", value: "arn:aws:iam::111111111111:role/Support" })).toBe(
      [
        "fields @timestamp, recipientAccountId, awsRegion, eventSource, eventName, userIdentity.arn, sourceIPAddress, userAgent, requestParameters.bucketName, requestParameters.key, errorCode",
        '| filter userIdentity.arn = "arn:aws:iam::111111111111:role/Support" or userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::111111111111:role/Support"',
        "| sort @timestamp asc",
        "| limit 10000",
      ].join("\n"),
    );
    expect(insightsQuery({ kind: "principal", value: "alice.smith@example.co.uk" })).toContain(
      '| filter userIdentity.userName = "alice.smith@example.co.uk" or userIdentity.arn like /\\/alice\\.smith@example\\.co\\.uk$/',
    );
  });

  test("one bucket, one object prefix (regex-escaped), one source IP", () => {
    expect(insightsQuery({ kind: "bucket", bucket: "customer-data" })).toContain('| filter eventSource = "s3.amazonaws.com" and requestParameters.bucketName = "customer-data"\n');
    expect(insightsQuery({ kind: "bucket", bucket: "customer-data", prefix: "customers/4711.a/" })).toContain(
      'requestParameters.bucketName = "customer-data" and requestParameters.key like /^customers\\/4711\\.a\\//',
    );
    expect(insightsQuery({ kind: "source-ip", value: "203.0.113.7" })).toContain('| filter sourceIPAddress = "203.0.113.7"\n');
  });

  test("CloudTrail Lake SQL: the window on eventTime, the same conditions, request parameters through element_at", () => {
    const sql = lakeQuery({ kind: "bucket", bucket: "customer-data", prefix: "customers/4711/" }, "EXAMPLE-eds", new Date("2026-06-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z"));
    expect(sql).toContain("FROM EXAMPLE-eds\nWHERE eventTime >= '2026-06-01 00:00:00' AND eventTime < '2026-12-01 00:00:00'");
    expect(sql).toContain(
      "AND (eventSource = 's3.amazonaws.com' AND element_at(requestParameters, 'bucketName') = 'customer-data' AND substr(element_at(requestParameters, 'key'), 1, length('customers/4711/')) = 'customers/4711/')",
    );
    expect(lakeQuery({ kind: "principal", value: "o'brien" }, "EXAMPLE-eds", new Date(0), new Date(1000))).toContain("userIdentity.username = 'o''brien'");
  });

  test("values that could break out of the query are refused", () => {
    expect(() => validateSubject({ kind: "principal", value: 'x" or 1=1' })).toThrow("--principal must be an IAM or STS ARN");
    expect(() => validateSubject({ kind: "bucket", bucket: "Customer_Data" })).toThrow("--bucket must be an S3 bucket name");
    expect(() => validateSubject({ kind: "bucket", bucket: "customer-data", prefix: 'a"b' })).toThrow('the object prefix "a"b" may hold only');
    expect(() => validateSubject({ kind: "source-ip", value: "203.0.113" })).toThrow("--source-ip must be an IPv4 or IPv6 address");
    expect(validateSubject({ kind: "source-ip", value: "2001:db8::1" })).toEqual({ kind: "source-ip", value: "2001:db8::1" });
  });
});

describe("saved query definitions (SubjectAccessQueries in TrailgateStack)", () => {
  const doc = JSON.parse(Testing.synth(new TrailgateStack(Testing.app(), "sar", { organizationId: "o-abcdefghij", managementAccountId: "111111111111", logArchiveAccountId: "222222222222" })));
  const definitions = Object.values(doc.resource.aws_cloudwatch_query_definition as Record<string, Record<string, unknown>>);

  test("four queries in trailgate/subject-access/ on the trail's log group, with placeholders", () => {
    expect(definitions.map((d) => d.name).sort()).toEqual(["one-bucket", "one-object-prefix", "one-principal", "one-source-ip"].map((n) => `trailgate/subject-access/${n}`));
    for (const d of definitions) {
      expect(d.log_group_names).toEqual(["${aws_cloudwatch_log_group.monitoring_log_group.name}"]);
      expect(d.query_string).toMatch(/REPLACE_WITH_/);
      expect(SAVED_QUERIES.map((q) => q.query)).toContain(d.query_string);
    }
  });
});

describe("trailgate subject-access", () => {
  test("prints the filled-in Logs Insights query and the aws CLI command for the window (end excluded)", () => {
    const r = trailgate(["subject-access", "--source-ip", "203.0.113.7", "--from", "2026-11-01", "--to", "2026-11-02T12:00:00Z", "--log-group", "/acme/cloudtrail/org-trail"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("# CloudWatch Logs Insights, log group /acme/cloudtrail/org-trail, 2026-11-01T00:00:00.000Z to 2026-11-02T12:00:00.000Z (end excluded)");
    expect(r.stdout).toContain(`aws logs start-query --log-group-name '/acme/cloudtrail/org-trail' --start-time ${Date.UTC(2026, 10, 1) / 1000} --end-time ${Date.UTC(2026, 10, 2, 12) / 1000 - 1}`);
    expect(r.stdout).toContain('| filter sourceIPAddress = "203.0.113.7"');
    expect(r.stdout).not.toContain("CloudTrail Lake");
  });

  test("--lake adds the Lake SQL for the store named by ID or ARN", () => {
    const options = parseSubjectAccessArguments(["--principal", "arn:aws:iam::111111111111:user/alice", "--from", "2026-01-01", "--to", "2026-02-01", "--lake", "arn:aws:cloudtrail:eu-west-2:111111111111:eventdatastore/EXAMPLE-f852-4e8f"]);
    if (options === "help") throw new Error("help");
    expect(options.eventDataStoreId).toBe("EXAMPLE-f852-4e8f");
    const text = renderSubjectAccess(options);
    expect(text).toContain("# CloudTrail Lake, event data store EXAMPLE-f852-4e8f\nSELECT eventTime");
    expect(text).toContain("aws cloudtrail start-query --query-statement 'SELECT");
  });

  test("bad input fails closed with one line and exit 2", () => {
    expectInputError(trailgate(["subject-access", "--from", "2026-01-01", "--to", "2026-02-01"]), "give exactly one of --principal, --bucket, --source-ip");
    expectInputError(trailgate(["subject-access", "--source-ip", "203.0.113.7", "--bucket", "b-1", "--from", "2026-01-01", "--to", "2026-02-01"]), "give exactly one of");
    expectInputError(trailgate(["subject-access", "--source-ip", "203.0.113.7", "--to", "2026-02-01"]), "--from is required");
    expectInputError(trailgate(["subject-access", "--source-ip", "203.0.113.7", "--from", "2026-02-30", "--to", "2026-03-01"]), '--from must be a UTC date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ, not "2026-02-30"');
    expectInputError(trailgate(["subject-access", "--source-ip", "203.0.113.7", "--from", "2026-02-01", "--to", "2026-01-01"]), "--from must be before --to");
    expectInputError(trailgate(["subject-access", "--bucket", "customer-data/a b", "--from", "2026-01-01", "--to", "2026-02-01"]), 'the object prefix "a b" may hold only');
    expectInputError(trailgate(["subject-access", "--source-ip", "203.0.113.7", "--from", "2026-01-01", "--to", "2026-02-01", "--lake", "not a store"]), "--lake must be an event data store ID or ARN");
    expectInputError(trailgate(["subject-access", "alice"]), "subject-access takes no positional arguments");
  });

  test("--help documents it, and it loads neither the AWS SDK nor cdktf", () => {
    const help = trailgate(["subject-access", "--help"]);
    expect(help.status).toBe(0);
    for (const text of ["--principal", "--bucket", "--source-ip", "--lake", "help/operations/subject-access.md", "exit codes"]) expect(help.stdout).toContain(text);
    expect(trailgate(["--help"]).stdout).toContain("trailgate subject-access");
    const probe = `
      const cli = require(${JSON.stringify(path.join(repo, "dist", "cli", "main.js"))});
      Promise.resolve(cli.main(["subject-access", "--source-ip", "203.0.113.7", "--from", "2026-01-01", "--to", "2026-02-01"], { stdout() {}, stderr() {} })).then((code) => {
        const loaded = Object.keys(require.cache).filter((m) => m.includes("@aws-sdk") || m.includes("cdktf") || m.includes("constructs"));
        process.stdout.write(JSON.stringify({ code, loaded }));
      });
    `;
    const r = spawnSync(process.execPath, ["-e", probe], { cwd: repo, encoding: "utf8" });
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, loaded: [] });
  });
});
