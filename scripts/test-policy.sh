#!/usr/bin/env bash
# Checks the Rego policies: formatting, strict compile, unit tests with coverage,
# METADATA against the rule table in policies/INPUT.md, the builtin list in
# policies/BUILTINS.md, and that the compiled WASM imports no builtin the
# opa-wasm JS SDK lacks. Exits non-zero on the first failing step.
# Usage: scripts/test-policy.sh [REPORT.json]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash tools/opa/install.sh # the pinned opa, built once from tools/opa/go.mod
opa=".tools/bin/opa"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

echo "== opa fmt --list policies"
unformatted=$("$opa" fmt --list policies)
[[ -z "$unformatted" ]] || fail "not opa fmt clean:"$'\n'"$unformatted"

echo "== opa check --strict policies"
"$opa" check --strict policies

echo "== opa test policies"
# One run, reported as JSON: to the file named by $1 (scripts/test.sh counts the
# tests from it), else to a temporary file.
report="${1:-$(mktemp)}"
if ! "$opa" test policies --format=json >"$report"; then
  jq -r '.[] | select(.fail or .error) | "\(.location.file):\(.location.row): \(.package).\(.name) \(if .error then "ERROR: \(.error.message)" else "FAIL" end)"' "$report" >&2 || true
  fail "opa test policies"
fi
jq -r '"PASS: \(length)/\(length)"' "$report"
coverage=$("$opa" test policies --coverage --format json | jq '.coverage')
echo "coverage: ${coverage}%"

echo "== rule METADATA"
sources=$(find policies -name '*.rego' ! -name '*_test.rego' | LC_ALL=C sort)
annotations=$("$opa" inspect -a --format json policies |
  jq '[.annotations[] | select(.annotations.custom.id != null) | .annotations]')
# shellcheck disable=SC2086 # word splitting of the file list is intended
definitions=$(cat $sources | grep -c '^violations contains' || true)
annotated=$(jq length <<<"$annotations")
[[ "$definitions" == "$annotated" ]] ||
  fail "$definitions 'violations contains' definitions but $annotated rule annotations with custom.id (each definition needs its own METADATA)"
problems=$(jq -r '.[] | . as $a
  | [ (if ($a.title // "") == "" then "title" else empty end),
      (if ($a.description // "") == "" then "description" else empty end),
      (if ($a.custom.severity | IN("low", "medium", "high", "critical")) | not then "severity" else empty end),
      (if (($a.custom.frameworks // []) | length) == 0 then "frameworks" else empty end),
      (if ($a.custom.recommended_action // "") == "" then "recommended_action" else empty end),
      (if ($a.related_resources[0].ref // "") != "help/rules/\($a.custom.id).md" then "related_resources help path" else empty end) ]
  | select(length > 0) | "\($a.custom.id): missing or wrong \(join(", "))"' <<<"$annotations")
[[ -z "$problems" ]] || fail "$problems"
declared=$(jq -r '.[].custom.id' <<<"$annotations" | LC_ALL=C sort)
duplicates=$(uniq -d <<<"$declared")
[[ -z "$duplicates" ]] || fail "rule ids annotated twice: $duplicates"
contract=$(grep -oE '^\| TG-[A-Z]+-[0-9]{3} \|' policies/INPUT.md | tr -d '| ' | LC_ALL=C sort)
[[ "$declared" == "$contract" ]] ||
  fail "rule ids differ from policies/INPUT.md:"$'\n'"$(diff <(echo "$contract") <(echo "$declared") || true)"
echo "$annotated rules, ids match policies/INPUT.md"

echo "== builtins used vs policies/BUILTINS.md"
# A call is a builtin name preceded by a non-name character (definitions start a line).
used=$("$opa" capabilities --current | jq -r '.builtins[].name' | LC_ALL=C sort -u | while read -r name; do
  pattern="(?<=[^\\w.])${name//./\\.}\\("
  # shellcheck disable=SC2086
  if grep -qP "$pattern" $sources; then echo "$name"; fi
done)
listed=$(grep -oP '^\| `\K[a-z_.0-9]+(?=\(\)`)' policies/BUILTINS.md | LC_ALL=C sort -u)
[[ "$used" == "$listed" ]] ||
  fail "BUILTINS.md is out of date (< used in policies, > listed):"$'\n'"$(diff <(echo "$used") <(echo "$listed") || true)"
echo "$(wc -l <<<"$used") named builtins, all listed"

echo "== WASM host builtins are provided by the opa-wasm SDK"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$opa" build -t wasm --ignore "*_test.rego" -e trailgate/main/violations policies/ -o "$tmp/bundle.tar.gz"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp" /policy.wasm 2>/dev/null || tar -xzf "$tmp/bundle.tar.gz" -C "$tmp" policy.wasm
node - "$tmp/policy.wasm" <<'EOF'
// The policy's builtins() export names every builtin the WASM module expects the
// host to implement; the SDK fails on a missing one only when a rule calls it.
const fs = require("fs");
const provided = require("./node_modules/@open-policy-agent/opa-wasm/src/builtins/index.js");
const memory = new WebAssembly.Memory({ initial: 5 });
const noop = () => 0;
const env = { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop,
  opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop };
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), { env }).then(({ instance }) => {
  const addr = instance.exports.opa_json_dump(instance.exports.builtins());
  const bytes = new Uint8Array(memory.buffer, addr);
  const names = Object.keys(JSON.parse(Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString()));
  const missing = names.filter((n) => !(n in provided));
  console.log(`host builtins: ${names.join(", ") || "(none)"}`);
  if (missing.length) {
    console.error(`FAIL: not provided by @open-policy-agent/opa-wasm: ${missing.join(", ")}`);
    process.exit(1);
  }
});
EOF

echo "OK: policies formatted, compiled, tested (coverage ${coverage}%), metadata and builtins consistent"
