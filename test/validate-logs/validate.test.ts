import { gzipSync, gunzipSync } from "zlib";
import { parsePublicKeyList, publicKeyEntry, StaticPublicKeyStore, PublicKeyError } from "../../operations/validate-logs/keys";
import { digestKey, parseTrailArn, Scope, TrailRef } from "../../operations/validate-logs/layout";
import { MemorySource, ObjectSource, ObjectUnreadableError } from "../../operations/validate-logs/source";
import { FindingKind, validateLogs, ValidationInputError, ValidationResult } from "../../operations/validate-logs/validate";
import { buildChain, Chain, DigestJson, listPublicKeysJson, makeSigner, signDigest, Signer } from "./chain";

const BUCKET = "trailgate-log-archive";
const TRAIL = parseTrailArn("arn:aws:cloudtrail:eu-west-2:111111111111:trail/trailgate-org")!;
const OTHER_TRAIL = parseTrailArn("arn:aws:cloudtrail:eu-west-2:111111111111:trail/other-trail")!;
const LONDON: Scope = { organizationId: "o-abcde12345", accountId: "222222222222", region: "eu-west-2" };
const VIRGINIA: Scope = { organizationId: "o-abcde12345", accountId: "222222222222", region: "us-east-1" };
const FIRST_END = new Date("2026-11-19T00:01:31Z");
const START = new Date("2026-11-19T00:00:00Z");
const END = new Date("2026-11-20T00:00:00Z");
const LATER = new Date("2026-11-22T00:00:00Z");
const DIGESTS = 25;
const LOGS = 4;

let london: Signer;
let virginia: Signer;
let attacker: Signer;

beforeAll(() => {
  london = makeSigner();
  virginia = makeSigner();
  attacker = makeSigner();
});

interface Fixture {
  source: MemorySource;
  chains: Map<string, Chain>;
  run(overrides?: Partial<Parameters<typeof validateLogs>[0]>): Promise<ValidationResult>;
}

function fixture(opts: { scopes?: Array<[Scope, Signer]>; trail?: TrailRef; prefix?: string } = {}): Fixture {
  const source = new MemorySource();
  source.put(BUCKET, "placeholder", Buffer.alloc(0));
  source.delete(BUCKET, "placeholder");
  const chains = new Map<string, Chain>();
  const scopes = opts.scopes ?? [
    [LONDON, london],
    [VIRGINIA, virginia],
  ];
  for (const [scope, signer] of scopes) {
    const chain = buildChain({ bucket: BUCKET, prefix: opts.prefix, trail: opts.trail ?? TRAIL, scope, firstEnd: FIRST_END, digests: DIGESTS, logsPerDigest: LOGS, signer });
    for (const file of chain.files) source.put(file.bucket, file.key, file.body, file.metadata);
    chains.set(scope.region, chain);
  }
  const keys = new StaticPublicKeyStore("test keys", [
    { region: "eu-west-2", entry: publicKeyEntry(london.publicKeyDer, london.fingerprint) },
    { region: "us-east-1", entry: publicKeyEntry(virginia.publicKeyDer, virginia.fingerprint) },
  ]);
  return {
    source,
    chains,
    run: (overrides = {}) => validateLogs({ trail: TRAIL, bucket: BUCKET, prefix: opts.prefix, start: START, end: END, now: LATER, source, keys, ...overrides }),
  };
}

function kinds(result: ValidationResult): FindingKind[] {
  return [...new Set(result.findings.map((finding) => finding.kind))].sort();
}

function findingsOf(result: ValidationResult, kind: FindingKind) {
  return result.findings.filter((finding) => finding.kind === kind);
}

function digestAt(f: Fixture, region: string, index: number) {
  return f.chains.get(region)!.digests[index];
}

/** Replaces a digest with `json` signed by `signer` (an attacker re-signing it). */
function resign(f: Fixture, json: DigestJson, signer: Signer, key = json.digestS3Object): string {
  const signed = signDigest(json, signer);
  f.source.put(BUCKET, key, signed.file.body, signed.file.metadata);
  return signed.signature;
}

