/**
 * Reports of a validate-logs run, in the gate's four formats and style (gate/report):
 * text (a table per account/region and day, the problems, one summary line), json
 * (schema trailgate-validate-logs/1), sarif (2.1.0, one rule per kind of finding) and
 * junit (a suite per account/region, a case per day).
 */
import { DigestCounts, Finding, FINDING_LEVEL, FindingKind, FindingLevel, HourRow, LogCounts, ValidationResult } from "./validate";

export const VALIDATE_LOGS_FORMATS = ["text", "json", "sarif", "junit"] as const;
export type ValidateLogsFormat = (typeof VALIDATE_LOGS_FORMATS)[number];

export const HELP_PAGE = "help/operations/validate-logs.md";

export interface DayRow {
  scope: string;
  day: string;
  digests: DigestCounts;
  logs: LogCounts;
  chainBreaks: number;
  gapHours: number;
  notes: Array<"restart" | "pending">;
}

/** The hour rows summed per account/region and UTC day. */
export function dayRows(hours: HourRow[]): DayRow[] {
  const days = new Map<string, DayRow>();
  for (const hour of hours) {
    const day = hour.hour.slice(0, 10);
    const id = `${hour.scope} ${day}`;
    let row = days.get(id);
    if (!row) {
      row = {
        scope: hour.scope,
        day,
        digests: { valid: 0, invalid: 0, unknownKey: 0, missing: 0, unreadable: 0 },
        logs: { valid: 0, modified: 0, deleted: 0, unreadable: 0 },
        chainBreaks: 0,
        gapHours: 0,
        notes: [],
      };
      days.set(id, row);
    }
    for (const field of Object.keys(row.digests) as Array<keyof DigestCounts>) row.digests[field] += hour.digests[field];
    for (const field of Object.keys(row.logs) as Array<keyof LogCounts>) row.logs[field] += hour.logs[field];
    row.chainBreaks += hour.chainBreaks;
    if (hour.gap) row.gapHours++;
    for (const note of hour.notes) if (!row.notes.includes(note)) row.notes.push(note);
  }
  return [...days.values()];
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** e.g. `trailgate validate-logs: FAILED (integrity): 1 digest missing, 1 chain break; valid: 49 digests, 196 log files` */
export function summaryLine(result: ValidationResult): string {
  const { digests, logs, chainBreaks, gapHours } = result.totals;
  const problems = [
    digests.invalid && `${plural(digests.invalid, "digest")} invalid`,
    digests.unknownKey && `${plural(digests.unknownKey, "digest")} not signed by a known key`,
    digests.missing && `${plural(digests.missing, "digest")} missing`,
    chainBreaks && plural(chainBreaks, "chain break"),
    gapHours && `${plural(gapHours, "hour")} with no digest`,
    logs.modified && `${plural(logs.modified, "log file")} modified`,
    logs.deleted && `${plural(logs.deleted, "log file")} deleted`,
    digests.unreadable && `${plural(digests.unreadable, "digest")} unreadable`,
    logs.unreadable && `${plural(logs.unreadable, "log file")} unreadable`,
    result.findings.some((finding) => finding.kind === "no-digests") && "no digests found",
  ].filter(Boolean);
  const valid = `${plural(digests.valid, "digest")} and ${plural(logs.valid, "log file")} valid in ${plural(result.scopes.length, "account/region", "accounts/regions")}`;
  const head =
    result.outcome === "valid" ? "valid" : result.outcome === "integrity-failure" ? "FAILED (integrity)" : "FAILED (could not verify everything)";
  return `trailgate validate-logs: ${head}${problems.length ? `: ${problems.join(", ")}` : ""}; ${valid}, ${result.start} to ${result.end}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell) => cell.length);
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column], cell.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join("  "));
}

const LEVEL_LABEL: Record<FindingLevel, string> = { error: "FAIL", unreadable: "UNREAD", note: "note" };

export function renderText(result: ValidationResult): string {
  const lines = [
    `trail   ${result.trail}`,
    `bucket  s3://${result.bucket}/${result.prefix ? `${result.prefix.replace(/^\/+|\/+$/g, "")}/` : ""}${result.accountId ? ` (account ${result.accountId})` : ""}`,
    `period  ${result.start} to ${result.end}`,
    `keys    ${result.keySource}`,
    "",
  ];
  const days = dayRows(result.hours);
  if (days.length > 0) {
    lines.push(
      ...table(
        ["ACCOUNT/REGION", "DAY", "DIGESTS", "INVALID", "UNKNOWN KEY", "MISSING", "LOGS", "MODIFIED", "DELETED", "UNREADABLE", "CHAIN BREAKS", "GAP HOURS"],
        days.map((row) => [
          row.scope,
          row.day,
          String(row.digests.valid),
          String(row.digests.invalid),
          String(row.digests.unknownKey),
          String(row.digests.missing),
          String(row.logs.valid),
          String(row.logs.modified),
          String(row.logs.deleted),
          String(row.digests.unreadable + row.logs.unreadable),
          String(row.chainBreaks),
          `${row.gapHours}${row.notes.length ? ` (${row.notes.join(", ")})` : ""}`,
        ]),
      ),
      "(DIGESTS and LOGS count the valid ones; UNREADABLE counts digests and log files that could not be read)",
      "",
    );
  }
  if (result.findings.length > 0) {
    lines.push(
      ...table(
        ["", "HOUR", "ACCOUNT/REGION", "WHAT", "OBJECT", "DETAIL"],
        result.findings.map((finding) => [
          LEVEL_LABEL[finding.level],
          finding.hour ?? "-",
          finding.scope ?? "-",
          finding.kind,
          finding.uri ?? "-",
          finding.message,
        ]),
      ),
      "",
    );
  }
  lines.push(summaryLine(result));
  return `${lines.join("\n")}\n`;
}

