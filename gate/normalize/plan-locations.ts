import * as fs from "fs";
import * as path from "path";
import { stripInstanceKeys } from "./common";
import { scanBlockLines } from "./locations";
import { isObject, JsonValue, NormalizedDocument, SourceLocation } from "./types";

/** `resource "TYPE" "NAME" {` or `data "TYPE" "NAME" {` at the start of a line of HCL (labels may be bare). */
const HCL_BLOCK = /^\s*(resource|data)\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_-]+)"?\s*\{/;

/** Where each resource (and data source) of one module folder is declared: *.tf and *.tf.json. */
function scanModuleFolder(dir: string): Map<string, SourceLocation> {
  const found = new Map<string, SourceLocation>();
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith(".tf") || name.endsWith(".tf.json")).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) continue;
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (name.endsWith(".tf.json")) {
      for (const [address, line] of scanBlockLines(text)) if (!found.has(address)) found.set(address, { file, line });
      continue;
    }
    text.split("\n").forEach((content, index) => {
      const match = HCL_BLOCK.exec(content);
      if (!match) return;
      const address = `${match[1] === "data" ? "data." : ""}${match[2]}.${match[3]}`;
      if (!found.has(address)) found.set(address, { file, line: index + 1 });
    });
  }
  return found;
}

/** "module.a.module.b" -> folder, following local module sources (./, ../) from the root folder. */
function moduleFolders(configuration: JsonValue | undefined, rootDir: string): Map<string, string> {
  const folders = new Map<string, string>([["", rootDir]]);
  const visit = (module: JsonValue | undefined, modulePath: string, dir: string, depth: number) => {
    if (!isObject(module) || !isObject(module.module_calls) || depth > 32) return;
    for (const [name, call] of Object.entries(module.module_calls)) {
      if (!isObject(call) || typeof call.source !== "string" || !/^\.\.?\//.test(call.source)) continue;
      const childPath = modulePath ? `${modulePath}.module.${name}` : `module.${name}`;
      const childDir = path.resolve(dir, call.source);
      folders.set(childPath, childDir);
      visit(call.module, childPath, childDir, depth + 1);
    }
  };
  visit(isObject(configuration) ? configuration.root_module : undefined, "", rootDir, 0);
  return folders;
}

/** "module.a[0].module.b.aws_s3_bucket.x[\"k\"]" -> ["module.a.module.b", "aws_s3_bucket.x"]. */
function splitAddress(address: string): [string, string] {
  const parts = stripInstanceKeys(address).split(".");
  let index = 0;
  while (parts[index] === "module" && index + 2 < parts.length) index += 2;
  return [parts.slice(0, index).join("."), parts.slice(index).join(".")];
}

/**
 * For a `terraform show -json` plan: the file and line where each planned resource is
 * declared, read from the root module's folder (`rootDir`, where the plan was made)
 * and the folders of local module calls (`configuration.*.module_calls.*.source`).
 * Resources declared elsewhere (registry or git modules, another folder) stay unlocated.
 */
export function planLocations(input: NormalizedDocument, configuration: JsonValue | undefined, rootDir: string): Map<string, SourceLocation> {
  const folders = moduleFolders(configuration, rootDir);
  const scanned = new Map<string, Map<string, SourceLocation>>();
  const locations = new Map<string, SourceLocation>();
  for (const resources of Object.values(input.resources)) {
    for (const resource of resources) {
      const [modulePath, local] = splitAddress(resource.address);
      const folder = folders.get(modulePath);
      if (folder === undefined) continue;
      let declared = scanned.get(folder);
      if (!declared) scanned.set(folder, (declared = scanModuleFolder(folder)));
      const location = declared.get(local);
      if (location) locations.set(resource.address, location);
    }
  }
  return locations;
}
