import * as fs from "fs";
import * as path from "path";

/** The file that marks trailgate's root in a checkout, an installed package or a vendored copy. */
export const ROOT_MARKER = "trailgate.root";

/**
 * The trailgate checkout or install this code runs from: the nearest ancestor of
 * this file that holds the root marker. Found from __dirname, never the cwd or the
 * package name, so the gate finds its policy and help pages wherever it is run
 * (gate/ under ts-jest, dist/gate/ when compiled) and however the package is named
 * (`trailgate`, `@bank/trailgate`, a vendored folder).
 */
export function findPackageRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ROOT_MARKER))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find trailgate's root (a folder with ${ROOT_MARKER}) above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot();

/** build/policy, or the directory TRAILGATE_POLICY_DIR names. */
export function defaultPolicyDir(): string {
  return process.env.TRAILGATE_POLICY_DIR
    ? path.resolve(process.env.TRAILGATE_POLICY_DIR)
    : path.join(PACKAGE_ROOT, "build", "policy");
}

export function ruleHelpPath(ruleId: string): string {
  return path.join(PACKAGE_ROOT, "help", "rules", `${ruleId}.md`);
}

/** What the gate reads from the package's own package.json. */
export interface PackageInfo {
  name: string;
  version: string;
  homepage?: string;
  /** `repository` (a string or `{url}`), as written. */
  repository?: string;
}

/** name, version, homepage and repository from the package's own package.json. */
export function packageInfo(): PackageInfo {
  const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8"));
  const repository = typeof manifest.repository === "string" ? manifest.repository : manifest.repository?.url;
  return {
    name: String(manifest.name ?? "trailgate"),
    version: String(manifest.version ?? "0.0.0"),
    ...(typeof manifest.homepage === "string" ? { homepage: manifest.homepage } : {}),
    ...(typeof repository === "string" ? { repository } : {}),
  };
}
