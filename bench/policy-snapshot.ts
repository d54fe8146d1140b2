/**
 * One consistent copy of the policy sources for a whole bench run. Colleagues edit
 * policies/ while the bench runs, and build/policy may be stale (the gate then
 * exits 2), so the bench copies the Rego sources and data.json into its work dir
 * and builds them there with the project's own scripts/build-policy.sh. trailgate
 * (TRAILGATE_POLICY_DIR) and `opa eval -d` then read exactly the same sources.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface PolicySnapshot {
  /** The copied policies/ (no *_test.rego): what `opa eval -d` loads. */
  policiesDir: string;
  /** The bundle built from it: what TRAILGATE_POLICY_DIR points at. */
  bundleDir: string;
  /** manifest.json sha256 of the sources, for the report. */
  sourceHash: string;
}

function copyPolicies(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyPolicies(source, target);
    else if (entry.name === "data.json" || (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego"))) {
      fs.copyFileSync(source, target);
    }
  }
}

export function snapshotPolicy(repoRoot: string, workDir: string): PolicySnapshot {
  const root = path.join(workDir, "policy-snapshot");
  copyPolicies(path.join(repoRoot, "policies"), path.join(root, "policies"));
  fs.mkdirSync(path.join(root, "scripts"), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, "scripts", "build-policy.sh"), path.join(root, "scripts", "build-policy.sh"));
  // The script finds the project's pinned opa relative to its root (tools/opa installs it into .tools/bin).
  for (const dir of [".tools", "tools"]) fs.symlinkSync(path.join(repoRoot, dir), path.join(root, dir));
  execFileSync("bash", [path.join(root, "scripts", "build-policy.sh")], { stdio: ["ignore", "ignore", "inherit"] });
  const bundleDir = path.join(root, "build", "policy");
  const manifest = JSON.parse(fs.readFileSync(path.join(bundleDir, "manifest.json"), "utf8")) as { sha256: string };
  return { policiesDir: path.join(root, "policies"), bundleDir, sourceHash: manifest.sha256 };
}
