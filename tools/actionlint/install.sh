#!/usr/bin/env bash
# Builds the pinned actionlint (tools/actionlint/go.mod) into .tools/bin/actionlint from
# the Go module proxy, to lint the README's GitHub Actions workflow
# (examples/github-actions/trailgate.yml). Idempotent: skipped when the binary already
# reports the pinned version. Prints the binary's path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.tools/bin/actionlint"
want="$(awk '$1 == "github.com/rhysd/actionlint" { print $2 }' "$ROOT/tools/actionlint/go.mod")"
[[ -n "$want" ]] || { echo "tools/actionlint/install.sh: no actionlint version pinned in tools/actionlint/go.mod" >&2; exit 1; }
if ! { [[ -x "$BIN" ]] && "$BIN" -version 2>/dev/null | sed -n 1p | grep -qx "${want}"; }; then
  command -v go >/dev/null || { echo "tools/actionlint/install.sh: go is not installed (needed to build actionlint $want)" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")"
  (cd "$ROOT/tools/actionlint" && go build -o "$BIN" github.com/rhysd/actionlint/cmd/actionlint)
fi
echo "$BIN"
