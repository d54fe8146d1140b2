/**
 * Reads the live estate, read-only, the way the estate hangs together: the trails of
 * the account and region (or the ones named), then from each trail its bucket (and
 * the access-log bucket that bucket logs to, and their access points), its keys, its
 * log group with the metric filters and the alarms on them, the topics those alarms
 * and the EventBridge rules notify, its CloudWatch role, and the region's CloudTrail
 * Lake stores. Buckets, and keys whose ARN names the log-archive account, are read
 * through the --role-arn session when there is one.
 *
 * The trails themselves must be readable (without them nothing can be judged). Each
 * other part (a bucket, its access points, a log group, the alarms, a role, a topic,
 * an account's EventBridge rules, the Lake stores, a key) is read as a whole: when one
 * of its calls is denied or not implemented by the endpoint, the part is left out and
 * listed in `unread`, and the rest of the estate is still read and judged.
 */
import { Session, Sessions, sessionForAccount, sdk, UnreadableError } from "./aws";
import {
  AdvancedEventSelector,
  BasicEventSelector,
  LifecycleRule,
  LiveAccessPoint,
  LiveAlarm,
  LiveBucket,
  LiveEstate,
  LiveEventDataStore,
  LiveEventRule,
  LiveKey,
  LiveLogGroup,
  LiveMetricFilter,
  LiveRole,
  LiveTopic,
  LiveTrail,
  TrailStatus,
  UnreadPart,
} from "./estate";

export interface CollectOptions {
  /** Trail names or ARNs to verify; all trails whose home is the region when empty. */
  trails: string[];
}

const seconds = (date: Date | undefined): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

/** Follows every NextToken/Marker page of a list call. */
async function allPages<P, T>(first: () => Promise<P | undefined>, next: (page: P) => (() => Promise<P | undefined>) | undefined, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  let request: (() => Promise<P | undefined>) | undefined = first;
  while (request) {
    const page: P | undefined = await request();
    if (page === undefined) break;
    out.push(...(items(page) ?? []));
    request = next(page);
  }
  return out;
}

/** IAM returns policy documents URL-encoded. */
function decodePolicy(document: string | undefined): string | null {
  if (!document) return null;
  return document.trimStart().startsWith("{") ? document : decodeURIComponent(document);
}

/** arn:aws:logs:eu-west-2:111111111111:log-group:/name:* -> {account, name} */
function parseLogGroupArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^arn:[^:]+:logs:[^:]*:(\d{12}):log-group:(.+?)(:\*)?$/.exec(arn);
  return m ? { accountId: m[1], name: m[2] } : undefined;
}

const accountOfArn = (arn: string | undefined): string | undefined => (arn ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined);

/**
 * Reads one part of the estate; a denied or unimplemented call leaves the part out
 * (`missing`) and records it in `unread`. Every other failure still ends the run.
 */
async function readPart<T>(unread: UnreadPart[], session: Session, part: string, resource: string, read: () => Promise<T>, missing: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof UnreadableError)) throw error;
    unread.push({ account: session.scope.role, part, resource, call: error.call, permission: error.permission, reason: error.reason, message: error.message });
    return missing;
  }
}

