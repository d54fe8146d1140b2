#!/usr/bin/env node
// The trailgate CLI: runs the compiled command line (dist/cli/main.js, built by `npx tsc -p tsconfig.json`).
"use strict";
const fs = require("fs");
const path = require("path");

const compiledCli = path.join(__dirname, "..", "dist", "cli", "main.js");
let cli;
try {
  cli = require(compiledCli);
} catch (error) {
  // Only the CLI itself missing means "not built"; a module it needs that is missing is a broken install.
  const notBuilt = !fs.existsSync(compiledCli);
  process.stderr.write(
    notBuilt
      ? `trailgate: error: the gate is not built (${compiledCli} is missing); run \`npm ci && npx tsc -p tsconfig.json\` in ${path.dirname(__dirname)}\n`
      : `trailgate: error: cannot load ${compiledCli}: ${error && error.message ? error.message.split("\n")[0] : error}\n`,
  );
  process.exit(2);
}
// main returns the exit code, or a promise of it for commands that call AWS (verify, validate-logs).
Promise.resolve(cli.main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
