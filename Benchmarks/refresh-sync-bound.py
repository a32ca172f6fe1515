#!/usr/bin/env python3
"""How much of a durable refresh's cost is the WAL's sync: the same wrk refresh load against authd
with `WAL_FSYNC=always` and with `WAL_FSYNC=none`, alternated in one run.

With `none` every record is still encoded, compressed and written by the WAL writer thread, and
every answer still waits for that write, in batches of what arrived meanwhile; only the fdatasync
is gone. The ratio none / always therefore bounds what making the sync itself cheaper (a faster
device, an io_uring submission) can give this load on this machine. It does not bound a change to
how records are batched (a commit delay), which also changes how often the loops are woken.

Each round, for each mode: a fresh `authd serve` (own data directory, metrics on), 128 users with a
fresh session each, then `wrk -t1 -c64 -s Benchmarks/wrk-refresh.lua` for SECONDS. Printed per run:
refresh/s, the machine's idle and steal share over the run (/proc/stat), authd's CPU per refresh
(/proc/PID/stat), and the WAL's fdatasyncs per second and records per fdatasync (from /metrics).

Usage: python3 Benchmarks/refresh-sync-bound.py [ROUNDS=3] [SECONDS=5] [AUTHD=.build/release/authd]
Needs wrk (apt: wrk) and a release build of authd. Servers listen on 127.0.0.1 and are stopped by PID.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "Benchmarks", "wrk-refresh.lua")
_spec = importlib.util.spec_from_file_location("refresh_vs_redis", os.path.join(ROOT, "Benchmarks", "refresh-vs-redis.py"))
_peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_peer)
free_port, wait_ready, post, stop_all = _peer.free_port, _peer.wait_ready, _peer.post, _peer.stop_all
login_round, wrk_figures, server_cpu, SESSIONS, CONNECTIONS = (
    _peer.login_round, _peer.wrk_figures, _peer.server_cpu, _peer.SESSIONS, _peer.CONNECTIONS)


def wal_counters(url):
    """authd_wal_fsyncs and authd_wal_records from one scrape."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    values = {}
    for name in ("authd_wal_fsyncs", "authd_wal_records"):
        m = re.search(r"^" + name + r"(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
        if m is None:
            raise SystemExit(f"{name} is missing from /metrics")
        values[name] = float(m.group(1))
    return values


def cpu_times():
    """(total, idle + iowait, steal) jiffies of the whole machine."""
    fields = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(fields), fields[3] + fields[4], fields[7] if len(fields) > 7 else 0


def one_run(authd_binary, mode, seconds, work):
    port = free_port()
    data = tempfile.mkdtemp(prefix=f"{mode}-", dir=work)
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), DATA_DIR=data, RATE_LIMIT_MAX_REQUESTS="0",
               LOGIN_MAX_ATTEMPTS="0", LOG_LEVEL="warning", WAL_FSYNC=mode, METRICS_ENABLED="true",
               ARGON2_MEMORY_KIB="1024", ARGON2_ITERATIONS="1")
    authd = subprocess.Popen([authd_binary, "serve"], env=env, stdout=open(os.path.join(data, "authd.log"), "w"),
                             stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url + "/ready")
        for i in range(SESSIONS):
            post(url + "/v1/auth/register", {"name": "Wrk", "email": f"wrk-{i}@example.com", "password": "password123"})
        tokens = os.path.join(data, "tokens")
        login_round(url, tokens)
        wal_before, machine_before, cpu_before = wal_counters(url), cpu_times(), server_cpu(authd.pid)
        out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", LUA, url], capture_output=True,
                             text=True, env=dict(os.environ, WRK_REFRESH_TOKENS=tokens), timeout=600)
        if out.returncode != 0:
            raise SystemExit(f"wrk failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
        wal_after, machine_after, cpu_after = wal_counters(url), cpu_times(), server_cpu(authd.pid)
        rps, requests = wrk_figures(out.stdout)
        total = machine_after[0] - machine_before[0]
        fsyncs = wal_after["authd_wal_fsyncs"] - wal_before["authd_wal_fsyncs"]
        records = wal_after["authd_wal_records"] - wal_before["authd_wal_records"]
        return dict(rps=rps, idle=(machine_after[1] - machine_before[1]) / total,
                    steal=(machine_after[2] - machine_before[2]) / total,
                    cpu=(cpu_after - cpu_before) / max(1, requests), fsyncs=fsyncs / seconds,
                    per_fsync=records / fsyncs if fsyncs else None)
    finally:
        stop_all([authd])


def main():
    args = sys.argv[1:]
    rounds = int(args[0]) if len(args) > 0 else 3
    seconds = int(args[1]) if len(args) > 1 else 5
    authd_binary = os.path.abspath(args[2]) if len(args) > 2 else os.path.join(ROOT, ".build", "release", "authd")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="authd-refresh-sync-bound-")
    try:
        print(f"{rounds} rounds of {seconds} s, wrk -t1 -c{CONNECTIONS} refresh against {authd_binary}", flush=True)
        print("round | WAL_FSYNC | refresh/s | idle | steal | authd CPU/refresh | fdatasync/s | records/fdatasync",
              flush=True)
        ratios = []
        for r in range(1, rounds + 1):
            runs = {}
            for mode in ("always", "none"):
                x = one_run(authd_binary, mode, seconds, work)
                runs[mode] = x
                per = f"{x['per_fsync']:.1f}" if x["per_fsync"] else "-"
                print(f"{r} | {mode} | {x['rps']:,.0f} | {100 * x['idle']:.0f}% | {100 * x['steal']:.0f}% | "
                      f"{1e6 * x['cpu']:.1f} us | {x['fsyncs']:,.0f} | {per}", flush=True)
            ratios.append(runs["none"]["rps"] / runs["always"]["rps"])
            print(f"{r} | none / always | {ratios[-1]:.2f}x", flush=True)
        ratios.sort()
        print(f"median none / always: {ratios[len(ratios) // 2]:.2f}x (the most a cheaper fdatasync can give this load)",
              flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
