#!/usr/bin/env bash
# The Argon2id bound on logins: hashes per second on one core at authd's default cost
# (m = 19 MiB, t = 2, p = 1) with the same libargon2, times the cores.
# Usage: Benchmarks/argon2-bound.sh [HASHES (default 40)]
set -euo pipefail
N="${1:-40}"
command -v argon2 >/dev/null || { apt-get install -y -qq argon2 >/dev/null; }
start=$(date +%s.%N)
for _ in $(seq "$N"); do echo -n "correct horse battery" | argon2 saltsaltsaltsalt -id -t 2 -k 19456 -p 1 -r >/dev/null; done
end=$(date +%s.%N)
awk -v n="$N" -v s="$start" -v e="$end" -v c="$(nproc)" 'BEGIN {
  per = (e - s) / n; rate = 1 / per
  printf "argon2id m=19456 KiB t=2 p=1: %.1f ms per hash, %.1f hashes/s per core, bound %.1f logins/s on %d cores\n", per * 1000, rate, rate * c, c }'
