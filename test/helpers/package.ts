/**
 * Packing this checkout and running the packed package as a team would, for the package
 * tests (the same steps test/package.test.ts takes): a staged copy is packed (prepack
 * rebuilds dist/ there, not under the files other tests run from), and every command
 * runs with a PATH holding only node, npm and npx, with the user's npm cache.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const repo = path.resolve(__dirname, "..", "..");

/** npm install flags: packages from the npm cache, the registry only on a miss. */
export const installFlags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

/** An environment whose PATH (a folder under `work`) has node, npm and npx only, and the `tools` named. */
export function nodeOnlyEnv(work: string, tools: string[] = []): NodeJS.ProcessEnv {
  const bin = path.join(work, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const npmCli = fs.realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
  const npxCli = fs.realpathSync(execFileSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).trim());
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  fs.symlinkSync(npmCli, path.join(bin, "npm"));
  fs.symlinkSync(npxCli, path.join(bin, "npx"));
  for (const tool of tools) fs.symlinkSync(execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(), path.join(bin, tool));
  const cache = execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();
  return {
    PATH: bin,
    HOME: os.homedir(),
    npm_config_cache: cache,
    npm_config_update_notifier: "false",
    CHECKPOINT_DISABLE: "1",
    LANG: "C.UTF-8",
  };
}

export function run(env: NodeJS.ProcessEnv, cwd: string, command: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
}

export function mustRun(env: NodeJS.ProcessEnv, cwd: string, command: string, args: string[]): string {
  const result = run(env, cwd, command, args);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} in ${cwd} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export function timed<T>(what: string, step: () => T): T {
  const start = Date.now();
  const result = step();
  console.log(`trailgate package: ${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

/** What `npm pack --json` says of the tarball. */
export interface Packed {
  /** The tarball's path. */
  file: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}

/**
 * Packs a copy of the checkout's files (tracked and new, not ignored) plus the built
 * policy bundle into `work`, sharing node_modules: packing there rebuilds dist/
 * (prepack) without touching the dist/ other test files run from at the same time.
 */
export function packCheckout(work: string, env: NodeJS.ProcessEnv = process.env): Packed {
  const stage = path.join(work, "stage");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo, encoding: "utf8" })
    .split("\0")
    // Files only: a worktree's symlinked node_modules or .tools is "untracked" to git (a
    // symlink does not match the ignore pattern `.tools/`) but a folder to copy.
    .filter((file) => file !== "" && fs.existsSync(path.join(repo, file)) && fs.statSync(path.join(repo, file)).isFile());
  for (const file of [...files, ...fs.readdirSync(path.join(repo, "build", "policy")).map((name) => `build/policy/${name}`)]) {
    fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
    fs.copyFileSync(path.join(repo, file), path.join(stage, file));
  }
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(stage, "node_modules"));
  const packed = timed("npm pack", () =>
    JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: stage, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })),
  );
  return { file: path.join(work, packed[0].filename), size: packed[0].size, unpackedSize: packed[0].unpackedSize, entryCount: packed[0].entryCount };
}
