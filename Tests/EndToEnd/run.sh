#!/usr/bin/env bash
# End-to-end suite against the real authd binaries in BIN_DIR (default .build/debug):
# the HTTP scenarios, durability, disk full, many connections, replication, automatic failover, the observability assets against a real
# Prometheus, a 2-minute soak, the SIGKILL crash test, and schemathesis against /docs.json.
set -euo pipefail
BIN_DIR="$(cd "${1:-.build/debug}" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"

python3 -m pip install --quiet --disable-pip-version-check "pyjwt[crypto]" schemathesis pyyaml >/dev/null 2>&1 || \
  echo "note: could not install pyjwt[crypto]/schemathesis/pyyaml from PyPI"

echo "== end-to-end scenarios"
python3 "$HERE/e2e.py" "$BIN_DIR"

echo "== durability: damaged headers, cuts below a snapshot, gaps, bounded restore, owner-only files"
python3 "$HERE/durability.py" "$BIN_DIR"

echo "== disk full: authd on a 16 MiB tmpfs filled up; 503s, reads, /ready, recovery by itself, ledger"
python3 "$HERE/diskfull.py" "$BIN_DIR"

echo "== many connections: 20,000 idle / half-sent connections, then descriptors exhausted"
python3 "$HERE/connections.py" "$BIN_DIR"

echo "== etcd harness: three members, a key through the gateway, one killed, one paused, restart"
python3 "$HERE/etcd_harness.py" --selftest

echo "== replication: three nodes, ledger, SIGKILL leader, promote, rejoin with a cut tail, converge"
python3 "$HERE/replication.py" "$BIN_DIR"

echo "== failover: etcd, three nodes, HAProxy; SIGKILL x5, SIGSTOP, sync member killed, etcd down 10 s; ledger, converge"
python3 "$HERE/failover.py" "$BIN_DIR" 5

echo "== observability: promtool checks and rule tests, a real Prometheus scraping authd under load"
python3 "$HERE/observability.py" "$BIN_DIR"

echo "== soak, 2 minutes: mixed load at half of its peak; RSS, descriptors, WAL behind snapshots, p99 bounds"
BIN_DIR="$BIN_DIR" OUT="$(mktemp -d)" bash "$HERE/../../Benchmarks/soak.sh" 2

echo "== crash test (SIGKILL under load, ledger check)"
python3 "$HERE/crash.py" "$BIN_DIR" 3

echo "== schemathesis against /docs.json"
python3 "$HERE/schemathesis_run.py" "$BIN_DIR"
