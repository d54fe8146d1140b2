/**
 * The live estate -> the gate's normalised input (policies/INPUT.md, "live documents
 * and runtime"). Each live resource becomes the Terraform resource type that would
 * declare it, with the same argument names and block shapes, so the SAME rules judge
 * code and live state; its address is its ARN, so drift shows up on the live resource.
 * The runtime facts only the API knows (is it logging, when did it last deliver, who
 * is subscribed, alarm states, Lake status) go to `runtime` for the TG-OPS rules.
 */
import { buildDocument, ResourceDraft } from "../../gate/normalize/common";
import { GateDocument, JsonObject, JsonValue, NormalizedProvider } from "../../gate/normalize/types";
import { AccountRole, AdvancedEventSelector, LiveBucket, LiveEstate, LiveKey } from "./estate";

export const PROVIDER_ADDRESS: Record<AccountRole, string> = {
  management: "provider.aws",
  logArchive: "provider.aws.log_archive",
};

/** Drops undefined members (JSON has no undefined) so values hold only what the API said. */
function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

function advancedSelectorBlocks(selectors: AdvancedEventSelector[]): JsonValue {
  return selectors.map((s) =>
    compact({
      name: s.name,
      field_selector: s.fieldSelectors.map((f) =>
        compact({
          field: f.field,
          equals: f.equals,
          not_equals: f.notEquals,
          starts_with: f.startsWith,
          not_starts_with: f.notStartsWith,
          ends_with: f.endsWith,
          not_ends_with: f.notEndsWith,
        }),
      ),
    }),
  );
}

/** A topic's alert tier: its trailgate:alert-tier tag, else a name ending in -alerts-<tier>. */
export function topicTier(name: string, tags: Record<string, string>): string | null {
  const tagged = tags["trailgate:alert-tier"];
  if (tagged) return tagged;
  return /-alerts-([a-z0-9]+)$/.exec(name)?.[1] ?? null;
}

export const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

/**
 * The key a bucket's default encryption names, as the rules should see it: an
 * AWS-managed key given by id or ARN is written as its alias (alias/aws/s3), which is
 * what TG-ENC-001 recognises; anything else as written.
 */
function bucketKeyReference(id: string | undefined, keys: Map<string, LiveKey>, bucket: LiveBucket, estate: LiveEstate): string | undefined {
  if (!id) return undefined;
  const key = keys.get(id);
  if (key && key.keyManager === "AWS") {
    const account = estate.accounts[bucket.account]?.accountId ?? "";
    return `arn:aws:kms:${bucket.region}:${account}:alias/aws/s3`;
  }
  return id;
}

export interface LiveDocumentOptions {
  /** What the report calls the document; defaults to "live <account>/<region>". */
  name?: string;
}

