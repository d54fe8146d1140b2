/**
 * Where CloudTrail puts digest files, and what their names say.
 *
 * Documented facts (AWS CloudTrail User Guide, "CloudTrail digest file structure",
 * section "Digest file location"):
 * - digests are delivered to
 *   `s3://BUCKET/[PREFIX/]AWSLogs/ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/`
 *   `ACCOUNT_CloudTrail-Digest_REGION_TRAILNAME_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz`,
 *   where YYYY/MM/DD is the digest's end date and the timestamp its end time (UTC);
 * - for an organization trail the path carries the organization id after AWSLogs/:
 *   `AWSLogs/O-ID/ACCOUNT/CloudTrail-Digest/...`;
 * - the first REGION is where the digest was delivered from, the last (after the trail
 *   name) is the trail's home region ("digestS3Object" field description);
 * - backfill digests (log files a delayed delivery left out of the hourly digest) end in
 *   `_backfill.json.gz` instead of `.json.gz`.
 */

export interface TrailRef {
  arn: string;
  partition: string;
  /** The trail's home region (the region in its ARN). */
  homeRegion: string;
  /** The account that owns the trail. */
  accountId: string;
  name: string;
}

/** arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME; trail names are 3-128 of [A-Za-z0-9._-]. */
const TRAIL_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):cloudtrail:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):trail\/([A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9])$/;

/** Parses a trail ARN, or returns undefined when it is not one. */
export function parseTrailArn(arn: string): TrailRef | undefined {
  const match = TRAIL_ARN.exec(arn);
  if (!match) return undefined;
  return { arn, partition: match[1], homeRegion: match[2], accountId: match[3], name: match[4] };
}

/** One account and source region of a trail: the digests there form one chain. */
export interface Scope {
  /** The organization id folder (`o-…`) of an organization trail, else undefined. */
  organizationId?: string;
  accountId: string;
  region: string;
}

export function scopeLabel(scope: Scope): string {
  return `${scope.organizationId ? `${scope.organizationId}/` : ""}${scope.accountId}/${scope.region}`;
}

/** `[PREFIX/]AWSLogs/` */
export function logsRoot(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return `${trimmed ? `${trimmed}/` : ""}AWSLogs/`;
}

/** `[PREFIX/]AWSLogs/[O-ID/]ACCOUNT/` */
export function accountRoot(prefix: string | undefined, organizationId: string | undefined, accountId: string): string {
  return `${logsRoot(prefix)}${organizationId ? `${organizationId}/` : ""}${accountId}/`;
}

/** `[PREFIX/]AWSLogs/[O-ID/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/` of the UTC day of `day`. */
export function digestDayFolder(prefix: string | undefined, scope: Scope, day: Date): string {
  const yyyy = day.getUTCFullYear();
  const mm = String(day.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(day.getUTCDate()).padStart(2, "0");
  return `${accountRoot(prefix, scope.organizationId, scope.accountId)}CloudTrail-Digest/${scope.region}/${yyyy}/${mm}/${dd}/`;
}

export const ACCOUNT_FOLDER = /^\d{12}$/;
export const ORGANIZATION_FOLDER = /^o-[a-z0-9]{10,32}$/;
export const REGION_FOLDER = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

export interface DigestKeyInfo {
  /** The digest's end time, from its name. */
  endTime: Date;
  backfill: boolean;
}

/**
 * A matcher for the digest keys of one trail in one scope: the account and region of the
 * folder, the trail's name and home region, and a day folder that matches the end date.
 * Keys of other trails sharing the bucket do not match.
 */
export function digestKeyMatcher(prefix: string | undefined, scope: Scope, trail: TrailRef): (key: string) => DigestKeyInfo | undefined {
  const folder = escapeRegExp(`${accountRoot(prefix, scope.organizationId, scope.accountId)}CloudTrail-Digest/${scope.region}/`);
  const file = escapeRegExp(`${scope.accountId}_CloudTrail-Digest_${scope.region}_${trail.name}_${trail.homeRegion}_`);
  const pattern = new RegExp(`^${folder}(\\d{4})/(\\d{2})/(\\d{2})/${file}(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z(_backfill)?\\.json\\.gz$`);
  return (key) => {
    const m = pattern.exec(key);
    if (!m) return undefined;
    const [, fy, fm, fd, y, mo, d, h, mi, s, backfill] = m;
    // The day folder is the digest's end date.
    if (fy !== y || fm !== mo || fd !== d) return undefined;
    const endTime = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
    if (Number.isNaN(endTime.getTime()) || endTime.toISOString().slice(0, 19) !== `${y}-${mo}-${d}T${h}:${mi}:${s}`) return undefined;
    return { endTime, backfill: backfill !== undefined };
  };
}

/** The key a digest of this scope and trail ending at `endTime` has (`YYYYMMDDTHHMMSSZ`, UTC). */
export function digestKey(prefix: string | undefined, scope: Scope, trail: TrailRef, endTime: Date, backfill = false): string {
  const stamp = endTime.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `${digestDayFolder(prefix, scope, endTime)}${scope.accountId}_CloudTrail-Digest_${scope.region}_${trail.name}_${trail.homeRegion}_${stamp}${backfill ? "_backfill" : ""}.json.gz`;
}