export async function collectEstate(sessions: Sessions, options: CollectOptions): Promise<LiveEstate> {
  const management = sessions.management;
  const archive = sessions.logArchive;
  const estate: LiveEstate = {
    collectedAt: Math.floor(Date.now() / 1000),
    region: management.scope.region,
    accounts: { management: management.scope, ...(archive ? { logArchive: archive.scope } : {}) },
    trails: [],
    buckets: [],
    keys: [],
    logGroups: [],
    metricFilters: [],
    alarms: [],
    topics: [],
    roles: [],
    eventRules: [],
    accessPoints: [],
    eventDataStores: [],
    eventDataStoreCount: 0,
    apiCalls: 0,
    unread: [],
  };
  const unread = estate.unread as UnreadPart[];
  const part = <T>(session: Session, what: string, resource: string, read: () => Promise<T>, missing: T) => readPart(unread, session, what, resource, read, missing);
  const regionWide = (service: string, session: Session, resource: string) => `arn:aws:${service}:${session.scope.region}:${session.scope.accountId}:${resource}`;

  estate.trails = await readTrails(management, options.trails);

  // Buckets live in the log-archive account; verify reads them with that session when it has one.
  const bucketSession = archive ?? management;
  const bucketNames = new Set(estate.trails.map((t) => t.s3BucketName).filter((n): n is string => !!n));
  const readBuckets = new Set<string>();
  while (bucketNames.size > 0) {
    const batch = [...bucketNames].filter((n) => !readBuckets.has(n));
    bucketNames.clear();
    const buckets = await Promise.all(
      batch.map((name) => part(bucketSession, `bucket ${name}`, `arn:aws:s3:::${name}`, () => readBucket(bucketSession, name), undefined)),
    );
    for (const name of batch) readBuckets.add(name);
    for (const bucket of buckets) {
      if (!bucket) continue;
      estate.buckets.push(bucket);
      // The access-log bucket is part of the estate: its own settings are checked too.
      if (bucket.logging && !readBuckets.has(bucket.logging.targetBucket)) bucketNames.add(bucket.logging.targetBucket);
    }
  }
  for (const bucket of estate.buckets) {
    const points = await part(bucketSession, `access points of bucket ${bucket.name}`, `arn:aws:s3:::${bucket.name}`, () => readAccessPoints(bucketSession, bucket.name), []);
    estate.accessPoints.push(...points);
  }

  // The trail's CloudWatch Logs side, in the management account.
  const groups = new Map<string, { session: Session; name: string }>();
  for (const trail of estate.trails) {
    const group = trail.cloudWatchLogsLogGroupArn ? parseLogGroupArn(trail.cloudWatchLogsLogGroupArn) : undefined;
    const session = group && sessionForAccount(sessions, group.accountId);
    if (group && session) groups.set(`${group.accountId}/${group.name}`, { session, name: group.name });
  }
  for (const { session, name } of groups.values()) {
    const read = await part(session, `log group ${name} and its metric filters`, regionWide("logs", session, `log-group:${name}`), async () => {
      const group = await readLogGroup(session, name);
      return group ? { group, filters: await readMetricFilters(session, name) } : undefined;
    }, undefined);
    if (!read) continue;
    estate.logGroups.push(read.group);
    estate.metricFilters.push(...read.filters);
  }
  estate.alarms = await part(management, "CloudWatch alarms", regionWide("cloudwatch", management, "alarm:*"), () => readAlarms(management, estate.metricFilters, estate.logGroups), []);

  for (const trail of estate.trails) {
    const session = sessionForAccount(sessions, accountOfArn(trail.cloudWatchLogsRoleArn));
    if (trail.cloudWatchLogsRoleArn && session && !estate.roles.some((r) => r.arn === trail.cloudWatchLogsRoleArn)) {
      const arn = trail.cloudWatchLogsRoleArn;
      const role = await part(session, `role ${arn}`, arn, () => readRole(session, arn), undefined);
      if (role) estate.roles.push(role);
    }
  }

  // Topics the alarms notify; then the EventBridge rules (in either account) that target them.
  const topicArns = new Set<string>();
  for (const alarm of estate.alarms) {
    for (const action of [...alarm.alarmActions, ...alarm.okActions, ...alarm.insufficientDataActions]) {
      if (action.startsWith("arn:aws:sns:") || /^arn:aws[a-z-]*:sns:/.test(action)) topicArns.add(action);
    }
  }
  for (const trail of estate.trails) if (trail.snsTopicArn) topicArns.add(trail.snsTopicArn);
  for (const session of [management, ...(archive ? [archive] : [])]) {
    const rules = await part(session, "EventBridge rules that notify the alert topics", regionWide("events", session, "rule/*"), () => readEventRules(session, [...topicArns]), []);
    estate.eventRules.push(...rules);
  }
  for (const rule of estate.eventRules) for (const target of rule.targets) if (/^arn:aws[a-z-]*:sns:/.test(target.arn)) topicArns.add(target.arn);
  for (const arn of topicArns) {
    const session = sessionForAccount(sessions, accountOfArn(arn));
    if (!session) continue; // a topic in an account verify has no session for
    const topic = await part(session, `topic ${arn}`, arn, () => readTopic(session, arn), undefined);
    if (topic) estate.topics.push(topic);
  }

  const lake = await part(management, "CloudTrail Lake event data stores", regionWide("cloudtrail", management, "eventdatastore/*"), () => readEventDataStores(management), { stores: [], count: 0 });
  estate.eventDataStores = lake.stores;
  estate.eventDataStoreCount = lake.count;

  // Keys everything above names, each read with the session of the account in its ARN
  // (a bare key id or alias belongs to the account of the resource that names it).
  const keyRefs: Array<{ id: string; session: Session }> = [];
  const addKey = (id: string | undefined, owner: Session) => {
    if (!id || /alias\/aws\//.test(id)) return; // AWS-managed keys are not the estate's resources
    const session = id.startsWith("arn:") ? sessionForAccount(sessions, accountOfArn(id)) : owner;
    if (session) keyRefs.push({ id, session });
  };
  for (const t of estate.trails) addKey(t.kmsKeyId, management);
  for (const b of estate.buckets) for (const rule of b.encryption ?? []) addKey(rule.kmsMasterKeyId, bucketSession);
  for (const g of estate.logGroups) addKey(g.kmsKeyId, management);
  for (const tp of estate.topics) addKey(tp.kmsMasterKeyId, sessionForAccount(sessions, accountOfArn(tp.arn)) ?? management);
  for (const s of estate.eventDataStores) addKey(s.kmsKeyId, management);
  const seenKeys = new Set<string>();
  for (const ref of keyRefs) {
    const key = await part(ref.session, `key ${ref.id}`, ref.id, () => readKey(ref.session, ref.id), undefined);
    if (!key || seenKeys.has(key.arn)) continue;
    seenKeys.add(key.arn);
    estate.keys.push(key);
  }

  estate.apiCalls = sessions.calls();
  return estate;
}

async function readTrails(session: Session, wanted: string[]): Promise<LiveTrail[]> {
  const ct = sdk.cloudtrail();
  const described = await session.call("cloudtrail:DescribeTrails", () =>
    session.clients.cloudtrail.send(new ct.DescribeTrailsCommand({ includeShadowTrails: wanted.length > 0, ...(wanted.length > 0 ? { trailNameList: wanted } : {}) })),
  );
  const trails = (described?.trailList ?? []).filter((t) => t.TrailARN && (wanted.length > 0 || t.HomeRegion === session.scope.region));
  // A named trail that does not exist is simply absent: with none left, TG-LOG-008 reports it.
  return Promise.all(
    trails.map(async (t): Promise<LiveTrail> => {
      const arn = t.TrailARN as string;
      const [status, selectors, insights] = await Promise.all([
        session.call(`cloudtrail:GetTrailStatus ${arn}`, () => session.clients.cloudtrail.send(new ct.GetTrailStatusCommand({ Name: arn }))),
        session.call(`cloudtrail:GetEventSelectors ${arn}`, () => session.clients.cloudtrail.send(new ct.GetEventSelectorsCommand({ TrailName: arn }))),
        t.HasInsightSelectors
          ? session.call(`cloudtrail:GetInsightSelectors ${arn}`, () => session.clients.cloudtrail.send(new ct.GetInsightSelectorsCommand({ TrailName: arn })), ["InsightNotEnabledException"])
          : Promise.resolve(undefined),
      ]);
      const trailStatus: TrailStatus = {
        isLogging: status?.IsLogging === true,
        startLoggingTime: seconds(status?.StartLoggingTime),
        stopLoggingTime: seconds(status?.StopLoggingTime),
        latestDeliveryTime: seconds(status?.LatestDeliveryTime),
        latestCloudWatchLogsDeliveryTime: seconds(status?.LatestCloudWatchLogsDeliveryTime),
        latestDigestDeliveryTime: seconds(status?.LatestDigestDeliveryTime),
        latestDeliveryError: status?.LatestDeliveryError ?? "",
        latestCloudWatchLogsDeliveryError: status?.LatestCloudWatchLogsDeliveryError ?? "",
        latestDigestDeliveryError: status?.LatestDigestDeliveryError ?? "",
      };
      return {
        account: "management",
        arn,
        name: t.Name ?? arn,
        homeRegion: t.HomeRegion ?? session.scope.region,
        s3BucketName: t.S3BucketName,
        s3KeyPrefix: t.S3KeyPrefix,
        kmsKeyId: t.KmsKeyId,
        isMultiRegionTrail: t.IsMultiRegionTrail === true,
        includeGlobalServiceEvents: t.IncludeGlobalServiceEvents !== false,
        logFileValidationEnabled: t.LogFileValidationEnabled === true,
        isOrganizationTrail: t.IsOrganizationTrail === true,
        cloudWatchLogsLogGroupArn: t.CloudWatchLogsLogGroupArn,
        cloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn,
        snsTopicArn: t.SnsTopicARN,
        eventSelectors: (selectors?.EventSelectors ?? []).map(
          (s): BasicEventSelector => ({
            readWriteType: s.ReadWriteType,
            includeManagementEvents: s.IncludeManagementEvents,
            excludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
            dataResources: (s.DataResources ?? []).map((d) => ({ type: d.Type ?? "", values: d.Values ?? [] })),
          }),
        ),
        advancedEventSelectors: advancedSelectors(selectors?.AdvancedEventSelectors),
        insightTypes: (insights?.InsightSelectors ?? []).map((i) => i.InsightType ?? "").filter(Boolean),
        status: trailStatus,
      };
    }),
  );
}

type SdkAdvancedSelector = import("@aws-sdk/client-cloudtrail").AdvancedEventSelector;

function advancedSelectors(selectors: SdkAdvancedSelector[] | undefined): AdvancedEventSelector[] {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values : undefined);
  return (selectors ?? []).map((s) => ({
    name: s.Name,
    fieldSelectors: (s.FieldSelectors ?? []).map((f) => ({
      field: f.Field ?? "",
      equals: list(f.Equals),
      notEquals: list(f.NotEquals),
      startsWith: list(f.StartsWith),
      notStartsWith: list(f.NotStartsWith),
      endsWith: list(f.EndsWith),
      notEndsWith: list(f.NotEndsWith),
    })),
  }));
}

