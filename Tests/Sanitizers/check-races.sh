#!/usr/bin/env bash
# ThreadSanitizer over the unit suite (EtcdTests aside, as in `make test`), then the two probes
# that show which lock TSan can see: a counter behind Synchronization.Mutex (correct, yet reported
# as a "Swift access race") and the same counter behind a pthread mutex (not reported), which is
# why authd's one lock type (Sources/Locking) wraps a pthread mutex.
# Exits 1 when a test fails or TSan reports anything in the suite (docs/reliability.md).
source "$(dirname "$0")/suite.sh"
OUT="${TMPDIR:-/tmp}/authd-tsan"
# halt_on_error=0: report every race of the run, not just the first.
TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0}" run_suite thread .build-tsan "$OUT/suite.log"
status=$SUITE_STATUS
access=$(grep -ac 'WARNING: ThreadSanitizer: Swift access race' "$OUT/suite.log")
races=$(grep -ac 'WARNING: ThreadSanitizer: data race' "$OUT/suite.log")
other=$(grep -a 'WARNING: ThreadSanitizer' "$OUT/suite.log" | grep -avc 'Swift access race\|data race')
echo "suite: $access Swift access races, $races data races, $other other TSan warnings (log: $OUT/suite.log)"
for probe in mutex pthread; do
  swiftc -O -sanitize=thread "Tests/Sanitizers/$probe-probe.swift" -o "$OUT/$probe-probe" 2>/dev/null || exit 1
  "$OUT/$probe-probe" > "$OUT/$probe.log" 2>&1
  echo "probe $probe: $(grep -a total "$OUT/$probe.log"), TSan warnings: $(grep -ac 'WARNING: ThreadSanitizer' "$OUT/$probe.log")"
done
if [ "$status" -ne 0 ]; then echo "check-races: the suite failed under TSan (exit $status)"; exit 1; fi
if [ $((access + races + other)) -ne 0 ]; then echo "check-races: TSan reported $((access + races + other)) warnings"; exit 1; fi
echo "check-races: clean"
