/**
 * `trailgate simulate EVENT.json [input]`: would this CloudTrail event have paged
 * anyone, and when? The event goes through the same model as the TG-ALR rules
 * (explore): which monitors of the policy data it belongs to (and so its deadline),
 * and per configuration which alarms fire, after how long, and which topics and
 * subscribers hear it, or where each path stops.
 */
import * as fs from "fs";
import { parseFilterPattern } from "../../terraform/filter-pattern";
import { GateInputError } from "../../core/errors";
import { isObject, JsonObject, NormalizedDocument } from "../../terraform/types";
import { patternMatches } from "./event-match";
import { alertSettings, monitorDeadlineSeconds, monitorsOf, monitorTier } from "./model";
import { Estate, explore, LinkProblem, PagePath } from "./paths";
import { LEGACY_MONITOR_IDS, SAMPLE_EVENTS } from "./samples";

/** How EVENT names a bundled sample instead of a file. */
export const SAMPLE_PREFIX = "sample:";

export interface MatchedMonitor {
  id: string;
  title: string;
  tier: string;
  deadline_seconds: number;
}

export interface DocumentPath {
  document: string;
  pages: PagePath[];
  /** Where the other paths stop (broken, then not judgeable). */
  stops: Array<LinkProblem & { judged: boolean }>;
}

export interface Simulation {
  event: { source: string; eventName: string; eventSource: string; awsRegion: string };
  monitors: MatchedMonitor[];
  /** The tightest deadline of the matched monitors; else the tier deadline of the fastest page's topic; null when neither is known. */
  deadline_seconds: number | null;
  documents: DocumentPath[];
  fastest: PagePath | null;
  /** "pages": someone is paged within the deadline; "late": only after it; "nobody": no complete path. */
  verdict: "pages" | "late" | "nobody";
}

/**
 * A CloudTrail record: the file's object, or the one record of a log file's `Records`.
 * `deprecation` says when a sample was named by its pre-CIS-v3.0 id.
 */
export function readEvent(spec: string): { event: JsonObject; source: string; deprecation?: string } {
  if (spec.startsWith(SAMPLE_PREFIX)) {
    const id = spec.slice(SAMPLE_PREFIX.length);
    const current = LEGACY_MONITOR_IDS[id];
    if (current) {
      return {
        event: SAMPLE_EVENTS[current],
        source: `${SAMPLE_PREFIX}${current}`,
        deprecation: `${spec} is the CIS v1.2 monitor id; monitors use CIS AWS Foundations v3.0 numbers now: use ${SAMPLE_PREFIX}${current} (the old ids will be removed)`,
      };
    }
    const sample = SAMPLE_EVENTS[id];
    if (!sample) throw new GateInputError(`no bundled sample ${id}; samples: ${Object.keys(SAMPLE_EVENTS).sort().join(", ")}`);
    return { event: sample, source: spec };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(spec, "utf8"));
  } catch (error) {
    throw new GateInputError(`cannot read event ${spec}: ${(error as Error).message}`);
  }
  if (isObject(parsed) && Array.isArray(parsed.Records)) {
    if (parsed.Records.length !== 1) {
      throw new GateInputError(`${spec} is a log file with ${parsed.Records.length} records; save the one record to simulate as its own file`);
    }
    parsed = parsed.Records[0];
  }
  if (!isObject(parsed) || typeof parsed.eventName !== "string" || typeof parsed.eventSource !== "string") {
    throw new GateInputError(`${spec} is not a CloudTrail event: it needs eventName and eventSource`);
  }
  return { event: parsed, source: spec };
}

/**
 * The event is one the monitor must page for: its pattern and every accepted variant
 * (`also_accepted`) match it, since an estate may use any of them.
 */
function monitorCovers(monitor: JsonObject, event: JsonObject): boolean {
  const variants = Array.isArray(monitor.also_accepted) ? monitor.also_accepted.filter(isObject) : [];
  return [monitor, ...variants].every((m) => patternMatches(parseFilterPattern(m.pattern), event) === true);
}

export function simulate(event: JsonObject, source: string, documents: Array<{ name: string; input: NormalizedDocument }>, config: JsonObject): Simulation {
  const settings = alertSettings(config);
  const monitors = monitorsOf(config)
    .filter((m) => monitorCovers(m, event))
    .map((m) => ({ id: String(m.id), title: String(m.title), tier: monitorTier(m), deadline_seconds: monitorDeadlineSeconds(m, settings) }));
  const paths = documents.map((d) => {
    const found = explore(new Estate(d.input), event, { deliverySeconds: settings.deliverySeconds, tiers: settings.tiers });
    const stops = [...found.broken.map((p) => ({ ...p, judged: true })), ...found.unknown.map((p) => ({ ...p, judged: false }))];
    return { document: d.name, pages: found.pages.sort((a, b) => a.latency_seconds - b.latency_seconds), stops };
  });
  const fastest = paths.flatMap((p) => p.pages).sort((a, b) => a.latency_seconds - b.latency_seconds)[0] ?? null;
  const tierDeadline = fastest?.tier ? settings.deadlineMinutes[fastest.tier] : undefined;
  const deadline = monitors.length > 0 ? Math.min(...monitors.map((m) => m.deadline_seconds)) : tierDeadline !== undefined ? tierDeadline * 60 : null;
  const verdict = !fastest ? "nobody" : deadline !== null && fastest.latency_seconds > deadline ? "late" : "pages";
  const text = (key: string) => (typeof event[key] === "string" ? (event[key] as string) : "");
  return {
    event: { source, eventName: text("eventName"), eventSource: text("eventSource"), awsRegion: text("awsRegion") },
    monitors,
    deadline_seconds: deadline,
    documents: paths,
    fastest,
    verdict,
  };
}

const minutes = (seconds: number) => `${Number((seconds / 60).toFixed(1))} min`;

export function renderSimulation(s: Simulation): string {
  const lines = [`event: ${s.event.eventName} from ${s.event.eventSource} in ${s.event.awsRegion || "no region"} (${s.event.source})`];
  if (s.monitors.length === 0) lines.push("monitors: none of the policy data's monitors match this event");
  for (const m of s.monitors) lines.push(`monitor: ${m.id} (${m.title}), ${m.tier} tier, deadline ${minutes(m.deadline_seconds)}`);
  for (const d of s.documents) {
    lines.push(`${d.document}:`);
    for (const p of d.pages) {
      lines.push(`  pages: ${p.trail} -> ${p.log_group} -> ${p.filter} -> ${p.alarm} -> ${p.topic} (${p.tier ?? "no"} tier, ${p.subscriptions} subscription(s)) within ${minutes(p.latency_seconds)}`);
    }
    for (const stop of d.stops) lines.push(`  stops at ${stop.link}${stop.judged ? "" : " (cannot be judged)"}: ${stop.detail}`);
  }
  const deadline = s.deadline_seconds === null ? "no deadline known" : `deadline ${minutes(s.deadline_seconds)}`;
  if (s.verdict === "nobody") lines.push(`result: pages nobody (${deadline})`);
  else lines.push(`result: ${s.verdict === "pages" ? "pages" : "pages LATE:"} ${s.fastest!.topic} within ${minutes(s.fastest!.latency_seconds)} (${deadline})`);
  return `${lines.join("\n")}\n`;
}

/** 0: someone is paged within the deadline; 1: nobody, or late. */
export function simulationExitCode(s: Simulation): number {
  return s.verdict === "pages" ? 0 : 1;
}