export function liveDocument(estate: LiveEstate, options: LiveDocumentOptions = {}): GateDocument {
  const drafts: ResourceDraft[] = [];
  const present = new Set<string>();
  const add = (
    account: AccountRole,
    type: string,
    address: string,
    name: string,
    region: string,
    values: Record<string, JsonValue | undefined>,
    refs: Record<string, string[]> = {},
  ) => {
    present.add(address);
    drafts.push({ address, type, name, provider: PROVIDER_ADDRESS[account], ownRegion: region, values: compact(values), refs });
  };
  // Refs only to resources in this document, as the normaliser does for Terraform addresses.
  const refTo = (...addresses: Array<string | undefined>) => addresses.filter((a): a is string => !!a && present.has(a));
  // A key named by ARN or key id, as the ARN of the aws_kms_key in this document.
  const keyRef = (...ids: Array<string | undefined>) => refTo(...ids.map((id) => (id ? keys.get(id)?.arn : undefined)));

  const keys = new Map<string, LiveKey>();
  for (const key of estate.keys) {
    keys.set(key.arn, key);
    keys.set(key.keyId, key);
  }
  for (const key of estate.keys) {
    if (key.keyManager !== "CUSTOMER") continue;
    add(key.account, "aws_kms_key", key.arn, key.keyId, regionOfArn(key.arn) ?? estate.region, {
      key_id: key.keyId,
      description: key.description,
      enable_key_rotation: key.rotationEnabled,
      customer_master_key_spec: key.keySpec,
      key_usage: key.keyUsage,
      is_enabled: key.keyState === "Enabled",
      policy: key.policy ?? undefined,
    });
  }

  for (const b of estate.buckets) {
    const arn = bucketArn(b.name);
    add(b.account, "aws_s3_bucket", arn, b.name, b.region, { bucket: b.name, object_lock_enabled: b.objectLockEnabled });
  }
  // Bucket configurations carry the bucket's ARN: a finding on them names the bucket.
  // Their `bucket` (and a logging target_bucket) is the literal name, which the shared
  // normaliser step links to the aws_s3_bucket of that name.
  for (const b of estate.buckets) {
    const arn = bucketArn(b.name);
    const sub = (type: string, values: Record<string, JsonValue | undefined>, refs: Record<string, string[]> = {}) =>
      add(b.account, type, arn, b.name, b.region, { bucket: b.name, ...values }, compactRefs(refs));
    if (b.encryption) {
      sub("aws_s3_bucket_server_side_encryption_configuration", {
        rule: b.encryption.map((r) =>
          compact({
            apply_server_side_encryption_by_default: r.sseAlgorithm
              ? [compact({ sse_algorithm: r.sseAlgorithm, kms_master_key_id: bucketKeyReference(r.kmsMasterKeyId, keys, b, estate) })]
              : undefined,
            bucket_key_enabled: r.bucketKeyEnabled,
          }),
        ),
      }, { rule: keyRef(...b.encryption.map((r) => r.kmsMasterKeyId)) });
    }
    if (b.versioning) sub("aws_s3_bucket_versioning", { versioning_configuration: [{ status: b.versioning }] });
    if (b.objectLockDefaultRetention) {
      const r = b.objectLockDefaultRetention;
      sub("aws_s3_bucket_object_lock_configuration", { rule: [{ default_retention: [compact({ mode: r.mode, days: r.days, years: r.years })] }] });
    }
    if (b.lifecycle) {
      sub("aws_s3_bucket_lifecycle_configuration", {
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
    if (b.logging) sub("aws_s3_bucket_logging", { target_bucket: b.logging.targetBucket, target_prefix: b.logging.targetPrefix });
    if (b.publicAccessBlock) {
      const p = b.publicAccessBlock;
      sub("aws_s3_bucket_public_access_block", {
        block_public_acls: p.blockPublicAcls,
        block_public_policy: p.blockPublicPolicy,
        ignore_public_acls: p.ignorePublicAcls,
        restrict_public_buckets: p.restrictPublicBuckets,
      });
    }
    if (b.policy !== null) sub("aws_s3_bucket_policy", { policy: b.policy });
  }

  for (const ap of estate.accessPoints) {
    const p = ap.publicAccessBlock;
    add(ap.account, "aws_s3_access_point", ap.arn, ap.name, regionOfArn(ap.arn) ?? estate.region, {
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

  for (const g of estate.logGroups) {
    add(g.account, "aws_cloudwatch_log_group", g.arn, g.name, regionOfArn(g.arn) ?? estate.region, {
      name: g.name,
      // CloudWatch reports no retention for "never expire"; Terraform writes that as 0.
      retention_in_days: g.retentionInDays ?? 0,
      kms_key_id: g.kmsKeyId,
      log_group_class: g.logGroupClass,
    }, compactRefs({ kms_key_id: keyRef(g.kmsKeyId) }));
  }
  const groupArnByName = new Map(estate.logGroups.map((g) => [g.name, g.arn]));
  for (const f of estate.metricFilters) {
    const groupArn = groupArnByName.get(f.logGroupName) ?? `arn:aws:logs:${estate.region}:${estate.accounts[f.account]?.accountId}:log-group:${f.logGroupName}`;
    add(
      f.account,
      "aws_cloudwatch_log_metric_filter",
      `${groupArn}:metric-filter:${f.name}`,
      f.name,
      regionOfArn(groupArn) ?? estate.region,
      {
        name: f.name,
        log_group_name: f.logGroupName,
        pattern: f.pattern,
        metric_transformation: f.transformations.map((t) =>
          compact({ name: t.name, namespace: t.namespace, value: t.value, default_value: t.defaultValue !== undefined ? String(t.defaultValue) : undefined, dimensions: t.dimensions, unit: t.unit }),
        ),
      },
      { log_group_name: refTo(groupArn) },
    );
  }

  for (const t of estate.topics) {
    add(t.account, "aws_sns_topic", t.arn, t.name, regionOfArn(t.arn) ?? estate.region, { name: t.name, kms_master_key_id: t.kmsMasterKeyId, policy: t.policy ?? undefined }, compactRefs({ kms_master_key_id: keyRef(t.kmsMasterKeyId) }));
  }
  for (const t of estate.topics) {
    for (const s of t.subscriptions) {
      // pending_confirmation: such a subscriber receives nothing yet (TG-ALR-008 does not count it).
      add(t.account, "aws_sns_topic_subscription", s.arn || t.arn, s.endpoint, regionOfArn(t.arn) ?? estate.region, { topic_arn: t.arn, protocol: s.protocol, endpoint: s.endpoint, pending_confirmation: s.pendingConfirmation }, { topic_arn: refTo(t.arn) });
    }
  }

  for (const a of estate.alarms) {
    add(
      a.account,
      "aws_cloudwatch_metric_alarm",
      a.arn,
      a.name,
      regionOfArn(a.arn) ?? estate.region,
      {
        alarm_name: a.name,
        namespace: a.namespace,
        metric_name: a.metricName,
        dimensions: Object.keys(a.dimensions).length > 0 ? a.dimensions : undefined,
        statistic: a.statistic,
        extended_statistic: a.extendedStatistic,
        unit: a.unit,
        period: a.period,
        evaluation_periods: a.evaluationPeriods,
        datapoints_to_alarm: a.datapointsToAlarm,
        threshold: a.threshold,
        comparison_operator: a.comparisonOperator,
        treat_missing_data: a.treatMissingData,
        actions_enabled: a.actionsEnabled,
        alarm_actions: a.alarmActions,
        ok_actions: a.okActions,
        insufficient_data_actions: a.insufficientDataActions,
      },
      { alarm_actions: refTo(...a.alarmActions) },
    );
  }

  for (const r of estate.roles) {
    add(r.account, "aws_iam_role", r.arn, r.name, estate.region, { name: r.name, assume_role_policy: r.assumeRolePolicy ?? undefined });
  }
  // A role's inline policies and attachments carry the role's ARN.
  for (const r of estate.roles) {
    for (const p of r.inlinePolicies) {
      add(r.account, "aws_iam_role_policy", r.arn, p.name, estate.region, { name: p.name, role: r.name, policy: p.document }, { role: [r.arn] });
    }
    for (const policyArn of r.attachedPolicyArns) {
      add(r.account, "aws_iam_role_policy_attachment", r.arn, policyArn, estate.region, { role: r.name, policy_arn: policyArn }, { role: [r.arn] });
    }
  }

  for (const rule of estate.eventRules) {
    add(rule.account, "aws_cloudwatch_event_rule", rule.arn, rule.name, regionOfArn(rule.arn) ?? estate.region, {
      name: rule.name,
      event_bus_name: rule.eventBusName,
      event_pattern: rule.eventPattern,
      state: rule.state,
    });
  }
  // A rule's targets carry the rule's ARN.
  for (const rule of estate.eventRules) {
    for (const target of rule.targets) {
      add(
        rule.account,
        "aws_cloudwatch_event_target",
        rule.arn,
        target.id,
        regionOfArn(rule.arn) ?? estate.region,
        { rule: rule.name, event_bus_name: rule.eventBusName, target_id: target.id, arn: target.arn, role_arn: target.roleArn },
        { rule: [rule.arn], arn: refTo(target.arn) },
      );
    }
  }

  for (const s of estate.eventDataStores) {
    add(s.account, "aws_cloudtrail_event_data_store", s.arn, s.name, regionOfArn(s.arn) ?? estate.region, {
      name: s.name,
      retention_period: s.retentionPeriod,
      multi_region_enabled: s.multiRegionEnabled,
      organization_enabled: s.organizationEnabled,
      termination_protection_enabled: s.terminationProtectionEnabled,
      kms_key_id: s.kmsKeyId,
      advanced_event_selector: s.advancedEventSelectors.length > 0 ? advancedSelectorBlocks(s.advancedEventSelectors) : undefined,
    }, compactRefs({ kms_key_id: keyRef(s.kmsKeyId) }));
  }

  for (const t of estate.trails) {
    const groupArn = t.cloudWatchLogsLogGroupArn?.replace(/:\*$/, "");
    add(
      t.account,
      "aws_cloudtrail",
      t.arn,
      t.name,
      t.homeRegion,
      {
        name: t.name,
        s3_bucket_name: t.s3BucketName,
        s3_key_prefix: t.s3KeyPrefix,
        kms_key_id: t.kmsKeyId,
        is_multi_region_trail: t.isMultiRegionTrail,
        include_global_service_events: t.includeGlobalServiceEvents,
        enable_log_file_validation: t.logFileValidationEnabled,
        is_organization_trail: t.isOrganizationTrail,
        // enable_logging is left out: whether the trail logs is runtime state, judged by
        // TG-OPS-001 with its stop time (one fault, one finding).
        cloud_watch_logs_group_arn: t.cloudWatchLogsLogGroupArn,
        cloud_watch_logs_role_arn: t.cloudWatchLogsRoleArn,
        sns_topic_name: t.snsTopicArn,
        event_selector:
          t.eventSelectors.length > 0
            ? t.eventSelectors.map((s) =>
                compact({
                  read_write_type: s.readWriteType,
                  include_management_events: s.includeManagementEvents,
                  exclude_management_event_sources: s.excludeManagementEventSources.length > 0 ? s.excludeManagementEventSources : undefined,
                  data_resource: s.dataResources.map((d) => ({ type: d.type, values: d.values })),
                }),
              )
            : undefined,
        advanced_event_selector: t.advancedEventSelectors.length > 0 ? advancedSelectorBlocks(t.advancedEventSelectors) : undefined,
        insight_selector: t.insightTypes.length > 0 ? t.insightTypes.map((type) => ({ insight_type: type })) : undefined,
      },
      compactRefs({
        kms_key_id: keyRef(t.kmsKeyId),
        cloud_watch_logs_group_arn: refTo(groupArn),
        cloud_watch_logs_role_arn: refTo(t.cloudWatchLogsRoleArn),
      }),
    );
  }

  // The accounts read are the estate's own: their principals count as trusted (TG-LP-009),
  // as a provider's allowed_account_ids do for code.
  const providers: NormalizedProvider[] = [
    { address: PROVIDER_ADDRESS.management, name: "aws", alias: "", region: estate.accounts.management.region, allowed_account_ids: [estate.accounts.management.accountId] },
    ...(estate.accounts.logArchive
      ? [{ address: PROVIDER_ADDRESS.logArchive, name: "aws", alias: "log_archive", region: estate.accounts.logArchive.region, allowed_account_ids: [estate.accounts.logArchive.accountId] }]
      : []),
  ];
  const input = buildDocument("live", providers, drafts);
  input.runtime = runtime(estate);
  const account = estate.accounts.management.accountId;
  return {
    name: options.name ?? `live ${account}/${estate.region}`,
    file: `aws://${account}/${estate.region}`,
    input,
    locations: new Map(),
  };
}

function compactRefs(refs: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(refs).filter(([, list]) => list.length > 0));
}

function regionOfArn(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region ? region : undefined;
}

/** The runtime section the TG-OPS rules read (INPUT.md "runtime"). */
function runtime(estate: LiveEstate): JsonObject {
  return {
    collected_at: estate.collectedAt,
    region: estate.region,
    trails: estate.trails.map((t) => ({
      resource: t.arn,
      is_logging: t.status.isLogging,
      delivers_to_cloudwatch_logs: !!t.cloudWatchLogsLogGroupArn,
      log_file_validation: t.logFileValidationEnabled,
      start_logging_time: t.status.startLoggingTime,
      stop_logging_time: t.status.stopLoggingTime,
      latest_delivery_time: t.status.latestDeliveryTime,
      latest_cloudwatch_logs_delivery_time: t.status.latestCloudWatchLogsDeliveryTime,
      latest_digest_delivery_time: t.status.latestDigestDeliveryTime,
      latest_delivery_error: t.status.latestDeliveryError,
      latest_cloudwatch_logs_delivery_error: t.status.latestCloudWatchLogsDeliveryError,
      latest_digest_delivery_error: t.status.latestDigestDeliveryError,
    })),
    topics: estate.topics.map((t) => ({
      resource: t.arn,
      tier: topicTier(t.name, t.tags),
      subscriptions: t.subscriptions.map((s) => ({ resource: s.arn, protocol: s.protocol, endpoint: s.endpoint, pending_confirmation: s.pendingConfirmation })),
    })),
    alarms: estate.alarms.map((a) => ({
      resource: a.arn,
      state: a.state,
      // No timestamp reads as "since forever": an alarm stuck without one is still stuck.
      state_updated_at: a.stateUpdatedAt ?? 0,
      window_seconds: (a.period ?? 0) * (a.evaluationPeriods ?? 1),
    })),
    event_data_stores: estate.eventDataStores.map((s) => ({ resource: s.arn, status: s.status })),
    event_data_store_count: estate.eventDataStoreCount,
    // Parts left out of the estate because a call was denied or not implemented (TG-VER-005).
    unread: (estate.unread ?? []).map((u) => ({
      resource: u.resource,
      part: u.part,
      account: u.account,
      account_id: estate.accounts[u.account]?.accountId ?? "",
      call: u.call,
      permission: u.permission,
      reason: u.reason,
    })),
  };
}