async function readBucket(session: Session, name: string): Promise<LiveBucket> {
  const s3 = sdk.s3();
  const c = session.clients.s3;
  const location = await session.call(`s3:GetBucketLocation ${name}`, () => c.send(new s3.GetBucketLocationCommand({ Bucket: name })));
  const [encryption, versioning, lock, lifecycle, logging, pab, policy] = await Promise.all([
    session.call(`s3:GetBucketEncryption ${name}`, () => c.send(new s3.GetBucketEncryptionCommand({ Bucket: name })), ["ServerSideEncryptionConfigurationNotFoundError"]),
    session.call(`s3:GetBucketVersioning ${name}`, () => c.send(new s3.GetBucketVersioningCommand({ Bucket: name }))),
    session.call(`s3:GetObjectLockConfiguration ${name}`, () => c.send(new s3.GetObjectLockConfigurationCommand({ Bucket: name })), ["ObjectLockConfigurationNotFoundError"]),
    session.call(`s3:GetBucketLifecycleConfiguration ${name}`, () => c.send(new s3.GetBucketLifecycleConfigurationCommand({ Bucket: name })), ["NoSuchLifecycleConfiguration"]),
    session.call(`s3:GetBucketLogging ${name}`, () => c.send(new s3.GetBucketLoggingCommand({ Bucket: name }))),
    session.call(`s3:GetPublicAccessBlock ${name}`, () => c.send(new s3.GetPublicAccessBlockCommand({ Bucket: name })), ["NoSuchPublicAccessBlockConfiguration"]),
    session.call(`s3:GetBucketPolicy ${name}`, () => c.send(new s3.GetBucketPolicyCommand({ Bucket: name })), ["NoSuchBucketPolicy"]),
  ]);
  const rules = encryption?.ServerSideEncryptionConfiguration?.Rules;
  const retention = lock?.ObjectLockConfiguration?.Rule?.DefaultRetention;
  return {
    account: session.scope.role,
    name,
    // GetBucketLocation answers null (or "") for us-east-1 and "EU" for the oldest eu-west-1 buckets.
    region: !location?.LocationConstraint ? "us-east-1" : location.LocationConstraint === "EU" ? "eu-west-1" : location.LocationConstraint,
    objectLockEnabled: lock?.ObjectLockConfiguration?.ObjectLockEnabled === "Enabled",
    encryption: rules
      ? rules.map((r) => ({
          sseAlgorithm: r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
          kmsMasterKeyId: r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
          bucketKeyEnabled: r.BucketKeyEnabled,
        }))
      : null,
    versioning: versioning?.Status ?? null,
    objectLockDefaultRetention: retention ? { mode: retention.Mode, days: retention.Days, years: retention.Years } : null,
    lifecycle: lifecycle?.Rules
      ? lifecycle.Rules.map(
          (r): LifecycleRule => ({
            id: r.ID,
            status: r.Status ?? "Enabled",
            prefix: r.Filter?.Prefix ?? r.Prefix,
            expirationDays: r.Expiration?.Days,
            expirationDate: r.Expiration?.Date?.toISOString(),
            expiredObjectDeleteMarker: r.Expiration?.ExpiredObjectDeleteMarker,
            transitions: (r.Transitions ?? []).map((t) => ({ days: t.Days, date: t.Date?.toISOString(), storageClass: t.StorageClass })),
            noncurrentExpirationDays: r.NoncurrentVersionExpiration?.NoncurrentDays,
          }),
        )
      : null,
    logging: logging?.LoggingEnabled?.TargetBucket
      ? { targetBucket: logging.LoggingEnabled.TargetBucket, targetPrefix: logging.LoggingEnabled.TargetPrefix ?? "" }
      : null,
    publicAccessBlock: publicAccessBlockOf(pab?.PublicAccessBlockConfiguration),
    policy: policy?.Policy ?? null,
  };
}

