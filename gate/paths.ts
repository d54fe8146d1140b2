import * as fs from "fs";
import * as path from "path";

/**
 * The trailgate checkout or install this code runs from: the nearest ancestor of
 * this file with trailgate's package.json. Found from __dirname, never the cwd, so
 * the gate finds its policy and help pages wherever it is run (gate/ under ts-jest,
 * dist/gate/ when compiled).
 */
function findPackageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, "utf8")).name === "trailgate") return dir;
      } catch {
        // Not ours (or unreadable): keep walking up.
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find trailgate's package.json above ${__dirname}`);
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