describe("a clean chain", () => {
  test("passes: every digest and log valid, both regions of the organisation layout found", async () => {
    const result = await fixture().run();
    expect(result.findings).toEqual([]);
    expect(result.outcome).toBe("valid");
    expect(result.scopes).toEqual(["o-abcde12345/222222222222/eu-west-2", "o-abcde12345/222222222222/us-east-1"]);
    expect(result.totals).toEqual({
      digests: { valid: 2 * DIGESTS, invalid: 0, unknownKey: 0, missing: 0, unreadable: 0 },
      logs: { valid: 2 * DIGESTS * LOGS, modified: 0, deleted: 0, unreadable: 0 },
      chainBreaks: 0,
      gapHours: 0,
    });
    // One row per region and hour, each with its digest and its logs.
    expect(result.hours).toHaveLength(2 * DIGESTS);
    expect(result.hours[0]).toMatchObject({ scope: "o-abcde12345/222222222222/eu-west-2", hour: "2026-11-18T23:00Z", digests: { valid: 1 }, logs: { valid: LOGS } });
    // The first digest is a starting digest (previous signature "null" in the signing string).
    expect(result.digests.filter((digest) => digest.starting)).toHaveLength(2);
  });

  test("passes with an S3 prefix, a non-organisation layout and --account-id", async () => {
    const plain: Scope = { accountId: "111111111111", region: "eu-west-2" };
    const f = fixture({ scopes: [[plain, london], [LONDON, london]], prefix: "cloudtrail/prod" });
    const result = await f.run({ accountId: "111111111111" });
    expect(result.outcome).toBe("valid");
    expect(result.scopes).toEqual(["111111111111/eu-west-2"]);
    expect(result.totals.digests.valid).toBe(DIGESTS);
  });

  test("ignores the digests of another trail in the same folders", async () => {
    const f = fixture();
    const other = buildChain({ bucket: BUCKET, trail: OTHER_TRAIL, scope: LONDON, firstEnd: FIRST_END, digests: 3, logsPerDigest: 1, signer: london });
    for (const file of other.files) f.source.put(file.bucket, file.key, file.body, file.metadata);
    const result = await f.run();
    expect(result.outcome).toBe("valid");
    expect(result.totals.digests.valid).toBe(2 * DIGESTS);
  });

  test("validates only the digests of the period, plus the one that covers its end", async () => {
    const result = await fixture().run({ start: new Date("2026-11-19T05:30:00Z"), end: new Date("2026-11-19T08:30:00Z") });
    expect(result.outcome).toBe("valid");
    // Digests ending 06:01:31, 07:01:31, 08:01:31, 09:01:31 in each region.
    expect(result.digests.filter((digest) => digest.scope.endsWith("eu-west-2")).map((digest) => digest.endTime)).toEqual([
      "2026-11-19T06:01:31.000Z",
      "2026-11-19T07:01:31.000Z",
      "2026-11-19T08:01:31.000Z",
      "2026-11-19T09:01:31.000Z",
    ]);
  });
});

