#!/usr/bin/env python3
"""Catch-up rate of a follower that was down (issue 9).

A leader (SYNC_REPLICAS=1, WAL_FSYNC=always) and two followers on 127.0.0.1 (release build).
Each round: follower2 is stopped (SIGTERM, by PID); `bench refresh` (CONNECTIONS connections,
SECONDS s) writes on the leader, which keeps confirming through follower1; the leader's live write
rate (records/s: the median over 1 s windows of its LSN, sampled every 100 ms) is the baseline. Then
follower2 is started again on its data directory and this times, from its start, its /ready and
the moment its applied LSN equals the leader's (GET /cluster on both, every 20 ms; the leader is
idle by then). The catch-up rate is the records it was missing over that time.

    Benchmarks/replication-catchup.py [rounds=2] [seconds=20] [connections=64]
"""
import sys
import threading
import time

import benchlib as b

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
CONNECTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 64


def live_rate(leader, stop, out):
    p = b.Poller(leader.port)
    points = []
    last = None
    while not stop.is_set():
        j = p.json()
        if j:
            lsn = j["lsn"]["appended"]
            if last is not None and lsn > last:
                points.append((time.monotonic(), lsn))
            last = lsn
        time.sleep(0.1)
    # The median of 1 s windows: the steady rate, not diluted by bench's set-up (register +
    # login at the server's Argon2 cost) at the start of the run.
    rates = []
    i = 0
    for j in range(len(points)):
        while points[j][0] - points[i][0] > 1.0:
            rates.append((points[j][1] - points[i][1]) / (points[j][0] - points[i][0]))
            i += 1
    if rates:
        out["rate"] = b.percentile(rates, 50)


def main():
    print(f"catch-up: {ROUNDS} rounds, {SECONDS} s of refresh load with follower2 down, {CONNECTIONS} connections; "
          f"{b.machine_line()}")
    leader, (f1, f2) = b.start_group(followers=2, sync=1)
    ratios = []
    for r in range(1, ROUNDS + 1):
        b.wait_until(lambda: f2.cluster()["lsn"]["applied"] >= leader.cluster()["lsn"]["appended"], "follower2 current", 60)
        had = f2.cluster()["lsn"]["applied"]
        f2.stop()
        stop, out = threading.Event(), {}
        t = threading.Thread(target=live_rate, args=(leader, stop, out), daemon=True)
        t.start()
        refresh = b.bench("refresh", leader.url, CONNECTIONS, SECONDS, 2)
        stop.set()
        t.join()
        target = leader.cluster()["lsn"]["appended"]
        missing = target - had
        f2.start(wait=False)
        ready = f2.wait_ready(timeout=300)
        caught = b.seconds_to_applied(f2, target, timeout=600)
        catch_rate = missing / caught
        after_ready = missing / max(1e-6, caught - ready)
        live = out.get("rate", 0.0)
        ratios.append(catch_rate / live if live else 0.0)
        print(f"round {r}: leader live write rate {live:,.0f} records/s ({refresh:,.0f} refresh/s, follower2 down); "
              f"follower2 missed {missing:,} records; restart to /ready {ready:.2f} s, to caught up {caught:.2f} s: "
              f"catch-up {catch_rate:,.0f} records/s ({after_ready:,.0f}/s after /ready) = "
              f"{catch_rate / live if live else 0:.1f}x the live write rate")
        lj = leader.cluster()
        print(f"         leader LSN {lj['lsn']['appended']:,}; follower2 applied {f2.cluster()['lsn']['applied']:,}")
    print(f"catch-up / live write rate per round: {', '.join(f'{x:.1f}x' for x in ratios)}")


if __name__ == "__main__":
    main()
