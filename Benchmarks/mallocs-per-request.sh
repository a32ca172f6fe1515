#!/bin/bash
# Heap allocations per request of `authd serve` under `bench SCENARIO -t 1 -c 64`: counts calls to
# glibc's malloc in the server process for 3 s with a perf uprobe and divides by the requests bench
# answered per second. The uprobe slows the server; the count per request is what it reports.
# Usage: Benchmarks/mallocs-per-request.sh AUTHD_BINARY SCENARIO   (release builds, root for perf probe)
set -euo pipefail
B=$1; S=$2; D=$(mktemp -d); P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LIBC=$(ldd "$B" | awk '/libc.so.6/ {print $3}')
perf probe -q -x "$LIBC" malloc 2>/dev/null || true
HOST=127.0.0.1 PORT=$P DATA_DIR=$D/data RATE_LIMIT_MAX_REQUESTS=0 LOGIN_MAX_ATTEMPTS=0 LOG_LEVEL=warning WAL_FSYNC=always "$B" serve > $D/log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf $D' EXIT
for i in $(seq 200); do curl -sf http://127.0.0.1:$P/ready > /dev/null && break; sleep 0.05; done
"$(dirname "$0")/../.build/release/bench" $S --url http://127.0.0.1:$P -t 1 -c 64 -d 8 --warmup 0 --no-progress --json $D/r.json > /dev/null 2>&1 &
BP=$!
sleep 3
perf stat -e probe_libc:malloc -p $PID -x, -o $D/stat.txt -- sleep 3 > /dev/null 2>&1
wait $BP
python3 - "$S" "$(grep probe_libc $D/stat.txt | cut -d, -f1)" $D/r.json <<'PY'
import json, sys
rps = json.load(open(sys.argv[3]))["runs"][0]["requestsPerSecond"]
print(f"{sys.argv[1]}: {int(sys.argv[2]) / (3 * rps):.1f} mallocs per request ({sys.argv[2]} in 3 s at {rps:,.0f} req/s)")
PY
