#!/usr/bin/env bash
# The whole test suite (README's test command, after scripts/setup.sh): type-check,
# Rego tests through opa, jest (constructs, terraform validate, the gate through the
# WASM bundle), the same type-check, gate suites and synth on Node 22 and 24
# (scripts/node-matrix.sh), then the end-to-end run of real Terraform against moto. Ends with one
# "N passed, N failed" line over every suite.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
failed_steps=()

run_step() {
  local name="$1"; shift
  printf '\n== test: %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    echo "== test: $name ok ($((SECONDS - start)) s)"
  else
    echo "== test: $name FAILED ($((SECONDS - start)) s)"
    failed_steps+=("$name")
  fi
}

run_step "type-check" npx tsc -p tsconfig.json --noEmit
run_step "rego (opa fmt, opa check --strict, opa test --coverage)" bash scripts/test-policy.sh "$results/opa.json"
run_step "jest: constructs, terraform validate, gate" npx jest --ci --json --outputFile="$results/jest.json"
# Node 22 and 24 (binaries from the npm registry, cached in .tools/node): type-check, the gate's suites, synth + gate.
run_step "node 22 and 24: type-check, jest test/gate, synth + gate" bash scripts/node-matrix.sh
run_step "end to end: terraform + moto + gate" bash scripts/e2e.sh --json --outputFile="$results/e2e.json"
# The real-world corpus (corpus/README.md) when the module checkouts are present; a skip otherwise.
run_step "real-world corpus" bash -c 'npx tsc -p tsconfig.json && node scripts/corpus.js --if-present --json "$1"' _ "$results/corpus.json"

node scripts/summarise-tests.js "$results" "${#failed_steps[@]}"
if ((${#failed_steps[@]} > 0)); then
  printf 'failed steps: %s\n' "${failed_steps[@]}"
  exit 1
fi
