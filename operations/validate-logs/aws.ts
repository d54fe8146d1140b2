/**
 * The AWS side of validate-logs, through the AWS SDK for JavaScript v3: reading objects
 * (ListObjectsV2, GetObject), the trail's bucket (DescribeTrails) and CloudTrail's public
 * keys (ListPublicKeys). Read-only calls only. Credentials, profiles and endpoints come
 * from the SDK's standard configuration (environment, shared config, AWS_ENDPOINT_URL and
 * the per-service AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_CLOUDTRAIL included).
 *
 * The SDK packages are loaded only when validate-logs runs, so `trailgate check` never
 * loads them, and an install without them still gates.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { S3Client } from "@aws-sdk/client-s3";
import { KeyObject } from "crypto";
import { Readable } from "stream";
import { PublicKeyEntry, publicKeyEntry, PublicKeyStore } from "./keys";
import { TrailRef } from "./layout";
import { Listing, ObjectMissingError, ObjectSource, ObjectUnreadableError, s3Uri, StoredObject } from "./source";

type S3Module = typeof import("@aws-sdk/client-s3");
type CloudTrailModule = typeof import("@aws-sdk/client-cloudtrail");

/** The SDK packages are missing, or credentials/endpoint/trail lookups failed: exit 2. */
export class AwsSetupError extends Error {}

async function loadSdk<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new AwsSetupError(`validate-logs needs the AWS SDK package ${name}, which cannot be loaded (${(error as Error).message.split("\n")[0]}); install it with \`npm install ${name}\``);
  }
}

function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error.name && error.name !== "Error" ? error.name : undefined;
  const message = error.message && error.message !== name && error.message !== "UnknownError" ? error.message : undefined;
  return [name, message, status ? `(HTTP ${status})` : undefined].filter(Boolean).join(": ").replace(": (HTTP", " (HTTP") || "unknown error";
}

/** S3 through the SDK, with the bucket's region found by following S3's redirects. */
export class S3ObjectSource implements ObjectSource {
  private constructor(private readonly sdk: S3Module, private readonly client: S3Client) {}

  static async create(region: string): Promise<S3ObjectSource> {
    const sdk = await loadSdk("@aws-sdk/client-s3", () => import("@aws-sdk/client-s3"));
    return new S3ObjectSource(sdk, new sdk.S3Client({ region, followRegionRedirects: true }));
  }

  destroy(): void {
    this.client.destroy();
  }

  async list(bucket: string, prefix: string, delimiter?: string): Promise<Listing> {
    const keys: string[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new this.sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }),
        );
      } catch (error) {
        throw new ObjectUnreadableError(s3Uri(bucket, prefix), describeAwsError(error));
      }
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix === undefined) continue;
        const folder = common.Prefix.slice(prefix.length);
        folders.push(delimiter && folder.endsWith(delimiter) ? folder.slice(0, -delimiter.length) : folder);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, folders };
  }

  private async getObject(bucket: string, key: string) {
    try {
      return await this.client.send(new this.sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      // NoSuchKey: the key does not exist (or its latest version is a delete marker).
      if (error instanceof Error && error.name === "NoSuchKey") throw new ObjectMissingError(s3Uri(bucket, key));
      throw new ObjectUnreadableError(s3Uri(bucket, key), describeAwsError(error));
    }
  }

  async get(bucket: string, key: string): Promise<StoredObject> {
    const response = await this.getObject(bucket, key);
    if (!response.Body) throw new ObjectUnreadableError(s3Uri(bucket, key), "the response has no body");
    let body: Buffer;
    try {
      body = Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      throw new ObjectUnreadableError(s3Uri(bucket, key), describeAwsError(error));
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.Metadata ?? {})) metadata[name.toLowerCase()] = value;
    return { body, metadata };
  }

  async open(bucket: string, key: string): Promise<Readable> {
    const response = await this.getObject(bucket, key);
    if (!(response.Body instanceof Readable)) throw new ObjectUnreadableError(s3Uri(bucket, key), "the response body is not a stream");
    return response.Body;
  }
}

