#!/usr/bin/env bash
# Redis peer for authd's refresh benchmark.
#
# Starts a private redis-server (127.0.0.1, random port, appendonly yes,
# appendfsync always, no RDB snapshots) in a temp dir, loads a Lua script doing
# the refresh rotation and drives it with redis-benchmark (EVALSHA) at 1, 8 and
# 64 clients.
#
# The rotation (one EVALSHA, atomic, one AOF write + fsync before the reply):
#   look up the token record rt:<hash> and its session sess:<id>; refuse a
#   replayed (non-ACTIVE) token and mark the session COMPROMISED; write the new
#   token record (parent = old hash); mark the old one USED; touch the session's
#   last_seen. redis-benchmark cannot carry a token from one answer to the next
#   request, so each chain keeps its current hash in chain:<n> and the script
#   reads it there (one extra in-memory GET/SET; the fsync dominates).
#   redis-benchmark picks chain:<n> at random among CHAINS chains.
#
# Usage: redis.sh [SECONDS_PER_RUN (default 10)] [CLIENT_COUNTS (default "1 8 64")]
# redis-benchmark takes a request count, not a duration: each run is preceded by
# a 2 s calibration whose rate sets the count for about SECONDS_PER_RUN seconds.
# Prints a table and one "RESULT peer=redis clients=N tps=... avg_ms=..." line per
# run. Stops only the server it started (by PID) and removes its temp dir.
# Installs redis-server from apt when missing.
set -euo pipefail

SECONDS_PER_RUN="${1:-10}"
CLIENTS="${2:-1 8 64}"
CHAINS="${CHAINS:-10000}"

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  echo "redis missing: installing from apt" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server >/dev/null; fi
fi

WORK="$(mktemp -d /tmp/authd-peer-redis.XXXXXX)"
RPID=""
cleanup() {
  local rc=$?
  if [[ -n "$RPID" ]] && kill -0 "$RPID" 2>/dev/null; then
    kill -TERM "$RPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$RPID" 2>/dev/null && kill -KILL "$RPID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --appendonly yes --appendfsync always \
  --save "" --daemonize no --protected-mode yes --logfile "$WORK/redis.log" &
RPID=$!
CLI=(redis-cli -h 127.0.0.1 -p "$PORT")
for _ in $(seq 1 100); do
  [[ "$("${CLI[@]}" ping 2>/dev/null)" == "PONG" ]] && break
  kill -0 "$RPID" 2>/dev/null || { cat "$WORK/redis.log" >&2; exit 1; }
  sleep 0.1
done

ROTATE="$(cat "$(dirname "${BASH_SOURCE[0]}")/lua/redis-rotate.lua")"
SEED="$(cat "$(dirname "${BASH_SOURCE[0]}")/lua/redis-seed.lua")"
"${CLI[@]}" EVAL "$SEED" 0 "$CHAINS" >/dev/null
SHA="$("${CLI[@]}" SCRIPT LOAD "$ROTATE")"
# One rotation by hand: must answer 1.
[[ "$("${CLI[@]}" EVALSHA "$SHA" 1 chain:000000000000)" == "1" ]] || { echo "rotation script failed" >&2; exit 1; }

printf "%-10s %8s %12s %12s %12s\n" "peer" "clients" "ops/s" "avg ms" "p99 ms"
for c in $CLIENTS; do
  cal="$(timeout -s INT 2 redis-benchmark -h 127.0.0.1 -p "$PORT" -c "$c" -n 100000000 -r "$CHAINS" --threads 1 \
          EVALSHA "$SHA" 1 chain:__rand_int__ 2>/dev/null | tr '\r' '\n' | sed -n 's/.*rps=[0-9.]* (overall: \([0-9.]*\)).*/\1/p' | tail -1)" || true
  n=$(awk -v r="${cal:-100}" -v s="$SECONDS_PER_RUN" 'BEGIN { n = int(r * s); if (n < 100) n = 100; print n }')
  before="$("${CLI[@]}" INFO stats | sed -n 's/^total_error_replies:\([0-9]*\).*/\1/p')"
  out="$(redis-benchmark -h 127.0.0.1 -p "$PORT" -c "$c" -n "$n" -r "$CHAINS" --threads 1 --csv \
          EVALSHA "$SHA" 1 chain:__rand_int__ 2>/dev/null | tail -1)"
  after="$("${CLI[@]}" INFO stats | sed -n 's/^total_error_replies:\([0-9]*\).*/\1/p')"
  # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  rps=$(echo "$out" | awk -F'","' '{print $2}')
  avg=$(echo "$out" | awk -F'","' '{print $3}')
  p99=$(echo "$out" | awk -F'","' '{print $7}')
  printf "%-10s %8s %12s %12s %12s\n" redis "$c" "$rps" "$avg" "$p99"
  echo "RESULT peer=redis clients=$c tps=$rps avg_ms=$avg p99_ms=$p99 errors=$((after - before)) requests=$n"
done
"${CLI[@]}" INFO persistence | grep -E '^aof_enabled|^aof_last_write_status' | tr -d '\r' >&2
