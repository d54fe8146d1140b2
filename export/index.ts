/** The module export as a library (`import ... from "trailgate/export"`). */
export { AWS_PROVIDER_CONSTRAINT, exportTerraformModule } from "./terraform-module";
export type { ExportedModule } from "./terraform-module";
export { exportModuleFromConfig } from "./module";
