/**
 * Mutants of a small CloudTrail estate written in Terraform JSON, for the
 * property/fuzz suite (test/fuzz.test.ts, `npm run fuzz`). Each mutation is a
 * way Terraform's JSON syntax lets one write the same (or a weaker)
 * configuration: repeated keys, array forms, strings for numbers and bools,
 * "${…}" templates, variables with defaults and tfvars, locals, override files,
 * comments, escaped keys, split files, count 0, repeated arguments.
 */
import fc from "fast-check";

/** An object whose keys may repeat, written out in this order. */
export class Entries {
  constructor(readonly entries: [string, unknown][]) {}
}

/** A key written with a \u escape for its first character (the same key to any JSON reader). */
export class EscapedKey {
  constructor(readonly key: string) {}
}

function emitKey(key: string | EscapedKey): string {
  if (key instanceof EscapedKey) return `"\\u${key.key.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(key.key).slice(2)}`;
  return JSON.stringify(key);
}

/** JSON text of a value in which Entries may repeat keys. */
export function emit(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (value instanceof Entries) {
    if (value.entries.length === 0) return "{}";
    return `{\n${value.entries.map(([k, v]) => `${inner}${emitKey(k)}: ${emit(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${emit(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") return emit(new Entries(Object.entries(value)), indent);
  return JSON.stringify(value);
}

export const ACCOUNT = "111111111111";
const KEY_ARN = `arn:aws:kms:eu-west-2:${ACCOUNT}:key/0f5a1c2e-1111-2222-3333-444455556666`;

/** A resource of the seed: its type, name and body (plain objects: mutations copy before changing). */
export interface SeedResource {
  type: string;
  name: string;
  body: Record<string, unknown>;
}

const BUCKET_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::tg-fuzz-logs", "arn:aws:s3:::tg-fuzz-logs/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::tg-fuzz-logs/AWSLogs/${ACCOUNT}/*`,
      Condition: { StringEquals: { "aws:SourceArn": `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:trail/tg-fuzz` } },
    },
  ],
});

/** The seed estate: literal values wherever a rule reads one, so mutations have something to rewrite. */
export function seedResources(): SeedResource[] {
  const bucket = (name: string, bucketName: string, lock: boolean): SeedResource[] => [
    { type: "aws_s3_bucket", name, body: { bucket: bucketName, object_lock_enabled: lock, force_destroy: false } },
    { type: "aws_s3_bucket_versioning", name, body: { bucket: bucketName, versioning_configuration: { status: "Enabled" } } },
    {
      type: "aws_s3_bucket_public_access_block",
      name,
      body: { bucket: bucketName, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    },
    {
      type: "aws_s3_bucket_server_side_encryption_configuration",
      name,
      body: {
        bucket: bucketName,
        rule: { apply_server_side_encryption_by_default: { sse_algorithm: lock ? "aws:kms" : "AES256", ...(lock ? { kms_master_key_id: KEY_ARN } : {}) }, bucket_key_enabled: true },
      },
    },
  ];
  return [
    ...bucket("logs", "tg-fuzz-logs", true),
    ...bucket("access", "tg-fuzz-access", false),
    { type: "aws_s3_bucket_object_lock_configuration", name: "logs", body: { bucket: "tg-fuzz-logs", rule: { default_retention: { mode: "COMPLIANCE", days: 365 } } } },
    {
      type: "aws_s3_bucket_lifecycle_configuration",
      name: "logs",
      body: {
        bucket: "tg-fuzz-logs",
        rule: [{ id: "archive", status: "Enabled", filter: {}, expiration: { days: 2557 }, transition: { days: 90, storage_class: "GLACIER_IR" } }],
      },
    },
    { type: "aws_s3_bucket_logging", name: "logs", body: { bucket: "tg-fuzz-logs", target_bucket: "tg-fuzz-access", target_prefix: "logs/" } },
    { type: "aws_s3_bucket_policy", name: "logs", body: { bucket: "tg-fuzz-logs", policy: BUCKET_POLICY } },
    { type: "aws_kms_key", name: "logs", body: { description: "trail logs", enable_key_rotation: true, deletion_window_in_days: 30 } },
    { type: "aws_cloudwatch_log_group", name: "trail", body: { name: "tg-fuzz-trail", retention_in_days: 365, kms_key_id: KEY_ARN } },
    { type: "aws_sns_topic", name: "alerts", body: { name: "tg-fuzz-alerts", kms_master_key_id: KEY_ARN } },
    {
      type: "aws_cloudtrail",
      name: "trail",
      body: {
        name: "tg-fuzz",
        s3_bucket_name: "tg-fuzz-logs",
        kms_key_id: KEY_ARN,
        is_multi_region_trail: true,
        include_global_service_events: true,
        enable_log_file_validation: true,
        is_organization_trail: true,
        enable_logging: true,
        cloud_watch_logs_group_arn: `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:tg-fuzz-trail:*`,
        cloud_watch_logs_role_arn: `arn:aws:iam::${ACCOUNT}:role/tg-fuzz-trail`,
      },
    },
  ];
}

/** Offline provider configuration: fake credentials, no AWS call during plan. */
export const OFFLINE_PROVIDER = {
  region: "eu-west-2",
  access_key: "fuzz",
  secret_key: "fuzz",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
};

/** A number, bool or string a rule reads, at a path inside a resource body. */
export interface Leaf {
  resource: number;
  path: (string | number)[];
  value: number | boolean | string;
}

/** Every scalar of the seed a rule may read (not names, which tie resources together). */
export function leaves(resources: SeedResource[]): Leaf[] {
  const found: Leaf[] = [];
  const walk = (resource: number, value: unknown, path: (string | number)[]) => {
    if (typeof value === "number" || typeof value === "boolean") found.push({ resource, path, value });
    else if (typeof value === "string" && ["status", "mode", "sse_algorithm"].includes(String(path[path.length - 1]))) found.push({ resource, path, value });
    else if (Array.isArray(value)) value.forEach((item, index) => walk(resource, item, [...path, index]));
    else if (value && typeof value === "object") for (const [key, item] of Object.entries(value)) walk(resource, item, [...path, key]);
  };
  resources.forEach((r, index) => walk(index, r.body, []));
  return found;
}

function getAt(body: Record<string, unknown>, path: (string | number)[]): unknown {
  return path.reduce<unknown>((current, step) => (current as Record<string | number, unknown>)[step], body);
}

function setAt(body: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  const parent = getAt(body, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
}

/** A weaker value for a leaf: a short retention, a control switched off, a weaker mode. */
export function weaker(leaf: Leaf): number | boolean | string {
  if (typeof leaf.value === "number") return 1;
  if (typeof leaf.value === "boolean") return !leaf.value;
  return { Enabled: "Suspended", COMPLIANCE: "GOVERNANCE", "aws:kms": "AES256" }[leaf.value] ?? leaf.value;
}

/** One mutation, described for the report, applied to a mutable estate. */
export type Mutation =
  | { kind: "stringify"; leaf: number }
  | { kind: "template"; leaf: number }
  | { kind: "exponent"; leaf: number }
  | { kind: "variable"; leaf: number; typed: boolean; tfvars: "none" | "same" | "weaker"; file: "terraform.tfvars.json" | "a.auto.tfvars.json" | "terraform.tfvars" }
  | { kind: "local"; leaf: number }
  | { kind: "conditional"; leaf: number; negate: boolean }
  | { kind: "weaken"; leaf: number }
  | { kind: "override"; leaf: number; weaker: boolean }
  | { kind: "split-resource-key"; resource: number }
  | { kind: "split-type-key"; resource: number }
  | { kind: "array-form"; resource: number; level: "resource" | "type" | "body" }
  | { kind: "comment"; resource: number }
  | { kind: "escaped-key"; resource: number }
  | { kind: "split-file"; resource: number }
  | { kind: "count-zero"; resource: number }
  | { kind: "count-conditional"; resource: number }
  | { kind: "repeat-argument"; resource: number };

/** A mutated estate: the files of one module folder, and the mutations that made it. */
export interface Mutant {
  id: string;
  mutations: Mutation[];
  files: Record<string, string>;
  /**
   * The same module as Terraform plans it in the oracle, as a child module:
   * without its provider block (the root configures it once, so a batch runs
   * one provider process) and with its tfvars values passed as module
   * arguments (a child module reads no tfvars files).
   */
  oracle: { files: Record<string, string>; arguments: Record<string, unknown> };
  /**
   * What Terraform reads from the mutant, worked out from the mutations: every
   * leaf's value, the resources without instances (count 0), or that Terraform
   * refuses the configuration. `canonicalMutant` writes it as plain literals.
   */
  expected: { values: (number | boolean | string)[]; removed: number[]; refused: boolean };
}

export function mutationArbitrary(resourceCount: number, leafCount: number): fc.Arbitrary<Mutation> {
  const leaf = fc.nat({ max: leafCount - 1 });
  const resource = fc.nat({ max: resourceCount - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant("stringify" as const), leaf }),
    fc.record({ kind: fc.constant("template" as const), leaf }),
    fc.record({ kind: fc.constant("exponent" as const), leaf }),
    fc.record({
      kind: fc.constant("variable" as const),
      leaf,
      typed: fc.boolean(),
      tfvars: fc.constantFrom("none" as const, "same" as const, "weaker" as const),
      file: fc.constantFrom("terraform.tfvars.json" as const, "a.auto.tfvars.json" as const, "terraform.tfvars" as const),
    }),
    fc.record({ kind: fc.constant("local" as const), leaf }),
    fc.record({ kind: fc.constant("conditional" as const), leaf, negate: fc.boolean() }),
    fc.record({ kind: fc.constant("weaken" as const), leaf }),
    fc.record({ kind: fc.constant("override" as const), leaf, weaker: fc.boolean() }),
    fc.record({ kind: fc.constant("split-resource-key" as const), resource }),
    fc.record({ kind: fc.constant("split-type-key" as const), resource }),
    fc.record({ kind: fc.constant("array-form" as const), resource, level: fc.constantFrom("resource" as const, "type" as const, "body" as const) }),
    fc.record({ kind: fc.constant("comment" as const), resource }),
    fc.record({ kind: fc.constant("escaped-key" as const), resource }),
    fc.record({ kind: fc.constant("split-file" as const), resource }),
    fc.record({ kind: fc.constant("count-zero" as const), resource }),
    fc.record({ kind: fc.constant("count-conditional" as const), resource }),
    fc.record({ kind: fc.constant("repeat-argument" as const), resource }),
  );
}

/** Mutations that keep the configuration's meaning (Terraform reads the same values). */
export function preservesMeaning(mutation: Mutation): boolean {
  switch (mutation.kind) {
    case "weaken":
    case "count-zero":
    case "count-conditional":
    case "repeat-argument":
      return false;
    case "override":
      return !mutation.weaker;
    case "variable":
      return mutation.tfvars !== "weaker";
    default:
      return true;
  }
}

function hclValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Builds the files of a mutant from the seed and its mutations, applied in order. */
export function buildMutant(id: string, mutations: Mutation[]): Mutant {
  const resources = seedResources().map((r) => ({ ...r, body: structuredClone(r.body) }));
  const seedLeaves = leaves(resources);
  const variables: [string, unknown][] = [];
  const locals: [string, unknown][] = [];
  const extraFiles: Record<string, string> = {};
  const tfvars: Record<string, Record<string, unknown>> = {};
  const overrides: SeedResource[] = [];
  // Per resource: how it is written.
  const style = resources.map(() => ({
    topKey: 0,
    typeKey: 0,
    arrayLevel: new Set<string>(),
    comment: false,
    escaped: false,
    file: "main.tf.json",
    repeat: false,
  }));
  let topKeys = 1;
  let typeKeys = 1;
  // What Terraform reads for each leaf from the primary files, then after override files,
  // and which top-level arguments an override file replaced.
  const primary = seedLeaves.map((leaf) => leaf.value);
  const effective = seedLeaves.map((leaf) => leaf.value);
  const overridden = new Set<string>();
  const removed = new Set<number>();
  let refused = false;
  const interpret = (leaf: Leaf, written: unknown): number | boolean | string => {
    if (typeof leaf.value === "number") return Number(written);
    if (typeof leaf.value === "boolean") return written === true || written === "true" || written === "1";
    return String(written);
  };

  mutations.forEach((mutation, index) => {
    if ("leaf" in mutation) {
      const leaf = seedLeaves[mutation.leaf];
      const body = resources[leaf.resource].body;
      const current = getAt(body, leaf.path);
      // A leaf an earlier mutation already turned into an expression is left alone.
      if (typeof current === "string" && current.includes("${") && mutation.kind !== "override") return;
      // Under an argument an override file replaced, the primary file no longer counts.
      const shadowed = overridden.has(`${leaf.resource}:${leaf.path[0]}`);
      const weakenedWritten = weaker({ ...leaf, value: current as Leaf["value"] });
      const isExpression = typeof current === "string" && current.includes("${");
      if (mutation.kind === "weaken" || (mutation.kind === "variable" && mutation.tfvars === "weaker")) {
        primary[mutation.leaf] = interpret(leaf, weakenedWritten);
        if (!shadowed) effective[mutation.leaf] = primary[mutation.leaf];
      }
      if (mutation.kind === "override") {
        // The override file copies the whole top-level argument as the primary file has it now.
        const top = leaf.path[0];
        seedLeaves.forEach((other, index) => {
          if (other.resource === leaf.resource && other.path[0] === top) effective[index] = primary[index];
        });
        overridden.add(`${leaf.resource}:${top}`);
        if (mutation.weaker && !isExpression) effective[mutation.leaf] = interpret(leaf, weakenedWritten);
      }
      switch (mutation.kind) {
        case "stringify":
          setAt(body, leaf.path, String(current));
          return;
        case "template":
          setAt(body, leaf.path, typeof current === "string" ? `\${${JSON.stringify(current)}}` : `\${${String(current)}}`);
          return;
        case "exponent":
          if (typeof current === "number") setAt(body, leaf.path, current % 10 === 0 ? `${current / 10}e1` : `${current}e0`);
          return;
        case "variable": {
          const name = `v${index}`;
          const type = typeof current === "number" ? "number" : typeof current === "boolean" ? "bool" : "string";
          variables.push([name, { ...(mutation.typed ? { type } : {}), default: current }]);
          setAt(body, leaf.path, `\${var.${name}}`);
          if (mutation.tfvars !== "none") {
            const value = mutation.tfvars === "weaker" ? weaker({ ...leaf, value: current as Leaf["value"] }) : current;
            (tfvars[mutation.file] ??= {})[name] = value;
          }
          return;
        }
        case "local":
          locals.push([`l${index}`, current]);
          setAt(body, leaf.path, `\${local.l${index}}`);
          return;
        case "conditional": {
          // A bool variable picks the current value; the other arm (same type) is never taken.
          const name = `c${index}`;
          const other = weaker({ ...leaf, value: current as Leaf["value"] });
          variables.push([name, { type: "bool", default: !mutation.negate }]);
          const condition = mutation.negate ? `!var.${name}` : `var.${name}`;
          const otherArm = typeof other === typeof current ? other : current;
          setAt(body, leaf.path, `\${${condition} ? ${hclValue(current)} : ${hclValue(otherArm)}}`);
          return;
        }
        case "weaken":
          setAt(body, leaf.path, weaker({ ...leaf, value: current as Leaf["value"] }));
          return;
        case "override": {
          // The override sets the argument at the top of the body (a nested block is replaced whole).
          const top = leaf.path[0] as string;
          const replacement = structuredClone(getAt(body, [top]));
          const copy = { [top]: replacement } as Record<string, unknown>;
          if (mutation.weaker) setAt(copy, leaf.path, weaker({ ...leaf, value: getAt(copy, leaf.path) as Leaf["value"] }));
          overrides.push({ type: resources[leaf.resource].type, name: resources[leaf.resource].name, body: copy });
          return;
        }
      }
      return;
    }
    const s = style[mutation.resource];
    switch (mutation.kind) {
      case "split-resource-key":
        s.topKey = topKeys++;
        return;
      case "split-type-key":
        s.typeKey = typeKeys++;
        return;
      case "array-form":
        s.arrayLevel.add(mutation.level);
        return;
      case "comment":
        s.comment = true;
        return;
      case "escaped-key":
        s.escaped = true;
        return;
      case "split-file":
        s.file = "b.tf.json";
        return;
      case "count-zero":
        resources[mutation.resource].body.count = 0;
        removed.add(mutation.resource);
        return;
      case "count-conditional":
        variables.push([`k${index}`, { type: "bool", default: true }]);
        resources[mutation.resource].body.count = `\${var.k${index} ? 0 : 1}`;
        removed.add(mutation.resource);
        return;
      case "repeat-argument":
        s.repeat = true;
        refused = true;
        return;
    }
  });

  // Group resources by file, then by top-level "resource" key copy, then by type key copy.
  const files: Record<string, string> = {};
  const byFile = new Map<string, number[]>();
  resources.forEach((_, index) => {
    const list = byFile.get(style[index].file) ?? [];
    list.push(index);
    byFile.set(style[index].file, list);
  });
  if (!byFile.has("main.tf.json")) byFile.set("main.tf.json", []);
  const oracleFiles: Record<string, string> = {};
  for (const [file, indexes] of byFile) {
    const top: [string, unknown][] = [];
    if (file === "main.tf.json") {
      if (variables.length > 0) top.push(["variable", new Entries(variables)]);
      if (locals.length > 0) top.push(["locals", new Entries(locals)]);
    }
    const topGroups = new Map<number, number[]>();
    for (const index of indexes) topGroups.set(style[index].topKey, [...(topGroups.get(style[index].topKey) ?? []), index]);
    for (const [, group] of [...topGroups].sort((a, b) => a[0] - b[0])) {
      const typeEntries: [string | EscapedKey, unknown][] = [];
      const typeGroups = new Map<string, number[]>();
      for (const index of group) {
        const key = `${resources[index].type}\u0000${style[index].typeKey}`;
        typeGroups.set(key, [...(typeGroups.get(key) ?? []), index]);
      }
      let resourceArray = false;
      for (const [key, members] of typeGroups) {
        const type = key.split("\u0000")[0];
        const nameEntries: [string | EscapedKey, unknown][] = [];
        let typeArray = false;
        for (const index of members) {
          const s = style[index];
          const bodyEntries: [string | EscapedKey, unknown][] = [];
          if (s.comment) bodyEntries.push(["//", "fuzz comment"]);
          for (const [argument, value] of Object.entries(resources[index].body)) {
            bodyEntries.push([s.escaped ? new EscapedKey(argument) : argument, value]);
          }
          if (s.repeat) {
            const [argument, value] = Object.entries(resources[index].body).find(([, v]) => typeof v !== "object") ?? ["count", 1];
            bodyEntries.push([argument, value]);
          }
          const body = new Entries(bodyEntries as [string, unknown][]);
          nameEntries.push([s.escaped ? new EscapedKey(resources[index].name) : resources[index].name, s.arrayLevel.has("body") ? [body] : body]);
          if (s.arrayLevel.has("type")) typeArray = true;
          if (s.arrayLevel.has("resource")) resourceArray = true;
        }
        const names = new Entries(nameEntries as [string, unknown][]);
        typeEntries.push([type, typeArray ? [names] : names]);
      }
      const types = new Entries(typeEntries as [string, unknown][]);
      top.push(["resource", resourceArray ? [types] : types]);
    }
    oracleFiles[file] = emit(new Entries(top));
    files[file] = file === "main.tf.json" ? emit(new Entries([["provider", { aws: OFFLINE_PROVIDER }], ...top])) : oracleFiles[file];
  }
  if (overrides.length > 0) {
    const byType = new Map<string, [string, unknown][]>();
    for (const o of overrides) byType.set(o.type, [...(byType.get(o.type) ?? []), [o.name, o.body]]);
    // Each override gets its own file, applied in name order, as Terraform does.
    overrides.forEach((o, index) => {
      files[`o${index}_override.tf.json`] = emit({ resource: { [o.type]: { [o.name]: o.body } } });
      oracleFiles[`o${index}_override.tf.json`] = files[`o${index}_override.tf.json`];
    });
  }
  for (const [file, values] of Object.entries(tfvars)) {
    files[file] = file.endsWith(".json")
      ? emit(values)
      : `${Object.entries(values)
          .map(([name, value]) => `${name} = ${hclValue(value)}`)
          .join("\n")}\n`;
  }
  Object.assign(files, extraFiles);
  Object.assign(oracleFiles, extraFiles);
  // Terraform's order: terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) by name; later wins.
  const order = (file: string) => (file === "terraform.tfvars" ? "0" : file === "terraform.tfvars.json" ? "1" : `2${file}`);
  const argumentsFromTfvars: Record<string, unknown> = {};
  for (const file of Object.keys(tfvars).sort((a, b) => (order(a) < order(b) ? -1 : 1))) Object.assign(argumentsFromTfvars, tfvars[file]);
  return {
    id,
    mutations,
    files,
    oracle: { files: oracleFiles, arguments: argumentsFromTfvars },
    expected: { values: effective, removed: [...removed].sort((a, b) => a - b), refused },
  };
}

/** The mutants of one fuzz run: `count` estates of 1 to 4 mutations each, from `seed`. */
export function sampleMutants(count: number, seed: number): Mutant[] {
  const resources = seedResources();
  const arbitrary = fc.array(mutationArbitrary(resources.length, leaves(resources).length), { minLength: 1, maxLength: 4 });
  return fc.sample(arbitrary, { numRuns: count, seed }).map((mutations, index) => buildMutant(`m${index}`, mutations));
}

/**
 * The plain form of what Terraform reads from a mutant: the seed with every
 * leaf's expected value written as a literal of its type, and count 0 on the
 * resources without instances. The gate must read a mutant as it reads this.
 */
export function canonicalMutant(mutant: Mutant): Mutant {
  const canonical = buildMutant(`${mutant.id}-canonical`, []);
  const resources = seedResources();
  leaves(resources).forEach((leaf, index) => setAt(resources[leaf.resource].body, leaf.path, mutant.expected.values[index]));
  for (const index of mutant.expected.removed) resources[index].body.count = 0;
  const byType = new Map<string, Record<string, unknown>>();
  for (const r of resources) byType.set(r.type, { ...(byType.get(r.type) ?? {}), [r.name]: r.body });
  canonical.files = { "main.tf.json": emit({ provider: { aws: OFFLINE_PROVIDER }, resource: Object.fromEntries(byType) }) };
  return canonical;
}
