/**
 * A synthetic CloudTrail digest chain, written exactly as the AWS CloudTrail User Guide
 * documents CloudTrail writing it ("CloudTrail digest file structure", "Custom
 * implementations of CloudTrail log file integrity validation"): gzipped JSON digests with
 * the documented fields in the documented order, signed with SHA256withRSA over the data
 * signing string, the hex signature in x-amz-meta-signature and the algorithm in
 * x-amz-meta-signature-algorithm, each digest naming its predecessor's key, hex signature
 * and hex SHA-256; gzipped log files whose uncompressed SHA-256 the digest lists; the key
 * published as ListPublicKeys does (base64 DER PKCS #1, MD5 fingerprint). Used by the unit
 * tests, the e2e step (uploaded to moto) and the benchmark. It signs with a key made here:
 * the code under test never sees the private key.
 */
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from "crypto";
import { gzipSync } from "zlib";
import { digestKey, Scope, TrailRef } from "../../operations/validate-logs/layout";

export interface Signer {
  privateKey: KeyObject;
  /** DER PKCS #1 RSAPublicKey, as ListPublicKeys' Value. */
  publicKeyDer: Buffer;
  fingerprint: string;
}

export function makeSigner(modulusLength = 2048): Signer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength });
  const publicKeyDer = publicKey.export({ type: "pkcs1", format: "der" });
  return { privateKey, publicKeyDer, fingerprint: createHash("md5").update(publicKeyDer).digest("hex") };
}

/** What `aws cloudtrail list-public-keys` prints for these keys (validity: epoch seconds). */
export function listPublicKeysJson(signers: Signer[], validFrom: Date, validTo: Date): string {
  return JSON.stringify(
    {
      PublicKeyList: signers.map((signer) => ({
        Value: signer.publicKeyDer.toString("base64"),
        ValidityStartTime: validFrom.getTime() / 1000,
        ValidityEndTime: validTo.getTime() / 1000,
        Fingerprint: signer.fingerprint,
      })),
    },
    null,
    4,
  );
}

export interface StoredFile {
  bucket: string;
  key: string;
  body: Buffer;
  metadata: Record<string, string>;
}

export type DigestJson = Record<string, unknown> & {
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  previousDigestSignature: string | null;
  logFiles: Array<Record<string, unknown>>;
};

