#!/usr/bin/env bash
# Runs every benchmark behind docs/benchmarks.md and keeps the raw output in one folder.
# Usage: Benchmarks/run-all.sh [OUT_DIR]   (from the repository root; takes ~25 minutes)
# Every HTTP figure is a ratio to the bare-NIO ceiling measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
OUT="${1:-benchmark-results}"
mkdir -p "$OUT"
swift build -c release --product authd
swift build -c release --product bench
B=.build/release/bench
common=(--spawn --fsync always -c 64 -d 5 --warmup 1 --no-progress)

# HTTP hot path against the ceiling (3 alternating rounds each).
$B me "${common[@]}" --compare --rounds 3 --json "$OUT/me.json" | tee "$OUT/me.txt"
$B refresh "${common[@]}" --compare --rounds 3 --json "$OUT/refresh.json" | tee "$OUT/refresh.txt"

# p99 at half of peak (open loop: latency from each request's due time).
half() { python3 -c 'import json,sys,statistics; r=json.load(open(sys.argv[1])); print(int(statistics.median(x["requestsPerSecond"] for x in r["comparison"]["targetRuns"])/2))' "$1"; }
$B me "${common[@]}" --rate "$(half "$OUT/me.json")" | tee "$OUT/me-half.txt"
$B refresh "${common[@]}" --rate "$(half "$OUT/refresh.json")" | tee "$OUT/refresh-half.txt"

# Login against the Argon2id bound (OWASP cost), and the seed's k6 profile.
$B login --spawn --fsync always -c 16 -d 10 --warmup 2 --users 16 --no-progress | tee "$OUT/login.txt"
$B seed --spawn --no-progress | tee "$OUT/seed.txt"
$B mixed "${common[@]}" --mix me=80,refresh=15,login=5 | tee "$OUT/mixed.txt"

# The WAL's group commit against this disk's raw fdatasync rate.
.build/release/authd wal bench | tee "$OUT/wal-bench.txt"

# The peers: the same rotation in Redis (appendfsync always) and PostgreSQL (synchronous_commit=on).
Benchmarks/peers/compare.sh 10 "1 8 64" | tee "$OUT/peers.txt"

# Engine micro-benchmarks, memory and restart with 1M users (separate package).
(cd Benchmarks && swift run -c release engine-report micro) | tee "$OUT/engine-micro.txt"
(cd Benchmarks && swift run -c release engine-report memory 1000000) | tee "$OUT/engine-memory.txt"
(cd Benchmarks && swift run -c release engine-report restart 1000000) | tee "$OUT/engine-restart.txt"
