#!/usr/bin/env bash
# Soak: a mixed load (me 80 / refresh 15 / login 5) at half of the measured peak against a real
# `authd serve` with periodic snapshots, for MINUTES minutes. Every 10 s it samples RSS, open
# descriptors, WAL bytes and segments on disk, snapshots, sessions by status and the server's p99
# into a CSV, draws a PNG, and checks that after warm-up RSS and descriptors stay flat, WAL
# segments are removed behind snapshots and p99 is stable; exits non-zero when a bound breaks.
#
#   Benchmarks/soak.sh 10                      # writes docs/results/soak.csv, soak.png, soak.txt
#   OUT=/tmp/soak Benchmarks/soak.sh 30
#
# Binaries: BIN_DIR (default .build/release; built with `swift build -c release` when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-10}"
BIN_DIR="${BIN_DIR:-.build/release}"
OUT="${OUT:-docs/results}"
export PATH="/opt/swift/usr/bin:$PATH"
if [ ! -x "$BIN_DIR/authd" ] || [ ! -x "$BIN_DIR/bench" ]; then
  swift build -c release --product authd
  swift build -c release --product bench
fi
python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check matplotlib
mkdir -p "$OUT"
exec python3 Benchmarks/soak.py "$BIN_DIR" "$MINUTES" "$OUT"
