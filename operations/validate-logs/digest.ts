/**
 * Digest files: their fields, the data signing string, and the signature check.
 *
 * Documented facts used here (AWS CloudTrail User Guide):
 * - "CloudTrail digest file structure": a digest is gzipped JSON with the fields
 *   awsAccountId, digestStartTime, digestEndTime, digestS3Bucket, digestS3Object,
 *   digestPublicKeyFingerprint, digestSignatureAlgorithm ("SHA256withRSA"),
 *   newestEventTime, oldestEventTime, previousDigestS3Bucket, previousDigestS3Object,
 *   previousDigestHashValue, previousDigestHashAlgorithm ("SHA-256"),
 *   previousDigestSignature, and logFiles[] of {s3Bucket, s3Object, hashValue,
 *   hashAlgorithm, newestEventTime, oldestEventTime}; hash values and signatures are
 *   hexadecimal; a starting digest has the five previousDigest* fields null; an hour with
 *   no activity still gets a digest, with `logFiles: []`.
 * - Same page, "Signature of the digest file": the signature is in the object's metadata
 *   `x-amz-meta-signature` (hex) and `x-amz-meta-signature-algorithm` (SHA256withRSA).
 * - "Custom implementations of CloudTrail log file integrity validation": the data
 *   signing string is digestEndTime + "\n" + digestS3Bucket + "/" + digestS3Object + "\n"
 *   + hex(SHA-256(uncompressed digest content)) + "\n" + previousDigestSignature, signed
 *   with RSA over its SHA-256 (SHA256withRSA, PKCS #1 v1.5); the digest must be read from
 *   its original location (digestS3Bucket/digestS3Object equal where it was read).
 * - For a starting digest the previous signature in that string is the text "null" (the
 *   JSON null rendered as Java's JSONObject.getString does; the AWS CLI's validate-logs
 *   says the same: "The value must be 'null' to match the Java implementation").
 */
import { createHash, KeyObject, verify } from "crypto";
import { gunzipSync } from "zlib";

export const SIGNATURE_ALGORITHM = "SHA256withRSA";
export const HASH_ALGORITHM = "SHA-256";

export interface LogFileEntry {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime?: string | null;
  oldestEventTime?: string | null;
}

export interface DigestDocument {
  awsAccountId?: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm?: string;
  newestEventTime?: string | null;
  oldestEventTime?: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: LogFileEntry[];
}

/** The digest's content is not a CloudTrail digest (not gzip, not JSON, fields missing or mistyped). */
export class DigestFormatError extends Error {}

const UTC_EXTENDED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const HEX = /^[0-9a-fA-F]+$/;

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function isHex(text: string): boolean {
  return HEX.test(text) && text.length % 2 === 0;
}

function requireString(object: Record<string, unknown>, field: string): string {
  const value = object[field];
  if (typeof value !== "string" || value === "") throw new DigestFormatError(`field ${field} is missing or not a string`);
  return value;
}

function optionalString(object: Record<string, unknown>, field: string): string | null {
  const value = object[field];
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new DigestFormatError(`field ${field} is not a string or null`);
  return value;
}

/**
 * Gunzips and parses a digest file's content, checking the fields validation relies on.
 * Returns the document and the uncompressed bytes (their SHA-256 is part of the signing string).
 */
export function parseDigest(compressed: Buffer): { document: DigestDocument; content: Buffer } {
  let content: Buffer;
  try {
    content = gunzipSync(compressed);
  } catch (error) {
    throw new DigestFormatError(`not gzip (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString("utf8"));
  } catch {
    throw new DigestFormatError("not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new DigestFormatError("not a JSON object");
  const raw = parsed as Record<string, unknown>;
  const document: DigestDocument = {
    awsAccountId: optionalString(raw, "awsAccountId") ?? undefined,
    digestStartTime: requireString(raw, "digestStartTime"),
    digestEndTime: requireString(raw, "digestEndTime"),
    digestS3Bucket: requireString(raw, "digestS3Bucket"),
    digestS3Object: requireString(raw, "digestS3Object"),
    digestPublicKeyFingerprint: requireString(raw, "digestPublicKeyFingerprint"),
    digestSignatureAlgorithm: optionalString(raw, "digestSignatureAlgorithm") ?? undefined,
    newestEventTime: optionalString(raw, "newestEventTime"),
    oldestEventTime: optionalString(raw, "oldestEventTime"),
    previousDigestS3Bucket: optionalString(raw, "previousDigestS3Bucket"),
    previousDigestS3Object: optionalString(raw, "previousDigestS3Object"),
    previousDigestHashValue: optionalString(raw, "previousDigestHashValue"),
    previousDigestHashAlgorithm: optionalString(raw, "previousDigestHashAlgorithm"),
    previousDigestSignature: optionalString(raw, "previousDigestSignature"),
    logFiles: [],
  };
  for (const field of ["digestStartTime", "digestEndTime"] as const) {
    if (!UTC_EXTENDED.test(document[field])) throw new DigestFormatError(`${field} ${JSON.stringify(document[field])} is not a UTC timestamp`);
  }
  if (!Array.isArray(raw.logFiles)) throw new DigestFormatError("field logFiles is missing or not an array");
  document.logFiles = raw.logFiles.map((entry, index) => {
    if (typeof entry !== "object" || entry === null) throw new DigestFormatError(`logFiles[${index}] is not an object`);
    const log = entry as Record<string, unknown>;
    const parsedEntry: LogFileEntry = {
      s3Bucket: requireString(log, "s3Bucket"),
      s3Object: requireString(log, "s3Object"),
      hashValue: requireString(log, "hashValue"),
      hashAlgorithm: requireString(log, "hashAlgorithm"),
      newestEventTime: optionalString(log, "newestEventTime"),
      oldestEventTime: optionalString(log, "oldestEventTime"),
    };
    if (!isHex(parsedEntry.hashValue)) throw new DigestFormatError(`logFiles[${index}].hashValue is not hexadecimal`);
    return parsedEntry;
  });
  // A starting digest has every previousDigest* field null; a chained one has all of them.
  const previous = [
    document.previousDigestS3Bucket,
    document.previousDigestS3Object,
    document.previousDigestHashValue,
    document.previousDigestHashAlgorithm,
    document.previousDigestSignature,
  ];
  const nulls = previous.filter((value) => value === null).length;
  if (nulls !== 0 && nulls !== previous.length) throw new DigestFormatError("previousDigest* fields are partly null");
  if (document.previousDigestSignature !== null && !isHex(document.previousDigestSignature)) {
    throw new DigestFormatError("previousDigestSignature is not hexadecimal");
  }
  if (document.previousDigestHashValue !== null && !isHex(document.previousDigestHashValue)) {
    throw new DigestFormatError("previousDigestHashValue is not hexadecimal");
  }
  return { document, content };
}

/** The documented data signing string (see the file comment), as UTF-8 bytes. */
export function signingString(document: DigestDocument, content: Buffer): Buffer {
  const previousSignature = document.previousDigestSignature ?? "null";
  return Buffer.from(
    `${document.digestEndTime}\n${document.digestS3Bucket}/${document.digestS3Object}\n${sha256Hex(content)}\n${previousSignature}`,
    "utf8",
  );
}

/** SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256) verification of a hex signature. */
export function verifySignature(data: Buffer, signatureHex: string, key: KeyObject): boolean {
  if (!isHex(signatureHex)) return false;
  return verify("sha256", data, key, Buffer.from(signatureHex, "hex"));
}
