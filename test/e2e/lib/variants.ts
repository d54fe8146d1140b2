/**
 * Misconfigured variants of the synthesized stack, one per rule family. Each edits a
 * copy of the stack JSON; an edit that finds nothing to change throws (a variant that
 * silently equals the good stack would "prove" nothing).
 */
import { asArray, Json } from "./stack";

export interface Variant {
  family: string;
  /** The rule id the gate must report for this variant. */
  expectRule: string;
  description: string;
  mutate(stack: Json): void;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

function resourcesOf(stack: Json, type: string): Array<[string, Json]> {
  return Object.entries<Json>(stack.resource?.[type] ?? {});
}

function need<T>(xs: T[], what: string): T[] {
  if (xs.length === 0) throw new Error(`variant cannot be built: the stack has no ${what}`);
  return xs;
}

/** Does a value (a name or an interpolation) point at bucket resource `name` / bucket name `bucketName`? */
function refersToBucket(value: unknown, name: string, bucketName: string | undefined): boolean {
  if (typeof value !== "string") return false;
  if (value.includes(`aws_s3_bucket.${name}.`)) return true;
  return bucketName !== undefined && value === bucketName;
}

/** The aws_s3_bucket resource names that some trail writes to. */
export function trailBucketNames(stack: Json): string[] {
  const buckets = resourcesOf(stack, "aws_s3_bucket");
  const out = new Set<string>();
  for (const [, trail] of resourcesOf(stack, "aws_cloudtrail")) {
    for (const [name, b] of buckets) {
      if (refersToBucket(trail.s3_bucket_name, name, b.bucket)) out.add(name);
    }
  }
  return [...out];
}

/** The resources of `type` whose `bucket` argument names a trail log bucket, each with that bucket's name. */
function onTrailBuckets(stack: Json, type: string): Array<{ resource: Json; bucketName: string }> {
  const buckets = stack.resource.aws_s3_bucket;
  const targets = need(trailBucketNames(stack), "trail log bucket");
  return need(
    resourcesOf(stack, type).flatMap(([, resource]) => {
      const target = targets.find((name) => refersToBucket(resource.bucket, name, buckets[name].bucket));
      return target ? [{ resource, bucketName: buckets[target].bucket as string }] : [];
    }),
    `${type} on the trail log bucket`,
  );
}

export const VARIANTS: Variant[] = [
  {
    family: "residency",
    expectRule: "TG-RES-001",
    description: "every aws provider configuration in eu-west-1",
    mutate(stack) {
      for (const p of need(asArray<Json>(stack.provider?.aws), "aws provider")) p.region = "eu-west-1";
    },
  },
  {
    family: "encryption",
    expectRule: "TG-ENC-001",
    description: "the trail log bucket encrypted with SSE-S3 (AES256) instead of SSE-KMS",
    mutate(stack) {
      for (const { resource: sse } of onTrailBuckets(stack, "aws_s3_bucket_server_side_encryption_configuration")) {
        for (const rule of asArray<Json>(sse.rule)) {
          for (const d of need(asArray<Json>(rule.apply_server_side_encryption_by_default), "default encryption block")) {
            d.sse_algorithm = "AES256";
            delete d.kms_master_key_id;
          }
          delete rule.bucket_key_enabled;
        }
      }
    },
  },
  {
    family: "retention",
    expectRule: "TG-RET-004",
    description: "every CloudWatch log group keeps events for 30 days",
    mutate(stack) {
      for (const [, g] of need(resourcesOf(stack, "aws_cloudwatch_log_group"), "CloudWatch log group")) g.retention_in_days = 30;
    },
  },
  {
    family: "least privilege",
    expectRule: "TG-LP-001",
    description: 'the trail log bucket policy allows s3:GetObject to Principal "*" with no condition',
    mutate(stack) {
      for (const { resource: pol, bucketName } of onTrailBuckets(stack, "aws_s3_bucket_policy")) {
        const doc = JSON.parse(pol.policy); // throws if the policy is not a literal JSON document
        doc.Statement = [...asArray(doc.Statement), {
          Sid: "E2eVariantPublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucketName}/*`,
        }];
        pol.policy = JSON.stringify(doc);
      }
    },
  },
  {
    family: "logging",
    expectRule: "TG-LOG-001",
    description: "every trail single-region",
    mutate(stack) {
      for (const [, t] of need(resourcesOf(stack, "aws_cloudtrail"), "aws_cloudtrail")) t.is_multi_region_trail = false;
    },
  },
];

export function buildVariant(stack: Json, v: Variant): Json {
  const copy = clone(stack);
  v.mutate(copy);
  if (JSON.stringify(copy) === JSON.stringify(stack)) throw new Error(`variant ${v.family} changed nothing`);
  return copy;
}
