/**
 * The configuration a plan was made from, read for what `terraform show -json`
 * leaves out: the expressions of `locals`. Terraform 1.11.4 lists `local.x` in a
 * resource's `references` but writes no locals anywhere in the plan JSON (measured:
 * test/gate/plan-fixtures/README.md), so a reference through a local can only be
 * followed with the module's source files beside the plan.
 */
import * as fs from "fs";
import * as path from "path";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "worker_threads";
import { describeError, GateInputError } from "../errors";
import { isObject, JsonObject, JsonValue } from "./types";

/** One module's declarations, by the module's key ("" for the root, "a.b" for module.a.module.b). */
export interface ModuleSource {
  dir: string;
  locals: Map<string, JsonValue>;
  /** `type.name` and `data.type.name` of every resource and data block. */
  blocks: Set<string>;
  moduleCalls: Set<string>;
}

export interface PlanSources {
  rootDir: string;
  modules: Map<string, ModuleSource>;
  /** Named with --config (a mismatch is an input error) rather than found beside the plan file. */
  explicit: boolean;
}

interface ModulesManifest {
  Modules?: { Key?: string; Source?: string; Dir?: string }[];
}

/** Terraform's override files: merged after the others, their locals replacing same-named ones. */
function isOverrideFile(name: string): boolean {
  return /^(override|.+_override)\.tf(\.json)?$/.test(name);
}

/** HCL's JSON syntax allows a block to be an object or an array of objects. */
function bodies(value: JsonValue | undefined): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/**
 * @cdktf/hcl2json (Go compiled to WebAssembly) only parses asynchronously; the gate
 * reads its inputs synchronously (runGate, the synth-time validation). A worker
 * thread runs the parser and the caller waits for each answer with Atomics.wait.
 */
