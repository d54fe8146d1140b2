/**
 * `npm run export-module [-- <stackDir> <outDir>]`: writes the synthesized example
 * stack as a plain Terraform module folder.
 */
import { exportTerraformModule } from "./terraform-module";

const [stackDir = "cdktf.out/stacks/trailgate-uk", outDir = "build/terraform-module/trailgate-uk"] = process.argv.slice(2);
try {
  const result = exportTerraformModule(stackDir, outDir);
  console.log(`exported ${result.resourceCount} resources to ${outDir} (${result.files.join(", ")}); the caller passes providers: ${result.providers.join(", ")}`);
} catch (error) {
  console.error(`trailgate export: error: ${(error as Error).message}`);
  process.exit(2);
}
