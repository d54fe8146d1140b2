import { isObject, JsonObject } from "./types";

/**
 * The construct path cdktf records for each resource and data source
 * (`"//": {"metadata": {"path": "stack/log_archive/bucket"}}`): where a cdktf user
 * finds the code to change. Keyed by address (`aws_s3_bucket.x`, `data.aws_x.y`).
 */
export function constructPaths(json: JsonObject): Map<string, string> {
  return metadataField(json, "path", (value): value is string => typeof value === "string");
}

/**
 * The creation stack trace cdktf records beside the path
 * (`"//": {"metadata": {"stackTrace": [...]}}`) when its construct library captured
 * one (constructs 10.4 no longer does by default). Keyed by address.
 */
export function constructStackTraces(json: JsonObject): Map<string, string[]> {
  return metadataField(json, "stackTrace", (value): value is string[] => Array.isArray(value) && value.every((frame) => typeof frame === "string"));
}

function metadataField<T>(json: JsonObject, field: string, accept: (value: unknown) => value is T): Map<string, T> {
  const found = new Map<string, T>();
  for (const [block, prefix] of [["resource", ""], ["data", "data."]] as const) {
    const byType = json[block];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        const comment = isObject(body) ? body["//"] : undefined;
        const metadata = isObject(comment) ? comment.metadata : undefined;
        const value = isObject(metadata) ? metadata[field] : undefined;
        if (accept(value)) found.set(`${prefix}${type}.${name}`, value);
      }
    }
  }
  return found;
}