/** The four settings as the rules read them; a setting AWS leaves out is off. */
function publicAccessBlockOf(
  block: { BlockPublicAcls?: boolean; BlockPublicPolicy?: boolean; IgnorePublicAcls?: boolean; RestrictPublicBuckets?: boolean } | undefined,
): LiveBucket["publicAccessBlock"] {
  if (!block) return null;
  return {
    blockPublicAcls: block.BlockPublicAcls === true,
    blockPublicPolicy: block.BlockPublicPolicy === true,
    ignorePublicAcls: block.IgnorePublicAcls === true,
    restrictPublicBuckets: block.RestrictPublicBuckets === true,
  };
}

async function readAccessPoints(session: Session, bucket: string): Promise<LiveAccessPoint[]> {
  const s3c = sdk.s3control();
  const c = session.clients.s3control;
  const accountId = session.scope.accountId;
  const listed = await allPages(
    () => session.call(`s3control:ListAccessPoints ${bucket}`, () => c.send(new s3c.ListAccessPointsCommand({ AccountId: accountId, Bucket: bucket }))),
    (page) => (page.NextToken ? () => session.call(`s3control:ListAccessPoints ${bucket}`, () => c.send(new s3c.ListAccessPointsCommand({ AccountId: accountId, Bucket: bucket, NextToken: page.NextToken }))) : undefined),
    (page) => page.AccessPointList,
  );
  return Promise.all(
    listed.map(async (point): Promise<LiveAccessPoint> => {
      const name = point.Name as string;
      const [detail, policy] = await Promise.all([
        session.call(`s3control:GetAccessPoint ${name}`, () => c.send(new s3c.GetAccessPointCommand({ AccountId: accountId, Name: name }))),
        session.call(`s3control:GetAccessPointPolicy ${name}`, () => c.send(new s3c.GetAccessPointPolicyCommand({ AccountId: accountId, Name: name })), ["NoSuchAccessPointPolicy"]),
      ]);
      return {
        account: session.scope.role,
        arn: detail?.AccessPointArn ?? point.AccessPointArn ?? `arn:aws:s3:${session.scope.region}:${accountId}:accesspoint/${name}`,
        name,
        bucket: detail?.Bucket ?? bucket,
        accountId,
        networkOrigin: detail?.NetworkOrigin ?? point.NetworkOrigin,
        vpcId: detail?.VpcConfiguration?.VpcId ?? point.VpcConfiguration?.VpcId,
        publicAccessBlock: publicAccessBlockOf(detail?.PublicAccessBlockConfiguration),
        policy: policy?.Policy ?? null,
      };
    }),
  );
}

