# Sourced by check-races.sh and check-memory.sh: builds the tests with one sanitizer in a scratch
# directory of its own and runs the unit suite (EtcdTests aside, as in `make test`).
#   run_suite SANITIZER SCRATCH_PATH LOG   -> sets SUITE_STATUS to the suite's exit status
# Exits 1 when the build fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SWIFT="${SWIFT:-swift}"

run_suite() {
  local sanitizer="$1" scratch="$2" log="$3"
  mkdir -p "$(dirname "$log")"
  "$SWIFT" build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" >"$log.build" 2>&1 || {
    tail -30 "$log.build"; exit 1; }
  "$SWIFT" test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --parallel --skip EtcdTests >"$log" 2>&1
  SUITE_STATUS=$?
  echo "suite: $(grep -a 'Test run with' "$log" | tail -1)"
}
