/**
 * Deterministic benchmark inputs: a realistic audit-logging estate of exactly N
 * resources, written in the two shapes the gate reads (a synthesized cdk.tf.json
 * and a `terraform show -json` plan). The same seed always gives the same bytes.
 */
import { CIS_MONITORS } from "../modules/cis-monitors";
import { denyInsecureTransport } from "../modules/iam";

/** mulberry32: a small, well-mixed 32-bit PRNG; enough for picking mixes and defects. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A reference to another resource's attribute, e.g. `${aws_kms_key.k.arn}:*`. */
interface Ref {
  ref: string;
  attr: string;
  suffix?: string;
}

type Value = null | boolean | number | string | Ref | Value[] | { [key: string]: Value };

export interface ResourceSpec {
  type: string;
  name: string;
  /** Provider alias; the default configuration when absent. */
  alias?: string;
  args: { [key: string]: Value };
}

export interface Estate {
  resources: ResourceSpec[];
  /** Resources generated with a deliberate misconfiguration. */
  misconfigured: number;
}

const MANAGEMENT = "111111111111";
const LOG_ARCHIVE = "222222222222";
const REGION = "eu-west-2";
const ARCHIVE_ALIAS = "log_archive";
/** Each group is misconfigured with this probability (one defect per group). */
const DEFECT_RATE = 0.1;
const TAGS = { "data-classification": "official-sensitive", "trailgate:managed-by": "trailgate" };

function isRef(value: Value): value is Ref {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "ref" in value && "attr" in value;
}

const ref = (type: string, name: string, attr: string, suffix?: string): Ref => ({ ref: `${type}.${name}`, attr, suffix });