describe("tampering is detected", () => {
  test("one byte changed in a log file (content re-compressed)", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 7).logKeys[2];
    const content = gunzipSync(f.source.peek(BUCKET, target)!.body);
    content[content.indexOf("ListBuckets")] = "l".charCodeAt(0);
    f.source.put(BUCKET, target, gzipSync(content));
    const result = await f.run();
    expect(result.outcome).toBe("integrity-failure");
    expect(kinds(result)).toEqual(["log-modified"]);
    expect(findingsOf(result, "log-modified")[0]).toMatchObject({ uri: `s3://${BUCKET}/${target}`, hour: "2026-11-19T06:00Z" });
    expect(result.totals.logs).toEqual({ valid: 2 * DIGESTS * LOGS - 1, modified: 1, deleted: 0, unreadable: 0 });
  });

  test("one byte changed in a log file's compressed bytes", async () => {
    const f = fixture();
    const target = digestAt(f, "us-east-1", 3).logKeys[0];
    const body = Buffer.from(f.source.peek(BUCKET, target)!.body);
    body[Math.floor(body.length / 2)] ^= 0x01;
    f.source.put(BUCKET, target, body);
    const result = await f.run();
    expect(kinds(result)).toEqual(["log-modified"]);
    expect(result.outcome).toBe("integrity-failure");
  });

  test("a log file deleted", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 12).logKeys[1];
    f.source.delete(BUCKET, target);
    const result = await f.run();
    expect(kinds(result)).toEqual(["log-deleted"]);
    expect(result.totals.logs.deleted).toBe(1);
    expect(result.outcome).toBe("integrity-failure");
  });

  test("a digest deleted: the chain has a gap", async () => {
    const f = fixture();
    const deleted = digestAt(f, "eu-west-2", 10);
    f.source.delete(BUCKET, deleted.key);
    const result = await f.run();
    expect(result.outcome).toBe("integrity-failure");
    expect(kinds(result)).toEqual(["chain-break", "digest-missing"]);
    expect(findingsOf(result, "digest-missing")[0]).toMatchObject({ uri: `s3://${BUCKET}/${deleted.key}`, hour: "2026-11-19T09:00Z" });
    expect(findingsOf(result, "chain-break")[0].uri).toBe(`s3://${BUCKET}/${digestAt(f, "eu-west-2", 11).key}`);
    expect(result.totals.digests).toMatchObject({ valid: 2 * DIGESTS - 1, missing: 1 });
    // The deleted digest's log files can no longer be proven; they are not counted valid.
    expect(result.totals.logs.valid).toBe(2 * DIGESTS * LOGS - LOGS);
  });

  test("the newest digests deleted: an unexplained gap at the end of the period", async () => {
    const f = fixture();
    for (const index of [22, 23, 24]) f.source.delete(BUCKET, digestAt(f, "us-east-1", index).key);
    const result = await f.run();
    expect(result.outcome).toBe("integrity-failure");
    expect(kinds(result)).toEqual(["gap"]);
    expect(findingsOf(result, "gap")[0]).toMatchObject({ scope: "o-abcde12345/222222222222/us-east-1", hour: "2026-11-19T21:00Z" });
    expect(result.totals.gapHours).toBe(3);
  });

  test("a digest re-signed with another key under CloudTrail's fingerprint", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 5);
    const json = { ...target.json, logFiles: target.json.logFiles.slice(1) };
    resign(f, json, attacker);
    const result = await f.run();
    expect(result.outcome).toBe("integrity-failure");
    expect(findingsOf(result, "digest-invalid").map((finding) => finding.uri)).toEqual([`s3://${BUCKET}/${target.key}`]);
    expect(findingsOf(result, "digest-invalid")[0].message).toContain("signature does not verify");
    // The next digest recorded the genuine signature.
    expect(findingsOf(result, "chain-break").map((finding) => finding.uri)).toEqual([`s3://${BUCKET}/${digestAt(f, "eu-west-2", 6).key}`]);
  });

  test("a digest signed by a key that is not CloudTrail's", async () => {
    const f = fixture();
    const target = digestAt(f, "us-east-1", 9);
    resign(f, { ...target.json, digestPublicKeyFingerprint: attacker.fingerprint }, attacker);
    const result = await f.run();
    expect(kinds(result)).toEqual(["chain-break", "digest-unknown-key"]);
    expect(result.totals.digests.unknownKey).toBe(1);
    expect(findingsOf(result, "digest-unknown-key")[0].message).toContain(attacker.fingerprint);
  });

  test("a digest signed with another region's CloudTrail key", async () => {
    const f = fixture();
    const target = digestAt(f, "us-east-1", 9);
    resign(f, { ...target.json, digestPublicKeyFingerprint: london.fingerprint }, london);
    const result = await f.run();
    expect(findingsOf(result, "digest-unknown-key").map((finding) => finding.uri)).toEqual([`s3://${BUCKET}/${target.key}`]);
  });

  test("an edited previous signature inside a digest", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 14);
    const edited = target.json.previousDigestSignature!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const json = { ...target.json, previousDigestSignature: edited };
    f.source.put(BUCKET, target.key, gzipSync(Buffer.from(JSON.stringify(json))), f.source.peek(BUCKET, target.key)!.metadata);
    const result = await f.run();
    expect(findingsOf(result, "digest-invalid").map((finding) => finding.uri)).toEqual([`s3://${BUCKET}/${target.key}`]);
    // Its successor recorded the SHA-256 of the original content.
    expect(findingsOf(result, "chain-break")[0].message).toContain("SHA-256 differs");
  });

  test("an edited previous signature in the previous digest's metadata", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 14);
    const stored = f.source.peek(BUCKET, target.key)!;
    const signature = stored.metadata.signature.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    f.source.put(BUCKET, target.key, stored.body, { ...stored.metadata, signature });
    const result = await f.run();
    expect(kinds(result)).toEqual(["chain-break", "digest-invalid"]);
    expect(findingsOf(result, "chain-break")[0]).toMatchObject({
      uri: `s3://${BUCKET}/${digestAt(f, "eu-west-2", 15).key}`,
      message: expect.stringContaining("signature of its previous digest"),
    });
  });

  test("a digest from another trail put in place of one of this trail's", async () => {
    const f = fixture();
    const other = buildChain({ bucket: BUCKET, trail: OTHER_TRAIL, scope: LONDON, firstEnd: FIRST_END, digests: 8, logsPerDigest: 1, signer: london });
    const stolen = other.files.find((file) => file.key === other.digests[7].key)!;
    const target = digestAt(f, "eu-west-2", 7);
    f.source.put(BUCKET, target.key, stolen.body, stolen.metadata);
    const result = await f.run();
    expect(result.outcome).toBe("integrity-failure");
    expect(findingsOf(result, "digest-invalid")[0]).toMatchObject({
      uri: `s3://${BUCKET}/${target.key}`,
      message: expect.stringContaining(`moved: its content says it belongs at s3://${BUCKET}/${other.digests[7].key}`),
    });
    expect(findingsOf(result, "chain-break")).toHaveLength(1);
  });

  test("a digest whose chain points outside this trail", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 3);
    resign(f, { ...target.json, previousDigestS3Object: digestAt(f, "us-east-1", 2).key }, london);
    // A genuine key cannot have signed this; the test re-signs with it to reach the chain check.
    const result = await f.run();
    expect(findingsOf(result, "chain-break").map((finding) => finding.message)).toEqual(
      expect.arrayContaining([expect.stringContaining("which is not a digest of this trail in o-abcde12345/222222222222/eu-west-2")]),
    );
  });

  test("a digest without its signature metadata", async () => {
    const f = fixture();
    const target = digestAt(f, "us-east-1", 20);
    f.source.put(BUCKET, target.key, f.source.peek(BUCKET, target.key)!.body, { "signature-algorithm": "SHA256withRSA" });
    const result = await f.run();
    expect(findingsOf(result, "digest-invalid")[0].message).toBe("no x-amz-meta-signature metadata");
  });

  test("a digest that is not gzip, and one that is not a digest", async () => {
    const f = fixture();
    f.source.put(BUCKET, digestAt(f, "us-east-1", 1).key, Buffer.from("{}"), { signature: "00", "signature-algorithm": "SHA256withRSA" });
    f.source.put(BUCKET, digestAt(f, "us-east-1", 2).key, gzipSync(Buffer.from("{\"logFiles\":[]}")), { signature: "00", "signature-algorithm": "SHA256withRSA" });
    const result = await f.run();
    expect(findingsOf(result, "digest-invalid").map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^invalid format: not gzip/),
      "invalid format: field digestStartTime is missing or not a string",
    ]);
  });
});

