/**
 * The validation itself: find a trail's digest files in every account and region of the
 * bucket, verify each digest's signature with the CloudTrail key its fingerprint names,
 * follow the chain between digests, and hash every log file a valid digest lists.
 * Nothing here writes; nothing is called valid that was not read and checked.
 */
import { createHash, KeyObject } from "crypto";
import { Writable } from "stream";
import { pipeline } from "stream/promises";
import { createGunzip } from "zlib";
import {
  DigestDocument, DigestFormatError, HASH_ALGORITHM, LogFileEntry, parseDigest, sha256Hex, SIGNATURE_ALGORITHM, signingString, verifySignature,
} from "./digest";
import {
  accountRoot, ACCOUNT_FOLDER, digestDayFolder, digestKeyMatcher, DigestKeyInfo, logsRoot, ORGANIZATION_FOLDER, REGION_FOLDER, Scope, scopeLabel,
  TrailRef,
} from "./layout";
import { PublicKeyStore } from "./keys";
import { ObjectMissingError, ObjectSource, ObjectUnreadableError, s3Uri } from "./source";

const HOUR_MS = 3_600_000;
/**
 * Digests are delivered about hourly, after the hour they cover, sometimes late: time
 * less than this before "now" may simply not be covered yet, and is reported as pending,
 * not as a gap. A digest deleted in that window is still caught by a later run: the next
 * digest CloudTrail delivers names it as its predecessor.
 */
export const DELIVERY_GRACE_MS = 3 * HOUR_MS;
export const DEFAULT_CONCURRENCY = 16;
const SCOPE_CONCURRENCY = 4;

export interface ValidateOptions {
  trail: TrailRef;
  bucket: string;
  prefix?: string;
  /** Only this account's digests (any layout); default: every account in the bucket. */
  accountId?: string;
  start: Date;
  end: Date;
  /** The current time (injectable for tests). */
  now?: Date;
  source: ObjectSource;
  keys: PublicKeyStore;
  /** Parallel object reads (default 16). */
  concurrency?: number;
}

export type DigestStatus = "valid" | "invalid" | "unknown-key" | "missing" | "unreadable";
export type LogStatus = "valid" | "modified" | "deleted" | "unreadable";

export type FindingKind =
  | "digest-invalid"
  | "digest-unknown-key"
  | "digest-missing"
  | "digest-unreadable"
  | "chain-break"
  | "log-modified"
  | "log-deleted"
  | "log-unreadable"
  | "gap"
  | "no-digests"
  | "restart"
  | "pending";

/** error: an integrity failure (exit 1); unreadable: could not verify (exit 2); note: information. */
export type FindingLevel = "error" | "unreadable" | "note";

export const FINDING_LEVEL: Record<FindingKind, FindingLevel> = {
  "digest-invalid": "error",
  "digest-unknown-key": "error",
  "digest-missing": "error",
  "digest-unreadable": "unreadable",
  "chain-break": "error",
  "log-modified": "error",
  "log-deleted": "error",
  "log-unreadable": "unreadable",
  gap: "error",
  "no-digests": "error",
  restart: "note",
  pending: "note",
};

export interface Finding {
  kind: FindingKind;
  level: FindingLevel;
  /** `[o-id/]account/region`, absent for run-wide findings. */
  scope?: string;
  /** The UTC hour the finding belongs to, `YYYY-MM-DDTHH:00Z`. */
  hour?: string;
  /** The object concerned, `s3://bucket/key`. */
  uri?: string;
  message: string;
}

export interface DigestCounts {
  valid: number;
  invalid: number;
  unknownKey: number;
  missing: number;
  unreadable: number;
}

export interface LogCounts {
  valid: number;
  modified: number;
  deleted: number;
  unreadable: number;
}

/** One account/region and UTC hour. */
export interface HourRow {
  scope: string;
  hour: string;
  digests: DigestCounts;
  logs: LogCounts;
  chainBreaks: number;
  /** No digest covers (part of) this hour, unexplained: a failure. */
  gap: boolean;
  /** restart: a new chain began (logging or validation was off before); pending: not delivered yet. */
  notes: Array<"restart" | "pending">;
}

export interface DigestRecord {
  scope: string;
  uri: string;
  backfill: boolean;
  hour: string;
  startTime?: string;
  endTime: string;
  status: DigestStatus;
  reason?: string;
  fingerprint?: string;
  /** True for the first digest of a chain (previousDigest* all null). */
  starting?: boolean;
  logFiles?: number;
}