async function readKey(session: Session, id: string): Promise<LiveKey | undefined> {
  const kms = sdk.kms();
  const c = session.clients.kms;
  const described = await session.call(`kms:DescribeKey ${id}`, () => c.send(new kms.DescribeKeyCommand({ KeyId: id })));
  const meta = described?.KeyMetadata;
  if (!meta?.Arn || !meta.KeyId) return undefined;
  const keyId = meta.KeyId;
  const customer = meta.KeyManager === "CUSTOMER";
  const [rotation, policy] = customer
    ? await Promise.all([
        meta.KeySpec && meta.KeySpec !== "SYMMETRIC_DEFAULT"
          ? Promise.resolve(undefined) // asymmetric and HMAC keys cannot rotate
          : session.call(`kms:GetKeyRotationStatus ${meta.Arn}`, () => c.send(new kms.GetKeyRotationStatusCommand({ KeyId: keyId }))),
        session.call(`kms:GetKeyPolicy ${meta.Arn}`, () => c.send(new kms.GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }))),
      ])
    : [undefined, undefined];
  return {
    account: session.scope.role,
    arn: meta.Arn,
    keyId,
    keyManager: meta.KeyManager ?? "CUSTOMER",
    keyState: meta.KeyState,
    keySpec: meta.KeySpec,
    keyUsage: meta.KeyUsage,
    description: meta.Description,
    rotationEnabled: rotation?.KeyRotationEnabled === true,
    policy: policy?.Policy ?? null,
  };
}

