/**
 * The configuration a plan was made from, read for what `terraform show -json`
 * leaves out: the expressions of `locals`. Terraform 1.11.4 lists `local.x` in a
 * resource's `references` but writes no locals anywhere in the plan JSON (measured:
 * test/gate/plan-fixtures/README.md), so a reference through a local can only be
 * followed with the module's source files beside the plan. They are read as every
 * configuration folder is (config-folder.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { describeError, GateInputError } from "../core/errors";
import { hasConfigurationFiles, ModuleFolder, readModuleTree, treeFolders } from "./config-folder";
import { InputBudget } from "./input-file";

export interface PlanSources {
  rootDir: string;
  /** Each module's folder by its key ("" for the root, "a.b" for module.a.module.b); a module not installed is absent. */
  modules: Map<string, ModuleFolder>;
  /** Named with --config (a mismatch is an input error) rather than found beside the plan file. */
  explicit: boolean;
}

/**
 * Reads the root module in `rootDir` and the module every call names: a local
 * path beside the caller, else where `terraform init` installed it
 * (`.terraform/modules/modules.json`). The bytes read come out of `budget`.
 */
export function readPlanSources(rootDir: string, explicit = true, budget = InputBudget.fromEnvironment()): PlanSources {
  const root = readModuleTree(rootDir, { budget, missingModule: "leave out", variableFiles: false });
  return { rootDir, modules: new Map(treeFolders(root).map((folder) => [folder.key, folder])), explicit };
}

/**
 * The configuration to read beside a plan: `configDir` when given (`--config`),
 * else the folder of the input file when it holds Terraform files (the usual
 * `terraform show -json plan.bin > plan.json` in the root module). A folder found
 * that way that cannot be read is not used (and what it took from `budget` is
 * given back): references through locals then stay unresolved, which the rules
 * report.
 */
export function planSourcesFor(inputPath: string, configDir?: string, budget = InputBudget.fromEnvironment()): PlanSources | undefined {
  if (configDir !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(configDir).isDirectory();
    } catch (error) {
      throw new GateInputError(`--config ${configDir}: ${describeError(error)}`);
    }
    if (!isDirectory) throw new GateInputError(`--config ${configDir} is not a directory`);
    return readPlanSources(configDir, true, budget);
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
    return budget.givenBackOnFailure(() => readPlanSources(dir, false, budget));
  } catch {
    return undefined;
  }
}