describe("backfill digests", () => {
  /** A backfill digest for hour 5, listing one late log file (a copy of an existing one, re-keyed). */
  function addBackfill(f: Fixture): { key: string; logKey: string } {
    const base = digestAt(f, "eu-west-2", 5);
    const key = digestKey(undefined, LONDON, TRAIL, new Date(base.json.digestEndTime), true);
    const logKey = base.logKeys[0].replace(/\.json\.gz$/, "_LATE.json.gz");
    f.source.put(BUCKET, logKey, f.source.peek(BUCKET, base.logKeys[0])!.body);
    const json = {
      ...base.json,
      digestS3Object: key,
      previousDigestS3Bucket: null, previousDigestS3Object: null, previousDigestHashValue: null, previousDigestHashAlgorithm: null, previousDigestSignature: null,
      logFiles: [{ ...base.json.logFiles[0], s3Object: logKey }],
    };
    resign(f, json, london);
    return { key, logKey };
  }

  test("are verified with their log files, outside the hourly chain", async () => {
    const f = fixture();
    const { key } = addBackfill(f);
    const result = await f.run();
    expect(result.findings).toEqual([]);
    expect(result.digests.find((digest) => digest.uri === `s3://${BUCKET}/${key}`)).toMatchObject({ backfill: true, status: "valid", logFiles: 1 });
    expect(result.totals.logs.valid).toBe(2 * DIGESTS * LOGS + 1);
  });

  test("a log file only a backfill digest lists is checked too", async () => {
    const f = fixture();
    const { logKey } = addBackfill(f);
    f.source.delete(BUCKET, logKey);
    const result = await f.run();
    expect(findingsOf(result, "log-deleted").map((finding) => finding.uri)).toEqual([`s3://${BUCKET}/${logKey}`]);
  });
});

