#!/usr/bin/env bash
# Side-by-side: authd's durable refresh (bench refresh --spawn, --fsync always)
# against the same rotation in Redis (Lua, appendfsync always) and PostgreSQL
# (the seed's transaction, synchronous_commit=on), at 1, 8 and 64 clients.
#
# Usage: compare.sh [SECONDS_PER_RUN (default 10)] [CLIENT_COUNTS (default "1 8 64")]
# Env: BENCH (default: .build/release/bench of this repo), AUTHD (default: authd
# next to BENCH), FSYNC (default always).
# Prints the raw fdatasync rate of the temp disk first: every figure here is
# bound by it. Each part cleans up after itself and stops only what it started.
#
# Client weight: each server is driven by a closed-loop client of compiled code
# keeping CLIENTS connections busy: authd by `bench refresh -t 1` (one thread;
# BENCH_THREADS to change it), Redis by `redis-benchmark --threads 1`, PostgreSQL
# by `pgbench -j 2` (two threads from 2 clients up; postgres.sh). They are not the
# same program: bench parses HTTP and carries each answer's refresh token into
# the next request, redis-benchmark sends a pre-built EVALSHA, so bench's CPU per
# request is printed beside its figures ("generator" line) for the reader to
# weigh; on 2 cores the client's CPU is CPU the server does not get.
set -euo pipefail

SECONDS_PER_RUN="${1:-10}"
CLIENTS="${2:-1 8 64}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BENCH="${BENCH:-$REPO/.build/release/bench}"
AUTHD="${AUTHD:-$(dirname "$BENCH")/authd}"
FSYNC="${FSYNC:-always}"
BENCH_THREADS="${BENCH_THREADS:-1}"
WORK="$(mktemp -d /tmp/authd-compare.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# Raw disk: 4 KiB writes, each followed by a data sync (like a WAL commit).
dd if=/dev/zero of="$WORK/dsync" bs=4k count=300 oflag=dsync 2>"$WORK/dd.txt" || true
secs=$(sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p' "$WORK/dd.txt")
DISK=$(awk -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%.0f", 300 / s; else print "?" }')
rm -f "$WORK/dsync"
echo "disk: $DISK synchronous 4 KiB writes per second (dd oflag=dsync) on $(df --output=source "$WORK" | tail -1)"

declare -A AUTHD_RPS AUTHD_P99 REDIS PG
if [[ -x "$BENCH" && -x "$AUTHD" ]]; then
  for c in $CLIENTS; do
    "$BENCH" refresh --spawn --authd "$AUTHD" --fsync "$FSYNC" -c "$c" -t "$BENCH_THREADS" -d "$SECONDS_PER_RUN" --warmup 2 \
      --no-progress --json "$WORK/authd-$c.json" >"$WORK/authd-$c.txt" 2>&1 || { cat "$WORK/authd-$c.txt" >&2; continue; }
    read -r rps p99 < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print("%.0f %.3f" % (r["requestsPerSecond"], r["latency"]["p99Ms"]))' "$WORK/authd-$c.json")
    AUTHD_RPS[$c]=$rps; AUTHD_P99[$c]=$p99
  done
else
  echo "authd: skipped ($BENCH or $AUTHD missing; build with: swift build -c release --product bench --product authd)" >&2
fi

"$HERE/redis.sh" "$SECONDS_PER_RUN" "$CLIENTS" >"$WORK/redis.txt" 2>&1 || { cat "$WORK/redis.txt" >&2; }
"$HERE/postgres.sh" "$SECONDS_PER_RUN" "$CLIENTS" >"$WORK/postgres.txt" 2>&1 || { cat "$WORK/postgres.txt" >&2; }
for peer in redis postgres; do
  echo; grep -v '^RESULT' "$WORK/$peer.txt" || true
  while read -r line; do
    c=$(sed -n 's/.* clients=\([0-9]*\) .*/\1/p' <<<"$line"); t=$(sed -n 's/.* tps=\([0-9.]*\) .*/\1/p' <<<"$line")
    if [[ $peer == redis ]]; then REDIS[$c]=$(printf "%.0f" "$t"); else PG[$c]=$(printf "%.0f" "$t"); fi
  done < <(grep '^RESULT' "$WORK/$peer.txt")
done
if [[ -n "${AUTHD_RPS[*]:-}" ]]; then echo; for c in $CLIENTS; do [[ -f "$WORK/authd-$c.txt" ]] && grep -E '^(refresh|errors|checks|generator)' "$WORK/authd-$c.txt" | sed "s/^/authd c=$c: /"; done; fi

ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo
printf "%8s %16s %14s %12s %14s %12s %12s\n" clients "authd refresh/s" "authd p99 ms" "redis ops/s" "postgres TPS" "authd/redis" "authd/pg"
for c in $CLIENTS; do
  printf "%8s %16s %14s %12s %14s %12s %12s\n" "$c" "${AUTHD_RPS[$c]:--}" "${AUTHD_P99[$c]:--}" "${REDIS[$c]:--}" "${PG[$c]:--}" \
    "$(ratio "${AUTHD_RPS[$c]:-}" "${REDIS[$c]:-}")" "$(ratio "${AUTHD_RPS[$c]:-}" "${PG[$c]:-}")"
done
