/**
 * The alert-path proof of every monitor the policy data requires (required_monitors
 * and additional_monitors): the monitor's canonical event (a bundled sample, or one
 * built from the monitor's `match`) is followed through the document by explore(),
 * and the result, one entry per monitor, is the policy input's `alert_paths` section
 * (policies/INPUT.md), which the TG-ALR rules read.
 */
import { isObject, JsonObject, JsonValue, NormalizedDocument } from "../../terraform/types";
import { Estate, explore, LINKS, LinkProblem, PagePath } from "./paths";
import { sampleEvent } from "./samples";

export type Outcome = "pages" | "late" | "unknown" | "broken";

/** One monitor's proof, as the rules read it. */
export interface MonitorProof {
  monitor: string;
  title: string;
  tier: string;
  deadline_seconds: number;
  /** "sample" (a bundled event) or "match" (built from the monitor's match terms). */
  event: "sample" | "match";
  outcome: Outcome;
  /** The first broken (or unjudgeable) link of the path that got furthest; null when the monitor pages in time. */
  link: string | null;
  resource: string;
  detail: string;
  /** Worst-case seconds to the fastest page; null when nobody is paged. */
  latency_seconds: number | null;
  /** Every complete path (alarm and topic of the monitor's tier, subscribed). */
  pages: PagePath[];
}

/** The tier monitors without one are in. */
export const DEFAULT_MONITOR_TIER = "warning";

/** The policy data the model reads, with the defaults of policies/data.json. */
export interface AlertSettings {
  deliverySeconds: number;
  deadlineMinutes: Record<string, number>;
  tiers: string[];
}

export function alertSettings(config: JsonObject): AlertSettings {
  const deadlines = isObject(config.alert_deadline_minutes) ? config.alert_deadline_minutes : {};
  const deadlineMinutes = Object.fromEntries(Object.entries(deadlines).filter((e): e is [string, number] => typeof e[1] === "number"));
  const listed = Array.isArray(config.alert_tiers) ? config.alert_tiers.filter((t): t is string => typeof t === "string") : [];
  return {
    deliverySeconds: (typeof config.alert_delivery_minutes === "number" ? config.alert_delivery_minutes : 5) * 60,
    deadlineMinutes,
    tiers: [...new Set([...listed, ...Object.keys(deadlineMinutes)])],
  };
}

export function monitorsOf(config: JsonObject): JsonObject[] {
  const list = (value: JsonValue | undefined) => (Array.isArray(value) ? value.filter(isObject) : []);
  return [...list(config.required_monitors), ...list(config.additional_monitors)];
}

/** Sets `$.a.b` in an event object. */
function setPath(event: JsonObject, selector: string, value: JsonValue): void {
  const keys = selector.replace(/^\$\./, "").split(".");
  let at = event;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(at[key])) at[key] = {};
    at = at[key] as JsonObject;
  }
  at[keys[keys.length - 1]] = value;
}

/**
 * An event built from the monitor's first `match` alternative (`$.x = v` terms; a `*`
 * wildcard stands for "Example"), for a team's monitor without a bundled sample.
 */
export function eventFromMatch(monitor: JsonObject): JsonObject {
  const event: JsonObject = { eventVersion: "1.09", eventCategory: "Management", eventType: "AwsApiCall", readOnly: false, awsRegion: "eu-west-2", userIdentity: { type: "IAMUser" } };
  const first = Array.isArray(monitor.match) && Array.isArray(monitor.match[0]) ? monitor.match[0] : [];
  for (const term of first) {
    const found = typeof term === "string" ? /^(\$\.[A-Za-z0-9_.@:-]+) = (.*)$/.exec(term) : null;
    if (found) setPath(event, found[1], found[2].replace(/\*/g, "Example"));
  }
  return event;
}

export function monitorEvent(monitor: JsonObject): { event: JsonObject; source: "sample" | "match" } {
  const sample = typeof monitor.id === "string" ? sampleEvent(monitor.id) : undefined;
  return sample ? { event: sample, source: "sample" } : { event: eventFromMatch(monitor), source: "match" };
}

export function monitorTier(monitor: JsonObject): string {
  return typeof monitor.tier === "string" ? monitor.tier : DEFAULT_MONITOR_TIER;
}

export function monitorDeadlineSeconds(monitor: JsonObject, settings: AlertSettings): number {
  const own = typeof monitor.deadline_minutes === "number" ? monitor.deadline_minutes : undefined;
  return (own ?? settings.deadlineMinutes[monitorTier(monitor)] ?? 0) * 60;
}

/** The furthest problem: the later the link, the further the path got; ties by resource for stable output. */
export function furthest(problems: LinkProblem[]): LinkProblem | undefined {
  return [...problems].sort((a, b) => LINKS.indexOf(b.link) - LINKS.indexOf(a.link) || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))[0];
}

export function proveMonitor(estate: Estate, monitor: JsonObject, settings: AlertSettings): MonitorProof {
  const tier = monitorTier(monitor);
  const deadline = monitorDeadlineSeconds(monitor, settings);
  const { event, source } = monitorEvent(monitor);
  const found = explore(estate, event, { deliverySeconds: settings.deliverySeconds, tiers: settings.tiers, tier });
  const pages = found.pages.sort((a, b) => a.latency_seconds - b.latency_seconds);
  const base = { monitor: String(monitor.id), title: String(monitor.title), tier, deadline_seconds: deadline, event: source, pages };
  const fastest = pages[0];
  if (fastest && fastest.latency_seconds <= deadline) {
    return { ...base, outcome: "pages", link: null, resource: fastest.alarm, detail: "", latency_seconds: fastest.latency_seconds };
  }
  if (fastest) {
    const detail = `the fastest page, alarm ${fastest.alarm} to ${fastest.topic}, takes up to ${fastest.latency_seconds / 60} minutes (${settings.deliverySeconds / 60} for CloudTrail to deliver to CloudWatch Logs, then the alarm's period x datapoints); the ${tier} deadline is ${deadline / 60} minutes`;
    return { ...base, outcome: "late", link: "deadline", resource: fastest.alarm, detail, latency_seconds: fastest.latency_seconds };
  }
  const unknown = furthest(found.unknown);
  const broken = furthest(found.broken);
  // A path that may go further than every broken one cannot be called broken.
  const stop = unknown && (!broken || LINKS.indexOf(unknown.link) >= LINKS.indexOf(broken.link)) ? { problem: unknown, outcome: "unknown" as const } : { problem: broken as LinkProblem, outcome: "broken" as const };
  return { ...base, outcome: stop.outcome, link: stop.problem.link, resource: stop.problem.resource, detail: stop.problem.detail, latency_seconds: null };
}

/** The `alert_paths` section of the policy input. */
export function alertPaths(document: NormalizedDocument, config: JsonObject): MonitorProof[] {
  const settings = alertSettings(config);
  const estate = new Estate(document);
  return monitorsOf(config).map((monitor) => proveMonitor(estate, monitor, settings));
}
