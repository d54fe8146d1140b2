#!/usr/bin/env bash
# Sets up a fresh machine for trailgate, from the package registries only, and is
# cheap to run again: npm packages from package-lock.json, the pinned OPA built from
# the Go module proxy, the pinned moto emulator in a venv, the TypeScript build and
# the WASM policy bundle. Then checks for Terraform and the provider mirror.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1

step() { printf '\n== setup: %s\n' "$*"; }

step "npm packages (package-lock.json)"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f node_modules/.trailgate-lock-sum && "$(cat node_modules/.trailgate-lock-sum)" == "$lock_sum" ]]; then
  echo "node_modules matches package-lock.json"
else
  # `npm ci` installs exactly what package-lock.json lists and stops when package.json
  # and the lockfile disagree. The lockfile lists every platform's optional packages
  # (e.g. @unrs/resolver-binding-*), which the registry serves for all platforms.
  if ! npm ci --no-audit --no-fund; then
    echo "setup: npm ci failed; if package.json and package-lock.json disagree, run 'npm install --package-lock-only' and commit the lockfile" >&2
    exit 1
  fi
  echo "$lock_sum" > node_modules/.trailgate-lock-sum
fi

step "opa (tools/opa/go.mod)"
bash tools/opa/install.sh
.tools/bin/opa version | sed -n 1p

step "moto emulator (tools/moto/requirements.txt)"
bash tools/moto/setup.sh >/dev/null

step "TypeScript build"
npx tsc -p tsconfig.json

step "policy bundle (policies/ -> build/policy)"
bash scripts/build-policy.sh

step "terraform and the AWS provider mirror"
missing=""
command -v terraform >/dev/null || missing="terraform is not on PATH"
[[ -d /opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0 ]] || missing="${missing:+$missing; }the hashicorp/aws 5.100.0 mirror is not at /opt/tf-plugins"
if [[ -n "$missing" ]]; then
  echo "!!! setup: $missing." >&2
  echo "!!! The Terraform suites (terraform validate, end-to-end against moto) cannot run on this machine," >&2
  echo "!!! and 'npm test' fails on them rather than skip them." >&2
else
  TF_CLI_CONFIG_FILE="$PWD/tools/terraformrc" terraform version | sed -n 1p
  echo "provider mirror: /opt/tf-plugins (hashicorp/aws 5.100.0)"
fi
echo
echo "setup: done"
