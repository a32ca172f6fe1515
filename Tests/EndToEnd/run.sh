#!/usr/bin/env bash
# End-to-end suite against the real authd binaries in BIN_DIR (default .build/debug):
# the HTTP scenarios, the SIGKILL crash test, and schemathesis against /docs.json.
set -euo pipefail
BIN_DIR="$(cd "${1:-.build/debug}" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"

python3 -m pip install --quiet --disable-pip-version-check "pyjwt[crypto]" schemathesis >/dev/null 2>&1 || \
  echo "note: could not install pyjwt[crypto]/schemathesis from PyPI"

echo "== end-to-end scenarios"
python3 "$HERE/e2e.py" "$BIN_DIR"

echo "== durability: damaged headers, cuts below a snapshot, gaps, bounded restore, owner-only files"
python3 "$HERE/durability.py" "$BIN_DIR"

echo "== replication: three nodes, ledger, SIGKILL leader, promote, rejoin with a cut tail, converge"
python3 "$HERE/replication.py" "$BIN_DIR"

echo "== crash test (SIGKILL under load, ledger check)"
python3 "$HERE/crash.py" "$BIN_DIR" 3

echo "== schemathesis against /docs.json"
python3 "$HERE/schemathesis_run.py" "$BIN_DIR"
