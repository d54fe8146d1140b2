/**
 * `node dist/export/cli.js [outDir]` (part of `npm run synth`): synthesizes the example
 * estate with module inputs (accounts, organisation, names, region, retention and
 * alert e-mails as validated Terraform variables) and writes it as a reusable plain
 * Terraform module, by default to build/terraform-module/trailgate-uk.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exportModuleFromConfig } from "./module";
import { exampleConfig } from "../example-config";

const [outDir = "build/terraform-module/trailgate-uk"] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-export-"));
try {
  const result = exportModuleFromConfig(exampleConfig, outDir, work);
  console.log(`exported ${result.resourceCount} resources to ${outDir} (${result.files.join(", ")}); the caller passes providers: ${result.providers.join(", ")}`);
} catch (error) {
  console.error(`trailgate export: error: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
