/** The alert tiers and monitor shape every alerting construct shares. */

/** How urgently a monitor's alarm reaches people: each tier has its own topic and deadline. */
export type AlertTier = "critical" | "warning" | "info";

export const ALERT_TIERS: readonly AlertTier[] = ["critical", "warning", "info"];

/** A CloudWatch Logs metric filter and the alarm on it. */
export interface MonitorDefinition {
  /** Stable id of the monitor within the construct. */
  readonly id: string;
  /** CIS AWS Foundations Benchmark control (v3.0 section 4 numbering), or the seed's own. */
  readonly control: string;
  readonly title: string;
  /** Metric name in the Trailgate/CloudTrail namespace. */
  readonly metricName: string;
  /** CloudWatch Logs filter pattern over CloudTrail JSON events. */
  readonly pattern: string;
  /** Default alert tier; a team may move a monitor to another tier. */
  readonly tier: AlertTier;
  /**
   * The alarm's period when the monitor has a deadline of its own, shorter than its
   * tier's (a multiple of 60 seconds).
   * @default the tier's period (ALERT_TIER_PERIOD_SECONDS)
   */
  readonly periodSeconds?: number;
}
