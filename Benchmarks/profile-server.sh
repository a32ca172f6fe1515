#!/bin/bash
# Profiles `authd serve` under bench load: Benchmarks/profile-server.sh AUTHD_BINARY SCENARIO OUT.perf
# (release builds; the server on 127.0.0.1 with WAL_FSYNC=always and no limits, `bench SCENARIO -t 1
# -c 64` for 9 s, perf record -g of the server for 5 s of it). Then, for the shares docs/benchmarks.md
# quotes: perf report -i OUT.perf --no-children --sort symbol -g none
B=$1; S=$2; O=$3; D=$(mktemp -d); P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOST=127.0.0.1 PORT=$P DATA_DIR=$D/data RATE_LIMIT_MAX_REQUESTS=0 LOGIN_MAX_ATTEMPTS=0 LOG_LEVEL=warning WAL_FSYNC=always $B serve > $D/log 2>&1 &
PID=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$P/ready > /dev/null && break; sleep 0.05; done
"$(dirname "$0")/../.build/release/bench" $S --url http://127.0.0.1:$P -t 1 -c 64 -d 9 --warmup 0 --no-progress > /dev/null 2>&1 &
sleep 3
perf record -F 1999 -g -p $PID -o $O -- sleep 5 > /dev/null 2>&1
wait %2 2>/dev/null; sleep 1
kill $PID; wait $PID 2>/dev/null; rm -rf $D
