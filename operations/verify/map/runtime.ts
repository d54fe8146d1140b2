import { JsonObject } from "../../../terraform/types";
import { LiveEstate } from "../estate";
import { topicTier } from "./alerts";

/** The runtime section the TG-OPS rules read (INPUT.md "runtime"). */
export function runtime(estate: LiveEstate): JsonObject {
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
