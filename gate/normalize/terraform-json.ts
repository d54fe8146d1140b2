import { GateInputError } from "../errors";
import {
  buildDocument,
  impliedProviderName,
  literalAccountIds,
  providerAddress,
  ProviderRegistry,
  ResourceDraft,
} from "./common";
import { interpolatedReferences } from "./references";
import { isObject, JsonObject, JsonValue, NormalizedDocument } from "./types";

/** Meta-arguments configure Terraform itself, not the resource, so they are not `values`. */
const META_ARGUMENTS = new Set(["provider", "depends_on", "count", "for_each", "lifecycle", "provisioner", "connection", "//"]);

/** One parsed Terraform JSON file (a cdk.tf.json or one *.tf.json of a module). */
export interface TerraformJsonFile {
  file: string;
  json: JsonObject;
}

/** HCL's JSON syntax allows a block to be an object or an array of objects. */
function blockBodies(value: JsonValue): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** A `"${var.NAME}"` resolves to the variable's default; anything else that is not a literal is unknown. */
function staticString(value: JsonValue | undefined, variableDefaults: Map<string, JsonValue>): string | null {
  if (typeof value !== "string") return null;
  if (!value.includes("${")) return value;
  const variable = /^\$\{var\.([\w-]+)\}$/.exec(value);
  const resolved = variable ? variableDefaults.get(variable[1]) : undefined;
  return typeof resolved === "string" && !resolved.includes("${") ? resolved : null;
}

/** `"aws.log_archive"` or `"${aws.log_archive}"` -> ["aws", "log_archive"]. */
function providerMetaArgument(value: JsonValue | undefined, resourceType: string): [string, string] {
  if (typeof value !== "string") return [impliedProviderName(resourceType), ""];
  const [name, alias = ""] = value.replace(/^\$\{(.*)\}$/, "$1").split(".");
  return [name, alias];
}

/**
 * Normalises a synthesized cdktf stack or a plain Terraform JSON module: the
 * resource, provider and variable blocks of all files are merged first, as
 * Terraform merges the files of one module.
 */
export function normalizeTerraformJson(format: "synth" | "module", files: TerraformJsonFile[]): NormalizedDocument {
  const variableDefaults = new Map<string, JsonValue>();
  const providers = new ProviderRegistry();
  const bodies: { type: string; name: string; body: JsonObject }[] = [];
  const addresses = new Set<string>();

  for (const { file, json } of files) {
    for (const [name, bodyValue] of Object.entries(isObject(json.variable) ? json.variable : {})) {
      for (const body of blockBodies(bodyValue)) if ("default" in body) variableDefaults.set(name, body.default);
    }
    for (const [type, byName] of Object.entries(isObject(json.resource) ? json.resource : {})) {
      for (const [name, bodyValue] of Object.entries(isObject(byName) ? byName : {})) {
        const address = `${type}.${name}`;
        if (addresses.has(address)) throw new GateInputError(`${file}: resource ${address} is declared more than once`);
        addresses.add(address);
        for (const body of blockBodies(bodyValue)) bodies.push({ type, name, body });
      }
    }
  }
  // Provider regions need every variable default, from any file, first.
  for (const { json } of files) {
    for (const [name, configs] of Object.entries(isObject(json.provider) ? json.provider : {})) {
      for (const config of blockBodies(configs)) {
        const alias = typeof config.alias === "string" ? config.alias : "";
        const accounts = literalAccountIds(config.allowed_account_ids);
        providers.add({
          address: providerAddress(name, alias),
          name,
          alias,
          region: staticString(config.region, variableDefaults),
          ...(accounts ? { allowed_account_ids: accounts } : {}),
        });
      }
    }
  }

  const drafts: ResourceDraft[] = bodies.map(({ type, name, body }) => {
    const values: JsonObject = {};
    const refs: Record<string, string[]> = {};
    for (const argument in body) {
      if (META_ARGUMENTS.has(argument)) continue;
      const value = body[argument];
      values[argument] = value;
      const referenced = interpolatedReferences(value, addresses);
      if (referenced.length > 0) refs[argument] = referenced;
    }
    const [providerName, alias] = providerMetaArgument(body.provider, type);
    return {
      address: `${type}.${name}`,
      type,
      name,
      provider: providers.use(providerName, alias),
      ownRegion: "region" in body ? staticString(body.region, variableDefaults) : undefined,
      values,
      refs,
    };
  });
  return buildDocument(format, providers.list(), drafts);
}
