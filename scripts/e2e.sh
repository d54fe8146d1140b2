#!/usr/bin/env bash
# End-to-end test of the example app against moto (issue #4):
#   synth -> terraform init (offline mirror) -> plan -> policy gate -> apply ->
#   SDK read-back -> re-plan (no changes) -> destroy -> nothing left ->
#   misconfigured variants fail the gate.
# Usage: scripts/e2e.sh [jest args...]
#   TRAILGATE_E2E_STACK_NAME=...  pick one stack when main.ts synthesizes several
# Artifacts (logs, plans, timings.json) are left in .tools/e2e/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

command -v terraform >/dev/null || { echo "e2e: terraform is not on PATH" >&2; exit 1; }
[[ -f tools/terraformrc ]] || { echo "e2e: tools/terraformrc (offline provider mirror config) is missing" >&2; exit 1; }

TRAILGATE_E2E_PYTHON="$(bash tools/moto/setup.sh | tail -n 1)"
export TRAILGATE_E2E_PYTHON
# The moto fixes in tools/moto/server.py still apply (and are still needed) to this moto.
"$TRAILGATE_E2E_PYTHON" tools/moto/selftest.py
export TRAILGATE_E2E_RUN_DIR="$ROOT/.tools/e2e"
export AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1
unset MOTO_ACCOUNT_ID

PIDFILE="$TRAILGATE_E2E_RUN_DIR/moto.pid"
cleanup() {
  # The harness stops moto itself (and moto exits when its parent dies); this is the
  # last line of defence, e.g. if jest was killed. Only the pid moto wrote is touched,
  # and only if it still is our launcher.
  if [[ -f "$PIDFILE" ]]; then
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "tools/moto/server.py" "/proc/$pid/cmdline" 2>/dev/null; then
      echo "e2e: moto (pid $pid) still running after the tests; stopping it" >&2
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
}
trap cleanup EXIT INT TERM

start=$(date +%s)
status=0
npx jest -c jest.e2e.config.js --runInBand "$@" || status=$?
echo "e2e: finished in $(( $(date +%s) - start )) s (exit $status); artifacts in .tools/e2e/"
exit "$status"
