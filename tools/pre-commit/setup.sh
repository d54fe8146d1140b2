#!/usr/bin/env bash
# Create (or reuse) .tools/pre-commit-venv with the pinned pre-commit
# (tools/pre-commit/requirements.txt, the whole closure, from PyPI), for the hook's test.
# Idempotent: returns at once when the venv matches requirements.txt. Prints the
# pre-commit executable's path as its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQ="$ROOT/tools/pre-commit/requirements.txt"
VENV="$ROOT/.tools/pre-commit-venv"
STAMP="$VENV/.trailgate-stamp"
PYTHON="${TRAILGATE_PYTHON:-python3}"

command -v "$PYTHON" >/dev/null || { echo "tools/pre-commit/setup.sh: $PYTHON not found" >&2; exit 1; }
want="$(sha256sum "$REQ" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ -x "$VENV/bin/pre-commit" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$VENV/bin/pre-commit"
  exit 0
fi

echo "tools/pre-commit/setup.sh: building $VENV from $REQ" >&2
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
# --no-deps: requirements.txt pins the whole closure; pip check proves it complete.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$REQ" >&2
"$VENV/bin/python" -m pip check --disable-pip-version-check >&2
echo "$want" > "$STAMP"
echo "$VENV/bin/pre-commit"
