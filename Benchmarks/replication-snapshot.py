#!/usr/bin/env python3
"""Snapshot catch-up of a fresh follower from a leader holding USERS users + USERS sessions (issue 9).

1. `Benchmarks/Populate` (authd-populate) writes a data directory in process: USERS users, one
   session each, then a snapshot; the WAL segments the snapshot covers are removed, so the
   leader no longer holds LSN 1 and an empty follower must start from the snapshot.
2. `authd serve` opens it as a leader (REPLICATION_LISTEN, SYNC_REPLICAS=0).
3. Each round, alternating: the leader is restarted on its data (SIGTERM, start, time to /ready:
   the baseline, loading the same snapshot from local disk), then a fresh follower with an empty
   DATA_DIR is started and timed from its start to /ready and to caught up (its applied LSN equals
   the leader's, GET /cluster every 20 ms); it is then stopped and its directory removed.

    Benchmarks/replication-snapshot.py [users=1000000] [rounds=2] [populated_dir]

With `populated_dir` (a directory authd-populate wrote with the secrets in benchlib.py, users
ignored), a copy of it is used instead of populating anew.
"""
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

import benchlib as b

USERS = int(sys.argv[1].replace("_", "")) if len(sys.argv) > 1 else 1_000_000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
TEMPLATE = sys.argv[3] if len(sys.argv) > 3 else None
POPULATE = os.environ.get("AUTHD_POPULATE",
                          os.path.join(b.ROOT, "Benchmarks", "Populate", ".build", "release", "authd-populate"))


def size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def mib(n):
    return f"{n / 1048576:.1f} MiB"


def newest_snapshot(directory):
    files = glob.glob(os.path.join(directory, "snapshots", "snapshot-*.snap"))
    return max(files, key=os.path.getmtime) if files else None


def main():
    print(f"snapshot catch-up: {USERS:,} users + sessions, {ROUNDS} rounds; {b.machine_line()}")
    data = os.path.join(b.WORK, "leader")
    if TEMPLATE:
        shutil.copytree(TEMPLATE, data, symlinks=True)
        print(f"copied {TEMPLATE}")
    else:
        env = {**os.environ, "ACCESS_TOKEN_SECRET": b.ACCESS, "REFRESH_TOKEN_SECRET": b.REFRESH}
        t0 = time.monotonic()
        subprocess.run([POPULATE, data, str(USERS)], env=env, check=True, timeout=3600)
        print(f"populated in {time.monotonic() - t0:.1f} s")
    snap = newest_snapshot(data)
    segments = sorted(glob.glob(os.path.join(data, "wal", "*.wal")))
    print(f"data directory {mib(size(data))}; newest snapshot {os.path.basename(snap) if snap else None} "
          f"{mib(os.path.getsize(snap)) if snap else '-'}; WAL files left: {len(segments)}")

    rport = b.free_port()
    leader = b.Node("leader", {**b.replication_env(rport, sync=0), "SNAPSHOT_EVERY_BYTES": "0",
                                  "METRICS_ENABLED": "true"}, data_dir=data)
    first = leader.start(timeout=600)
    print(f"leader first start (term record appended) to /ready: {first:.2f} s")
    rows = []
    for r in range(1, ROUNDS + 1):
        leader.stop()
        restart = leader.start(timeout=600)
        target = leader.cluster()["lsn"]["appended"]
        fdir = os.path.join(b.WORK, f"follower-r{r}")
        follower = b.Node(f"follower-r{r}", {**b.replication_env(b.free_port(), leader_port=rport), "LOG_LEVEL": "notice"},
                          data_dir=fdir)
        follower.start(wait=False)
        ready = follower.wait_ready(timeout=900)
        caught = b.seconds_to_applied(follower, target, timeout=900)
        fsnap = newest_snapshot(fdir)
        print(f"round {r}: leader restart to /ready {restart:.2f} s (baseline); fresh follower to /ready {ready:.2f} s, "
              f"to caught up (applied {target:,}) {caught:.2f} s = {caught / restart:.2f}x the leader's restart; "
              f"snapshot received {mib(os.path.getsize(fsnap)) if fsnap else 'none'}; "
              f"follower data dir {mib(size(fdir))}")
        status, metrics = b.get(leader.port, "/metrics")
        for line in metrics.decode().splitlines():
            if line.startswith(("authd_replication_snapshot_catchups_total", "authd_replication_bytes_shipped_total")):
                print(f"         leader {line}")
        installed = follower.log_seconds("installed the leader's snapshot")
        listening = follower.log_seconds("listening on")
        if installed is not None and listening is not None:
            print(f"         follower log: snapshot received and installed {installed:.2f} s after its start, "
                  f"engine open and listening {listening:.2f} s")
        rows.append((restart, ready, caught))
        follower.stop()
        shutil.rmtree(fdir, ignore_errors=True)
    med = statistics.median
    print(f"median: leader restart {med([x[0] for x in rows]):.2f} s, follower caught up {med([x[2] for x in rows]):.2f} s, "
          f"ratio {med([x[2] / x[0] for x in rows]):.2f}x")


if __name__ == "__main__":
    main()
