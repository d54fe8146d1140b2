/**
 * The live estate -> the gate's normalised input (policies/INPUT.md, "live documents
 * and runtime"). Each live resource becomes the Terraform resource type that would
 * declare it, with the same argument names and block shapes, so the SAME rules judge
 * code and live state; its address is its ARN, so drift shows up on the live resource.
 * The runtime facts only the API knows (is it logging, when did it last deliver, who
 * is subscribed, alarm states, Lake status) go to `runtime` for the TG-OPS rules.
 * One mapper per resource kind, in the files beside this one.
 */
import { buildDocument } from "../../../terraform/common";
import { GateDocument, NormalizedProvider } from "../../../terraform/types";
import { LiveEstate } from "../estate";
import { mapAlarms, mapEventRules, mapEventTargets, mapSubscriptions, mapTopics } from "./alerts";
import { LiveDraftList, PROVIDER_ADDRESS } from "./builder";
import { mapRolePolicies, mapRoles } from "./iam";
import { mapKeys } from "./keys";
import { mapLogGroups, mapMetricFilters } from "./logs";
import { runtime } from "./runtime";
import { mapAccessPoints, mapBucketConfigurations, mapBuckets } from "./storage";
import { mapEventDataStores, mapTrails } from "./trails";

export { topicTier } from "./alerts";

/**
 * The mappers in the order they run: a resource's references name only resources mapped
 * before it (keys before what they encrypt, groups before their filters, topics before
 * their subscriptions and alarms, roles and groups before the trails that use them).
 */
const MAPPERS: Array<(list: LiveDraftList) => void> = [
  mapKeys,
  mapBuckets,
  mapBucketConfigurations,
  mapAccessPoints,
  mapLogGroups,
  mapMetricFilters,
  mapTopics,
  mapSubscriptions,
  mapAlarms,
  mapRoles,
  mapRolePolicies,
  mapEventRules,
  mapEventTargets,
  mapEventDataStores,
  mapTrails,
];

export interface LiveDocumentOptions {
  /** What the report calls the document; defaults to "live <account>/<region>". */
  name?: string;
}

export function liveDocument(estate: LiveEstate, options: LiveDocumentOptions = {}): GateDocument {
  const list = new LiveDraftList(estate);
  for (const map of MAPPERS) map(list);
  // The accounts read are the estate's own: their principals count as trusted (TG-LP-009),
  // as a provider's allowed_account_ids do for code.
  const providers: NormalizedProvider[] = [
    { address: PROVIDER_ADDRESS.management, name: "aws", alias: "", region: estate.accounts.management.region, allowed_account_ids: [estate.accounts.management.accountId] },
    ...(estate.accounts.logArchive
      ? [{ address: PROVIDER_ADDRESS.logArchive, name: "aws", alias: "log_archive", region: estate.accounts.logArchive.region, allowed_account_ids: [estate.accounts.logArchive.accountId] }]
      : []),
  ];
  const input = buildDocument("live", providers, list.drafts);
  input.runtime = runtime(estate);
  const account = estate.accounts.management.accountId;
  return {
    name: options.name ?? `live ${account}/${estate.region}`,
    file: `aws://${account}/${estate.region}`,
    input,
    locations: new Map(),
  };
}
