import { ResourceDraft } from "../../../terraform/common";
import { JsonObject, JsonValue } from "../../../terraform/types";
import { AccountRole, LiveEstate, LiveKey } from "../estate";

export const PROVIDER_ADDRESS: Record<AccountRole, string> = {
  management: "provider.aws",
  logArchive: "provider.aws.log_archive",
};

/** Drops undefined members (JSON has no undefined) so values hold only what the API said. */
export function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

/** Drops references that name no resource of the document. */
export function compactRefs(refs: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(refs).filter(([, list]) => list.length > 0));
}

export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region ? region : undefined;
}

/**
 * The resource drafts of one live document, in the order they are mapped. A reference
 * is kept only to a resource mapped before it (as the normaliser keeps only references
 * to resources of the document), so the mappers run in a fixed order.
 */
export class LiveDraftList {
  readonly drafts: ResourceDraft[] = [];
  private readonly present = new Set<string>();
  /** Every key, by ARN and by key id. */
  readonly keys = new Map<string, LiveKey>();

  constructor(readonly estate: LiveEstate) {
    for (const key of estate.keys) {
      this.keys.set(key.arn, key);
      this.keys.set(key.keyId, key);
    }
  }

  /** The region a resource is in: its ARN's, else the estate's. */
  regionOf(arn: string): string {
    return regionOfArn(arn) ?? this.estate.region;
  }

  add(
    account: AccountRole,
    type: string,
    address: string,
    name: string,
    region: string,
    values: Record<string, JsonValue | undefined>,
    refs: Record<string, string[]> = {},
  ): void {
    this.present.add(address);
    this.drafts.push({ address, type, name, provider: PROVIDER_ADDRESS[account], ownRegion: region, values: compact(values), refs });
  }

  /** The addresses among these that are resources of this document. */
  refTo(...addresses: Array<string | undefined>): string[] {
    return addresses.filter((a): a is string => !!a && this.present.has(a));
  }

  /** A key named by ARN or key id, as the ARN of the aws_kms_key in this document. */
  keyRef(...ids: Array<string | undefined>): string[] {
    return this.refTo(...ids.map((id) => (id ? this.keys.get(id)?.arn : undefined)));
  }
}
