#!/usr/bin/env node
"use strict";
/**
 * Regenerates the plan fixtures of test/gate/plan-classes.test.ts: for each case
 * folder here, `terraform plan` against moto (terraform 1.11.4, hashicorp/aws
 * 5.100.0 from the offline mirror), `terraform show -json` into plan.json; then
 * apply, plan again into plan-after-apply.json (every ARN known, data sources read
 * during the plan), and destroy.
 *   node test/gate/plan-fixtures/generate.js [case ...]
 * Needs `bash scripts/setup.sh` (the moto venv). Work files go to .tools/plan-fixtures/.
 */
const fs = require("fs");
const path = require("path");
const { REPO, log, startMoto, terraformRoot, stablePlanJson } = require("../../../scripts/lib/moto-terraform");

const HERE = __dirname;
const CASES = fs.readdirSync(HERE).filter((name) => fs.existsSync(path.join(HERE, name, "main.tf")));

async function main() {
  process.env.CHECKPOINT_DISABLE = "1";
  const wanted = process.argv.slice(2);
  for (const name of wanted) if (!CASES.includes(name)) throw new Error(`no case ${name}; cases: ${CASES.join(", ")}`);
  const runDir = path.join(REPO, ".tools", "plan-fixtures");
  fs.mkdirSync(runDir, { recursive: true });
  const moto = await startMoto(runDir);
  try {
    for (const name of wanted.length > 0 ? wanted : CASES) {
      log(`plan-fixtures: ${name}`);
      const caseDir = path.join(HERE, name);
      const run = await terraformRoot(caseDir, path.join(runDir, name), moto, path.join(runDir, `${name}.log`));
      const write = (file, text) => fs.writeFileSync(path.join(caseDir, file), `${JSON.stringify(JSON.parse(stablePlanJson(text, moto.endpoint)))}\n`);
      write("plan.json", run.planJson("first"));
      run.apply("first");
      try {
        write("plan-after-apply.json", run.planJson("later"));
      } finally {
        // moto and its state are thrown away after the run: a destroy that fails
        // (moto keeps the access logs it delivered) loses nothing.
        try {
          run.destroy();
        } catch (error) {
          log(`plan-fixtures: ${name}: destroy failed (ignored): ${String(error.message).split("\n")[0]}`);
        }
      }
    }
  } finally {
    await moto.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`plan-fixtures: ${error.stack || error}\n`);
  process.exit(1);
});
