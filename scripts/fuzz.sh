#!/usr/bin/env bash
# The long fuzz run (README "Fuzzing the reader"): mutants of a seed estate,
# each read by the gate and planned offline by Terraform, compared.
# Usage: npm run fuzz [-- --cases 2000 --seed 20261130 --batch 50]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$PWD/tools/terraformrc"
npx tsc -p tsconfig.json
node dist/test/fuzz/run.js "$@"
