/**
 * The alert path of a CloudTrail event through a normalised document: which trails
 * record it, which log groups they deliver it to, which metric filters match it, which
 * alarms read the metric those filters emit and go to ALARM on one such event, which
 * SNS topics they notify and whether anyone is subscribed; and how long that takes at
 * worst. The rules (policies/alerting, TG-ALR-*) and `trailgate simulate` both ask
 * this one model (policies/INPUT.md "alert_paths").
 *
 * Not modelled: whether CloudWatch may publish to the topic (topic policy and KMS
 * key); that is the IAM evaluator's question (issue 17).
 */
import { isObject, JsonObject, JsonValue, NormalizedDocument, NormalizedResource } from "../../terraform/types";
import { MatchResult, patternMatches, select } from "./event-match";

/** The links of an alert path, in the order an event travels them. */
export const LINKS = ["recorded", "delivered", "log_class", "filter", "metric", "alarm", "actions", "subscribed"] as const;
export type Link = (typeof LINKS)[number];

/** A link that does not hold (or cannot be judged) on one candidate path. */
export interface LinkProblem {
  link: Link;
  /** The resource where the path stops (its address), "" when there is none to name. */
  resource: string;
  detail: string;
}

/** One complete path: the event pages whoever is subscribed to `topic`. */
export interface PagePath {
  trail: string;
  log_group: string;
  filter: string;
  alarm: string;
  topic: string;
  /** The topic's tier, from its name (`…-<tier>`); null when the name says none. */
  tier: string | null;
  subscriptions: number;
  /** Worst case from the event to the notification: delivery to CloudWatch Logs plus the alarm's window. */
  latency_seconds: number;
}

export interface Exploration {
  pages: PagePath[];
  broken: LinkProblem[];
  unknown: LinkProblem[];
}

export interface ExploreOptions {
  /** Seconds CloudTrail takes to deliver an event to CloudWatch Logs (policy data alert_delivery_minutes). */
  deliverySeconds: number;
  /** Tier names a topic name may end with. */
  tiers: string[];
  /** Only topics of this tier complete a path (a monitor's proof); any tier when unset (simulate). */
  tier?: string;
}

/** A value not known before apply ("${…}" in synth and plan input). */
function isUnknown(value: JsonValue | undefined): boolean {
  return typeof value === "string" && value.includes("${");
}

function blocks(value: JsonValue | undefined): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

