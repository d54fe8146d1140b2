#!/usr/bin/env bash
# Runs before `npm pack` / `npm publish`: compiles what the package ships
# (tsconfig.build.json: cli/, core/, terraform/, modules/, gate/, export/, operations/) into a clean dist/ tree, and refuses
# to pack a policy bundle that is missing or older than policies/ (the packed gate
# must judge with the rules of this commit). Building the bundle itself needs the
# pinned opa: `bash scripts/build-policy.sh` (setup runs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rm -rf dist/cli dist/core dist/terraform dist/modules dist/gate dist/export dist/operations dist/cdktn
npx tsc -p tsconfig.build.json
node scripts/build-cdktn.js
node -e '
  const { loadPolicyBundle } = require("./dist/gate/policy");
  try {
    const bundle = loadPolicyBundle();
    console.error(`prepack: policy bundle ${bundle.dir} is current (${bundle.rules.length} rules)`);
  } catch (error) {
    console.error(`prepack: ${error.message}`);
    process.exit(1);
  }
'
