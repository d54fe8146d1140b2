import { NormalizedDocument, NormalizedResource } from "../../terraform/types";

/** The normalised resource at `address` (instance keys included); a test error naming the types when it is missing. */
export function resource(document: NormalizedDocument, address: string): NormalizedResource {
  const found = Object.values(document.resources)
    .flat()
    .find((candidate) => candidate.address === address);
  if (!found) throw new Error(`${address} not in document: ${JSON.stringify(Object.keys(document.resources))}`);
  return found;
}
