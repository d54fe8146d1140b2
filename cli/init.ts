import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseCommandLine } from "./args";
import type { Io } from "./io";
import { describeError, GateInputError } from "../core/errors";
import { forTerminalLine } from "../core/output-safety";
import { PACKAGE_ROOT, packageInfo } from "../core/paths";
import { CONFIG_FILE_NAME } from "../gate/project-config";

export const INIT_USAGE = `usage: trailgate init [DIR] [--management-account ID] [--log-archive-account ID]
                      [--organization-id o-...] [--alert-email ADDRESS]...
                      [--package SPEC] [--force]

Writes a minimal cdktf app that builds the audit-logging estate and gates it, into DIR
(default: the current folder; created if missing): package.json (exact versions of
cdktf, cdktf-cli, @cdktf/provider-aws, constructs, typescript, ts-node and this
trailgate), tsconfig.json, cdktf.json, main.ts, ${CONFIG_FILE_NAME},
.github/workflows/trailgate.yml and .gitignore. It writes files only: no network.

--management-account   the AWS Organizations management account (12 digits)
--log-archive-account  the dedicated log-archive account (12 digits)
--organization-id      the organisation's id (o-...)
--alert-email          who is told of alerts, in every tier (repeat for more)
                       A value left out stays a <placeholder> in main.ts: synth stops
                       there with an error naming the field, until it is filled in.
--package SPEC         how package.json names trailgate, as npm understands it
                       (default: the version running, e.g. a registry version, or
                       file:./vendor/trailgate-0.1.0.tgz for a vendored tarball)
--force                overwrite files that exist (default: refuse, exit 2)

Then: npm install && npx cdktf synth && npx trailgate check cdktf.out
exit codes: 0 written, 2 usage error or a file exists (nothing is written)
`;

/** The packages the app pins, at the exact versions trailgate itself is built and tested with. */
const PINNED = {
  dependencies: ["cdktf", "constructs", "@cdktf/provider-aws"],
  devDependencies: ["cdktf-cli", "typescript", "ts-node", "@types/node"],
} as const;

const EXACT_VERSION = /^\d+\.\d+\.\d+$/;
// The same forms resolveTrailgateConfig accepts (modules/baseline.ts, not imported: the CLI runs without cdktf).
const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The stack's id, and so the construct path trailgate.config.json scopes the gate to. */
const STACK_ID = "audit";

interface InitOptions {
  dir: string;
  managementAccount?: string;
  logArchiveAccount?: string;
  organizationId?: string;
  alertEmails: string[];
  packageSpec?: string;
  force: boolean;
}

const VALUE_FLAGS = ["--management-account", "--log-archive-account", "--organization-id", "--alert-email", "--package"];

function parseInitArguments(args: string[]): InitOptions | "help" {
  const line = parseCommandLine(args, { command: "init", values: VALUE_FLAGS, repeatable: ["--alert-email"], flags: ["--force"], positionals: true });
  if (line.help) return "help";
  const { values, positionals: positional } = line;
  const alertEmails = line.lists.get("--alert-email") ?? [];
  const force = line.flags.has("--force");
  if (positional.length > 1) throw new GateInputError(`init takes one DIR at most, got ${positional.length}`);
  const options: InitOptions = {
    dir: positional[0] ?? ".",
    managementAccount: values.get("--management-account"),
    logArchiveAccount: values.get("--log-archive-account"),
    organizationId: values.get("--organization-id"),
    alertEmails,
    packageSpec: values.get("--package"),
    force,
  };
  for (const [flag, value] of [["--management-account", options.managementAccount], ["--log-archive-account", options.logArchiveAccount]]) {
    if (value !== undefined && !ACCOUNT_ID.test(value)) throw new GateInputError(`${flag} must be a 12-digit AWS account id, not ${value}`);
  }
  if (options.managementAccount !== undefined && options.managementAccount === options.logArchiveAccount) {
    throw new GateInputError("--log-archive-account must differ from --management-account: logs belong in a dedicated account");
  }
  if (options.organizationId !== undefined && !ORGANIZATION_ID.test(options.organizationId)) {
    throw new GateInputError(`--organization-id must be "o-" and 10-32 lowercase letters or digits, not ${options.organizationId}`);
  }
  const badEmail = alertEmails.find((email) => !EMAIL.test(email));
  if (badEmail !== undefined) throw new GateInputError(`--alert-email must be an e-mail address, not ${badEmail}`);
  return options;
}

/** Exact versions from trailgate's own package.json: what its tests install and synthesize with. */
function pinnedVersions(): Record<string, string> {
  const manifestFile = path.join(PACKAGE_ROOT, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  const versions: Record<string, string> = {};
  for (const name of [...PINNED.dependencies, ...PINNED.devDependencies]) {
    const version = manifest.devDependencies?.[name];
    if (typeof version !== "string" || !EXACT_VERSION.test(version)) {
      throw new GateInputError(`${manifestFile} pins no exact version of ${name} in devDependencies (found ${JSON.stringify(version ?? null)}); init writes exact versions only`);
    }
    versions[name] = version;
  }
  return versions;
}

/** A package name npm accepts, from the folder's name. */
function appName(dir: string): string {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+|-+$/g, "");
  return name === "" || name.length > 214 ? "trailgate-app" : name;
}

