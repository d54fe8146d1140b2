import { Readable } from "stream";

/**
 * Where validate-logs reads objects: S3 through the AWS SDK (s3-source.ts), or memory
 * (tests, the benchmark). Read-only by construction: listing and getting, nothing else.
 */
export interface ObjectSource {
  /**
   * Every key under `prefix` (all pages). With `delimiter`, also the common prefixes
   * one level down (each without `prefix`, without the trailing delimiter).
   */
  list(bucket: string, prefix: string, delimiter?: string): Promise<Listing>;
  /** The whole object and its user metadata (S3 `x-amz-meta-*`, names lowercased, without the prefix). */
  get(bucket: string, key: string): Promise<StoredObject>;
  /** The object's body as a stream, for log files that may be large. */
  open(bucket: string, key: string): Promise<Readable>;
}

export interface Listing {
  keys: string[];
  folders: string[];
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
}

/** The object does not exist (S3 NoSuchKey): for a listed file this means it was deleted. */
export class ObjectMissingError extends Error {
  constructor(readonly uri: string) {
    super(`${uri} does not exist`);
    this.name = "ObjectMissingError";
  }
}

/**
 * The object could not be read for any other reason (access denied, network, a missing
 * bucket): nothing can be said about its integrity, so it is never counted as valid.
 */
export class ObjectUnreadableError extends Error {
  constructor(readonly uri: string, readonly reason: string) {
    super(`cannot read ${uri}: ${reason}`);
    this.name = "ObjectUnreadableError";
  }
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** An in-memory bucket set: tests and the benchmark write a synthetic chain into it. */
export class MemorySource implements ObjectSource {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  put(bucket: string, key: string, body: Buffer, metadata: Record<string, string> = {}): void {
    let objects = this.buckets.get(bucket);
    if (!objects) this.buckets.set(bucket, (objects = new Map()));
    objects.set(key, { body, metadata });
  }

  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }

  peek(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])];
  }

  private objects(bucket: string): Map<string, StoredObject> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new ObjectUnreadableError(`s3://${bucket}`, "NoSuchBucket: the bucket does not exist");
    return objects;
  }

  async list(bucket: string, prefix: string, delimiter?: string): Promise<Listing> {
    const keys: string[] = [];
    const folders = new Set<string>();
    for (const key of [...this.objects(bucket).keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut >= 0) folders.add(rest.slice(0, cut));
      else keys.push(key);
    }
    return { keys, folders: [...folders] };
  }

  async get(bucket: string, key: string): Promise<StoredObject> {
    const object = this.objects(bucket).get(key);
    if (!object) throw new ObjectMissingError(s3Uri(bucket, key));
    return object;
  }

  async open(bucket: string, key: string): Promise<Readable> {
    return Readable.from([(await this.get(bucket, key)).body]);
  }
}