/**
 * Public keys from CloudTrail's ListPublicKeys in each digest's region (CloudTrail signs
 * with a key pair per region). The first lookup in a region lists the keys used in the
 * period; a fingerprint not among them (a backfill digest signed later) triggers one more
 * listing, from the start of the period until now.
 */
export class CloudTrailPublicKeyStore implements PublicKeyStore {
  readonly description = "CloudTrail ListPublicKeys";
  private readonly clients = new Map<string, CloudTrailClient>();
  private readonly inPeriod = new Map<string, Promise<Map<string, KeyObject>>>();
  private readonly untilNow = new Map<string, Promise<Map<string, KeyObject>>>();

  private constructor(private readonly sdk: CloudTrailModule, private readonly from: Date, private readonly to: Date, private readonly now: Date) {}

  static async create(from: Date, to: Date, now: Date): Promise<CloudTrailPublicKeyStore> {
    const sdk = await loadSdk("@aws-sdk/client-cloudtrail", () => import("@aws-sdk/client-cloudtrail"));
    return new CloudTrailPublicKeyStore(sdk, from, to, now);
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }

  private client(region: string): CloudTrailClient {
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = new this.sdk.CloudTrailClient({ region })));
    return client;
  }

  private async list(region: string, from: Date, to: Date): Promise<Map<string, KeyObject>> {
    const keys = new Map<string, KeyObject>();
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client(region).send(new this.sdk.ListPublicKeysCommand({ StartTime: from, EndTime: to, NextToken: token }));
      } catch (error) {
        throw new Error(`ListPublicKeys in ${region}: ${describeAwsError(error)}`);
      }
      for (const item of page.PublicKeyList ?? []) {
        if (!item.Value || !item.Fingerprint) continue;
        let entry: PublicKeyEntry;
        try {
          entry = publicKeyEntry(Buffer.from(item.Value), item.Fingerprint, item.ValidityStartTime, item.ValidityEndTime);
        } catch (error) {
          throw new Error(`ListPublicKeys in ${region} returned an unusable key: ${(error as Error).message}`);
        }
        keys.set(entry.fingerprint, entry.key);
      }
      token = page.NextToken;
    } while (token);
    return keys;
  }

  private cached(cache: Map<string, Promise<Map<string, KeyObject>>>, region: string, from: Date, to: Date) {
    let keys = cache.get(region);
    if (!keys) cache.set(region, (keys = this.list(region, from, to)));
    return keys;
  }

  async find(region: string, fingerprint: string): Promise<KeyObject | undefined> {
    const wanted = fingerprint.toLowerCase();
    const found = (await this.cached(this.inPeriod, region, this.from, this.to)).get(wanted);
    if (found || this.to.getTime() >= this.now.getTime()) return found;
    return (await this.cached(this.untilNow, region, this.from, this.now)).get(wanted);
  }
}

export interface TrailDescription {
  bucket: string;
  prefix?: string;
  organizationTrail: boolean;
  logFileValidation: boolean;
}

/** The trail's bucket and prefix, from DescribeTrails in its home region. */
export async function describeTrail(trail: TrailRef): Promise<TrailDescription> {
  const sdk = await loadSdk("@aws-sdk/client-cloudtrail", () => import("@aws-sdk/client-cloudtrail"));
  const client = new sdk.CloudTrailClient({ region: trail.homeRegion });
  try {
    let response;
    try {
      response = await client.send(new sdk.DescribeTrailsCommand({ trailNameList: [trail.arn], includeShadowTrails: true }));
    } catch (error) {
      throw new AwsSetupError(`cannot describe the trail ${trail.arn} (DescribeTrails in ${trail.homeRegion}: ${describeAwsError(error)}); pass --s3-bucket to read the logs without CloudTrail access`);
    }
    const found = (response.trailList ?? []).find((candidate) => candidate.TrailARN === trail.arn);
    if (!found?.S3BucketName) throw new AwsSetupError(`DescribeTrails in ${trail.homeRegion} does not know the trail ${trail.arn}; check the ARN, or pass --s3-bucket`);
    return {
      bucket: found.S3BucketName,
      prefix: found.S3KeyPrefix || undefined,
      organizationTrail: found.IsOrganizationTrail === true,
      logFileValidation: found.LogFileValidationEnabled === true,
    };
  } finally {
    client.destroy();
  }
}