function template(name: string, values: Record<string, string>): string {
  const text = fs.readFileSync(path.join(PACKAGE_ROOT, "templates", "init", name), "utf8");
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (token, key: string) => {
    if (!(key in values)) throw new Error(`template ${name} has no value for ${token}`);
    return values[key];
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** What init writes, relative to the app folder, and which main.ts fields it left as placeholders. */
export function scaffold(options: Omit<InitOptions, "force">): { files: Map<string, string>; placeholders: string[] } {
  const versions = pinnedVersions();
  const trailgate = packageInfo();
  const placeholders: string[] = [];
  const valueOr = (value: string | undefined, field: string, flag: string, what: string) => {
    if (value !== undefined) return value;
    placeholders.push(`${field} (${flag})`);
    return `<${what}: set ${field} here or run trailgate init ${flag} ... --force>`;
  };
  // In main.ts's order, which is the order the constructs validate them in.
  const organizationId = valueOr(options.organizationId, "organizationId", "--organization-id", "your organisation id, o-...");
  const managementAccount = valueOr(options.managementAccount, "managementAccountId", "--management-account", "the management account id");
  const logArchiveAccount = valueOr(options.logArchiveAccount, "logArchiveAccountId", "--log-archive-account", "the log-archive account id");
  const emails = options.alertEmails.length > 0 ? options.alertEmails : [valueOr(undefined, "alertEmails.critical", "--alert-email", "who is told of alerts")];
  const mainTs = template("main.ts.tmpl", {
    PACKAGE_NAME: trailgate.name,
    ORGANIZATION_ID: organizationId,
    MANAGEMENT_ACCOUNT: managementAccount,
    LOG_ARCHIVE_ACCOUNT: logArchiveAccount,
    ALERT_EMAILS: emails.map((email) => JSON.stringify(email)).join(", "),
    STACK_ID,
  });
  const pick = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, versions[name]]));
  const files = new Map<string, string>([
    [
      "package.json",
      json({
        name: appName(options.dir),
        private: true,
        scripts: { synth: "cdktf synth", gate: "trailgate check cdktf.out" },
        dependencies: { ...pick(PINNED.dependencies), [trailgate.name]: options.packageSpec ?? trailgate.version },
        devDependencies: pick(PINNED.devDependencies),
      }),
    ],
    [
      "tsconfig.json",
      json({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          lib: ["ES2022"],
          moduleResolution: "node",
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["main.ts"],
      }),
    ],
    [
      "cdktf.json",
      json({
        language: "typescript",
        app: "npx ts-node main.ts",
        projectId: randomUUID(),
        sendCrashReports: "false",
        terraformProviders: [],
        terraformModules: [],
        context: {},
      }),
    ],
    ["main.ts", mainTs],
    // `check` then judges what synth judges: the estate's stack, not resources the team adds beside it.
    [CONFIG_FILE_NAME, json({ scope: { constructPaths: [STACK_ID] } })],
    [path.join(".github", "workflows", "trailgate.yml"), template("workflow.yml.tmpl", {})],
    [".gitignore", template("gitignore.tmpl", {})],
  ]);
  return { files, placeholders };
}

/** `trailgate init`: writes the app, or nothing when a file exists and --force is not given (exit 2). */
export function initCommand(args: string[], io: Io): number {
  const options = parseInitArguments(args);
  if (options === "help") {
    io.stdout(INIT_USAGE);
    return 0;
  }
  if (fs.existsSync(options.dir) && !fs.statSync(options.dir).isDirectory()) throw new GateInputError(`init: ${options.dir} is not a folder`);
  const { files, placeholders } = scaffold(options);
  const existing = [...files.keys()].filter((file) => fs.existsSync(path.join(options.dir, file)));
  if (existing.length > 0 && !options.force) {
    const others = existing.length > 1 ? ` (and ${existing.length - 1} more: ${existing.slice(1).join(", ")})` : "";
    throw new GateInputError(`init: ${path.join(options.dir, existing[0])} exists${others}; nothing written (--force overwrites)`);
  }
  for (const [file, text] of files) {
    const target = path.join(options.dir, file);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    } catch (error) {
      throw new GateInputError(`init: cannot write ${target}: ${describeError(error)}`);
    }
  }
  const lines = [`trailgate init: wrote ${[...files.keys()].join(", ")} in ${options.dir}`];
  if (placeholders.length > 0) lines.push(`fill in main.ts before synth (or re-run with the flags and --force): ${placeholders.join(", ")}`);
  lines.push(`next: ${options.dir === "." ? "" : `cd ${options.dir} && `}npm install && npx cdktf synth && npx trailgate check cdktf.out`);
  io.stdout(`${lines.map(forTerminalLine).join("\n")}\n`);
  return 0;
}