async function readLogGroup(session: Session, name: string): Promise<LiveLogGroup | undefined> {
  const logs = sdk.logs();
  const c = session.clients.logs;
  const groups = await allPages(
    () => session.call(`logs:DescribeLogGroups ${name}`, () => c.send(new logs.DescribeLogGroupsCommand({ logGroupNamePrefix: name }))),
    (page) => (page.nextToken ? () => session.call(`logs:DescribeLogGroups ${name}`, () => c.send(new logs.DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken: page.nextToken }))) : undefined),
    (page) => page.logGroups,
  );
  const group = groups.find((g) => g.logGroupName === name);
  if (!group) return undefined;
  return {
    account: session.scope.role,
    name,
    arn: `arn:aws:logs:${session.scope.region}:${session.scope.accountId}:log-group:${name}`,
    retentionInDays: group.retentionInDays,
    kmsKeyId: group.kmsKeyId,
    // Metric filters work only in the STANDARD class (TG-ALR-003); AWS reports it for every group.
    ...(group.logGroupClass ? { logGroupClass: group.logGroupClass } : {}),
  };
}

async function readMetricFilters(session: Session, logGroupName: string): Promise<LiveMetricFilter[]> {
  const logs = sdk.logs();
  const c = session.clients.logs;
  const filters = await allPages(
    () => session.call(`logs:DescribeMetricFilters ${logGroupName}`, () => c.send(new logs.DescribeMetricFiltersCommand({ logGroupName }))),
    (page) => (page.nextToken ? () => session.call(`logs:DescribeMetricFilters ${logGroupName}`, () => c.send(new logs.DescribeMetricFiltersCommand({ logGroupName, nextToken: page.nextToken }))) : undefined),
    (page) => page.metricFilters,
  );
  return filters.map((f) => ({
    account: session.scope.role,
    name: f.filterName ?? "",
    logGroupName: f.logGroupName ?? logGroupName,
    pattern: f.filterPattern ?? "",
    transformations: (f.metricTransformations ?? []).map((m) => ({
      name: m.metricName ?? "",
      namespace: m.metricNamespace ?? "",
      value: m.metricValue ?? "",
      ...(m.defaultValue !== undefined ? { defaultValue: m.defaultValue } : {}),
      ...(m.dimensions && Object.keys(m.dimensions).length > 0 ? { dimensions: m.dimensions } : {}),
      ...(m.unit ? { unit: m.unit } : {}),
    })),
  }));
}

/**
 * The region's metric alarms that watch the estate: on a metric a filter of the
 * trail's log group publishes, or on that log group's own AWS/Logs metrics (the
 * delivery heartbeat). One paginated DescribeAlarms instead of one call per filter.
 */