describe("gaps that are explained are notes, not failures", () => {
  test("a new chain after logging was off", async () => {
    const f = fixture({ scopes: [[LONDON, london]] });
    // Logging off for 5 hours: those digests never existed, and a starting digest begins the next chain.
    for (let index = 10; index < DIGESTS; index++) f.source.delete(BUCKET, digestAt(f, "eu-west-2", index).key);
    const restarted = buildChain({
      bucket: BUCKET, trail: TRAIL, scope: LONDON, firstEnd: new Date(FIRST_END.getTime() + 15 * 3_600_000), digests: DIGESTS - 15, logsPerDigest: LOGS, signer: london,
    });
    for (const file of restarted.files) f.source.put(file.bucket, file.key, file.body, file.metadata);
    const result = await f.run();
    expect(kinds(result)).toEqual(["restart"]);
    expect(result.outcome).toBe("valid");
    expect(result.totals.digests.valid).toBe(DIGESTS - 5);
    expect(result.hours.filter((row) => row.notes.includes("restart")).map((row) => row.hour)).toEqual([
      "2026-11-19T09:00Z", "2026-11-19T10:00Z", "2026-11-19T11:00Z", "2026-11-19T12:00Z", "2026-11-19T13:00Z", "2026-11-19T14:00Z",
    ]);
  });

  test("the last hours, whose digest may not be delivered yet", async () => {
    const f = fixture({ scopes: [[LONDON, london]] });
    const now = new Date("2026-11-19T23:30:00Z");
    for (const index of [23, 24]) f.source.delete(BUCKET, digestAt(f, "eu-west-2", index).key);
    const result = await f.run({ now });
    expect(kinds(result)).toEqual(["pending"]);
    expect(result.outcome).toBe("valid");
    expect(result.end).toBe(now.toISOString());
  });
});

