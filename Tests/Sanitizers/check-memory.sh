#!/usr/bin/env bash
# AddressSanitizer and LeakSanitizer over the unit suite (EtcdTests aside, as in `make test`):
# out-of-bounds and use-after-free on every access the tests make, and, at exit of each test
# process, every allocation still unreachable. Exits 1 when a test fails or ASan/LSan reports
# anything (docs/reliability.md). Tests/Sanitizers/lsan-suppressions.txt names the two reports that
# are not authd's (inside Foundation and NIO) and why.
source "$(dirname "$0")/suite.sh"
OUT="${TMPDIR:-/tmp}/authd-asan"
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}" \
LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/Tests/Sanitizers/lsan-suppressions.txt:print_suppressions=1}" \
  run_suite address .build-asan "$OUT/suite.log"
status=$SUITE_STATUS
asan=$(grep -ac 'ERROR: AddressSanitizer' "$OUT/suite.log")
leaks=$(grep -ac 'ERROR: LeakSanitizer' "$OUT/suite.log")
echo "suite: $asan AddressSanitizer errors, $leaks LeakSanitizer reports (log: $OUT/suite.log)"
if [ "$status" -ne 0 ]; then echo "check-memory: the suite failed under ASan (exit $status)"; exit 1; fi
if [ $((asan + leaks)) -ne 0 ]; then echo "check-memory: $((asan + leaks)) sanitizer reports"; exit 1; fi
echo "check-memory: clean"
