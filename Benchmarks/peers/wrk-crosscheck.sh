#!/usr/bin/env bash
# Cross-check bench against wrk on the same server: bench's in-process hello
# server is started alone (`bench ceiling --serve-only`), then wrk and
# `bench health --url` (which the hello server answers like any path) take turns
# against it, ROUNDS times each, same connections and threads. Both clients run as
# separate processes, so the comparison is fair. Reports medians and the ratio.
#
# Usage: wrk-crosscheck.sh [SECONDS (default 5)] [CONNECTIONS (default 64)] [ROUNDS (default 3)]
# Env: BENCH (default .build/release/bench), URL (skip the hello server and
# cross-check against this base URL instead, e.g. authd's /health).
set -euo pipefail
SECS="${1:-5}"; CONNS="${2:-64}"; ROUNDS="${3:-3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="${BENCH:-$HERE/../../.build/release/bench}"
PATH_="${PATH_:-/health}"
SPID=""
JSON="$(mktemp /tmp/bench-crosscheck.XXXXXX.json)"
cleanup() { [[ -n "$SPID" ]] && kill -TERM "$SPID" 2>/dev/null; wait 2>/dev/null || true; rm -f "$JSON"; }
trap cleanup EXIT INT TERM
if [[ -z "${URL:-}" ]]; then
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  "$BENCH" ceiling --serve-only --port "$PORT" --serve-for $(( (SECS + 2) * ROUNDS * 2 + 30 )) >/dev/null &
  SPID=$!
  URL="http://127.0.0.1:$PORT"
  for _ in $(seq 1 50); do curl -fs "$URL/" >/dev/null 2>&1 && break; sleep 0.1; done
fi
wrk_rps=(); bench_rps=()
for r in $(seq 1 "$ROUNDS"); do
  w=$(wrk -t2 -c"$CONNS" -d"${SECS}s" "$URL$PATH_" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')
  "$BENCH" health --url "$URL" -c "$CONNS" -t 2 -d "$SECS" --warmup 0 --no-progress --json "$JSON" >/dev/null
  b=$(python3 -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["runs"][0]["requestsPerSecond"])' "$JSON")
  echo "round $r: wrk $w req/s, bench $b req/s"
  wrk_rps+=("$w"); bench_rps+=("$b")
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END { if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
mw=$(median "${wrk_rps[@]}"); mb=$(median "${bench_rps[@]}")
awk -v w="$mw" -v b="$mb" 'BEGIN { printf "median: wrk %.0f req/s, bench %.0f req/s, bench/wrk = %.3f (%s within 15%%)\n", w, b, b / w, (b / w > 0.85 && b / w < 1.15) ? "" : "NOT" }'