export interface Totals {
  digests: DigestCounts;
  logs: LogCounts;
  chainBreaks: number;
  gapHours: number;
}

export type Outcome = "valid" | "integrity-failure" | "unreadable";

export interface ValidationResult {
  trail: string;
  bucket: string;
  prefix?: string;
  accountId?: string;
  start: string;
  end: string;
  now: string;
  keySource: string;
  scopes: string[];
  hours: HourRow[];
  digests: DigestRecord[];
  findings: Finding[];
  totals: Totals;
  outcome: Outcome;
}

/** An input problem that stops the whole run (unreadable bucket listing): exit 2. */
export class ValidationInputError extends Error {}

function emptyDigestCounts(): DigestCounts {
  return { valid: 0, invalid: 0, unknownKey: 0, missing: 0, unreadable: 0 };
}

function emptyLogCounts(): LogCounts {
  return { valid: 0, modified: 0, deleted: 0, unreadable: 0 };
}

export function hourOf(time: Date): string {
  return `${time.toISOString().slice(0, 13)}:00Z`;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** A digest as read: what the chain check and the log check need. */
interface LoadedDigest {
  key: string;
  info: DigestKeyInfo;
  record: DigestRecord;
  /** Parsed content; only trusted when the record is valid. */
  document?: DigestDocument;
  /** SHA-256 (hex) of the uncompressed content, when it could be gunzipped. */
  contentHash?: string;
  /** x-amz-meta-signature, lowercased. */
  signature?: string;
  window: [number, number];
}

function describeFailure(error: unknown): string {
  if (error instanceof ObjectUnreadableError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

class Run {
  private readonly findings: Finding[] = [];
  private readonly hours = new Map<string, HourRow>();
  private readonly digests: DigestRecord[] = [];
  private readonly limit: number;
  private readonly now: Date;

  constructor(private readonly options: ValidateOptions) {
    this.limit = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.now = options.now ?? new Date();
  }

  private row(scope: string, hour: string): HourRow {
    const id = `${scope} ${hour}`;
    let row = this.hours.get(id);
    if (!row) {
      row = { scope, hour, digests: emptyDigestCounts(), logs: emptyLogCounts(), chainBreaks: 0, gap: false, notes: [] };
      this.hours.set(id, row);
    }
    return row;
  }

  private add(finding: Omit<Finding, "level">): void {
    this.findings.push({ ...finding, level: FINDING_LEVEL[finding.kind] });
  }

  private async list(prefix: string, delimiter?: string) {
    try {
      return await this.options.source.list(this.options.bucket, prefix, delimiter);
    } catch (error) {
      throw new ValidationInputError(`cannot list ${s3Uri(this.options.bucket, prefix)}: ${describeFailure(error)}`);
    }
  }

  /** Every [organization/]account/region folder with CloudTrail-Digest files. */
  async discoverScopes(): Promise<Scope[]> {
    const { prefix, accountId } = this.options;
    const root = logsRoot(prefix);
    const accounts: Array<{ organizationId?: string; accountId: string }> = [];
    for (const folder of (await this.list(root, "/")).folders) {
      if (ACCOUNT_FOLDER.test(folder)) accounts.push({ accountId: folder });
      else if (ORGANIZATION_FOLDER.test(folder)) {
        for (const member of (await this.list(`${root}${folder}/`, "/")).folders) {
          if (ACCOUNT_FOLDER.test(member)) accounts.push({ organizationId: folder, accountId: member });
        }
      }
    }
    const wanted = accounts.filter((account) => !accountId || account.accountId === accountId);
    const regions = await mapConcurrent(wanted, this.limit, (account) =>
      this.list(`${accountRoot(prefix, account.organizationId, account.accountId)}CloudTrail-Digest/`, "/"),
    );
    return wanted.flatMap((account, index) => regions[index].folders.filter((region) => REGION_FOLDER.test(region)).map((region) => ({ ...account, region })));
  }

  private async loadDigest(scope: Scope, key: string, info: DigestKeyInfo): Promise<LoadedDigest> {
    const { bucket, keys } = this.options;
    const uri = s3Uri(bucket, key);
    const fallbackStart = new Date(info.endTime.getTime() - HOUR_MS);
    const record: DigestRecord = {
      scope: scopeLabel(scope),
      uri,
      backfill: info.backfill,
      hour: hourOf(fallbackStart),
      endTime: info.endTime.toISOString(),
      status: "unreadable",
    };
    const loaded: LoadedDigest = { key, info, record, window: [fallbackStart.getTime(), info.endTime.getTime()] };
    const fail = (status: DigestStatus, reason: string) => {
      record.status = status;
      record.reason = reason;
      return loaded;
    };

    let object;
    try {
      object = await this.options.source.get(bucket, key);
    } catch (error) {
      if (error instanceof ObjectMissingError) return fail("missing", "listed, then gone when read");
      return fail("unreadable", describeFailure(error));
    }
    loaded.signature = object.metadata.signature?.toLowerCase();
    let parsed;
    try {
      parsed = parseDigest(object.body);
    } catch (error) {
      if (error instanceof DigestFormatError) return fail("invalid", `invalid format: ${error.message}`);
      throw error;
    }
    const { document, content } = parsed;
    loaded.document = document;
    loaded.contentHash = sha256Hex(content);
    record.fingerprint = document.digestPublicKeyFingerprint.toLowerCase();

    // "Verify that the digest file has been retrieved from its original location."
    if (document.digestS3Bucket !== bucket || document.digestS3Object !== key) {
      return fail("invalid", `moved: its content says it belongs at ${s3Uri(document.digestS3Bucket, document.digestS3Object)}`);
    }
    if (loaded.signature === undefined) return fail("invalid", "no x-amz-meta-signature metadata");
    const algorithm = object.metadata["signature-algorithm"];
    if (algorithm !== SIGNATURE_ALGORITHM) {
      return fail("invalid", `x-amz-meta-signature-algorithm is ${algorithm === undefined ? "missing" : JSON.stringify(algorithm)}, not ${SIGNATURE_ALGORITHM}`);
    }
    if (document.digestSignatureAlgorithm !== undefined && document.digestSignatureAlgorithm !== SIGNATURE_ALGORITHM) {
      return fail("invalid", `digestSignatureAlgorithm is ${JSON.stringify(document.digestSignatureAlgorithm)}, not ${SIGNATURE_ALGORITHM}`);
    }
    let publicKey: KeyObject | undefined;
    try {
      publicKey = await keys.find(scope.region, document.digestPublicKeyFingerprint, info.endTime);
    } catch (error) {
      return fail("unreadable", `public keys for ${scope.region} could not be read: ${describeFailure(error)}`);
    }
    if (!publicKey) {
      return fail("unknown-key", `signed with key ${record.fingerprint}, which is not a CloudTrail public key for ${scope.region} (keys from ${keys.description})`);
    }
    if (!verifySignature(signingString(document, content), loaded.signature, publicKey)) {
      return fail("invalid", "the signature does not verify: the digest or its signature was changed, or another key signed it");
    }
    // Only a verified digest's own times are trusted; others keep the time in their name.
    record.status = "valid";
    record.startTime = document.digestStartTime;
    record.starting = document.previousDigestS3Object === null;
    record.logFiles = document.logFiles.length;
    const start = new Date(document.digestStartTime);
    record.hour = hourOf(start);
    loaded.window = [start.getTime(), new Date(document.digestEndTime).getTime()];
    return loaded;
  }

  private async checkLog(entry: LogFileEntry): Promise<{ status: LogStatus; reason?: string }> {
    if (entry.hashAlgorithm !== HASH_ALGORITHM) return { status: "unreadable", reason: `hash algorithm ${entry.hashAlgorithm} is not supported` };
    let stream;
    try {
      stream = await this.options.source.open(entry.s3Bucket, entry.s3Object);
    } catch (error) {
      if (error instanceof ObjectMissingError) return { status: "deleted", reason: "it does not exist (or its latest version is a delete marker)" };
      return { status: "unreadable", reason: describeFailure(error) };
    }
    // The digest holds the SHA-256 of the uncompressed content (documented).
    const hash = createHash("sha256");
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback();
      },
    });
    let gunzipFailed = false;
    const gunzip = createGunzip();
    gunzip.on("error", () => (gunzipFailed = true));
    try {
      await pipeline(stream, gunzip, sink);
    } catch (error) {
      if (gunzipFailed) return { status: "modified", reason: `not a valid gzip file any more (${describeFailure(error)})` };
      return { status: "unreadable", reason: describeFailure(error) };
    }
    const actual = hash.digest("hex");
    if (actual !== entry.hashValue.toLowerCase()) return { status: "modified", reason: `SHA-256 of the content is ${actual}, the digest recorded ${entry.hashValue.toLowerCase()}` };
    return { status: "valid" };
  }

  async validateScope(scope: Scope): Promise<void> {
    const { bucket, prefix, trail, start, end } = this.options;
    const label = scopeLabel(scope);
    const match = digestKeyMatcher(prefix, scope, trail);
    // Digests whose end time is in [start, end + 1h]: the last one covers log files
    // delivered up to `end` (the same window the AWS CLI's validate-logs reads).
    const last = end.getTime() + HOUR_MS;
    const days: number[] = [];
    for (let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); day <= last; day += 24 * HOUR_MS) days.push(day);
    const listed: Array<{ key: string; info: DigestKeyInfo }> = [];
    for (const { keys } of await mapConcurrent(days, this.limit, (day) => this.list(digestDayFolder(prefix, scope, new Date(day))))) {
      for (const key of keys) {
        const info = match(key);
        if (info && info.endTime.getTime() >= start.getTime() && info.endTime.getTime() <= last) listed.push({ key, info });
      }
    }
    listed.sort((a, b) => a.info.endTime.getTime() - b.info.endTime.getTime() || a.key.localeCompare(b.key));
    const loaded = await mapConcurrent(listed, this.limit, ({ key, info }) => this.loadDigest(scope, key, info));
    const byKey = new Map(loaded.map((digest) => [digest.key, digest]));

    // Log files of valid digests.
    const checks = loaded.flatMap((digest) =>
      digest.record.status === "valid" ? digest.document!.logFiles.map((entry) => ({ digest, entry })) : [],
    );
    // A log file listed twice (a backfill digest repeating one) is read once.
    const seen = new Map<string, Promise<{ status: LogStatus; reason?: string }>>();
    const logResults = await mapConcurrent(checks, this.limit, ({ entry }) => {
      const id = `${entry.s3Bucket}\n${entry.s3Object}\n${entry.hashValue.toLowerCase()}`;
      let result = seen.get(id);
      if (!result) seen.set(id, (result = this.checkLog(entry)));
      return result;
    });
    checks.forEach(({ digest, entry }, index) => {
      const { status, reason } = logResults[index];
      const row = this.row(label, digest.record.hour);
      row.logs[status]++;
      if (status !== "valid") {
        this.add({
          kind: status === "modified" ? "log-modified" : status === "deleted" ? "log-deleted" : "log-unreadable",
          scope: label,
          hour: digest.record.hour,
          uri: s3Uri(entry.s3Bucket, entry.s3Object),
          message: `${status === "modified" ? "modified" : status === "deleted" ? "deleted" : "could not be verified"}: ${reason} (listed in ${digest.record.uri})`,
        });
      }
    });

    // The chain: each valid digest names its predecessor and the predecessor's signature
    // and content hash. Predecessors inside the period must exist and match.
    const missing = new Map<string, LoadedDigest>();
    const chained = loaded.filter((digest) => !digest.info.backfill);
    for (const digest of loaded) {
      const document = digest.document;
      if (digest.record.status !== "valid" || !document || document.previousDigestS3Object === null) continue;
      const previousUri = s3Uri(document.previousDigestS3Bucket!, document.previousDigestS3Object);
      const breakAt = (message: string) => {
        this.row(label, digest.record.hour).chainBreaks++;
        this.add({ kind: "chain-break", scope: label, hour: digest.record.hour, uri: digest.record.uri, message });
      };
      const previousInfo = document.previousDigestS3Bucket === bucket ? match(document.previousDigestS3Object) : undefined;
      if (!previousInfo) {
        breakAt(`names ${previousUri} as its previous digest, which is not a digest of this trail in ${label}`);
        continue;
      }
      if (previousInfo.endTime.getTime() >= digest.info.endTime.getTime()) {
        breakAt(`names ${previousUri} as its previous digest, which does not end before it`);
        continue;
      }
      const previous = byKey.get(document.previousDigestS3Object);
      if (!previous) {
        // Before the period: the chain goes on outside what was asked for.
        if (previousInfo.endTime.getTime() < start.getTime()) continue;
        const gone = missing.get(document.previousDigestS3Object) ?? this.missingDigest(scope, document.previousDigestS3Object, previousInfo);
        missing.set(document.previousDigestS3Object, gone);
        breakAt(`its previous digest ${previousUri} is missing`);
        continue;
      }
      if (previous.record.status === "unreadable" || previous.record.status === "missing") continue; // reported on its own
      if (previous.signature !== document.previousDigestSignature!.toLowerCase()) {
        breakAt(`the signature of its previous digest ${previousUri} is not the one it recorded`);
      } else if (previous.contentHash !== document.previousDigestHashValue!.toLowerCase()) {
        breakAt(`the content of its previous digest ${previousUri} is not the one it recorded (SHA-256 differs)`);
      }
    }
    // A digest that the next digest skips is not part of the chain.
    for (let i = 0; i + 1 < chained.length; i++) {
      const [current, next] = [chained[i], chained[i + 1]];
      const named = next.record.status === "valid" ? next.document!.previousDigestS3Object : null;
      if (named === null || named === current.key) continue;
      const namedInfo = match(named);
      if (namedInfo && namedInfo.endTime.getTime() < current.info.endTime.getTime()) {
        this.row(label, current.record.hour).chainBreaks++;
        this.add({
          kind: "chain-break",
          scope: label,
          hour: current.record.hour,
          uri: current.record.uri,
          message: `is not in the chain: the next digest ${next.record.uri} names ${s3Uri(bucket, named)} as its previous digest`,
        });
      }
    }

    const all = [...loaded, ...missing.values()];
    for (const digest of all) this.recordDigest(digest);
    this.checkCoverage(scope, chained.concat([...missing.values()]));
  }

  private missingDigest(scope: Scope, key: string, info: DigestKeyInfo): LoadedDigest {
    const fallbackStart = new Date(info.endTime.getTime() - HOUR_MS);
    return {
      key,
      info,
      window: [fallbackStart.getTime(), info.endTime.getTime()],
      record: {
        scope: scopeLabel(scope),
        uri: s3Uri(this.options.bucket, key),
        backfill: info.backfill,
        hour: hourOf(fallbackStart),
        endTime: info.endTime.toISOString(),
        status: "missing",
        reason: "the next digest names it as its previous digest, and it does not exist",
      },
    };
  }

  private recordDigest(digest: LoadedDigest): void {
    const { record } = digest;
    this.digests.push(record);
    const row = this.row(record.scope, record.hour);
    const counter: Record<DigestStatus, keyof DigestCounts> = {
      valid: "valid",
      invalid: "invalid",
      "unknown-key": "unknownKey",
      missing: "missing",
      unreadable: "unreadable",
    };
    row.digests[counter[record.status]]++;
    if (record.status === "valid") return;
    const kind: Record<Exclude<DigestStatus, "valid">, FindingKind> = {
      invalid: "digest-invalid",
      "unknown-key": "digest-unknown-key",
      missing: "digest-missing",
      unreadable: "digest-unreadable",
    };
    this.add({ kind: kind[record.status], scope: record.scope, hour: record.hour, uri: record.uri, message: record.reason ?? record.status });
  }

  /**
   * Time in the period that no digest covers. Two explanations are documented and are
   * notes, not failures: a new chain started (a starting digest: logging or validation
   * was off before it), and the last hours, whose digest may not be delivered yet.
   * Anything else is a gap: digests were deleted, or the trail stopped and cannot be
   * proven for that time.
   */
  private checkCoverage(scope: Scope, digests: LoadedDigest[]): void {
    const { start, end, bucket, prefix } = this.options;
    const label = scopeLabel(scope);
    const folder = s3Uri(bucket, `${accountRoot(prefix, scope.organizationId, scope.accountId)}CloudTrail-Digest/${scope.region}/`);
    const periodStart = start.getTime();
    const periodEnd = end.getTime();
    const provableEnd = Math.min(periodEnd, this.now.getTime() - DELIVERY_GRACE_MS);
    const sorted = [...digests].sort((a, b) => a.window[0] - b.window[0]);
    // A verified link makes the two digests contiguous even if their windows do not touch.
    const uncovered: Array<[number, number, LoadedDigest | undefined]> = [];
    let cursor = periodStart;
    let previous: LoadedDigest | undefined;
    for (const digest of sorted) {
      const linked =
        previous !== undefined && digest.record.status === "valid" && digest.document?.previousDigestS3Object === previous.key;
      if (!linked && digest.window[0] > cursor) uncovered.push([cursor, Math.min(digest.window[0], periodEnd), digest]);
      cursor = Math.max(cursor, digest.window[1]);
      previous = digest;
      if (cursor >= periodEnd) break;
    }
    if (cursor < periodEnd) uncovered.push([cursor, periodEnd, undefined]);

    for (const [from, to, next] of uncovered) {
      if (to <= from) continue;
      const span = `${new Date(from).toISOString()} to ${new Date(to).toISOString()}`;
      if (next?.record.status === "valid" && next.record.starting) {
        this.markHours(label, from, to, "restart");
        this.add({ kind: "restart", scope: label, hour: hourOf(new Date(from)), uri: next.record.uri, message: `no digests from ${span}: a new chain starts there (logging or log file validation was off before it)` });
        continue;
      }
      if (from < provableEnd) {
        const gapEnd = Math.min(to, provableEnd);
        this.markHours(label, from, gapEnd, "gap");
        this.add({
          kind: "gap",
          scope: label,
          hour: hourOf(new Date(from)),
          uri: folder,
          message: `no digest covers ${new Date(from).toISOString()} to ${new Date(gapEnd).toISOString()}: digests were deleted, or the trail was not logging${next ? ` (the next digest is ${next.record.uri})` : ""}`,
        });
      }
      if (to > provableEnd) {
        const pendingFrom = Math.max(from, provableEnd);
        this.markHours(label, pendingFrom, to, "pending");
        this.add({ kind: "pending", scope: label, hour: hourOf(new Date(pendingFrom)), uri: folder, message: `no digest yet for ${new Date(pendingFrom).toISOString()} to ${new Date(to).toISOString()}: CloudTrail may not have delivered it yet` });
      }
    }
  }

  private markHours(label: string, from: number, to: number, mark: "gap" | "restart" | "pending"): void {
    for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour < to; hour += HOUR_MS) {
      const row = this.row(label, hourOf(new Date(hour)));
      if (mark === "gap") row.gap = true;
      else if (!row.notes.includes(mark)) row.notes.push(mark);
    }
  }

  result(scopes: Scope[]): ValidationResult {
    const { trail, bucket, prefix, accountId, start, end, keys } = this.options;
    if (scopes.length === 0) {
      this.add({
        kind: "no-digests",
        uri: s3Uri(bucket, logsRoot(prefix)),
        message: `no CloudTrail-Digest folders under ${s3Uri(bucket, logsRoot(prefix))}${accountId ? ` for account ${accountId}` : ""}: the bucket or prefix is wrong, or no digest was ever delivered (is log file validation on?)`,
      });
    }
    const hours = [...this.hours.values()].sort((a, b) => a.scope.localeCompare(b.scope) || a.hour.localeCompare(b.hour));
    const totals: Totals = { digests: emptyDigestCounts(), logs: emptyLogCounts(), chainBreaks: 0, gapHours: 0 };
    for (const row of hours) {
      for (const field of Object.keys(totals.digests) as Array<keyof DigestCounts>) totals.digests[field] += row.digests[field];
      for (const field of Object.keys(totals.logs) as Array<keyof LogCounts>) totals.logs[field] += row.logs[field];
      totals.chainBreaks += row.chainBreaks;
      if (row.gap) totals.gapHours++;
    }
    const outcome: Outcome = this.findings.some((finding) => finding.level === "error")
      ? "integrity-failure"
      : this.findings.some((finding) => finding.level === "unreadable")
        ? "unreadable"
        : "valid";
    const order = (finding: Finding) => `${finding.scope ?? ""} ${finding.hour ?? ""} ${finding.kind} ${finding.uri ?? ""}`;
    return {
      trail: trail.arn,
      bucket,
      prefix,
      accountId,
      start: start.toISOString(),
      end: end.toISOString(),
      now: this.now.toISOString(),
      keySource: keys.description,
      scopes: scopes.map(scopeLabel),
      hours,
      digests: [...this.digests].sort((a, b) => a.scope.localeCompare(b.scope) || a.endTime.localeCompare(b.endTime) || a.uri.localeCompare(b.uri)),
      findings: [...this.findings].sort((a, b) => order(a).localeCompare(order(b))),
      totals,
      outcome,
    };
  }
}

/** Validates the trail's digests and log files in the period; see ValidationResult.outcome. */
export async function validateLogs(options: ValidateOptions): Promise<ValidationResult> {
  // Nothing after now can have been delivered: the period ends now at the latest.
  const now = options.now ?? new Date();
  const end = new Date(Math.min(options.end.getTime(), now.getTime()));
  if (!(options.start.getTime() < end.getTime())) {
    throw new ValidationInputError(`the start time ${options.start.toISOString()} is not before the end time ${end.toISOString()}${end < options.end ? " (now)" : ""}`);
  }
  const run = new Run({ ...options, now, end });
  const scopes = await run.discoverScopes();
  // A few accounts/regions at a time, each with its own parallel reads.
  await mapConcurrent(scopes, SCOPE_CONCURRENCY, (scope) => run.validateScope(scope));
  return run.result(scopes);
}