describe("fail closed: what cannot be read is never valid", () => {
  /** A source that fails some reads the way S3 does when access is denied. */
  function denying(inner: ObjectSource, denied: (key: string) => boolean): ObjectSource {
    return {
      list: (bucket, prefix, delimiter) => inner.list(bucket, prefix, delimiter),
      get: async (bucket, key) => {
        if (denied(key)) throw new ObjectUnreadableError(`s3://${bucket}/${key}`, "AccessDenied: Access Denied");
        return inner.get(bucket, key);
      },
      open: async (bucket, key) => {
        if (denied(key)) throw new ObjectUnreadableError(`s3://${bucket}/${key}`, "AccessDenied: Access Denied");
        return inner.open(bucket, key);
      },
    };
  }

  test("an unreadable log file", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 4).logKeys[0];
    const result = await f.run({ source: denying(f.source, (key) => key === target) });
    expect(result.outcome).toBe("unreadable");
    expect(kinds(result)).toEqual(["log-unreadable"]);
    expect(result.totals.logs).toMatchObject({ valid: 2 * DIGESTS * LOGS - 1, unreadable: 1 });
  });

  test("an unreadable digest: not valid, and its logs are not counted", async () => {
    const f = fixture();
    const target = digestAt(f, "eu-west-2", 4).key;
    const result = await f.run({ source: denying(f.source, (key) => key === target) });
    expect(result.outcome).toBe("unreadable");
    expect(kinds(result)).toEqual(["digest-unreadable"]);
    expect(result.totals.digests).toMatchObject({ valid: 2 * DIGESTS - 1, unreadable: 1 });
    expect(result.totals.logs.valid).toBe(2 * DIGESTS * LOGS - LOGS);
  });

  test("every object unreadable (a bucket policy denies reads)", async () => {
    const f = fixture();
    const result = await f.run({ source: denying(f.source, () => true) });
    expect(result.outcome).toBe("unreadable");
    expect(result.totals.digests.valid).toBe(0);
    expect(result.totals.logs.valid).toBe(0);
  });

  test("an integrity failure outranks an unreadable file", async () => {
    const f = fixture();
    f.source.delete(BUCKET, digestAt(f, "us-east-1", 3).logKeys[0]);
    const target = digestAt(f, "eu-west-2", 4).key;
    const result = await f.run({ source: denying(f.source, (key) => key === target) });
    expect(result.outcome).toBe("integrity-failure");
  });

  test("public keys that cannot be read", async () => {
    const f = fixture();
    const keys = { description: "CloudTrail ListPublicKeys", find: async () => Promise.reject(new Error("AccessDeniedException: not authorized")) };
    const result = await f.run({ keys });
    expect(result.outcome).toBe("unreadable");
    expect(result.totals.digests.unreadable).toBe(2 * DIGESTS);
    expect(result.findings[0].message).toContain("public keys for eu-west-2 could not be read: AccessDeniedException");
  });

  test("a bucket that cannot be listed stops the run", async () => {
    const f = fixture();
    await expect(f.run({ bucket: "no-such-bucket" })).rejects.toThrow(ValidationInputError);
    await expect(f.run({ bucket: "no-such-bucket" })).rejects.toThrow("cannot list s3://no-such-bucket/AWSLogs/: NoSuchBucket");
  });

  test("a bucket with no digests for the trail fails", async () => {
    const f = fixture();
    const result = await f.run({ accountId: "999999999999" });
    expect(result.outcome).toBe("integrity-failure");
    expect(kinds(result)).toEqual(["no-digests"]);
  });

  test("a period with no digests at all fails", async () => {
    const f = fixture();
    const result = await f.run({ start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-11-02T00:00:00Z") });
    expect(result.outcome).toBe("integrity-failure");
    expect(kinds(result)).toEqual(["gap"]);
  });

  test("a start time after the end time", async () => {
    await expect(fixture().run({ start: END, end: START })).rejects.toThrow("is not before the end time");
  });
});

