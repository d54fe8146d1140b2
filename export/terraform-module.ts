/**
 * Turns a synthesized cdktf stack into a plain Terraform JSON module that an existing
 * HCL or JSON root module calls with a `module` block: the same resources, variables
 * and outputs, with no backend and no provider configuration (the caller passes its
 * own providers, so no credentials or assume_role settings travel with the module).
 */
import * as fs from "fs";
import * as path from "path";

export interface ExportedModule {
  /** Files written, relative to the output folder. */
  readonly files: string[];
  /** Provider configurations the caller must pass, e.g. ["aws", "aws.log_archive"]. */
  readonly providers: string[];
  readonly resourceCount: number;
}

type Json = Record<string, unknown>;

/**
 * The hashicorp/aws versions the module accepts. Every resource type and argument the
 * constructs write exists since 4.x, and neither the 5.0.0 nor the 6.0.0 breaking
 * changes touch them (see export/README.md, "Provider versions"). Tested with 5.100.0,
 * the version @cdktf/provider-aws 20.1.0 targets and the only one in the CI mirror.
 */
export const AWS_PROVIDER_CONSTRAINT = ">= 5.0.0, < 7.0.0";

/** The constraint the module states for a provider: ours for aws, cdktf's pin otherwise. */
function moduleConstraint(name: string, pinned: string | undefined): string | undefined {
  return name === "aws" ? AWS_PROVIDER_CONSTRAINT : pinned;
}

interface StackJson {
  terraform?: { required_providers?: Record<string, { source?: string; version?: string }>; backend?: unknown };
  provider?: Record<string, Array<{ alias?: string }>>;
  resource?: Record<string, Record<string, unknown>>;
  data?: Json;
  variable?: Json;
  output?: Json;
  locals?: Json;
}

/** Reads `<stackDir>/cdk.tf.json` and writes the module into `outDir` (replacing it). */
export function exportTerraformModule(stackDir: string, outDir: string): ExportedModule {
  const stackFile = path.join(stackDir, "cdk.tf.json");
  let stack: StackJson;
  try {
    stack = JSON.parse(fs.readFileSync(stackFile, "utf8")) as StackJson;
  } catch (error) {
    throw new Error(`cannot read synthesized stack ${stackFile}: ${(error as Error).message}`);
  }
  if (!stack.resource || Object.keys(stack.resource).length === 0) {
    throw new Error(`${stackFile} has no resources: is it a synthesized cdktf stack?`);
  }

  const requiredProviders: Record<string, Json> = {};
  const providers: string[] = [];
  for (const [name, requirement] of Object.entries(stack.terraform?.required_providers ?? {})) {
    const aliases = (stack.provider?.[name] ?? []).flatMap((config) => (config.alias ? [`${name}.${config.alias}`] : []));
    providers.push(name, ...aliases);
    requiredProviders[name] = {
      // cdktf writes the short source "aws"; a module states the full address.
      source: requirement.source?.includes("/") ? requirement.source : `hashicorp/${requirement.source ?? name}`,
      version: moduleConstraint(name, requirement.version),
      ...(aliases.length > 0 ? { configuration_aliases: aliases } : {}),
    };
  }

  const files: Record<string, Json> = {
    // 1.5: the oldest Terraform the module's validation and preconditions are written for.
    "versions.tf.json": { terraform: { required_version: ">= 1.5", required_providers: requiredProviders } },
    "main.tf.json": withoutEmpty({ resource: stack.resource, data: stack.data, locals: stack.locals }),
    "variables.tf.json": withoutEmpty({ variable: stack.variable }),
    "outputs.tf.json": withoutEmpty({ output: stack.output }),
  };

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (Object.keys(content).length === 0) continue;
    fs.writeFileSync(path.join(outDir, name), `${JSON.stringify(content, null, 2)}\n`);
    written.push(name);
  }
  const resourceCount = Object.values(stack.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
  return { files: written, providers, resourceCount };
}

function withoutEmpty(blocks: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(blocks).filter(([, value]) => value !== undefined && Object.keys(value as Json).length > 0));
}