const policy = (statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

const publicAccessBlock = (bucket: Ref, allTrue: boolean): { [key: string]: Value } => ({
  bucket,
  block_public_acls: true,
  block_public_policy: allTrue,
  ignore_public_acls: true,
  restrict_public_buckets: true,
});

/** Builds the estate group by group; `defect()` decides, per group, whether and how it is misconfigured. */
class EstateBuilder {
  readonly resources: ResourceSpec[] = [];
  misconfigured = 0;

  constructor(private readonly random: () => number) {}

  add(type: string, name: string, args: { [key: string]: Value }, alias?: string): Ref {
    this.resources.push({ type, name, alias, args: { ...args, tags: TAGS } });
    return ref(type, name, "id");
  }

  /** One of `defects` with probability DEFECT_RATE, else null. */
  defect<T extends string>(defects: readonly T[]): T | null {
    if (this.random() >= DEFECT_RATE) return null;
    this.misconfigured++;
    return defects[Math.floor(this.random() * defects.length)];
  }

  pick<T>(choices: readonly T[]): T {
    return choices[Math.floor(this.random() * choices.length)];
  }

  kmsKey(name: string, description: string, alias: string | undefined, cloudtrailGrant: boolean): Ref {
    const flaw = this.defect(["no-rotation", "broad-cloudtrail-grant", "public-key-policy"] as const);
    const trailArn = `arn:aws:cloudtrail:${REGION}:${MANAGEMENT}:trail/org-trail`;
    const statements: object[] = [
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${alias ? LOG_ARCHIVE : MANAGEMENT}:root`] },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "ReadersDecrypt",
        Effect: "Allow",
        Principal: flaw === "public-key-policy" ? "*" : { AWS: [`arn:aws:iam::${LOG_ARCHIVE}:role/SecurityAuditReader`] },
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
      },
    ];
    if (cloudtrailGrant) {
      statements.push(
        {
          Sid: "CloudTrailEncryptLogs",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: flaw === "broad-cloudtrail-grant" ? ["kms:GenerateDataKey*", "kms:Decrypt"] : "kms:GenerateDataKey*",
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceArn": trailArn },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${MANAGEMENT}:trail/*` },
          },
        },
        {
          Sid: "CloudTrailDescribeKey",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "kms:DescribeKey",
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
      );
    }
    const key = this.add(
      "aws_kms_key",
      `${name}_key`,
      {
        description,
        deletion_window_in_days: 30,
        enable_key_rotation: flaw !== "no-rotation",
        policy: policy(statements),
      },
      alias,
    );
    this.add("aws_kms_alias", `${name}_alias`, { name: `alias/${name.replace(/_/g, "-")}`, target_key_id: { ...key, attr: "key_id" } }, alias);
    return { ...key, attr: "arn" };
  }

  /** A bucket with versioning, encryption, public access block, TLS-only policy and lifecycle: 6 resources. */
  bucketFamily(
    name: string,
    bucketName: string,
    opts: { alias?: string; kmsKey?: Ref; objectLock?: boolean; expirationDays: number; extraStatements?: object[] },
  ): Ref {
    const flaw = this.defect([
      "sse-s3",
      "aws-managed-key",
      "public-access-open",
      "no-tls-deny",
      "public-read",
      "versioning-suspended",
      "wrong-region",
      "unreadable-policy",
      "short-expiry",
    ] as const);
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const bucket = this.add(
      "aws_s3_bucket",
      name,
      {
        bucket: bucketName,
        force_destroy: false,
        object_lock_enabled: opts.objectLock === true,
        ...(flaw === "wrong-region" ? { region: "us-east-1" } : {}),
      },
      opts.alias,
    );
    this.add(
      "aws_s3_bucket_versioning",
      `${name}_versioning`,
      { bucket, versioning_configuration: { status: flaw === "versioning-suspended" ? "Suspended" : "Enabled" } },
      opts.alias,
    );
    const sseDefault: { [key: string]: Value } =
      !opts.kmsKey || flaw === "sse-s3"
        ? { sse_algorithm: "AES256" }
        : { sse_algorithm: "aws:kms", kms_master_key_id: flaw === "aws-managed-key" ? "alias/aws/s3" : opts.kmsKey };
    this.add(
      "aws_s3_bucket_server_side_encryption_configuration",
      `${name}_encryption`,
      { bucket, rule: [{ apply_server_side_encryption_by_default: sseDefault, bucket_key_enabled: Boolean(opts.kmsKey) }] },
      opts.alias,
    );
    this.add("aws_s3_bucket_public_access_block", `${name}_public_access_block`, publicAccessBlock(bucket, flaw !== "public-access-open"), opts.alias);
    const statements: object[] = [...(opts.extraStatements ?? [])];
    if (flaw === "public-read") {
      statements.push({ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${bucketArn}/*` });
    }
    if (flaw !== "no-tls-deny") statements.push(denyInsecureTransport([bucketArn, `${bucketArn}/*`]));
    this.add(
      "aws_s3_bucket_policy",
      `${name}_policy`,
      { bucket, policy: flaw === "unreadable-policy" ? `\${data.aws_iam_policy_document.${name}.json}` : policy(statements) },
      opts.alias,
    );
    this.add(
      "aws_s3_bucket_lifecycle_configuration",
      `${name}_lifecycle`,
      {
        bucket,
        rule: [
          {
            id: "retention",
            status: "Enabled",
            filter: [{ prefix: "" }],
            expiration: [{ days: flaw === "short-expiry" ? 30 : opts.expirationDays }],
            noncurrent_version_expiration: [{ noncurrent_days: opts.expirationDays }],
            transition: [{ days: 90, storage_class: "GLACIER_IR" }],
          },
        ],
      },
      opts.alias,
    );
    return bucket;
  }

  /** One CloudTrail trail with its log archive, key, log group, role, alert topic and the CIS monitors. */
  trailEstate(i: number): void {
    const id = String(i).padStart(3, "0");
    const trailName = `org-trail-${id}`;
    const logGroupName = `/trailgate/cloudtrail/${trailName}`;
    const key = this.kmsKey(`trail_${id}`, `Encrypts CloudTrail log files of ${trailName}`, ARCHIVE_ALIAS, true);
    const accessName = `trailgate-access-logs-${id}-${LOG_ARCHIVE}-${REGION}`;
    const bucketName = `trailgate-cloudtrail-${id}-${LOG_ARCHIVE}-${REGION}`;
    const access = this.bucketFamily(`trail_${id}_access_logs`, accessName, {
      alias: ARCHIVE_ALIAS,
      expirationDays: 2557,
      extraStatements: [
        {
          Sid: "S3ServerAccessLogsDelivery",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${accessName}/access-logs/*`,
          Condition: { StringEquals: { "aws:SourceAccount": LOG_ARCHIVE } },
        },
      ],
    });
    const trailArn = `arn:aws:cloudtrail:${REGION}:${MANAGEMENT}:trail/${trailName}`;
    const bucket = this.bucketFamily(`trail_${id}_bucket`, bucketName, {
      alias: ARCHIVE_ALIAS,
      kmsKey: key,
      objectLock: true,
      expirationDays: 2557,
      extraStatements: [
        {
          Sid: "CloudTrailAclCheck",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: `arn:aws:s3:::${bucketName}`,
          Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${bucketName}/AWSLogs/*`,
          Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
      ],
    });
    const flaw = this.defect([
      "not-multi-region",
      "no-validation",
      "no-global-events",
      "no-trail-key",
      "short-object-lock",
      "no-access-logging",
      "log-group-unencrypted",
      "role-too-broad",
    ] as const);
    this.add(
      "aws_s3_bucket_object_lock_configuration",
      `trail_${id}_bucket_object_lock`,
      { bucket, rule: { default_retention: { days: flaw === "short-object-lock" ? 90 : 365, mode: "COMPLIANCE" } } },
      ARCHIVE_ALIAS,
    );
    this.add(
      "aws_s3_bucket_logging",
      `trail_${id}_bucket_logging`,
      { bucket, target_bucket: flaw === "no-access-logging" ? bucket : access, target_prefix: "access-logs/" },
      ARCHIVE_ALIAS,
    );
    this.add(
      "aws_s3_bucket_ownership_controls",
      `trail_${id}_bucket_ownership`,
      { bucket, rule: { object_ownership: "BucketOwnerEnforced" } },
      ARCHIVE_ALIAS,
    );
    this.add("aws_cloudwatch_log_group", `trail_${id}_log_group`, {
      name: logGroupName,
      retention_in_days: 365,
      ...(flaw === "log-group-unencrypted" ? {} : { kms_key_id: key }),
    });
    const role = this.add("aws_iam_role", `trail_${id}_cloudwatch_role`, {
      name: `${trailName}-cloudwatch`,
      assume_role_policy: policy([
        {
          Sid: "CloudTrailAssumes",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
      ]),
    });
    this.add("aws_iam_role_policy", `trail_${id}_cloudwatch_role_policy`, {
      name: "deliver-to-log-group",
      role: { ...role, attr: "name" },
      policy: policy([
        {
          Sid: "WriteTrailLogStreams",
          Effect: "Allow",
          Action: flaw === "role-too-broad" ? ["logs:*"] : ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `arn:aws:logs:${REGION}:${MANAGEMENT}:log-group:${logGroupName}:log-stream:*`,
        },
      ]),
    });
    this.add("aws_cloudtrail", `trail_${id}`, {
      name: trailName,
      s3_bucket_name: bucket,
      kms_key_id: flaw === "no-trail-key" ? null : key,
      cloud_watch_logs_group_arn: ref("aws_cloudwatch_log_group", `trail_${id}_log_group`, "arn", ":*"),
      cloud_watch_logs_role_arn: ref("aws_iam_role", `trail_${id}_cloudwatch_role`, "arn"),
      enable_log_file_validation: flaw !== "no-validation",
      enable_logging: true,
      include_global_service_events: flaw !== "no-global-events",
      is_multi_region_trail: flaw !== "not-multi-region",
      is_organization_trail: i === 0,
      advanced_event_selector: [
        {
          name: "Management events",
          field_selector: [
            { field: "eventCategory", equals: ["Management"] },
            { field: "eventSource", not_equals: ["rdsdata.amazonaws.com"] },
          ],
        },
        {
          name: "S3 data events on named buckets",
          field_selector: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "resources.ARN", starts_with: [`arn:aws:s3:::workload-data-${id}-${REGION}/`] },
          ],
        },
      ],
      insight_selector: [{ insight_type: "ApiCallRateInsight" }, { insight_type: "ApiErrorRateInsight" }],
    });
    const topic = this.snsTopic(`trail_${id}_alerts`, `trailgate-alerts-${id}`);
    this.add("aws_sns_topic_subscription", `trail_${id}_alerts_email`, {
      topic_arn: topic,
      protocol: "email",
      endpoint: `security-${id}@example.org`,
    });
    const namespace = `Trailgate/CloudTrail/${id}`;
    for (const monitor of CIS_MONITORS) {
      const local = `trail_${id}_${monitor.id.replace(/-/g, "_")}`;
      this.add("aws_cloudwatch_log_metric_filter", `${local}_filter`, {
        name: `${trailName}-${monitor.id}`,
        log_group_name: ref("aws_cloudwatch_log_group", `trail_${id}_log_group`, "name"),
        pattern: monitor.pattern,
        metric_transformation: { name: monitor.metricName, namespace, value: "1" },
      });
      this.add("aws_cloudwatch_metric_alarm", `${local}_alarm`, {
        alarm_name: `${trailName}-${monitor.id}`,
        alarm_description: `${monitor.control}: ${monitor.title}`,
        comparison_operator: "GreaterThanOrEqualToThreshold",
        evaluation_periods: 1,
        metric_name: monitor.metricName,
        namespace,
        period: 300,
        statistic: "Sum",
        threshold: 1,
        treat_missing_data: "notBreaching",
        alarm_actions: [topic],
      });
    }
  }

  snsTopic(name: string, topicName: string): Ref {
    const flaw = this.defect(["unencrypted", "public-publish"] as const);
    const topicArn = `arn:aws:sns:${REGION}:${MANAGEMENT}:${topicName}`;
    this.add("aws_sns_topic", name, {
      name: topicName,
      ...(flaw === "unencrypted" ? {} : { kms_master_key_id: "alias/trailgate-alerts" }),
      policy: policy([
        {
          Sid: "AccountManagesTopic",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
          Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"],
          Resource: topicArn,
        },
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: flaw === "public-publish" ? "*" : { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          ...(flaw === "public-publish" ? {} : { Condition: { StringEquals: { "aws:SourceAccount": MANAGEMENT } } }),
        },
      ]),
    });
    return ref("aws_sns_topic", name, "arn");
  }

  logGroup(name: string, groupName: string, key: Ref): void {
    const flaw = this.defect(["unencrypted", "short-retention"] as const);
    this.add("aws_cloudwatch_log_group", name, {
      name: groupName,
      retention_in_days: flaw === "short-retention" ? 30 : this.pick([0, 400, 731, 1827]),
      ...(flaw === "unencrypted" ? {} : { kms_key_id: key }),
    });
  }

  /** An application role and its inline policy reading one data bucket: 2 resources. */
  appRole(name: string, bucketName: string): void {
    const flaw = this.defect(["s3-star", "wrong-region-arn"] as const);
    const role = this.add("aws_iam_role", name, {
      name: name.replace(/_/g, "-"),
      assume_role_policy: policy([
        { Effect: "Allow", Principal: { Service: this.pick(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]) }, Action: "sts:AssumeRole" },
      ]),
    });
    this.add("aws_iam_role_policy", `${name}_policy`, {
      name: "read-data",
      role: { ...role, attr: "name" },
      policy: policy([
        {
          Sid: "ReadData",
          Effect: "Allow",
          Action: flaw === "s3-star" ? "s3:*" : ["s3:GetObject", "s3:ListBucket"],
          Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        },
        {
          Sid: "DecryptData",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: `arn:aws:kms:${flaw === "wrong-region-arn" ? "us-east-1" : REGION}:${MANAGEMENT}:key/*`,
        },
      ]),
    });
  }

  accessPoint(name: string, bucketName: string): void {
    const flaw = this.defect(["no-vpc", "public-access-open"] as const);
    this.add("aws_s3_access_point", name, {
      account_id: MANAGEMENT,
      bucket: bucketName,
      name: name.replace(/_/g, "-"),
      ...(flaw === "no-vpc" ? {} : { vpc_configuration: { vpc_id: "vpc-0a1b2c3d4e5f60718" } }),
      public_access_block_configuration: {
        block_public_acls: true,
        block_public_policy: flaw !== "public-access-open",
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    });
  }

  /**
   * A workload: one key, four data buckets (7 resources each, logging into the
   * trail's access-log bucket), two log groups, a topic, two roles and an access
   * point: 38 resources.
   */
  workload(i: number, accessLogBucket: Ref): void {
    const id = String(i).padStart(5, "0");
    const key = this.kmsKey(`workload_${id}`, `Workload ${id} data`, undefined, false);
    const bucketNames: string[] = [];
    for (let b = 0; b < 4; b++) {
      const bucketName = `workload-data-${id}-${b}-${REGION}`;
      bucketNames.push(bucketName);
      const bucket = this.bucketFamily(`workload_${id}_data_${b}`, bucketName, { kmsKey: key, expirationDays: this.pick([400, 731, 2557]) });
      this.add("aws_s3_bucket_logging", `workload_${id}_data_${b}_logging`, {
        bucket,
        target_bucket: accessLogBucket,
        target_prefix: `${bucketName}/`,
      });
    }
    this.logGroup(`workload_${id}_app_logs`, `/workload/${id}/app`, key);
    this.logGroup(`workload_${id}_audit_logs`, `/workload/${id}/audit`, key);
    this.snsTopic(`workload_${id}_events`, `workload-${id}-events`);
    this.appRole(`workload_${id}_reader`, bucketNames[0]);
    this.appRole(`workload_${id}_writer`, bucketNames[1]);
    this.accessPoint(`workload_${id}_access_point`, bucketNames[2]);
  }
}

/** Key and alias, two bucket families, lock/logging/ownership, log group, role and policy, trail, topic and subscription, monitors. */
const TRAIL_ESTATE_SIZE = 2 + 12 + 3 + 1 + 2 + 1 + 2 + 2 * CIS_MONITORS.length;
const WORKLOAD_SIZE = 38;

/**
 * Exactly `size` resources: one trail estate per 1,000 resources (at least one),
 * workloads for the bulk, single log groups to land on the exact count.
 */
export function generateEstate(size: number, seed: number): Estate {
  const builder = new EstateBuilder(seededRandom(seed));
  const trails = Math.max(1, Math.round(size / 1000));
  if (trails * TRAIL_ESTATE_SIZE > size) throw new Error(`size ${size} is too small for a trail estate (${TRAIL_ESTATE_SIZE})`);
  for (let t = 0; t < trails; t++) builder.trailEstate(t);
  const accessLogBuckets = Array.from({ length: trails }, (_, t) => ref("aws_s3_bucket", `trail_${String(t).padStart(3, "0")}_access_logs`, "id"));
  let workload = 0;
  while (builder.resources.length + WORKLOAD_SIZE <= size) {
    builder.workload(workload, accessLogBuckets[workload % trails]);
    workload++;
  }
  const key = ref("aws_kms_key", "workload_00000_key", "arn");
  for (let extra = 0; builder.resources.length < size; extra++) builder.logGroup(`extra_${extra}_logs`, `/extra/${extra}`, key);
  if (builder.resources.length !== size) throw new Error(`generated ${builder.resources.length} resources, wanted ${size}`);
  return { resources: builder.resources, misconfigured: builder.misconfigured };
}

// ---------------------------------------------------------------------------
// Shape 1: a synthesized cdktf stack (cdk.tf.json)

function synthValue(value: Value): unknown {
  if (isRef(value)) return `\${${value.ref}.${value.attr}}${value.suffix ?? ""}`;
  if (Array.isArray(value)) return value.map(synthValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, synthValue(item)]));
  }
  return value;
}

/** Pretty-printed, as `cdktf synth` writes it. */
export function toSynthJson(estate: Estate, stack: string): string {
  const resource: Record<string, Record<string, unknown>> = {};
  for (const r of estate.resources) {
    const body: Record<string, unknown> = {
      "//": { metadata: { path: `${stack}/${r.name}`, uniqueId: r.name } },
      ...(synthValue(r.args) as object),
      provider: r.alias ? `aws.${r.alias}` : "aws",
    };
    (resource[r.type] ??= {})[r.name] = body;
  }
  const document = {
    "//": { metadata: { backend: "local", stackName: stack, version: "0.21.0" }, outputs: {} },
    provider: {
      aws: [
        { region: REGION, allowed_account_ids: [MANAGEMENT], default_tags: [{ tags: TAGS }] },
        { alias: ARCHIVE_ALIAS, region: REGION, allowed_account_ids: [LOG_ARCHIVE], default_tags: [{ tags: TAGS }] },
      ],
    },
    resource,
    terraform: {
      backend: { local: { path: "terraform.tfstate" } },
      required_providers: { aws: { source: "aws", version: "6.0.0" } },
    },
  };
  return JSON.stringify(document, null, 2);
}

// ---------------------------------------------------------------------------
// Shape 2: `terraform show -json PLANFILE`

const PROVIDER = "registry.terraform.io/hashicorp/aws";

/** Planned value: references are unknown until apply, so they are absent (null inside lists). */
function plannedValue(value: Value): unknown {
  if (isRef(value)) return undefined;
  if (Array.isArray(value)) return value.map((item) => plannedValue(item) ?? null);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).flatMap(([key, item]) => {
      const planned = plannedValue(item);
      return planned === undefined ? [] : [[key, planned]];
    });
    return Object.fromEntries(entries);
  }
  return value;
}

/** after_unknown: true where a reference sits, mirroring the value's structure; undefined when fully known. */
function unknownMarkers(value: Value): unknown {
  if (isRef(value)) return true;
  if (Array.isArray(value)) {
    const items = value.map(unknownMarkers);
    return items.some((item) => item !== undefined) ? items.map((item) => item ?? false) : undefined;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).flatMap(([key, item]) => {
      const marker = unknownMarkers(item);
      return marker === undefined ? [] : [[key, marker]];
    });
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return undefined;
}

/** configuration expressions: {references: [...]} for references, {constant_value} for literals, nested for blocks. */
function expression(value: Value): unknown {
  if (isRef(value)) return { references: [`${value.ref}.${value.attr}`, value.ref] };
  if (Array.isArray(value) && value.some((item) => isRef(item))) {
    return { references: value.filter(isRef).flatMap((item) => [`${item.ref}.${item.attr}`, item.ref]) };
  }
  if (Array.isArray(value) && value.length > 0 && value.every((item) => item !== null && typeof item === "object")) {
    return value.map((item) => blockExpressions(item as { [key: string]: Value }));
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return [blockExpressions(value)];
  return { constant_value: value };
}

function blockExpressions(body: { [key: string]: Value }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([key, item]) => [key, expression(item)]));
}

/** One line, as `terraform show -json` prints it. */
export function toPlanJson(estate: Estate): string {
  const planned: unknown[] = [];
  const changes: unknown[] = [];
  const configured: unknown[] = [];
  for (const r of estate.resources) {
    const address = `${r.type}.${r.name}`;
    const values = { ...(plannedValue(r.args) as object), tags_all: TAGS };
    const afterUnknown = { ...((unknownMarkers(r.args) as object | undefined) ?? {}), id: true, arn: true };
    const common = { address, mode: "managed", type: r.type, name: r.name, provider_name: PROVIDER };
    planned.push({ ...common, schema_version: 0, values, sensitive_values: { tags: {}, tags_all: {} } });
    changes.push({
      ...common,
      change: {
        actions: ["create"],
        before: null,
        after: values,
        after_unknown: afterUnknown,
        before_sensitive: false,
        after_sensitive: { tags: {}, tags_all: {} },
      },
    });
    configured.push({
      address,
      mode: "managed",
      type: r.type,
      name: r.name,
      provider_config_key: r.alias ? `aws.${r.alias}` : "aws",
      expressions: blockExpressions(r.args),
      schema_version: 0,
    });
  }
  const providerConfig = (alias?: string) => ({
    name: "aws",
    full_name: PROVIDER,
    ...(alias ? { alias } : {}),
    version_constraint: "6.0.0",
    expressions: { region: { constant_value: REGION } },
  });
  return JSON.stringify({
    format_version: "1.2",
    terraform_version: "1.9.8",
    planned_values: { root_module: { resources: planned } },
    resource_changes: changes,
    configuration: {
      provider_config: { aws: providerConfig(), [`aws.${ARCHIVE_ALIAS}`]: providerConfig(ARCHIVE_ALIAS) },
      root_module: { resources: configured },
    },
    timestamp: "2025-01-01T00:00:00Z",
    applyable: true,
    complete: true,
    errored: false,
  });
}