async function readAlarms(session: Session, filters: LiveMetricFilter[], groups: LiveLogGroup[]): Promise<LiveAlarm[]> {
  if (filters.length === 0 && groups.length === 0) return [];
  const cw = sdk.cloudwatch();
  const c = session.clients.cloudwatch;
  const all = await allPages(
    () => session.call("cloudwatch:DescribeAlarms", () => c.send(new cw.DescribeAlarmsCommand({ AlarmTypes: ["MetricAlarm"] }))),
    (page) => (page.NextToken ? () => session.call("cloudwatch:DescribeAlarms", () => c.send(new cw.DescribeAlarmsCommand({ AlarmTypes: ["MetricAlarm"], NextToken: page.NextToken }))) : undefined),
    (page) => page.MetricAlarms,
  );
  const metrics = new Set(filters.flatMap((f) => f.transformations.map((t) => `${t.namespace}\u0000${t.name}`)));
  const groupNames = new Set(groups.map((g) => g.name));
  return all
    .filter((a) => {
      if (metrics.has(`${a.Namespace}\u0000${a.MetricName}`)) return true;
      return a.Namespace === "AWS/Logs" && (a.Dimensions ?? []).some((d) => d.Name === "LogGroupName" && groupNames.has(d.Value ?? ""));
    })
    .map((a) => ({
      account: session.scope.role,
      arn: a.AlarmArn ?? "",
      name: a.AlarmName ?? "",
      namespace: a.Namespace,
      metricName: a.MetricName,
      dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
      statistic: a.Statistic,
      ...(a.ExtendedStatistic ? { extendedStatistic: a.ExtendedStatistic } : {}),
      ...(a.Unit ? { unit: a.Unit } : {}),
      period: a.Period,
      evaluationPeriods: a.EvaluationPeriods,
      datapointsToAlarm: a.DatapointsToAlarm,
      threshold: a.Threshold,
      comparisonOperator: a.ComparisonOperator,
      treatMissingData: a.TreatMissingData,
      actionsEnabled: a.ActionsEnabled !== false,
      alarmActions: a.AlarmActions ?? [],
      okActions: a.OKActions ?? [],
      insufficientDataActions: a.InsufficientDataActions ?? [],
      state: a.StateValue ?? "INSUFFICIENT_DATA",
      stateUpdatedAt: seconds(a.StateUpdatedTimestamp),
    }));
}

async function readRole(session: Session, arn: string): Promise<LiveRole | undefined> {
  const iam = sdk.iam();
  const c = session.clients.iam;
  const name = arn.slice(arn.lastIndexOf("/") + 1);
  const role = await session.call(`iam:GetRole ${name}`, () => c.send(new iam.GetRoleCommand({ RoleName: name })), ["NoSuchEntity", "NoSuchEntityException"]);
  if (!role?.Role) return undefined;
  const policyNames = await allPages(
    () => session.call(`iam:ListRolePolicies ${name}`, () => c.send(new iam.ListRolePoliciesCommand({ RoleName: name }))),
    (page) => (page.IsTruncated && page.Marker ? () => session.call(`iam:ListRolePolicies ${name}`, () => c.send(new iam.ListRolePoliciesCommand({ RoleName: name, Marker: page.Marker }))) : undefined),
    (page) => page.PolicyNames,
  );
  const inline = await Promise.all(
    policyNames.map(async (policyName) => {
      const got = await session.call(`iam:GetRolePolicy ${name}/${policyName}`, () => c.send(new iam.GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })));
      return { name: policyName, document: decodePolicy(got?.PolicyDocument) ?? "" };
    }),
  );
  const attached = await allPages(
    () => session.call(`iam:ListAttachedRolePolicies ${name}`, () => c.send(new iam.ListAttachedRolePoliciesCommand({ RoleName: name }))),
    (page) => (page.IsTruncated && page.Marker ? () => session.call(`iam:ListAttachedRolePolicies ${name}`, () => c.send(new iam.ListAttachedRolePoliciesCommand({ RoleName: name, Marker: page.Marker }))) : undefined),
    (page) => page.AttachedPolicies,
  );
  return {
    account: session.scope.role,
    arn: role.Role.Arn ?? arn,
    name,
    assumeRolePolicy: decodePolicy(role.Role.AssumeRolePolicyDocument),
    inlinePolicies: inline,
    attachedPolicyArns: attached.map((p) => p.PolicyArn ?? "").filter(Boolean),
  };
}

