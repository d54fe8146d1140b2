#!/usr/bin/env node
// Synthesizes the cdktf app the way `cdktf synth` does, without cdktf-cli: on Node 24
// the CLI dies loading its terminal helper (@cdktf/node-pty-prebuilt-multiarch ships no
// build for Node 24's ABI), although the app itself runs on any supported Node.
// Like the CLI (cdktf-cli 0.21, @cdktf/cli-core synth-stack): reads cdktf.json (app,
// output, context, terraformModules), runs the app command through the shell with
// CDKTF_OUTDIR, CDKTF_CONTEXT_JSON (the context plus cdktfRelativeModules) and
// CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set, TF_VAR_* left out and NODE_OPTIONS
// given --max-old-space-size=4096 when unset; then requires the manifest and at least
// one stack, and removes stack folders the app no longer writes.
// Usage: node scripts/cdktf-synth.js [--output DIR] [app folder, default .]
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

function fail(message) {
  process.stderr.write(`cdktf-synth: error: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const outputAt = args.indexOf("--output");
const outputOverride = outputAt >= 0 ? args.splice(outputAt, 2)[1] : undefined;
if (outputAt >= 0 && !outputOverride) fail("--output needs a folder");
if (args.length > 1) fail(`one app folder at most, got ${args.join(" ")}`);
const appDir = path.resolve(args[0] || ".");
const configFile = path.join(appDir, "cdktf.json");
let config;
try {
  config = JSON.parse(fs.readFileSync(configFile, "utf8"));
} catch (error) {
  fail(`cannot read ${configFile}: ${error.message}`);
}
if (typeof config.app !== "string" || config.app === "") fail(`${configFile} has no "app" command`);

const outdir = outputOverride ? path.resolve(outputOverride) : path.resolve(appDir, config.output || "cdktf.out");
const stacksDir = path.join(outdir, "stacks");
const stackFolders = () => (fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter((name) => fs.statSync(path.join(stacksDir, name)).isDirectory()) : []);
const before = stackFolders();

const isLocalModule = (source) => typeof source === "string" && (source.startsWith("./") || source.startsWith("../"));
const relativeModules = (config.terraformModules || []).filter((module) => isLocalModule(typeof module === "string" ? module : module && module.source));
const context = config.context ? config.context : process.env.CDKTF_CONTEXT_JSON ? JSON.parse(process.env.CDKTF_CONTEXT_JSON) : {};

const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TF_VAR_")));
if (!env.NODE_OPTIONS) env.NODE_OPTIONS = "--max-old-space-size=4096";
Object.assign(env, {
  CDKTF_OUTDIR: outdir,
  CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
  CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: relativeModules }),
  SYNTH_HCL_OUTPUT: "false",
});

const result = spawnSync(config.app, { cwd: appDir, env, shell: true, stdio: "inherit" });
if (result.error) fail(`cannot run the app command (${config.app}): ${result.error.message}`);
if (result.status !== 0) fail(`the app command (${config.app}) exited ${result.status ?? `on ${result.signal}`}`);

const manifestFile = path.join(outdir, "manifest.json");
let manifest;
try {
  manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
} catch (error) {
  fail(`the app did not write ${manifestFile} (does it call app.synth()?): ${error.message}`);
}
const stacks = Object.values(manifest.stacks || {});
if (stacks.length === 0) fail("no Terraform code synthesized: the manifest lists no stacks");
for (const stack of stacks) {
  const file = path.join(outdir, stack.synthesizedStackPath);
  if (!fs.existsSync(file)) fail(`the manifest lists ${stack.name} but ${file} is missing`);
}
const names = new Set(stacks.map((stack) => stack.name));
for (const orphan of before.filter((name) => !names.has(name))) fs.rmSync(path.join(stacksDir, orphan), { recursive: true, force: true });
process.stdout.write(`cdktf-synth: ${stacks.map((stack) => stack.name).join(", ")} synthesized to ${path.relative(process.cwd(), outdir) || "."} (node ${process.version})\n`);
