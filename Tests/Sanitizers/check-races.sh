#!/usr/bin/env bash
# ThreadSanitizer over the unit suite (EtcdTests aside, as in `make test`), then the two probes
# that show which lock TSan can see: a counter behind Synchronization.Mutex (correct, reported
# as a "Swift access race") and the same counter behind a pthread mutex (not reported).
set -uo pipefail
cd "$(dirname "$0")/../.."
SWIFT="${SWIFT:-swift}"
OUT="${TMPDIR:-/tmp}/authd-tsan"
mkdir -p "$OUT"
"$SWIFT" build --build-tests --sanitize=thread --scratch-path .build-tsan >/dev/null || exit 1
"$SWIFT" test --skip-build --sanitize=thread --scratch-path .build-tsan --parallel --skip EtcdTests > "$OUT/suite.log" 2>&1
echo "suite: $(grep -a 'Test run with' "$OUT/suite.log" | tail -1)"
echo "suite: $(grep -ac 'WARNING: ThreadSanitizer: Swift access race' "$OUT/suite.log") Swift access races, $(grep -ac 'WARNING: ThreadSanitizer: data race' "$OUT/suite.log") data races (log: $OUT/suite.log)"
for probe in mutex pthread; do
  swiftc -O -sanitize=thread "Tests/Sanitizers/$probe-probe.swift" -o "$OUT/$probe-probe" 2>/dev/null || exit 1
  "$OUT/$probe-probe" > "$OUT/$probe.log" 2>&1
  echo "probe $probe: $(grep -a total "$OUT/$probe.log"), TSan warnings: $(grep -ac 'WARNING: ThreadSanitizer' "$OUT/$probe.log")"
done
