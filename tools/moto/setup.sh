#!/usr/bin/env bash
# Create (or reuse) the project venv at .tools/venv with the pinned moto server used by
# the end-to-end tests. Idempotent: when the venv already matches requirements.txt it
# returns in well under a second. Prints the venv's python path as its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQ="$ROOT/tools/moto/requirements.txt"
VENV="$ROOT/.tools/venv"
STAMP="$VENV/.trailgate-moto-stamp"
PYTHON="${TRAILGATE_PYTHON:-python3}"

command -v "$PYTHON" >/dev/null || { echo "tools/moto/setup.sh: $PYTHON not found" >&2; exit 1; }

want="$(sha256sum "$REQ" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
   && "$VENV/bin/python" -c 'import moto.server, flask' 2>/dev/null; then
  echo "$VENV/bin/python"
  exit 0
fi

echo "tools/moto/setup.sh: building $VENV from $REQ" >&2
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
# --no-deps: requirements.txt pins the whole closure, so nothing unpinned can slip in;
# pip check then proves the closure is complete and consistent.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$REQ" >&2
"$VENV/bin/python" -m pip check --disable-pip-version-check >&2
"$VENV/bin/python" -c 'import moto, moto.server; print("moto", moto.__version__)' >&2
echo "$want" > "$STAMP"
echo "$VENV/bin/python"