/**
 * JSON (schema "trailgate-validate-logs/1"):
 * {
 *   "schema": "trailgate-validate-logs/1", "tool": {"name": "trailgate", "version"},
 *   "trail", "bucket", "prefix", "accountId", "period": {"start", "end"}, "now", "keySource",
 *   "outcome": "valid" | "integrity-failure" | "unreadable", "passed": boolean,
 *   "totals": {"digests": {valid, invalid, unknownKey, missing, unreadable},
 *              "logs": {valid, modified, deleted, unreadable}, "chainBreaks", "gapHours"},
 *   "scopes": ["[o-id/]account/region"],
 *   "days": [{scope, day, digests, logs, chainBreaks, gapHours, notes}],
 *   "hours": [{scope, hour, digests, logs, chainBreaks, gap, notes}],
 *   "digests": [{scope, uri, backfill, hour, startTime, endTime, status, reason, fingerprint, starting, logFiles}],
 *   "findings": [{kind, level: "error" | "unreadable" | "note", scope, hour, uri, message}]
 * }
 * Times are ISO 8601 UTC; hours are "YYYY-MM-DDTHH:00Z".
 */
export function renderJson(result: ValidationResult, toolVersion: string): string {
  const report = {
    schema: "trailgate-validate-logs/1",
    tool: { name: "trailgate", version: toolVersion },
    trail: result.trail,
    bucket: result.bucket,
    prefix: result.prefix ?? null,
    accountId: result.accountId ?? null,
    period: { start: result.start, end: result.end },
    now: result.now,
    keySource: result.keySource,
    outcome: result.outcome,
    passed: result.outcome === "valid",
    totals: result.totals,
    scopes: result.scopes,
    days: dayRows(result.hours),
    hours: result.hours,
    digests: result.digests,
    findings: result.findings,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** One SARIF rule per kind of finding. */
const KINDS: Record<FindingKind, { title: string; help: string }> = {
  "digest-invalid": {
    title: "Digest file is invalid",
    help: "The digest's signature does not verify, it is not where CloudTrail put it, or it is not a digest file. Its content, or its signature metadata, was changed after delivery.",
  },
  "digest-unknown-key": {
    title: "Digest file is not signed by a known CloudTrail key",
    help: "The digest names a public key fingerprint that CloudTrail did not publish for its region. Someone signed it with their own key.",
  },
  "digest-missing": {
    title: "Digest file is missing",
    help: "The next digest in the chain names this digest as its predecessor, and it does not exist: it was deleted.",
  },
  "digest-unreadable": {
    title: "Digest file could not be read",
    help: "Access was denied, the request failed, or the public keys could not be listed. The digest is not counted as valid.",
  },
  "chain-break": {
    title: "Digest chain is broken",
    help: "A digest's record of its predecessor (key, signature, SHA-256) does not match the predecessor found, or a digest is not part of the chain.",
  },
  "log-modified": {
    title: "Log file was modified",
    help: "The SHA-256 of the log file's uncompressed content differs from the value its signed digest recorded.",
  },
  "log-deleted": {
    title: "Log file was deleted",
    help: "A signed digest lists the log file and it does not exist (or its latest version is a delete marker).",
  },
  "log-unreadable": {
    title: "Log file could not be read",
    help: "Access was denied or the request failed. The log file is not counted as valid.",
  },
  gap: {
    title: "No digest covers part of the period",
    help: "Digests are delivered every hour, even when nothing happened. Hours with none, not explained by a new chain starting, mean deleted digests or a trail that was not logging.",
  },
  "no-digests": {
    title: "No digest files found",
    help: "The bucket (and prefix) holds no CloudTrail-Digest folder for the trail: wrong bucket or prefix, or log file validation was never on.",
  },
  restart: {
    title: "A new digest chain starts",
    help: "CloudTrail starts a new chain when logging or log file validation is turned back on; no digests exist for the time before it.",
  },
  pending: {
    title: "Digest not delivered yet",
    help: "The last hours of the period may not have a digest yet; run again later to cover them.",
  },
};

const SARIF_LEVEL: Record<FindingLevel, "error" | "warning" | "note"> = { error: "error", unreadable: "warning", note: "note" };

export function renderSarif(result: ValidationResult, toolVersion: string, informationUri?: string): string {
  const kinds = Object.keys(KINDS) as FindingKind[];
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "trailgate validate-logs",
            version: toolVersion,
            ...(informationUri ? { informationUri } : {}),
            rules: kinds.map((kind) => ({
              id: `validate-logs/${kind}`,
              name: KINDS[kind].title.replace(/[^A-Za-z0-9]+/g, " ").trim().split(" ").map((word) => word[0].toUpperCase() + word.slice(1)).join(""),
              shortDescription: { text: KINDS[kind].title },
              fullDescription: { text: KINDS[kind].help },
              help: { text: `${KINDS[kind].help} See ${HELP_PAGE}.`, markdown: `${KINDS[kind].help} See [${HELP_PAGE}](${HELP_PAGE}).` },
              defaultConfiguration: { level: SARIF_LEVEL[FINDING_LEVEL[kind]] },
              properties: { tags: ["security", "cloudtrail", "log-integrity"] },
            })),
          },
        },
        invocations: [{ executionSuccessful: result.outcome !== "unreadable" }],
        results: result.findings.map((finding) => ({
          ruleId: `validate-logs/${finding.kind}`,
          ruleIndex: kinds.indexOf(finding.kind),
          level: SARIF_LEVEL[finding.level],
          message: { text: sarifMessage(finding) },
          locations: [{ physicalLocation: { artifactLocation: { uri: finding.uri ?? `s3://${result.bucket}/` } } }],
          properties: { scope: finding.scope ?? null, hour: finding.hour ?? null, trail: result.trail },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function sarifMessage(finding: Finding): string {
  return `${finding.scope ? `${finding.scope} ` : ""}${finding.hour ? `${finding.hour} ` : ""}${finding.uri ? `${finding.uri}: ` : ""}${finding.message}`;
}

function xml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

/**
 * JUnit XML: one testsuite per account/region, one testcase per UTC day. A day with an
 * integrity finding fails; one with only unreadable files is an error; notes go to
 * system-out. Findings outside any account/region (no digests found) get their own suite.
 */
export function renderJunit(result: ValidationResult): string {
  const days = dayRows(result.hours);
  const scopes = [...new Set([...result.scopes, ...days.map((row) => row.scope)])];
  const findingsOf = (scope: string | undefined, day?: string) =>
    result.findings.filter((finding) => finding.scope === scope && (day === undefined || finding.hour?.startsWith(day)));
  const describe = (findings: Finding[]) => findings.map((finding) => `${finding.hour ?? ""} ${finding.uri ?? ""}: ${finding.message}`.trim()).join("\n");
  const testcase = (suite: string, name: string, findings: Finding[], counts: string) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(name)}">`;
    const errors = findings.filter((finding) => finding.level === "error");
    const unreadable = findings.filter((finding) => finding.level === "unreadable");
    const notes = findings.filter((finding) => finding.level === "note");
    const parts: string[] = [];
    if (errors.length) parts.push(`      <failure type="integrity" message="${xml(`${errors.length} integrity finding(s)`)}">${xml(describe(errors))}</failure>`);
    else if (unreadable.length) parts.push(`      <error type="unreadable" message="${xml(`${unreadable.length} file(s) could not be read`)}">${xml(describe(unreadable))}</error>`);
    parts.push(`      <system-out>${xml([counts, describe(notes)].filter(Boolean).join("\n"))}</system-out>`);
    return { xml: `${open}\n${parts.join("\n")}\n    </testcase>`, failed: errors.length > 0, errored: errors.length === 0 && unreadable.length > 0 };
  };
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const addSuite = (name: string, cases: Array<ReturnType<typeof testcase>>) => {
    const suiteFailures = cases.filter((c) => c.failed).length;
    const suiteErrors = cases.filter((c) => c.errored).length;
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(`  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0">\n${cases.map((c) => c.xml).join("\n")}\n  </testsuite>`);
  };
  for (const scope of scopes) {
    const rows = days.filter((row) => row.scope === scope);
    addSuite(
      `validate-logs ${scope}`,
      rows.map((row) =>
        testcase(
          scope,
          `${row.day} digests and log files`,
          findingsOf(scope, row.day),
          `${row.digests.valid} digests and ${row.logs.valid} log files valid`,
        ),
      ),
    );
  }
  const runWide = findingsOf(undefined);
  if (runWide.length > 0 || scopes.length === 0) addSuite("validate-logs", [testcase(result.trail, "digest files found", runWide, "")]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="trailgate validate-logs" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join("\n")}\n</testsuites>\n`;
}

export function renderValidateLogsReport(format: ValidateLogsFormat, result: ValidationResult, toolVersion: string, informationUri?: string): string {
  switch (format) {
    case "text":
      return renderText(result);
    case "json":
      return renderJson(result, toolVersion);
    case "sarif":
      return renderSarif(result, toolVersion, informationUri);
    case "junit":
      return renderJunit(result);
  }
}
