#!/usr/bin/env bash
# Builds the policy gate bundle into build/policy/:
#   bundle.tar.gz  opa build -t wasm bundle (entrypoint trailgate/main/violations)
#   policy.wasm    the compiled policy, extracted from the bundle
#   data.json      default policy data (policies/data.json)
#   rules.json     rule catalogue from the METADATA annotations, keyed by rule id
#   manifest.json  source hash the Node gate recomputes to detect a stale bundle
#                  (algorithm: "Bundle manifest" in policies/INPUT.md)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash tools/opa/install.sh # the pinned opa, built once from tools/opa/go.mod
opa=".tools/bin/opa"

out="build/policy"
rm -rf "$out"
mkdir -p "$out"

# Tests are not part of the bundle.
"$opa" build -t wasm --ignore "*_test.rego" -e trailgate/main/violations policies/ -o "$out/bundle.tar.gz"
tar -xzf "$out/bundle.tar.gz" -C "$out" /policy.wasm 2>/dev/null ||
  tar -xzf "$out/bundle.tar.gz" -C "$out" policy.wasm
cp policies/data.json "$out/data.json"

# One entry per annotation carrying custom.id (rule-scope METADATA of a policy rule).
# inputs: the input formats (synth, plan, module, live) a rule can judge, from
# custom.inputs; every format when the rule does not say. package: its Rego package.
"$opa" inspect -a --format json policies |
  jq --sort-keys '
    [.annotations[]
     | select(.annotations.custom.id != null)
     | .annotations as $a
     | {key: $a.custom.id,
        value: {id: $a.custom.id,
                title: $a.title,
                description: $a.description,
                severity: $a.custom.severity,
                frameworks: $a.custom.frameworks,
                recommended_action: $a.custom.recommended_action,
                inputs: ($a.custom.inputs // ["synth", "plan", "module", "live"]),
                package: (.path[:-1] | map(.value) | join(".") | ltrimstr("data.trailgate.")),
                help: $a.related_resources[0].ref}}]
    | from_entries' >"$out/rules.json"

# sha256 over "<path>\n<sha256hex>\n" for each source file, sorted by repo-relative path (C locale).
sources=$(find policies -type f \( -name '*.rego' ! -name '*_test.rego' -o -path policies/data.json \) | LC_ALL=C sort)
sha=$(for f in $sources; do
  printf '%s\n%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
done | sha256sum | cut -d' ' -f1)

# The gate refuses a bundle whose files differ from what the manifest records,
# wherever it is loaded from (a replaced policy.wasm, an edited data.json).
bundle_files=$(for f in policy.wasm data.json rules.json; do
  jq -n --arg name "$f" --arg sha "$(sha256sum "$out/$f" | cut -d' ' -f1)" '{($name): $sha}'
done | jq -s add)

jq -n --arg sha "$sha" --arg opa "$("$opa" version | sed -n 's/^Version: //p')" --argjson bundle_files "$bundle_files" \
  --args '{algorithm: "policies/INPUT.md#bundle-manifest", sha256: $sha, opa_version: $opa, entrypoint: "trailgate/main/violations", files: $ARGS.positional, bundle_files: $bundle_files}' \
  $sources >"$out/manifest.json"

echo "built $out (sources sha256 $sha, $(jq length "$out/rules.json") rules)"