/** `YYYY-MM-DDTHH:MM:SSZ` (the documented UTC extended format). */
export function utc(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** The documented data signing string, built here independently of the code under test. */
function dataToSign(digest: DigestJson, uncompressed: Buffer): Buffer {
  const contentHash = createHash("sha256").update(uncompressed).digest("hex");
  return Buffer.from(
    [digest.digestEndTime, `${digest.digestS3Bucket}/${digest.digestS3Object}`, contentHash, digest.previousDigestSignature ?? "null"].join("\n"),
    "utf8",
  );
}

/** Serialises, gzips and signs a digest; returns the object and its hex signature. */
export function signDigest(digest: DigestJson, signer: Signer): { file: StoredFile; signature: string; contentHash: string } {
  const uncompressed = Buffer.from(JSON.stringify(digest), "utf8");
  const signature = sign("sha256", dataToSign(digest, uncompressed), signer.privateKey).toString("hex");
  return {
    file: {
      bucket: digest.digestS3Bucket,
      key: digest.digestS3Object,
      body: Buffer.from(gzipSync(uncompressed)),
      metadata: { signature, "signature-algorithm": "SHA256withRSA" },
    },
    signature,
    contentHash: createHash("sha256").update(uncompressed).digest("hex"),
  };
}

export interface ChainSpec {
  bucket: string;
  prefix?: string;
  trail: TrailRef;
  scope: Scope;
  /** End time of the first digest; each next digest ends one hour later. */
  firstEnd: Date;
  digests: number;
  logsPerDigest: number;
  /** CloudTrail events per log file (default 3). */
  eventsPerLog?: number;
  signer: Signer;
  /** The digest the first one follows, if the chain continues an earlier one. */
  previous?: { key: string; signature: string; contentHash: string };
}

export interface Chain {
  digests: Array<{ key: string; json: DigestJson; signature: string; logKeys: string[] }>;
  files: StoredFile[];
  /** Uncompressed bytes of all log files. */
  logBytes: number;
}

function logFolder(spec: ChainSpec, time: Date): string {
  const { scope } = spec;
  const date = time.toISOString().slice(0, 10).replace(/-/g, "/");
  const prefix = spec.prefix ? `${spec.prefix.replace(/^\/+|\/+$/g, "")}/` : "";
  return `${prefix}AWSLogs/${scope.organizationId ? `${scope.organizationId}/` : ""}${scope.accountId}/CloudTrail/${scope.region}/${date}/`;
}

function logFile(spec: ChainSpec, delivered: Date, index: number): { key: string; body: Buffer; uncompressed: Buffer } {
  const { scope } = spec;
  const stamp = delivered.toISOString().replace(/[-:]/g, "").slice(0, 13);
  const key = `${logFolder(spec, delivered)}${scope.accountId}_CloudTrail_${scope.region}_${stamp}Z_${randomBytes(8).toString("hex").toUpperCase()}.json.gz`;
  const records = Array.from({ length: spec.eventsPerLog ?? 3 }, (_, event) => ({
    eventVersion: "1.09",
    userIdentity: { type: "AssumedRole", accountId: scope.accountId, arn: `arn:aws:sts::${scope.accountId}:assumed-role/Admin/session-${index}` },
    eventTime: utc(new Date(delivered.getTime() - (event + 1) * 60_000)),
    eventSource: "s3.amazonaws.com",
    eventName: "ListBuckets",
    awsRegion: scope.region,
    sourceIPAddress: "192.0.2.10",
    requestID: randomBytes(8).toString("hex"),
    eventID: randomBytes(16).toString("hex"),
    readOnly: true,
    eventType: "AwsApiCall",
    recipientAccountId: scope.accountId,
  }));
  const uncompressed = Buffer.from(JSON.stringify({ Records: records }), "utf8");
  // A right-sized copy: gzipSync's result keeps its whole (much larger) output chunk alive.
  return { key, body: Buffer.from(gzipSync(uncompressed)), uncompressed };
}

/** Writes `spec.digests` hourly digests and their log files; returns them in order. */
export function buildChain(spec: ChainSpec): Chain {
  const chain: Chain = { digests: [], files: [], logBytes: 0 };
  let previous = spec.previous;
  for (let i = 0; i < spec.digests; i++) {
    const end = new Date(spec.firstEnd.getTime() + i * 3_600_000);
    const start = new Date(end.getTime() - 3_600_000);
    const key = digestKey(spec.prefix, spec.scope, spec.trail, end);
    const logFiles: Array<Record<string, unknown>> = [];
    const logKeys: string[] = [];
    for (let n = 0; n < spec.logsPerDigest; n++) {
      const delivered = new Date(start.getTime() + ((n + 1) * 3_600_000) / (spec.logsPerDigest + 1));
      const log = logFile(spec, delivered, n);
      chain.files.push({ bucket: spec.bucket, key: log.key, body: log.body, metadata: {} });
      chain.logBytes += log.uncompressed.length;
      logKeys.push(log.key);
      logFiles.push({
        s3Bucket: spec.bucket,
        s3Object: log.key,
        hashValue: createHash("sha256").update(log.uncompressed).digest("hex"),
        hashAlgorithm: "SHA-256",
        newestEventTime: utc(new Date(delivered.getTime() - 60_000)),
        oldestEventTime: utc(new Date(delivered.getTime() - (spec.eventsPerLog ?? 3) * 60_000)),
      });
    }
    const json: DigestJson = {
      awsAccountId: spec.scope.accountId,
      digestStartTime: utc(start),
      digestEndTime: utc(end),
      digestS3Bucket: spec.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: spec.signer.fingerprint,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: logFiles.length ? logFiles[logFiles.length - 1].newestEventTime : null,
      oldestEventTime: logFiles.length ? logFiles[0].oldestEventTime : null,
      previousDigestS3Bucket: previous ? spec.bucket : null,
      previousDigestS3Object: previous ? previous.key : null,
      previousDigestHashValue: previous ? previous.contentHash : null,
      previousDigestHashAlgorithm: previous ? "SHA-256" : null,
      previousDigestSignature: previous ? previous.signature : null,
      logFiles,
    };
    const signed = signDigest(json, spec.signer);
    chain.files.push(signed.file);
    chain.digests.push({ key, json, signature: signed.signature, logKeys });
    previous = { key, signature: signed.signature, contentHash: signed.contentHash };
  }
  return chain;
}
