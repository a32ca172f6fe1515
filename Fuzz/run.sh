#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS seconds from its seed corpus (Fuzz/Corpus/<target>) and
# a working corpus kept under .build-fuzz/corpus/<target>; prints executions per target and fails
# (exit 1) when any target finds a crash, a leak, an out-of-memory or a timeout. Artifacts
# (the inputs that failed) land in .build-fuzz/artifacts/<target>/.
#   usage: Fuzz/run.sh SECONDS TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="$1"; shift
bin=.build-fuzz/release
failed=()
printf '%-18s %12s %10s %8s %s\n' target executions exec/s corpus result
for target in "$@"; do
  work=.build-fuzz/corpus/$target
  artifacts=.build-fuzz/artifacts/$target/
  mkdir -p "$work" "$artifacts"
  max_len=65536
  case "$target" in FuzzHTTP|FuzzToken|FuzzAdmin) max_len=8192 ;; esac
  log=.build-fuzz/$target.log
  "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "Fuzz/Corpus/$target" >"$log" 2>&1
  status=$?
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -ao 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  corpus=$(ls "$work" | wc -l)
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status): $(grep -m1 -E 'ERROR:|SUMMARY:|Fatal error|deadly signal' "$log" | cut -c1-160)"
    failed+=("$target")
  else
    result=ok
  fi
  printf '%-18s %12s %10s %8s %s\n' "$target" "${runs:-?}" "${rate:-?}" "$corpus" "$result"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]} (logs in .build-fuzz/<target>.log, inputs in .build-fuzz/artifacts/)"
  exit 1
fi