describe("public key lists", () => {
  // The three keys of the sample list-public-keys response in the AWS CloudTrail User
  // Guide ("Custom implementations of CloudTrail log file integrity validation"): the
  // fingerprint is the MD5 of the decoded value, for PKCS #1 and SubjectPublicKeyInfo alike.
  const GUIDE_SAMPLE = {
    publicKeyList: [
      {
        ValidityStartTime: "1436317441.0",
        ValidityEndTime: "1438909441.0",
        Value: "MIIBCgKCAQEAn11L2YZ9h7onug2ILi1MWyHiMRsTQjfWE+pHVRLk1QjfWhirG+lpOa8NrwQ/r7Ah5bNL6HepznOU9XTDSfmmnP97mqyc7z/upfZdS/AHhYcGaz7n6Wc/RRBU6VmiPCrAUojuSk6/GjvA8iOPFsYDuBtviXarvuLPlrT9kAd4Lb+rFfR5peEgBEkhlzc5HuWO7S0y+KunqxX6jQBnXGMtxmPBPP0FylgWGNdFtks/4YSKcgqwH0YDcawP9GGGDAeCIqPWIXDLG1jOjRRzWfCmD0iJUkz8vTsn4hq/5ZxRFE7UBAUiVcGbdnDdvVfhF9C3dQiDq3k7adQIziLT0cShgQIDAQAB",
        Fingerprint: "8eba5db5bea9b640d1c96a77256fe7f2",
      },
      {
        ValidityStartTime: "1434589460.0",
        ValidityEndTime: "1437181460.0",
        Value: "MIIBCgKCAQEApfYL2FiZhpN74LNWVUzhR+VheYhwhYm8w0n5Gf6i95ylW5kBAWKVEmnAQG7BvS5g9SMqFDQx52fW7NWV44IvfJ2xGXT+wT+DgR6ZQ+6yxskQNqV5YcXj4Aa5Zz4jJfsYjDuO2MDTZNIzNvBNzaBJ+r2WIWAJ/Xq54kyF63B6WE38vKuDE7nSd1FqQuEoNBFLPInvgggYe2Ym1Refe2z71wNcJ2kY+q0h1BSHrSM8RWuJIw7MXwF9iQncg9jYzUlNJomozQzAG5wSRfbplcCYNY40xvGd/aAmO0m+Y+XFMrKwtLCwseHPvj843qVno6x4BJN9bpWnoPo9sdsbGoiK3QIDAQAB",
        Fingerprint: "8933b39ddc64d26d8e14ffbf6566fee4",
      },
      {
        ValidityStartTime: "1434589370.0",
        ValidityEndTime: "1437181370.0",
        Value: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqlzPJbvZJ42UdcmLfPUqXYNfOs6I8lCfao/tOs8CmzPOEdtLWugB9xoIUz78qVHdKIqxbaG4jWHfJBiOSSFBM0lt8cdVo4TnRa7oG9io5pysS6DJhBBAeXsicufsiFJR+wrUNh8RSLxL4k6G1+BhLX20tJkZ/erT97tDGBujAelqseGg3vPZbTx9SMfOLN65PdLFudLP7Gat0Z9p5jw/rjpclKfo9Bfc3heeBxWGKwBBOKnFAaN9V57pOaosCvPKmHd9bg7jsQkI9Xp22IzGLsTFJZYVA3KiTAElDMu80iFXPHEq9hKNbt9e4URFam+1utKVEiLkR2disdCmPTK0VQIDAQAB",
        Fingerprint: "31e8b5433410dfb61a9dc45cc65b22ff",
      },
    ],
  };

  test("the guide's sample response parses, fingerprints matching", () => {
    const entries = parsePublicKeyList(JSON.stringify(GUIDE_SAMPLE), "sample.json");
    expect(entries.map((entry) => entry.fingerprint)).toEqual(GUIDE_SAMPLE.publicKeyList.map((key) => key.Fingerprint));
    expect(entries[0].validFrom?.toISOString()).toBe("2015-07-08T01:04:01.000Z");
    expect(entries.every((entry) => entry.key.asymmetricKeyType === "rsa")).toBe(true);
  });

  test("the CLI's output of a made key parses (ISO or epoch validity)", () => {
    const text = listPublicKeysJson([london], START, END);
    expect(parsePublicKeyList(text, "keys.json")[0].fingerprint).toBe(london.fingerprint);
    const iso = JSON.parse(text);
    iso.PublicKeyList[0].ValidityStartTime = "2026-11-19T00:00:00+00:00";
    expect(parsePublicKeyList(JSON.stringify(iso), "keys.json")[0].validFrom?.toISOString()).toBe("2026-11-19T00:00:00.000Z");
  });

  test("a key under another key's fingerprint is refused", () => {
    const swapped = JSON.parse(listPublicKeysJson([attacker], START, END));
    swapped.PublicKeyList[0].Fingerprint = london.fingerprint;
    expect(() => parsePublicKeyList(JSON.stringify(swapped), "keys.json")).toThrow(PublicKeyError);
    expect(() => parsePublicKeyList(JSON.stringify(swapped), "keys.json")).toThrow("does not match the key value");
  });

  test("lists that are not key lists are refused", () => {
    expect(() => parsePublicKeyList("not json", "a.json")).toThrow("a.json: not JSON");
    expect(() => parsePublicKeyList("{}", "b.json")).toThrow("no PublicKeyList array");
    expect(() => parsePublicKeyList('{"PublicKeyList":[]}', "c.json")).toThrow("PublicKeyList is empty");
    expect(() => parsePublicKeyList('{"PublicKeyList":[{"Value":"AAAA","Fingerprint":"00"}]}', "d.json")).toThrow("PublicKeyList[0]");
  });
});
