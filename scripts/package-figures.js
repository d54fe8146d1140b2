#!/usr/bin/env node
// Writes README's package figures (between the `package-figures` markers) from
// build/package-figures.json, which test/package.test.ts writes each time it packs the
// checkout and installs the tarball gate-only. The same test fails when README's figures
// drift from what it measured, so: run the package test, then this script.
"use strict";
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const figuresFile = path.join(repo, "build", "package-figures.json");
const readmeFile = path.join(repo, "README.md");
const START = "<!-- package-figures: written by `node scripts/package-figures.js` from the last `npx jest test/package.test.ts` -->";
const END = "<!-- /package-figures -->";

/** README's sentence for a set of figures; test/package.test.ts parses it back. */
function sentence(f) {
  const kib = (bytes) => Math.round(bytes / 1024).toLocaleString("en-GB");
  return [
    `Measured here: the tarball is ${kib(f.size)} KiB (${kib(f.unpackedSize)} KiB unpacked, ${f.entryCount} files); the`,
    `gate-only install is ${f.gateOnlyPackages} packages and ${(f.gateOnlyBytes / 1e6).toFixed(1)} MB of \`node_modules\` (\`@open-policy-agent/opa-wasm\`, and`,
    "`@cdktf/hcl2json` for the locals a plan does not record).",
  ].join("\n");
}

function main() {
  let figures;
  try {
    figures = JSON.parse(fs.readFileSync(figuresFile, "utf8"));
  } catch (error) {
    process.stderr.write(`package-figures: cannot read ${figuresFile} (${error.message}); run \`npx jest test/package.test.ts\` first\n`);
    return 2;
  }
  const readme = fs.readFileSync(readmeFile, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    process.stderr.write(`package-figures: README.md has no ${START} ... ${END} block\n`);
    return 2;
  }
  const updated = `${readme.slice(0, start + START.length)}\n${sentence(figures)}\n${readme.slice(end)}`;
  if (updated !== readme) fs.writeFileSync(readmeFile, updated);
  process.stdout.write(`${sentence(figures)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
module.exports = { START, END, sentence };