const WORKER_SOURCE = `
const { workerData } = require("worker_threads");
const hcl2json = require(workerData.parser);
const signal = new Int32Array(workerData.signal);
workerData.port.on("message", async ({ name, text }) => {
  let reply;
  try {
    reply = { json: await hcl2json.parse(name, text) };
  } catch (error) {
    reply = { error: String((error && error.message) || error) };
  }
  workerData.port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;
/** The longest one file may take to parse (the first call also starts the parser). */
const PARSE_TIMEOUT_MS = 60_000;

class HclParser {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;

  constructor() {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: channel.port2, signal: this.signal.buffer, parser: require.resolve("@cdktf/hcl2json") },
      transferList: [channel.port2],
    });
    this.worker.unref();
  }

  parse(name: string, text: string): JsonObject {
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ name, text });
    if (Atomics.wait(this.signal, 0, 0, PARSE_TIMEOUT_MS) === "timed-out") {
      throw new Error(`the HCL parser gave no answer within ${PARSE_TIMEOUT_MS / 1000} s`);
    }
    const reply = receiveMessageOnPort(this.port)?.message as { json?: JsonObject; error?: string } | undefined;
    if (!reply || reply.error !== undefined || !isObject(reply.json)) throw new Error(reply?.error ?? "the HCL parser gave no result");
    return reply.json;
  }

  close(): void {
    void this.worker.terminate();
    this.port.close();
  }
}

function parseFile(file: string, parser: () => HclParser): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new GateInputError(`cannot read ${file}: ${describeError(error)}`);
  }
  try {
    if (file.endsWith(".json")) {
      const json = JSON.parse(text) as JsonValue;
      if (!isObject(json)) throw new Error("not a JSON object");
      return json;
    }
    return parser().parse(path.basename(file), text);
  } catch (error) {
    throw new GateInputError(`cannot parse ${file}: ${describeError(error)}`);
  }
}

/** Reads one module directory's `.tf` and `.tf.json` files. */
function readModuleSource(dir: string, parser: () => HclParser): ModuleSource {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => /\.tf(\.json)?$/.test(name) && fs.statSync(path.join(dir, name)).isFile());
  } catch (error) {
    throw new GateInputError(`cannot read module directory ${dir}: ${describeError(error)}`);
  }
  names.sort((a, b) => Number(isOverrideFile(a)) - Number(isOverrideFile(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const source: ModuleSource = { dir, locals: new Map(), blocks: new Set(), moduleCalls: new Set() };
  for (const name of names) {
    const json = parseFile(path.join(dir, name), parser);
    for (const block of bodies(json.locals)) for (const [local, value] of Object.entries(block)) source.locals.set(local, value);
    for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
      for (const body of bodies(json[kind])) {
        for (const [type, byName] of Object.entries(body)) {
          for (const named of bodies(byName)) for (const blockName of Object.keys(named)) source.blocks.add(`${prefix}${type}.${blockName}`);
        }
      }
    }
    for (const body of bodies(json.module)) for (const call of Object.keys(body)) source.moduleCalls.add(call);
  }
  return source;
}

/** True when `dir` holds Terraform configuration files (so a plan beside them may come from it). */
export function hasConfigurationFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((name) => /\.tf(\.json)?$/.test(name));
  } catch {
    return false;
  }
}

/**
 * Reads the root module in `rootDir` and every module `terraform init` installed
 * for it (`.terraform/modules/modules.json`, which lists local-path modules too).
 * Without that manifest, local-path module calls are followed from their source.
 */
export function readPlanSources(rootDir: string, explicit = true): PlanSources {
  let started: HclParser | undefined;
  const parser = () => (started ??= new HclParser());
  try {
    return readSources(rootDir, explicit, parser);
  } finally {
    started?.close();
  }
}

function readSources(rootDir: string, explicit: boolean, parser: () => HclParser): PlanSources {
  const modules = new Map<string, ModuleSource>();
  modules.set("", readModuleSource(rootDir, parser));
  const manifestFile = path.join(rootDir, ".terraform", "modules", "modules.json");
  if (fs.existsSync(manifestFile)) {
    let manifest: ModulesManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as ModulesManifest;
    } catch (error) {
      throw new GateInputError(`cannot read ${manifestFile}: ${describeError(error)}`);
    }
    for (const entry of manifest.Modules ?? []) {
      if (!entry.Key || typeof entry.Dir !== "string") continue;
      modules.set(entry.Key, readModuleSource(path.resolve(rootDir, entry.Dir), parser));
    }
    return { rootDir, modules, explicit };
  }
  const pending = [""];
  while (pending.length > 0) {
    const key = pending.pop()!;
    const module = modules.get(key)!;
    for (const file of fs.readdirSync(module.dir).filter((name) => /\.tf(\.json)?$/.test(name))) {
      const json = parseFile(path.join(module.dir, file), parser);
      for (const body of bodies(json.module)) {
        for (const [call, value] of Object.entries(body)) {
          const source = bodies(value)[0]?.source;
          if (typeof source !== "string" || !/^\.\.?\//.test(source)) continue;
          const childKey = key ? `${key}.${call}` : call;
          if (modules.has(childKey)) continue;
          modules.set(childKey, readModuleSource(path.resolve(module.dir, source), parser));
          pending.push(childKey);
        }
      }
    }
  }
  return { rootDir, modules, explicit };
}

/**
 * The configuration to read beside a plan: `configDir` when given (`--config`),
 * else the folder of the input file when it holds Terraform files (the usual
 * `terraform show -json plan.bin > plan.json` in the root module). A folder found
 * that way that cannot be read is not used: references through locals then stay
 * unresolved, which the rules report.
 */
export function planSourcesFor(inputPath: string, configDir?: string): PlanSources | undefined {
  if (configDir !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(configDir).isDirectory();
    } catch (error) {
      throw new GateInputError(`--config ${configDir}: ${describeError(error)}`);
    }
    if (!isDirectory) throw new GateInputError(`--config ${configDir} is not a directory`);
    return readPlanSources(configDir, true);
  }
  let dir: string;
  try {
    if (!fs.statSync(inputPath).isFile()) return undefined;
    dir = path.dirname(inputPath);
  } catch {
    return undefined;
  }
  if (!hasConfigurationFiles(dir)) return undefined;
  try {
    return readPlanSources(dir, false);
  } catch {
    return undefined;
  }
}
