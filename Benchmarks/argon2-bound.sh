#!/usr/bin/env bash
# The Argon2id bound on logins at authd's default cost (m = 19 MiB, t = 2, p = 1): per-hash
# time and hashes per second per core through libargon2 (the reference build authd used
# before issue 18) and libsodium (what authd hashes with now), side by side in one run, same
# password and salt, rounds alternated; the bound is cores x hashes per second per core.
# Usage: Benchmarks/argon2-bound.sh [ROUNDS (default 5)] [HASHES PER ROUND (default 8)]
# Needs libsodium-dev (authd's own) and libargon2-dev (for this comparison only:
# apt-get install -y libargon2-dev).
set -euo pipefail
cd "$(dirname "$0")"
for lib in libsodium libargon2; do
  pkg-config --exists "$lib" || { echo "argon2-bound: $lib not found (apt-get install -y $lib-dev)" >&2; exit 1; }
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cc -O2 -o "$out/argon2-compare" argon2-compare.c $(pkg-config --cflags --libs libsodium libargon2)
"$out/argon2-compare" "${1:-5}" "${2:-8}" "$(nproc)"