async function readTopic(session: Session, arn: string): Promise<LiveTopic | undefined> {
  const sns = sdk.sns();
  const c = session.clients.sns;
  const [attributes, tags, subscriptions] = await Promise.all([
    session.call(`sns:GetTopicAttributes ${arn}`, () => c.send(new sns.GetTopicAttributesCommand({ TopicArn: arn })), ["NotFound", "NotFoundException"]),
    session.call(`sns:ListTagsForResource ${arn}`, () => c.send(new sns.ListTagsForResourceCommand({ ResourceArn: arn })), ["NotFound", "NotFoundException", "ResourceNotFound", "ResourceNotFoundException"]),
    allPages(
      () => session.call(`sns:ListSubscriptionsByTopic ${arn}`, () => c.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: arn })), ["NotFound", "NotFoundException"]),
      (page) => (page.NextToken ? () => session.call(`sns:ListSubscriptionsByTopic ${arn}`, () => c.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: page.NextToken }))) : undefined),
      (page) => page.Subscriptions,
    ),
  ]);
  if (!attributes?.Attributes) return undefined; // the alarm names a topic that no longer exists
  const a = attributes.Attributes;
  return {
    account: session.scope.role,
    arn,
    name: arn.slice(arn.lastIndexOf(":") + 1),
    kmsMasterKeyId: a.KmsMasterKeyId || undefined,
    policy: a.Policy ?? null,
    tags: Object.fromEntries((tags?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    subscriptions: subscriptions.map((s) => {
      const pending = s.SubscriptionArn === "PendingConfirmation";
      return { arn: pending ? "" : (s.SubscriptionArn ?? ""), protocol: s.Protocol ?? "", endpoint: s.Endpoint ?? "", pendingConfirmation: pending };
    }),
  };
}

/** EventBridge rules on the account's default bus that target one of the topics. */
async function readEventRules(session: Session, topicArns: string[]): Promise<LiveEventRule[]> {
  const ev = sdk.events();
  const rules = new Map<string, LiveEventRule>();
  const c = session.clients.events;
  for (const topicArn of topicArns) {
    const names = await allPages(
      () => session.call(`events:ListRuleNamesByTarget ${topicArn}`, () => c.send(new ev.ListRuleNamesByTargetCommand({ TargetArn: topicArn }))),
      (page) => (page.NextToken ? () => session.call(`events:ListRuleNamesByTarget ${topicArn}`, () => c.send(new ev.ListRuleNamesByTargetCommand({ TargetArn: topicArn, NextToken: page.NextToken }))) : undefined),
      (page) => page.RuleNames,
    );
    for (const name of names) {
      const key = `${session.scope.accountId}/${name}`;
      if (rules.has(key)) continue;
      const [rule, targets] = await Promise.all([
        session.call(`events:DescribeRule ${name}`, () => c.send(new ev.DescribeRuleCommand({ Name: name })), ["ResourceNotFoundException"]),
        allPages(
          () => session.call(`events:ListTargetsByRule ${name}`, () => c.send(new ev.ListTargetsByRuleCommand({ Rule: name })), ["ResourceNotFoundException"]),
          (page) => (page.NextToken ? () => session.call(`events:ListTargetsByRule ${name}`, () => c.send(new ev.ListTargetsByRuleCommand({ Rule: name, NextToken: page.NextToken }))) : undefined),
          (page) => page.Targets,
        ),
      ]);
      if (!rule?.Arn) continue;
      rules.set(key, {
        account: session.scope.role,
        arn: rule.Arn,
        name,
        eventBusName: rule.EventBusName ?? "default",
        eventPattern: rule.EventPattern,
        state: rule.State,
        targets: targets.map((t) => ({ id: t.Id ?? "", arn: t.Arn ?? "", ...(t.RoleArn ? { roleArn: t.RoleArn } : {}) })),
      });
    }
  }
  return [...rules.values()];
}

async function readEventDataStores(session: Session): Promise<{ stores: LiveEventDataStore[]; count: number }> {
  const ct = sdk.cloudtrail();
  const c = session.clients.cloudtrail;
  const listed = await allPages(
    () => session.call("cloudtrail:ListEventDataStores", () => c.send(new ct.ListEventDataStoresCommand({}))),
    (page) => (page.NextToken ? () => session.call("cloudtrail:ListEventDataStores", () => c.send(new ct.ListEventDataStoresCommand({ NextToken: page.NextToken }))) : undefined),
    (page) => page.EventDataStores,
  );
  const stores = await Promise.all(
    listed.map(async (s): Promise<LiveEventDataStore | undefined> => {
      const arn = s.EventDataStoreArn as string;
      const got = await session.call(`cloudtrail:GetEventDataStore ${arn}`, () => c.send(new ct.GetEventDataStoreCommand({ EventDataStore: arn })), ["EventDataStoreNotFoundException"]);
      if (!got) return undefined;
      return {
        account: session.scope.role,
        arn,
        name: got.Name ?? arn,
        status: got.Status ?? "UNKNOWN",
        retentionPeriod: got.RetentionPeriod,
        multiRegionEnabled: got.MultiRegionEnabled,
        organizationEnabled: got.OrganizationEnabled,
        terminationProtectionEnabled: got.TerminationProtectionEnabled,
        kmsKeyId: got.KmsKeyId,
        advancedEventSelectors: advancedSelectors(got.AdvancedEventSelectors),
      };
    }),
  );
  return { stores: stores.filter((s): s is LiveEventDataStore => s !== undefined), count: listed.length };
}
