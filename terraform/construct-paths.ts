import { isObject, JsonObject } from "./types";

/**
 * The construct path cdktf records for each resource and data source
 * (`"//": {"metadata": {"path": "stack/log_archive/bucket"}}`): where a cdktf user
 * finds the code to change. Keyed by address (`aws_s3_bucket.x`, `data.aws_x.y`).
 */
export function constructPaths(json: JsonObject): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [block, prefix] of [["resource", ""], ["data", "data."]] as const) {
    const byType = json[block];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        const comment = isObject(body) ? body["//"] : undefined;
        const metadata = isObject(comment) ? comment.metadata : undefined;
        const constructPath = isObject(metadata) ? metadata.path : undefined;
        if (typeof constructPath === "string") paths.set(`${prefix}${type}.${name}`, constructPath);
      }
    }
  }
  return paths;
}
