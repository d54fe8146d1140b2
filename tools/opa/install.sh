#!/usr/bin/env bash
# Builds the pinned OPA (tools/opa/go.mod: `tool github.com/open-policy-agent/opa`)
# into .tools/bin/opa from the Go module proxy. Idempotent: skipped when the binary
# already reports the pinned version.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OPA="$ROOT/.tools/bin/opa"
want="$(awk '$1 == "github.com/open-policy-agent/opa" { print $2 }' "$ROOT/tools/opa/go.mod")"
[[ -n "$want" ]] || { echo "tools/opa/install.sh: no opa version pinned in tools/opa/go.mod" >&2; exit 1; }
if [[ -x "$OPA" ]] && "$OPA" version 2>/dev/null | grep -qx "Version: ${want#v}"; then
  exit 0
fi
command -v go >/dev/null || { echo "tools/opa/install.sh: go is not installed (needed to build opa $want)" >&2; exit 1; }
echo "tools/opa/install.sh: building opa $want (first run takes about a minute)" >&2
mkdir -p "$(dirname "$OPA")"
(cd "$ROOT/tools/opa" && go build -o "$OPA" github.com/open-policy-agent/opa)
"$OPA" version | sed -n 1p >&2
