#!/usr/bin/env bash
# Durable refresh on a replication leader (SYNC_REPLICAS=1, two followers, all on this machine)
# against a single node, alternated in one run. Release build of authd and bench; every server
# on 127.0.0.1; every process started here is stopped by its PID.
#   Benchmarks/replication-refresh.sh [rounds=2] [seconds=8] [connections=64]
set -euo pipefail
ROUNDS=${1:-2}; SECONDS_EACH=${2:-8}; CONNECTIONS=${3:-64}
BIN="$(cd "$(dirname "$0")/.." && pwd)/.build/release"
SECRET=bench-replication-secret-0123456789abcdef-0123
WORK=$(mktemp -d /tmp/authd-repl-bench-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

common=(HOST=127.0.0.1 ACCESS_TOKEN_SECRET=bench-access-secret-0123456789abcdef-0123
        REFRESH_TOKEN_SECRET=bench-refresh-secret-0123456789abcdef-012 RATE_LIMIT_MAX_REQUESTS=0
        LOGIN_MAX_ATTEMPTS=0 LOG_LEVEL=warn WAL_FSYNC=always SNAPSHOT_EVERY_BYTES=0)

start() {  # name port [VAR=value...]
  local name=$1 port=$2; shift 2
  mkdir -p "$WORK/$name"
  env "${common[@]}" PORT="$port" DATA_DIR="$WORK/$name" "$@" "$BIN/authd" serve > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && return; sleep 0.1; done
  echo "$name did not start"; cat "$WORK/$name.log"; exit 1
}

start single 4300
start a 4310 NODE_NAME=a REPLICATION_LISTEN=127.0.0.1:4410 REPLICATION_SECRET=$SECRET SYNC_REPLICAS=1
start b 4311 NODE_NAME=b REPLICATION_LISTEN=127.0.0.1:4411 REPLICATE_FROM=127.0.0.1:4410 REPLICATION_SECRET=$SECRET
start c 4312 NODE_NAME=c REPLICATION_LISTEN=127.0.0.1:4412 REPLICATE_FROM=127.0.0.1:4410 REPLICATION_SECRET=$SECRET
sleep 1
curl -s http://127.0.0.1:4310/cluster; echo

rate() {  # url -> requests per second
  "$BIN/bench" refresh --url "$1" -c "$CONNECTIONS" -d "$SECONDS_EACH" --warmup 2 --no-progress --json "$WORK/r.json" >/dev/null
  python3 - "$WORK/r.json" <<'PY'
import json, sys
def find(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "requestsPerSecond" and isinstance(v, (int, float)):
                return v
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None:
                return r
    return None
print(round(find(json.load(open(sys.argv[1]))) or 0))
PY
}
for r in $(seq "$ROUNDS"); do
  s=$(rate http://127.0.0.1:4300); l=$(rate http://127.0.0.1:4310)
  echo "round $r: single node $s refresh/s, leader (SYNC_REPLICAS=1) $l refresh/s, ratio $(python3 -c "print(round($l/$s,2))")"
done
curl -s http://127.0.0.1:4310/cluster; echo
