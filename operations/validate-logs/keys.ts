/**
 * CloudTrail's public keys, by fingerprint.
 *
 * Documented facts (AWS CloudTrail User Guide, "Custom implementations of CloudTrail log
 * file integrity validation", section B, and the ListPublicKeys API reference):
 * - ListPublicKeys (and `aws cloudtrail list-public-keys`, which prints its response as
 *   JSON) returns PublicKeyList[] of {Value, ValidityStartTime, ValidityEndTime,
 *   Fingerprint}; Value is "the DER encoded public key value in PKCS #1 format" (base64
 *   in JSON), Fingerprint is hexadecimal;
 * - the key that signed a digest is the one whose fingerprint equals the digest's
 *   digestPublicKeyFingerprint;
 * - CloudTrail uses a different key pair per region: a digest delivered from a region is
 *   verified with a key ListPublicKeys returns in that region.
 * The fingerprint is the MD5 of the decoded Value bytes: true of all three keys in the
 * guide's sample response (one of which is DER SubjectPublicKeyInfo rather than PKCS #1,
 * so both encodings are accepted). A key whose fingerprint does not match its value is
 * refused, so a key list cannot put another key under a genuine fingerprint.
 */
import { createHash, createPublicKey, KeyObject } from "crypto";
import * as fs from "fs";

export interface PublicKeyEntry {
  fingerprint: string;
  key: KeyObject;
  validFrom?: Date;
  validTo?: Date;
}

/** A key list is unusable: the CLI reports it as an input error (exit 2). */
export class PublicKeyError extends Error {}

export interface PublicKeyStore {
  /** Where the keys come from, for the report. */
  readonly description: string;
  /**
   * The key with `fingerprint` for a digest delivered from `region` around time `at`, or
   * undefined when no known key has that fingerprint. Throws when keys cannot be read.
   */
  find(region: string, fingerprint: string, at: Date): Promise<KeyObject | undefined>;
}

/** An RSA public key from DER bytes, PKCS #1 (as documented) or SubjectPublicKeyInfo. */
export function rsaPublicKeyFromDer(der: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: "der", type: "pkcs1" });
  } catch {
    try {
      key = createPublicKey({ key: der, format: "der", type: "spki" });
    } catch {
      throw new PublicKeyError("not a DER-encoded RSA public key (PKCS #1 or SubjectPublicKeyInfo)");
    }
  }
  if (key.asymmetricKeyType !== "rsa") throw new PublicKeyError(`not an RSA key (${key.asymmetricKeyType})`);
  return key;
}

export function fingerprintOf(der: Buffer): string {
  return createHash("md5").update(der).digest("hex");
}

/** A key from ListPublicKeys' fields; throws PublicKeyError when the value or fingerprint is wrong. */
export function publicKeyEntry(value: Buffer, fingerprint: string, validFrom?: Date, validTo?: Date): PublicKeyEntry {
  const normalised = fingerprint.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(normalised)) throw new PublicKeyError(`fingerprint ${JSON.stringify(fingerprint)} is not 32 hexadecimal digits`);
  const key = rsaPublicKeyFromDer(value);
  const actual = fingerprintOf(value);
  if (actual !== normalised) throw new PublicKeyError(`fingerprint ${fingerprint} does not match the key value (its MD5 is ${actual})`);
  return { fingerprint: normalised, key, validFrom, validTo };
}

/** ValidityStartTime/EndTime as the CLI prints them: epoch seconds (number or string) or ISO 8601. */
function parseValidity(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  let date: Date | undefined;
  if (typeof value === "number") date = new Date(value * 1000);
  else if (typeof value === "string") date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (!date || Number.isNaN(date.getTime())) throw new PublicKeyError(`${field} ${JSON.stringify(value)} is not a time`);
  return date;
}

/**
 * Parses the JSON `aws cloudtrail list-public-keys` prints: {"PublicKeyList": [...]}
 * (the guide's sample spells it "publicKeyList"; both are accepted).
 */
export function parsePublicKeyList(text: string, source: string): PublicKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PublicKeyError(`${source}: not JSON (${(error as Error).message})`);
  }
  const object = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const list = object.PublicKeyList ?? object.publicKeyList;
  if (!Array.isArray(list)) throw new PublicKeyError(`${source}: no PublicKeyList array (expected the output of \`aws cloudtrail list-public-keys\`)`);
  if (list.length === 0) throw new PublicKeyError(`${source}: PublicKeyList is empty`);
  return list.map((item, index) => {
    const where = `${source}: PublicKeyList[${index}]`;
    if (typeof item !== "object" || item === null) throw new PublicKeyError(`${where} is not an object`);
    const entry = item as Record<string, unknown>;
    if (typeof entry.Value !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry.Value.replace(/\s+/g, ""))) {
      throw new PublicKeyError(`${where}.Value is not base64`);
    }
    if (typeof entry.Fingerprint !== "string") throw new PublicKeyError(`${where}.Fingerprint is missing`);
    try {
      return publicKeyEntry(
        Buffer.from(entry.Value, "base64"),
        entry.Fingerprint,
        parseValidity(entry.ValidityStartTime, "ValidityStartTime"),
        parseValidity(entry.ValidityEndTime, "ValidityEndTime"),
      );
    } catch (error) {
      throw new PublicKeyError(`${where}: ${(error as Error).message}`);
    }
  });
}

/**
 * Keys from files (`--public-keys FILE`, repeatable): an auditor with no CloudTrail access
 * verifies with keys someone listed for them. A file does not say its region, so the
 * keys of every file are pooled; a digest still needs the key its fingerprint names.
 */
export class FilePublicKeyStore implements PublicKeyStore {
  readonly description: string;
  private readonly byFingerprint = new Map<string, KeyObject>();

  constructor(files: string[]) {
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (error) {
        throw new PublicKeyError(`cannot read --public-keys ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      for (const entry of parsePublicKeyList(text, file)) this.byFingerprint.set(entry.fingerprint, entry.key);
    }
    this.description = `--public-keys ${files.join(", ")} (${this.byFingerprint.size} key${this.byFingerprint.size === 1 ? "" : "s"})`;
  }

  async find(_region: string, fingerprint: string): Promise<KeyObject | undefined> {
    return this.byFingerprint.get(fingerprint.toLowerCase());
  }
}

/** A key store over entries already in memory (tests, the benchmark). */
export class StaticPublicKeyStore implements PublicKeyStore {
  private readonly byRegion = new Map<string, Map<string, KeyObject>>();

  constructor(readonly description: string, entries: Array<{ region: string; entry: PublicKeyEntry }>) {
    for (const { region, entry } of entries) {
      let keys = this.byRegion.get(region);
      if (!keys) this.byRegion.set(region, (keys = new Map()));
      keys.set(entry.fingerprint, entry.key);
    }
  }

  async find(region: string, fingerprint: string): Promise<KeyObject | undefined> {
    return this.byRegion.get(region)?.get(fingerprint.toLowerCase());
  }
}
