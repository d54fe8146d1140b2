/**
 * `trailgate simulate`: the example estate, synthesized, pages someone for every
 * monitor of its policy data within the monitor's deadline, on the bundled samples;
 * through main() for the exit codes and both output formats.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { TrailgateStack } from "../../modules";
import { exampleConfig } from "../../example-config";
import { main } from "../../cli/main";
import { synthDocument } from "../../terraform";
import { loadPolicyBundle } from "../../gate/policy";
import { LEGACY_MONITOR_IDS, SAMPLE_EVENTS } from "../../gate/alerts/samples";
import { simulate } from "../../gate/alerts/simulate";
import { monitorEvent, monitorsOf } from "../../gate/alerts/model";
import { expectInputError } from "../helpers/cli";

const REPO = path.resolve(__dirname, "..", "..");
const EXAMPLE_DATA = path.join(REPO, "example-policy-data.json");
const config = loadPolicyBundle({ dataFile: EXAMPLE_DATA }).config;

function exampleJson(edit?: (s: TrailgateStack) => void): string {
  const stack = new TrailgateStack(Testing.app(), "example", exampleConfig);
  edit?.(stack);
  return Testing.synth(stack);
}

const example = { name: "example", input: synthDocument("example", JSON.parse(exampleJson())).input };

test.each(monitorsOf(config).map((m) => [String(m.id), String(m.tier)]))("the example estate pages %s on its %s tier's topic within the deadline", (id, tier) => {
  const result = simulate(SAMPLE_EVENTS[id], `sample:${id}`, [example], config);
  expect(result.monitors.map((m) => m.id)).toContain(id);
  expect(result.verdict).toBe("pages");
  const ownDeadline = result.monitors.find((m) => m.id === id)!.deadline_seconds;
  const ownTierPage = result.documents[0].pages.find((p) => p.tier === tier);
  expect(ownTierPage).toBeDefined();
  expect(ownTierPage!.latency_seconds).toBeLessThanOrEqual(ownDeadline);
});

describe("the command", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tg-simulate-"));
  const synth = path.join(work, "cdk.tf.json");
  fs.writeFileSync(synth, exampleJson());
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function run(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const status = main(["simulate", ...argv], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }) as number;
    return { status, stdout, stderr };
  }

  test("a root login pages the critical topic within 6 minutes: exit 0, the path in text", () => {
    const r = run("sample:cis-4.3-root-account-use", synth, "--data", EXAMPLE_DATA);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("monitor: cis-4.3-root-account-use (Root account use), critical tier, deadline 6 min");
    expect(r.stdout).toMatch(/pages: aws_cloudtrail\.\S+ -> aws_cloudwatch_log_group\.monitoring_log_group -> aws_cloudwatch_log_metric_filter\.monitoring_root_account_usage_filter -> aws_cloudwatch_metric_alarm\.monitoring_root_account_usage_alarm -> aws_sns_topic\.monitoring_critical_topic \(critical tier, 1 subscription\(s\)\) within 6 min/);
    expect(r.stdout).toMatch(/result: pages aws_sns_topic\.monitoring_critical_topic within 6 min \(deadline 6 min\)\n$/);
  });

  test("a sample named by its CIS v1.2 id still runs, with a deprecation note naming the v3.0 id", () => {
    const current = run("sample:cis-4.3-root-account-use", synth, "--data", EXAMPLE_DATA);
    const legacy = run("sample:cis-3.3-root-account-use", synth, "--data", EXAMPLE_DATA);
    expect(legacy.status).toBe(0);
    expect(legacy.stdout).toBe(current.stdout);
    expect(legacy.stderr).toContain(
      "trailgate: note: sample:cis-3.3-root-account-use is the CIS v1.2 monitor id; monitors use CIS AWS Foundations v3.0 numbers now: use sample:cis-4.3-root-account-use",
    );
    expect(current.stderr).not.toContain("note:");
    expectInputError(run("sample:cis-3.15-organizations-changes", synth), "no bundled sample cis-3.15-organizations-changes");
  });

  test("policy data that still names monitors by CIS v1.2 ids keeps their bundled samples", () => {
    const renamed = {
      ...config,
      required_monitors: (config.required_monitors as Array<Record<string, unknown>>).map((m) => ({ ...m, id: String(m.id).replace(/^cis-4\.(1[0-4]|[1-9])-/, "cis-3.$1-") })),
    };
    expect(monitorsOf(renamed).map((m) => m.id)).toContain("cis-3.3-root-account-use");
    const result = simulate(SAMPLE_EVENTS["cis-4.3-root-account-use"], "sample:cis-4.3-root-account-use", [example], renamed);
    expect(result.monitors.map((m) => m.id)).toContain("cis-3.3-root-account-use");
    expect(result.verdict).toBe("pages");
    // The TG-ALR rules follow the bundled sample, not an event rebuilt from the pattern.
    const legacyRoot = monitorsOf(renamed).find((m) => m.id === "cis-3.3-root-account-use")!;
    expect(monitorEvent(legacyRoot)).toEqual({ event: SAMPLE_EVENTS["cis-4.3-root-account-use"], source: "sample" });
    expect(monitorEvent({ ...legacyRoot, id: "team-root-use" }).source).toBe("match");
    expect(Object.entries(LEGACY_MONITOR_IDS)).toHaveLength(14);
    expect(LEGACY_MONITOR_IDS["cis-3.10-security-group-changes"]).toBe("cis-4.10-security-group-changes");
  });

  test("a record of a log file, JSON output", () => {
    const file = path.join(work, "log.json");
    fs.writeFileSync(file, JSON.stringify({ Records: [SAMPLE_EVENTS["cis-4.10-security-group-changes"]] }));
    const r = run(file, synth, "--format", "json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verdict: "pages", deadline_seconds: 900, fastest: { alarm: "aws_cloudwatch_metric_alarm.monitoring_security_group_changes_alarm", latency_seconds: 900 } });
  });

  test("an event no monitor watches pages nobody: exit 1", () => {
    const file = path.join(work, "describe.json");
    fs.writeFileSync(file, JSON.stringify({ ...SAMPLE_EVENTS["cis-4.10-security-group-changes"], eventName: "DescribeSecurityGroups", readOnly: true }));
    const r = run(file, synth);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("monitors: none of the policy data's monitors match this event");
    expect(r.stdout).toMatch(/stops at filter: no metric filter on log group aws_cloudwatch_log_group\.monitoring_log_group matches the event/);
    expect(r.stdout).toMatch(/result: pages nobody \(no deadline known\)\n$/);
  });

  test("a late page is exit 1, naming the alarm and the time", () => {
    const slow = path.join(work, "slow.tf.json");
    fs.writeFileSync(slow, exampleJson((s) => s.monitoring.alarms.find((a) => a.alarmNameInput === "trailgate-root-account-usage")!.addOverride("period", 900)));
    const r = run("sample:cis-4.3-root-account-use", slow);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/result: pages LATE: aws_sns_topic\.monitoring_critical_topic within 20 min \(deadline 6 min\)/);
  });

  test("bad input is exit 2 with one reason", () => {
    const notEvent = path.join(work, "not-event.json");
    fs.writeFileSync(notEvent, JSON.stringify({ hello: "world" }));
    expectInputError(run(notEvent, synth), "is not a CloudTrail event: it needs eventName and eventSource");
    expectInputError(run("sample:no-such-monitor", synth), "no bundled sample no-such-monitor");
    expectInputError(run(path.join(work, "missing.json"), synth), "cannot read event");
    const two = path.join(work, "two.json");
    fs.writeFileSync(two, JSON.stringify({ Records: [SAMPLE_EVENTS["cis-4.3-root-account-use"], SAMPLE_EVENTS["cis-4.3-root-account-use"]] }));
    expectInputError(run(two, synth), "is a log file with 2 records");
    expectInputError(run("sample:cis-4.3-root-account-use", synth, "--format", "sarif"), "--format must be text or json");
    expectInputError(run("sample:cis-4.3-root-account-use", path.join(work, "nope")), "cannot read");
  });
});
