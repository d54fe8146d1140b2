import { JsonValue } from "../../../terraform/types";
import { LiveBucket } from "../estate";
import { compact, compactRefs, LiveDraftList } from "./builder";

const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

export function mapBuckets(list: LiveDraftList): void {
  for (const b of list.estate.buckets) {
    list.add(b.account, "aws_s3_bucket", bucketArn(b.name), b.name, b.region, { bucket: b.name, object_lock_enabled: b.objectLockEnabled });
  }
}

/**
 * Bucket configurations carry the bucket's ARN: a finding on them names the bucket.
 * Their `bucket` (and a logging target_bucket) is the literal name, which the shared
 * normaliser step links to the aws_s3_bucket of that name.
 */
export function mapBucketConfigurations(list: LiveDraftList): void {
  for (const bucket of list.estate.buckets) {
    const configure = (type: string, values: Record<string, JsonValue | undefined>, refs: Record<string, string[]> = {}) =>
      list.add(bucket.account, type, bucketArn(bucket.name), bucket.name, bucket.region, { bucket: bucket.name, ...values }, compactRefs(refs));
    for (const mapConfiguration of BUCKET_CONFIGURATIONS) mapConfiguration(bucket, list, configure);
  }
}

type Configure = (type: string, values: Record<string, JsonValue | undefined>, refs?: Record<string, string[]>) => void;

/**
 * The key a bucket's default encryption names, as the rules should see it: an
 * AWS-managed key given by id or ARN is written as its alias (alias/aws/s3), which is
 * what TG-ENC-001 recognises; anything else as written.
 */
function bucketKeyReference(id: string | undefined, list: LiveDraftList, bucket: LiveBucket): string | undefined {
  if (!id) return undefined;
  const key = list.keys.get(id);
  if (key && key.keyManager === "AWS") {
    const account = list.estate.accounts[bucket.account]?.accountId ?? "";
    return `arn:aws:kms:${bucket.region}:${account}:alias/aws/s3`;
  }
  return id;
}

function encryption(b: LiveBucket, list: LiveDraftList, configure: Configure): void {
  if (!b.encryption) return;
  configure(
    "aws_s3_bucket_server_side_encryption_configuration",
    {
      rule: b.encryption.map((r) =>
        compact({
          apply_server_side_encryption_by_default: r.sseAlgorithm
            ? [compact({ sse_algorithm: r.sseAlgorithm, kms_master_key_id: bucketKeyReference(r.kmsMasterKeyId, list, b) })]
            : undefined,
          bucket_key_enabled: r.bucketKeyEnabled,
        }),
      ),
    },
    { rule: list.keyRef(...b.encryption.map((r) => r.kmsMasterKeyId)) },
  );
}

function versioning(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  if (b.versioning) configure("aws_s3_bucket_versioning", { versioning_configuration: [{ status: b.versioning }] });
}

function objectLock(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  const r = b.objectLockDefaultRetention;
  if (r) configure("aws_s3_bucket_object_lock_configuration", { rule: [{ default_retention: [compact({ mode: r.mode, days: r.days, years: r.years })] }] });
}

function lifecycle(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  if (!b.lifecycle) return;
  configure("aws_s3_bucket_lifecycle_configuration", {
    rule: b.lifecycle.map((r) =>
      compact({
        id: r.id,
        status: r.status,
        filter: r.prefix !== undefined ? [{ prefix: r.prefix }] : undefined,
        expiration:
          r.expirationDays !== undefined || r.expirationDate !== undefined || r.expiredObjectDeleteMarker !== undefined
            ? [compact({ days: r.expirationDays, date: r.expirationDate, expired_object_delete_marker: r.expiredObjectDeleteMarker })]
            : undefined,
        transition: r.transitions.map((t) => compact({ days: t.days, date: t.date, storage_class: t.storageClass })),
        noncurrent_version_expiration: r.noncurrentExpirationDays !== undefined ? [{ noncurrent_days: r.noncurrentExpirationDays }] : undefined,
      }),
    ),
  });
}

function accessLogging(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  if (b.logging) configure("aws_s3_bucket_logging", { target_bucket: b.logging.targetBucket, target_prefix: b.logging.targetPrefix });
}

function publicAccessBlock(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  const p = b.publicAccessBlock;
  if (!p) return;
  configure("aws_s3_bucket_public_access_block", {
    block_public_acls: p.blockPublicAcls,
    block_public_policy: p.blockPublicPolicy,
    ignore_public_acls: p.ignorePublicAcls,
    restrict_public_buckets: p.restrictPublicBuckets,
  });
}

function bucketPolicy(b: LiveBucket, _list: LiveDraftList, configure: Configure): void {
  if (b.policy !== null) configure("aws_s3_bucket_policy", { policy: b.policy });
}

const BUCKET_CONFIGURATIONS = [encryption, versioning, objectLock, lifecycle, accessLogging, publicAccessBlock, bucketPolicy];

export function mapAccessPoints(list: LiveDraftList): void {
  for (const ap of list.estate.accessPoints) {
    const p = ap.publicAccessBlock;
    list.add(ap.account, "aws_s3_access_point", ap.arn, ap.name, list.regionOf(ap.arn), {
      name: ap.name,
      bucket: ap.bucket,
      account_id: ap.accountId,
      network_origin: ap.networkOrigin,
      vpc_configuration: ap.networkOrigin === "VPC" && ap.vpcId ? [{ vpc_id: ap.vpcId }] : undefined,
      public_access_block_configuration: p
        ? [{ block_public_acls: p.blockPublicAcls, block_public_policy: p.blockPublicPolicy, ignore_public_acls: p.ignorePublicAcls, restrict_public_buckets: p.restrictPublicBuckets }]
        : undefined,
      policy: ap.policy ?? undefined,
    });
  }
}
