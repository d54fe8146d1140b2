#!/usr/bin/env node
// The trailgate CLI: runs the compiled command line (dist/cli/main.js, built by `npx tsc -p tsconfig.json`).
"use strict";
const path = require("path");

const compiledCli = path.join(__dirname, "..", "dist", "cli", "main.js");
let cli;
try {
  cli = require(compiledCli);
} catch (error) {
  const notBuilt = error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes(compiledCli);
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
