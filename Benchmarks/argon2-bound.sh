#!/usr/bin/env bash
# The Argon2id bound on logins: verifications per second on one core at authd's default cost
# (m = 19 MiB, t = 2, p = 1) through the engine's own PasswordHasher (libargon2), times the cores.
# Usage: Benchmarks/argon2-bound.sh [HASHES (default 40)]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/opt/swift/usr/bin:$PATH"
swift run -c release engine-report argon2 "${1:-40}"
