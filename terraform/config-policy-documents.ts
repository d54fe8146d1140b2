import { joinAddress } from "./common";
import { hasNoInstances, ModuleConfig, ModuleScope } from "./config-module";
import { deepEntries, invalid } from "./config-syntax";
import { rebuildPolicyDocument, RebuiltDocument } from "./iam-policy-document";
import { parsePolicyDocument } from "./policy-document";
import { dataSourceSchema, decodeBody, generatesNoBlocks, RESOURCE_META_ARGUMENTS } from "./schema";
import { JsonValue, PolicyDocument } from "./types";

/**
 * A whole value that is one document's `json`: `data.aws_iam_policy_document.NAME.json`
 * (an instance key allowed), or the forms modules use for a document with `count`
 * 0 or 1: `one(data.….NAME[*].json)` and `join("", data.….NAME.*.json)`.
 */
const DOCUMENT_REFERENCES = [
  /^\$\{\s*data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?\.json\s*\}$/,
  /^\$\{\s*one\(\s*data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[\*\]|\.\*)\.json\s*\)\s*\}$/,
  /^\$\{\s*join\(\s*""\s*,\s*data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[\*\]|\.\*)\.json\s*\)\s*\}$/,
];

/** A rebuilt document and the parts of it that stay unknown (`data.aws_iam_policy_document.x.source_policy_documents`). */
export interface ConfigDocument {
  document: PolicyDocument;
  unknownParts: string[];
}

/**
 * The `aws_iam_policy_document` data sources of one module instance, rebuilt from
 * their configuration as the provider assembles `json` (iam-policy-document.ts),
 * so that `policy = data.aws_iam_policy_document.x.json` in a folder or a
 * synthesized stack is judged as the document it produces, as in a plan.
 * Values that are not known before apply stay "${…}" strings (INPUT.md).
 */
export class ConfigPolicyDocuments {
  private readonly cache = new Map<string, ConfigDocument | null>();
  private readonly building = new Set<string>();

  constructor(
    private readonly config: ModuleConfig,
    private readonly scope: ModuleScope,
    /** The module instance's address prefix ("" for the root). */
    private readonly modulePath: string,
  ) {}

  /** The document a policy argument's value names, or undefined when it names none this module declares. */
  forValue(value: JsonValue | undefined): ConfigDocument | undefined {
    if (typeof value !== "string") return undefined;
    for (const pattern of DOCUMENT_REFERENCES) {
      const match = pattern.exec(value);
      if (match) return this.rebuild(match[1]) ?? undefined;
    }
    return undefined;
  }

  private rebuild(name: string): ConfigDocument | null {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const decl = this.config.dataSources.get(`aws_iam_policy_document.${name}`);
    const address = joinAddress(this.modulePath, `data.aws_iam_policy_document.${name}`);
    if (decl && this.building.has(name)) {
      throw invalid(decl.file, `${address} includes itself through its source or override documents; Terraform refuses the cycle`);
    }
    // A document this module does not declare, or with no instance, has no value here.
    if (!decl || hasNoInstances(decl, address, this.scope)) return null;
    this.building.add(name);
    // `statement` is the only block type at the top of a document: a dynamic one adds
    // statements known only at plan time (none over a known empty collection), beside
    // the written ones the gate still reads.
    const dynamicStatements = decl.entries.some(
      ([key, value]) => key === "dynamic" && deepEntries(value, decl.file, `${address}.dynamic`).some(([, body]) => !generatesNoBlocks(body, this.scope)),
    );
    const written = dynamicStatements ? decl.entries.filter(([key]) => key !== "dynamic") : decl.entries;
    const values = decodeBody(written, dataSourceSchema("aws_iam_policy_document"), address, {
      file: decl.file,
      scope: this.scope,
      metaArguments: RESOURCE_META_ARGUMENTS,
    });
    const unknownParts: string[] = dynamicStatements ? [`${address}.statement`] : [];
    const documentsFor = (argument: string): PolicyDocument[] | undefined => {
      const raw = values[argument];
      const followed: PolicyDocument[] = [];
      for (const element of Array.isArray(raw) ? raw : [raw]) {
        if (parsePolicyDocument(element)) continue;
        const nested = this.forValue(element);
        if (!nested) return undefined;
        unknownParts.push(...nested.unknownParts);
        followed.push(nested.document);
      }
      return followed;
    };
    const rebuilt: RebuiltDocument | undefined = rebuildPolicyDocument(values, documentsFor);
    this.building.delete(name);
    const result = rebuilt ? { document: rebuilt.document, unknownParts: [...unknownParts, ...rebuilt.unknownParts.map((part) => `${address}.${part}`)] } : null;
    this.cache.set(name, result);
    return result;
  }
}
