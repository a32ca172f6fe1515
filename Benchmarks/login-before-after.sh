#!/usr/bin/env bash
# `bench login` against two authd builds, alternated in one run, at the default Argon2id cost
# (m = 19 MiB, t = 2, p = 1), each round running the builds in turn (the order swapped every
# round so machine drift hits both alike):
#   bound:  16 connections, closed loop: logins/s at the hashing bound (no queue overflow);
#   full:   open loop at 250 logins/s (well above either bound) on 128 connections: the hash
#           queue (HASH_QUEUE_LIMIT, default 64) stays full; the p99 and the 503 share.
# Prints each run and the medians, and the after/before ratio of logins/s.
# Usage: Benchmarks/login-before-after.sh BEFORE_BIN_DIR AFTER_BIN_DIR [ROUNDS (default 3)]
#   (each dir holds release `authd` and `bench`, e.g. .build/release of two checkouts)
set -euo pipefail
before="$1"; after="$2"; rounds="${3:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
common=(--spawn --fsync always -d 10 --warmup 2 --users 16 --no-progress)
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order="before after"; else order="after before"; fi
  for workload in bound full; do
    case $workload in
      bound) args=(-c 16) ;;
      full) args=(-c 128 --rate 250) ;;
    esac
    for build in $order; do
      dir=$before; [ "$build" = after ] && dir=$after
      "$dir/bench" login "${common[@]}" "${args[@]}" --authd "$dir/authd" --json "$out/$workload-$build-$r.json" >/dev/null
      python3 - "$out/$workload-$build-$r.json" "$workload" "$build" "$r" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["runs"][0]
ok = sum(c["passes"] for c in j["checks"])
shed = j["unexpectedStatuses"].get("503", 0)
other = {k: v for k, v in j["unexpectedStatuses"].items() if k != "503"}
print(f"round {sys.argv[4]} {sys.argv[2]:5} {sys.argv[3]:6}: {ok / j['measuredSeconds']:6.1f} logins/s, "
      f"p50 {j['latency']['p50Ms']:7.1f} ms, p99 {j['latency']['p99Ms']:7.1f} ms, "
      f"503 {shed} of {j['requests']} ({100 * shed / max(1, j['requests']):.0f}%), other errors {j['errors'] if other else 'none'}, unsent {j['unsent']}")
PY
    done
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
def runs(w, b):
    return [json.load(open(f"{d}/{w}-{b}-{r}.json"))["runs"][0] for r in range(1, rounds + 1)]
def logins(j): return sum(c["passes"] for c in j["checks"]) / j["measuredSeconds"]
def share(j): return 100 * j["unexpectedStatuses"].get("503", 0) / max(1, j["requests"])
med = statistics.median
print("medians:")
for w in ("bound", "full"):
    fig = {b: (med(map(logins, runs(w, b))), med(j["latency"]["p99Ms"] for j in runs(w, b)), med(map(share, runs(w, b)))) for b in ("before", "after")}
    for b in ("before", "after"):
        print(f"  {w:5} {b:6}: {fig[b][0]:6.1f} logins/s, p99 {fig[b][1]:7.1f} ms, 503 share {fig[b][2]:.0f}%")
    print(f"  {w:5} after/before: {fig['after'][0] / fig['before'][0]:.2f}x logins/s, p99 {fig['after'][1] / fig['before'][1]:.2f}x")
PY