function strings(value: JsonValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

function refs(resource: NormalizedResource, argument: string): string[] {
  return resource.refs[argument] ?? [];
}

function num(value: JsonValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/**
 * An optional argument's value; unset when absent, null or empty. A plan made after
 * apply writes the provider's empty string ("") or 0 for arguments the configuration
 * leaves unset, and the first plan must read the same.
 */
function optional(value: JsonValue | undefined): JsonValue | undefined {
  return value === null || value === "" ? undefined : value;
}

/** A count argument (datapoints_to_alarm) that is unset when absent or 0 (a plan after apply). */
function count(value: JsonValue | undefined): number | undefined {
  const n = num(value);
  return n === undefined || n <= 0 ? undefined : n;
}

/** Services whose events CloudTrail delivers to every trail that includes global service events. */
const GLOBAL_SOURCES = new Set(["iam.amazonaws.com", "organizations.amazonaws.com", "cloudfront.amazonaws.com", "route53.amazonaws.com", "sts.amazonaws.com"]);

/** The value of an advanced selector field in the event (strings, as CloudTrail compares them). */
function selectorField(event: JsonObject, field: string): string[] {
  if (field === "eventCategory") return [typeof event.eventCategory === "string" ? event.eventCategory : "Management"];
  if (field === "readOnly") return [String(event.readOnly === true)];
  if (field.startsWith("resources.")) {
    const key = field.slice("resources.".length);
    return blocks(event.resources).flatMap((r) => (typeof r[key] === "string" ? [r[key] as string] : []));
  }
  return select(event, `$.${field}`).flatMap((v) => (typeof v === "string" || typeof v === "boolean" || typeof v === "number" ? [String(v)] : []));
}

const FIELD_OPERATORS: Record<string, (actual: string, wanted: string) => boolean> = {
  equals: (a, w) => a === w,
  starts_with: (a, w) => a.startsWith(w),
  ends_with: (a, w) => a.endsWith(w),
};

/** One advanced field selector: positive operators need some value to match, negative ones none. */
function fieldSelectorHolds(selector: JsonObject, event: JsonObject): boolean {
  const actual = selectorField(event, String(selector.field));
  for (const [operator, test] of Object.entries(FIELD_OPERATORS)) {
    const wanted = strings(selector[operator]);
    if (wanted.length > 0 && !actual.some((a) => wanted.some((w) => test(a, w)))) return false;
    const unwanted = strings(selector[`not_${operator}`]);
    if (unwanted.some((w) => actual.some((a) => test(a, w)))) return false;
  }
  return true;
}

/** Why the trail does not record the event, "unknown" when that cannot be known, null when it records it. */
function notRecordedBecause(trail: NormalizedResource, event: JsonObject): string | "unknown" | null {
  const v = trail.values;
  if (v.enable_logging === false) return "sets enable_logging = false";
  // An unknown enable_logging is TG-VER-001's (reported once, INPUT.md): the path goes on as if it logs.
  const region = typeof event.awsRegion === "string" ? event.awsRegion : null;
  const global = typeof event.eventSource === "string" && GLOBAL_SOURCES.has(event.eventSource) && v.include_global_service_events !== false;
  if (v.is_multi_region_trail !== true && !global && region !== trail.region) {
    if (isUnknown(v.is_multi_region_trail) || trail.region === null) return "unknown";
    return `is a single-region trail in ${trail.region}, and the event is in ${region}`;
  }
  const advanced = blocks(v.advanced_event_selector);
  if (isUnknown(v.advanced_event_selector) || isUnknown(v.event_selector)) return "unknown";
  if (advanced.length > 0) {
    return advanced.some((s) => blocks(s.field_selector).every((f) => fieldSelectorHolds(f, event)))
      ? null
      : "has no advanced event selector that selects this event";
  }
  const basic = blocks(v.event_selector);
  if (basic.length === 0) return event.eventCategory === undefined || event.eventCategory === "Management" ? null : "records only management events";
  const readOnly = event.readOnly === true;
  const selects = basic.some((s) => {
    if (event.eventCategory !== undefined && event.eventCategory !== "Management") return false;
    if (s.include_management_events === false) return false;
    const rw = typeof s.read_write_type === "string" ? s.read_write_type : "All";
    if ((rw === "ReadOnly" && !readOnly) || (rw === "WriteOnly" && readOnly)) return false;
    return !strings(s.exclude_management_event_sources).includes(String(event.eventSource));
  });
  return selects ? null : "has no event selector that records this management event";
}

/** The log group name in a log group ARN (`arn:…:log-group:NAME[:*]`). */
function groupNameOfArn(arn: string): string | null {
  const parts = arn.split(":");
  return parts[5] === "log-group" && parts[6] ? parts[6] : null;
}

const STANDARD_RESOLUTION_SECONDS = 60;
const RISING_OPERATORS = new Set(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"]);
/** Statistics whose datapoint, for one event, is the value the filter emitted. */
const VALUE_STATISTICS = new Set(["Sum", "Maximum", "Minimum", "Average"]);

/** The text after the last `-` or `_` of a topic name, when it is a known tier. */
export function tierOfTopicName(name: string, tiers: string[]): string | null {
  const last = name.split(/[-_]/).pop() ?? "";
  return tiers.includes(last) ? last : null;
}

/** Indexes of the document's resources by what the path joins on; build once per document, explore many events. */
export class Estate {
  readonly trails: NormalizedResource[];
  /** Log groups and topics by address: the only types the path reaches through refs. */
  private readonly byAddress = new Map<string, NormalizedResource>();
  private readonly groupsByName = new Map<string, NormalizedResource>();
  private readonly filtersByGroup = new Map<string, NormalizedResource[]>();
  /** Filters whose log group is not known before apply and that no link ties to a group: any group's, maybe. */
  readonly unlinkedFilters: NormalizedResource[] = [];
  private readonly alarmsByMetric = new Map<string, NormalizedResource[]>();
  private readonly alarmsByFilter = new Map<string, NormalizedResource[]>();
  private readonly topicsByArn = new Map<string, NormalizedResource>();
  private readonly subscriptionsByTopic = new Map<string, NormalizedResource[]>();
  /** Filters share parsed patterns (the normaliser parses each distinct pattern once): match each once per event. */
  private readonly matches = new WeakMap<object, WeakMap<JsonObject, MatchResult>>();

  constructor(document: NormalizedDocument) {
    const of = (type: string) => document.resources[type] ?? [];
    const push = <K>(map: Map<K, NormalizedResource[]>, key: K, r: NormalizedResource) => {
      const list = map.get(key);
      if (list) list.push(r);
      else map.set(key, [r]);
    };
    this.trails = of("aws_cloudtrail");
    for (const r of [...of("aws_cloudwatch_log_group"), ...of("aws_sns_topic")]) this.byAddress.set(r.address, r);
    for (const g of of("aws_cloudwatch_log_group")) if (typeof g.values.name === "string" && !isUnknown(g.values.name)) this.groupsByName.set(g.values.name, g);
    for (const f of of("aws_cloudwatch_log_metric_filter")) {
      const linked = refs(f, "log_group_name").filter((a) => this.byAddress.get(a)?.type === "aws_cloudwatch_log_group");
      const named = typeof f.values.log_group_name === "string" ? this.groupsByName.get(f.values.log_group_name) : undefined;
      for (const address of new Set([...linked, ...(named ? [named.address] : [])])) push(this.filtersByGroup, address, f);
      if (linked.length === 0 && !named && isUnknown(f.values.log_group_name)) this.unlinkedFilters.push(f);
    }
    for (const a of of("aws_cloudwatch_metric_alarm")) {
      if (typeof a.values.namespace === "string" && typeof a.values.metric_name === "string") push(this.alarmsByMetric, `${a.values.namespace}\n${a.values.metric_name}`, a);
      for (const query of blocks(a.values.metric_query)) {
        for (const metric of blocks(query.metric)) {
          if (typeof metric.namespace === "string" && typeof metric.metric_name === "string") push(this.alarmsByMetric, `${metric.namespace}\n${metric.metric_name}`, a);
        }
      }
      for (const address of [...refs(a, "metric_name"), ...refs(a, "namespace")]) push(this.alarmsByFilter, address, a);
    }
    for (const t of of("aws_sns_topic")) {
      if (typeof t.values.arn === "string") this.topicsByArn.set(t.values.arn, t);
      if (t.address.startsWith("arn:")) this.topicsByArn.set(t.address, t);
    }
    for (const s of of("aws_sns_topic_subscription")) {
      for (const address of refs(s, "topic_arn")) push(this.subscriptionsByTopic, address, s);
      const literal = typeof s.values.topic_arn === "string" ? this.topicsByArn.get(s.values.topic_arn) : undefined;
      if (literal && !refs(s, "topic_arn").includes(literal.address)) push(this.subscriptionsByTopic, literal.address, s);
    }
  }

  /** A log group or topic of the document. */
  resource(address: string): NormalizedResource | undefined {
    return this.byAddress.get(address);
  }

  groupsOf(trail: NormalizedResource): NormalizedResource[] | "unknown" | null {
    const linked = refs(trail, "cloud_watch_logs_group_arn").flatMap((a) => {
      const g = this.byAddress.get(a);
      return g?.type === "aws_cloudwatch_log_group" ? [g] : [];
    });
    if (linked.length > 0) return linked;
    const arn = trail.values.cloud_watch_logs_group_arn;
    if (typeof arn !== "string" || arn === "") return null;
    if (isUnknown(arn)) return "unknown";
    const name = groupNameOfArn(arn);
    const group = name ? this.groupsByName.get(name) : undefined;
    return group ? [group] : "unknown";
  }

  matchesEvent(filter: NormalizedResource, event: JsonObject): MatchResult {
    const pattern = filter.filter_pattern;
    if (!pattern) return patternMatches(pattern, event);
    let byEvent = this.matches.get(pattern);
    if (!byEvent) this.matches.set(pattern, (byEvent = new WeakMap()));
    let result = byEvent.get(event);
    if (result === undefined) byEvent.set(event, (result = patternMatches(pattern, event)));
    return result;
  }

  filtersOn(group: NormalizedResource): NormalizedResource[] {
    return this.filtersByGroup.get(group.address) ?? [];
  }

  alarmsReading(namespace: string, name: string, filter: NormalizedResource): NormalizedResource[] {
    return [...new Set([...(this.alarmsByMetric.get(`${namespace}\n${name}`) ?? []), ...(this.alarmsByFilter.get(filter.address) ?? [])])];
  }

  subscriptionsOf(topic: NormalizedResource): NormalizedResource[] {
    return (this.subscriptionsByTopic.get(topic.address) ?? []).filter((s) => s.values.pending_confirmation !== true);
  }

  topicByArn(arn: string): NormalizedResource | undefined {
    return this.topicsByArn.get(arn);
  }
}

/** What one metric transformation publishes for the event. */
interface Emission {
  namespace: string;
  name: string;
  value: number;
  dimensions: Record<string, string>;
  unit: string;
  hasDefault: boolean;
}

function emission(filter: NormalizedResource, event: JsonObject): Emission | LinkProblem | "unknown" {
  const transformation = blocks(filter.values.metric_transformation)[0];
  if (!transformation) return { link: "metric", resource: filter.address, detail: `metric filter ${filter.address} has no metric_transformation` };
  const { namespace, name } = transformation;
  if (isUnknown(namespace) || isUnknown(name) || isUnknown(transformation.value)) return "unknown";
  if (typeof namespace !== "string" || typeof name !== "string") return { link: "metric", resource: filter.address, detail: `metric filter ${filter.address} names no metric` };
  const rawValue = transformation.value;
  const value = typeof rawValue === "string" && rawValue.startsWith("$") ? num(select(event, rawValue)[0] as JsonValue) : num(rawValue);
  if (value === undefined || value <= 0) {
    return { link: "metric", resource: filter.address, detail: `metric filter ${filter.address} emits ${value ?? "no number"} (value ${JSON.stringify(rawValue)}) for the event; a count needs a positive value such as "1"` };
  }
  const dimensions: Record<string, string> = {};
  for (const [key, selector] of Object.entries(isObject(transformation.dimensions) ? transformation.dimensions : {})) {
    const picked = typeof selector === "string" && selector.startsWith("$") ? select(event, selector)[0] : selector;
    if (typeof picked !== "string" && typeof picked !== "number") {
      return { link: "metric", resource: filter.address, detail: `metric filter ${filter.address} takes dimension ${key} from ${String(selector)}, which the event does not have, so it emits nothing` };
    }
    dimensions[key] = String(picked);
  }
  const unit = typeof optional(transformation.unit) === "string" ? (transformation.unit as string) : "None";
  return { namespace, name, value, dimensions, unit, hasDefault: optional(transformation.default_value) !== undefined };
}

/** Why the alarm does not read exactly the emitted metric; null when it does. */
function readsOtherMetric(alarm: NormalizedResource, e: Emission, filter: NormalizedResource): string | "unknown" | null {
  const v = alarm.values;
  if (blocks(v.metric_query).length > 0) return "unknown";
  const byRef = (argument: string) => refs(alarm, argument).includes(filter.address);
  if ((isUnknown(v.namespace) && !byRef("namespace")) || (isUnknown(v.metric_name) && !byRef("metric_name"))) return "unknown";
  if (!isUnknown(v.namespace) && v.namespace !== e.namespace) return `reads namespace ${String(v.namespace)}, not ${e.namespace}`;
  if (!isUnknown(v.metric_name) && v.metric_name !== e.name) return `reads metric ${String(v.metric_name)}, not ${e.name}`;
  const wanted = isObject(v.dimensions) ? v.dimensions : {};
  if (Object.values(wanted).some(isUnknown)) return "unknown";
  const show = (d: Record<string, JsonValue>) => (Object.keys(d).length === 0 ? "no dimensions" : Object.keys(d).sort().map((k) => `${k}=${String(d[k])}`).join(", "));
  const same = Object.keys(wanted).length === Object.keys(e.dimensions).length && Object.entries(wanted).every(([k, value]) => e.dimensions[k] === String(value));
  if (!same) return `reads ${show(wanted)}, but the filter publishes the event with ${show(e.dimensions)}`;
  const unit = optional(v.unit);
  if (typeof unit === "string" && unit !== e.unit) return `reads unit ${unit}, but the filter publishes unit ${e.unit}`;
  return null;
}

/** Why one matching event does not turn the alarm to ALARM; null when it does. */
function doesNotFire(alarm: NormalizedResource, e: Emission): string | "unknown" | null {
  const v = alarm.values;
  for (const key of ["period", "threshold", "evaluation_periods", "datapoints_to_alarm", "comparison_operator", "statistic", "extended_statistic", "treat_missing_data"]) {
    if (isUnknown(v[key])) return "unknown";
  }
  const period = num(v.period);
  if (period === undefined) return "sets no period";
  if (period < STANDARD_RESOLUTION_SECONDS || period % STANDARD_RESOLUTION_SECONDS !== 0) {
    return `has a ${period}-second period; a metric filter publishes standard-resolution (one-minute) data, so the period must be a multiple of 60 seconds`;
  }
  const operator = String(v.comparison_operator ?? "");
  const threshold = num(v.threshold);
  if (!RISING_OPERATORS.has(operator)) {
    return `compares with ${operator || "no operator"}; on an event count only GreaterThanThreshold or GreaterThanOrEqualToThreshold alarm when events happen (more events must never silence it)`;
  }
  if (threshold === undefined) return "sets no threshold";
  const extended = optional(v.extended_statistic);
  const statistic = typeof extended === "string" ? extended : String(v.statistic ?? "");
  let datapoint: number;
  if (statistic === "SampleCount") datapoint = 1;
  else if (VALUE_STATISTICS.has(statistic) || /^p\d/.test(statistic)) datapoint = e.value;
  else return `uses statistic ${statistic || "none"}, which the model does not know`;
  if (e.hasDefault && statistic !== "Sum" && statistic !== "Maximum") {
    return `uses ${statistic} on a filter with a default_value: the other events of the period lower the datapoint; use Sum`;
  }
  const breaches = operator === "GreaterThanThreshold" ? datapoint > threshold : datapoint >= threshold;
  if (!breaches) return `needs the ${statistic} to be ${operator === "GreaterThanThreshold" ? ">" : ">="} ${threshold}, but one event gives ${datapoint}`;
  const evaluationPeriods = count(v.evaluation_periods) ?? 1;
  const datapoints = count(v.datapoints_to_alarm) ?? evaluationPeriods;
  if (v.treat_missing_data === "breaching") {
    return "treats missing data as breaching: without events it is already in ALARM, so an event changes no state and notifies nobody";
  }
  if (datapoints > 1) return `needs ${datapoints} breaching datapoints out of ${evaluationPeriods}; one event gives one, so set datapoints_to_alarm = 1`;
  return null;
}

/** SNS topics among the alarm's actions: in the configuration, or external ARNs. */
function alarmTopics(alarm: NormalizedResource, estate: Estate): Array<NormalizedResource | string> {
  const inConfig = refs(alarm, "alarm_actions").flatMap((a) => {
    const r = estate.resource(a);
    return r?.type === "aws_sns_topic" ? [r] : [];
  });
  const external = strings(alarm.values.alarm_actions).flatMap((arn): Array<NormalizedResource | string> => {
    if (!/^arn:aws[a-z-]*:sns:/.test(arn)) return [];
    const known = estate.topicByArn(arn);
    return known ? (inConfig.includes(known) ? [] : [known]) : [arn];
  });
  return [...inConfig, ...external];
}

/**
 * Every path the event takes through the document, and where the others stop.
 * Each candidate path reports at most one problem: the first link that does not hold.
 */
export function explore(estate: Estate, event: JsonObject, options: ExploreOptions): Exploration {
  const out: Exploration = { pages: [], broken: [], unknown: [] };
  /** A link that does not hold; "unknown" (or cannotJudge) when it depends on what the input does not say. */
  const problem = (link: Link, resource: string, detail: string, cannotJudge = detail === "unknown") =>
    void (cannotJudge ? out.unknown : out.broken).push({
      link,
      resource,
      detail: detail === "unknown" ? `${resource}: a value the ${link} link needs is not known before apply` : detail,
    });
  if (estate.trails.length === 0) problem("recorded", "", "the configuration has no CloudTrail trail");
  for (const trail of estate.trails) {
    const why = notRecordedBecause(trail, event);
    if (why !== null) {
      problem("recorded", trail.address, why === "unknown" ? why : `trail ${trail.address} ${why}`);
      continue;
    }
    const groups = estate.groupsOf(trail);
    if (groups === null || (typeof trail.values.cloud_watch_logs_role_arn !== "string" || trail.values.cloud_watch_logs_role_arn === "")) {
      problem("delivered", trail.address, `trail ${trail.address} does not deliver to CloudWatch Logs (cloud_watch_logs_group_arn and cloud_watch_logs_role_arn)`);
      continue;
    }
    if (groups === "unknown") {
      problem("delivered", trail.address, `trail ${trail.address} delivers to a log group that is not in the configuration or not known before apply`, true);
      continue;
    }
    for (const group of groups) {
      const logClass = optional(group.values.log_group_class);
      if (isUnknown(logClass)) {
        problem("log_class", group.address, "unknown");
        continue;
      }
      if (logClass !== undefined && logClass !== "STANDARD") {
        problem("log_class", group.address, `log group ${group.address} is in the ${String(logClass)} log class, which does not support metric filters`);
        continue;
      }
      const filters = estate.filtersOn(group);
      const results = filters.map((f) => [f, estate.matchesEvent(f, event)] as const);
      const matching = results.filter(([, r]) => r === true).map(([f]) => f);
      for (const [f] of results.filter(([, r]) => r === "unknown")) problem("filter", f.address, "unknown");
      if (matching.length === 0) {
        // A filter whose log group cannot be followed (a module output the reader does not
        // follow) may be on this group: the link cannot be judged, never "no filter".
        for (const f of estate.unlinkedFilters) problem("filter", f.address, "unknown");
        if (!results.some(([, r]) => r === "unknown") && estate.unlinkedFilters.length === 0) {
          problem("filter", group.address, `no metric filter on log group ${group.address} matches the event (${filters.length} filter(s) on the group)`);
        }
        continue;
      }
      for (const filter of matching) followFilter(trail, group, filter);
    }
  }
  return out;

  function followFilter(trail: NormalizedResource, group: NormalizedResource, filter: NormalizedResource): void {
    const e = emission(filter, event);
    if (e === "unknown") return problem("metric", filter.address, "unknown");
    if ("link" in e) return problem(e.link, e.resource, e.detail);
    const candidates = estate.alarmsReading(e.namespace, e.name, filter);
    const reading: NormalizedResource[] = [];
    for (const alarm of candidates) {
      const other = readsOtherMetric(alarm, e, filter);
      if (other === null) reading.push(alarm);
      else problem("metric", alarm.address, other === "unknown" ? other : `alarm ${alarm.address} ${other}`);
    }
    if (candidates.length === 0) {
      problem("metric", filter.address, `no alarm reads ${e.namespace} ${e.name}, the metric that metric filter ${filter.address} publishes`);
    }
    for (const alarm of reading) {
      const notFiring = doesNotFire(alarm, e);
      if (notFiring !== null) {
        problem("alarm", alarm.address, notFiring === "unknown" ? notFiring : `alarm ${alarm.address} ${notFiring}`);
        continue;
      }
      if (isUnknown(alarm.values.actions_enabled)) {
        problem("actions", alarm.address, "unknown");
        continue;
      }
      if (alarm.values.actions_enabled === false) {
        problem("actions", alarm.address, `alarm ${alarm.address} sets actions_enabled = false, so it notifies nobody`);
        continue;
      }
      const topics = alarmTopics(alarm, estate);
      if (topics.length === 0) {
        if (strings(alarm.values.alarm_actions).some(isUnknown) || isUnknown(alarm.values.alarm_actions)) problem("actions", alarm.address, "unknown");
        else problem("actions", alarm.address, `alarm ${alarm.address} has no SNS topic among its alarm_actions`);
        continue;
      }
      // doesNotFire() held datapoints_to_alarm (or evaluation_periods) to 1: one period after delivery.
      const latency = options.deliverySeconds + (num(alarm.values.period) as number) * (count(alarm.values.datapoints_to_alarm) ?? 1);
      for (const topic of topics) followTopic(trail, group, filter, alarm, topic, latency);
    }
  }

  function followTopic(trail: NormalizedResource, group: NormalizedResource, filter: NormalizedResource, alarm: NormalizedResource, topic: NormalizedResource | string, latency: number): void {
    const address = typeof topic === "string" ? topic : topic.address;
    const name = typeof topic === "string" ? topic.split(":").pop() ?? "" : topic.values.name;
    if (isUnknown(name as JsonValue) || typeof name !== "string") return problem("actions", address, "unknown");
    const tier = tierOfTopicName(name, options.tiers);
    if (options.tier !== undefined && tier !== options.tier) {
      return problem("actions", alarm.address, `alarm ${alarm.address} notifies ${address}, a topic of tier ${tier ?? "unknown (the name ends with no tier)"}, not ${options.tier}`);
    }
    if (typeof topic === "string") {
      return problem("subscribed", address, `topic ${address} is outside the configuration: its subscriptions cannot be read here (trailgate verify reads them)`, true);
    }
    const all = estate.subscriptionsOf(topic);
    // A subscription whose count / for_each is not known before apply may not exist: it proves nobody is paged.
    const subscriptions = all.filter((s) => s.instances !== "unknown");
    if (subscriptions.length === 0 && all.length > 0) {
      const maybe = all.map((s) => s.address).join(", ");
      return problem("subscribed", address, `topic ${address}: whether ${maybe} exists is not known before apply (its count or for_each), so nobody may receive the alarm`, true);
    }
    if (subscriptions.length === 0) return problem("subscribed", address, `topic ${address} has no (confirmed) subscription, so nobody receives the alarm`);
    out.pages.push({ trail: trail.address, log_group: group.address, filter: filter.address, alarm: alarm.address, topic: address, tier, subscriptions: subscriptions.length, latency_seconds: latency });
  }
}
