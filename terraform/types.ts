/** The normalised shape every rule reads: policies/INPUT.md is the contract. */

import { ParsedFilterPattern } from "./filter-pattern";

/** "live": the deployed estate as `trailgate verify` reads it (operations/verify). */
export type InputFormat = "synth" | "plan" | "module" | "live";

export interface NormalizedProvider {
  /** "provider.aws" for the default configuration, "provider.aws.<alias>" otherwise. */
  address: string;
  name: string;
  /** "" for the default configuration. */
  alias: string;
  /** null when unset or not statically known. */
  region: string | null;
  /** References behind an unknown argument that could not be followed, e.g. {"region": ["local.region"]}. */
  unresolved?: Record<string, string[]>;
  /** The literal account ids of the provider's allowed_account_ids; absent when it sets none. */
  allowed_account_ids?: string[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface PolicyStatement {
  Sid?: JsonValue;
  Effect?: JsonValue;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: Record<string, string[]>;
  NotPrincipal?: Record<string, string[]>;
  Condition?: Record<string, Record<string, JsonValue[]>>;
}

export interface PolicyDocument {
  Version?: JsonValue;
  Id?: JsonValue;
  Statement: PolicyStatement[];
}

export interface NormalizedResource {
  address: string;
  type: string;
  name: string;
  provider: string;
  region: string | null;
  values: JsonObject;
  refs: Record<string, string[]>;
  policies: Record<string, PolicyDocument>;
  /** Literal ARNs in values and policies, unique and sorted. */
  arns: string[];
  /**
   * Per argument whose value is not known before apply: the references (`local.x`,
   * `var.y`, a data source's unknown part) that could not be followed to a resource
   * or a static value. Absent when everything resolved (policies/INPUT.md).
   */
  unresolved?: Record<string, string[]>;
  /**
   * "unknown" when the resource's count / for_each (or its module call's) is not known
   * before apply, so it may have no instance at all; absent when it is known to exist
   * (policies/INPUT.md "values").
   */
  instances?: "unknown";
  /** aws_cloudwatch_log_metric_filter only: its `pattern`, parsed (INPUT.md "filter_pattern"). */
  filter_pattern?: ParsedFilterPattern;
}

export interface NormalizedDocument {
  format: InputFormat;
  providers: NormalizedProvider[];
  resources: Record<string, NormalizedResource[]>;
  /** Live documents only: what the AWS APIs report about the running estate (INPUT.md "runtime"). */
  runtime?: JsonObject;
}

/** Where a finding points in SARIF: the file and the line of the resource's key. */
export interface SourceLocation {
  file: string;
  line: number;
  /** The cdktf construct path of the resource (synthesized input), e.g. "audit/log_archive/bucket". */
  constructPath?: string;
}

/**
 * One configuration the gate evaluates, with what the reports need beside the
 * policy input: a display name and source locations per address.
 */
export interface GateDocument {
  /** e.g. the stack name, the plan file or the module folder. */
  name: string;
  /** The file findings without a located resource point at. */
  file: string;
  input: NormalizedDocument;
  /** Keyed by resource or provider address; may be computed on first read. */
  readonly locations: Map<string, SourceLocation>;
  /**
   * Synthesized input: the settings addPolicyGate recorded in the stack (its top-level
   * `"//": {"trailgate": ...}`, gate/recorded-settings.ts), unparsed, and the file holding them.
   */
  readonly gateRecord?: { raw: JsonValue; file: string };
}
