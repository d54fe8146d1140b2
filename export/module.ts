import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { PACKAGE_ROOT } from "../core/paths";
import { TrailgateConfig, TrailgateStack } from "../modules";
import { ExportedModule, exportTerraformModule } from "./terraform-module";

/**
 * Settings the module cannot take from its caller: they name things in one estate's
 * accounts (reader roles, access points in its VPCs, its data buckets). A reusable
 * module leaves them out; a team that needs them composes the Trailgate construct.
 */
const ESTATE_SPECIFIC: Array<keyof TrailgateConfig> = ["readerRoleArns", "accessPoints", "s3DataEventBuckets", "existing", "tags", "alertEmails"];

/**
 * Synthesizes `config` as a TrailgateStack with module inputs into `workDir` and
 * exports it to `outDir`: a module whose accounts, organisation, names, region,
 * retention and alert e-mails are variables (defaults from `config` where it has them).
 */
export function exportModuleFromConfig(config: TrailgateConfig, outDir: string, workDir: string): ExportedModule {
  const reusable = Object.fromEntries(Object.entries(config).filter(([key]) => !ESTATE_SPECIFIC.includes(key as keyof TrailgateConfig))) as unknown as TrailgateConfig;
  const app = new App({ outdir: workDir });
  new TrailgateStack(app, "module", reusable, { moduleInputs: true });
  app.synth();
  const exported = exportTerraformModule(path.join(workDir, "stacks", "module"), outDir);
  // The module's own README: its inputs, outputs, providers and versions.
  fs.copyFileSync(path.join(PACKAGE_ROOT, "export", "README.md"), path.join(outDir, "README.md"));
  return { ...exported, files: [...exported.files, "README.md"] };
}
