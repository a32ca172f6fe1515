#!/usr/bin/env python3
"""Replication lag under durable refresh load (issue 9).

A leader (SYNC_REPLICAS=1, WAL_FSYNC=always) with two followers, all on 127.0.0.1 (release build).
While `bench refresh` (CONNECTIONS connections, SECONDS s after a 2 s warm-up) runs against the
leader, every INTERVAL ms this samples:
  - the leader's GET /cluster: per follower `lagRecords` (leader's last appended LSN minus the
    follower's acknowledged LSN) and `lagMilliseconds` (time since that follower's last ack);
  - each follower's own GET /cluster: `lag.records` (leader durable LSN it knows of minus its
    applied LSN) and `lag.milliseconds` (how long ago it learnt of the oldest LSN not yet applied).
Only samples taken while the leader's LSN advanced (under load) count. It prints p50/p99/max per
follower, and the same sampled for 2 s idle before the load as the baseline.

    Benchmarks/replication-lag.py [rounds=2] [seconds=10] [connections=64] [interval_ms=50]
"""
import sys
import threading
import time

import benchlib as b

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
CONNECTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 64
INTERVAL = (int(sys.argv[4]) if len(sys.argv) > 4 else 50) / 1000


def sample(leader, followers, stop, out, require_progress):
    lp = b.Poller(leader.port)
    fps = {f.name: b.Poller(f.port) for f in followers}
    last = None
    while not stop.is_set():
        t0 = time.monotonic()
        lj = lp.json()
        fj = {name: p.json() for name, p in fps.items()}
        if lj is not None:
            appended = lj["lsn"]["appended"]
            advancing = last is not None and appended > last
            last = appended
            if advancing or not require_progress:
                for f in lj.get("followers", []):
                    row = out.setdefault(f["name"], {"lr": [], "lm": [], "fr": [], "fm": []})
                    row["lr"].append(f["lagRecords"])
                    row["lm"].append(f["lagMilliseconds"] or 0.0)
                for name, j in fj.items():
                    if j and "lag" in j:
                        row = out.setdefault(name, {"lr": [], "lm": [], "fr": [], "fm": []})
                        row["fr"].append(j["lag"]["records"])
                        row["fm"].append(j["lag"]["milliseconds"])
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - t0)))


def report(title, out):
    print(title)
    for name in sorted(out):
        row = out[name]
        print(f"  {name}  leader's view: lag {b.summary(row['lr'], ' rec')}")
        print(f"  {name}                 since last ack {b.summary(row['lm'], ' ms')}")
        print(f"  {name}  own view:      lag {b.summary(row['fr'], ' rec')}")
        print(f"  {name}                 lag {b.summary(row['fm'], ' ms')}")


def main():
    print(f"replication lag: {ROUNDS} rounds x {SECONDS} s, {CONNECTIONS} connections, sampled every "
          f"{INTERVAL * 1000:.0f} ms; {b.machine_line()}")
    leader, followers = b.start_group(followers=2, sync=1)
    time.sleep(1)  # past the followers' first catch-up
    stop = threading.Event()
    idle = {}
    t = threading.Thread(target=sample, args=(leader, followers, stop, idle, False), daemon=True)
    t.start()
    time.sleep(2)
    stop.set()
    t.join()
    report("idle (baseline):", idle)
    for r in range(1, ROUNDS + 1):
        lsn0 = leader.cluster()["lsn"]["appended"]
        stop = threading.Event()
        out = {}
        t = threading.Thread(target=sample, args=(leader, followers, stop, out, True), daemon=True)
        t.start()
        started = time.monotonic()
        proc = b.bench("refresh", leader.url, CONNECTIONS, SECONDS, 2, background=True)
        proc.wait(timeout=SECONDS + 180)
        elapsed = time.monotonic() - started
        stop.set()
        t.join()
        rate = b.bench_rate(proc.json_path)
        lsn1 = leader.cluster()["lsn"]["appended"]
        print(f"round {r}: leader {rate:,.0f} refresh/s (SYNC_REPLICAS=1, two followers); "
              f"{lsn1 - lsn0:,} records in {elapsed:.1f} s of bench (setup included)")
        report(f"round {r} under load:", out)
    # Every follower ends caught up (nothing lost in the stream).
    final = leader.cluster()["lsn"]["appended"]
    b.wait_until(lambda: all(f.cluster()["lsn"]["applied"] >= final for f in followers), "followers caught up", 30)
    print(f"after the load: leader LSN {final:,}; every follower applied it")


if __name__ == "__main__":
    main()
