#!/usr/bin/env python3
"""Open-loop tail latency at half of the measured peak (issue 12), unpinned and pinned, for one or
more authd builds alternating in one run.

For each scenario (me, refresh with WAL_FSYNC=always), each placement and each round, every build
gets a fresh `authd serve` (own data directory, metrics on) and:
  1. a closed-loop run of `bench SCENARIO -c 64 -t 1` (the peak, same placement);
  2. an open-loop run at half of that peak (`--rate`, latency counted from each request's due
     time on the generator, so a stall is never hidden), whose client p50/p99/p99.9 are kept;
  3. the server's own p99 for the route over that open-loop window, read from the difference of
     two scrapes of `authd_http_request_duration_seconds` (bucket upper bound: a ceiling);
  4. the raw fdatasync tail of the same disk (refresh only): 400-byte appends, each synced, in a
     file of their own, once beside the open-loop run ("beside") and once for 2 s after it ("alone").
Placements: `unpinned` (the kernel places every thread), `pinned` (authd on core 0, bench on core 1,
with taskset). Medians over rounds are printed per build, scenario and placement.

Usage: python3 Benchmarks/tail-latency.py [--rounds N] [--seconds S] AUTHD [AUTHD ...]
Needs .build/release/bench and taskset. Every server listens on 127.0.0.1 and is stopped by its PID.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "release", "bench")
ROUTES = {"me": "/v1/auth/me", "refresh": "/v1/auth/tokens/refresh"}
PLACEMENTS = {"unpinned": ([], []), "pinned": (["taskset", "-c", "0"], ["taskset", "-c", "1"])}
started = []


def stop_all():
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    started.clear()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port, route):
    """Cumulative bucket counts {upper bound: count} of the route's duration histogram."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    buckets = {}
    prefix = f'authd_http_request_duration_seconds_bucket{{route="{route}",le="'
    for line in text.splitlines():
        if line.startswith(prefix):
            bound, value = line[len(prefix):].split('"}')
            buckets[float("inf") if bound == "+Inf" else float(bound)] = float(value)
    return buckets


def server_p99_ms(before, after):
    deltas = sorted((bound, after.get(bound, 0) - before.get(bound, 0)) for bound in after)
    total = deltas[-1][1] if deltas else 0
    for bound, count in deltas:
        if total and count >= 0.99 * total:
            return bound * 1000
    return float("nan")


def fsync_tail(directory, seconds=2.0):
    path = os.path.join(directory, "fsync.probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    latencies, offset, end = [], 0, time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            os.pwrite(fd, b"x" * 400, offset)
            offset += 400
            t = time.perf_counter()
            os.fdatasync(fd)
            latencies.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    latencies.sort()
    n = len(latencies)
    return {"p50": latencies[n // 2] * 1e3, "p99": latencies[int(n * 0.99)] * 1e3,
            "p999": latencies[int(n * 0.999)] * 1e3, "max": latencies[-1] * 1e3, "count": n,
            "over5ms": sum(1 for x in latencies if x > 0.005), "seconds": seconds}


def bench(prefix, scenario, port, seconds, rate, out):
    args = prefix + [BENCH, scenario, "--url", f"http://127.0.0.1:{port}", "-c", "64", "-t", "1", "-d", str(seconds),
                     "--warmup", "1", "--no-progress", "--json", out]
    if rate:
        args += ["--rate", str(int(rate))]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds * 4 + 120)
    with open(out) as f:
        run = json.load(f)["runs"][0]
    latency = run["endpoints"][0]["latency"]
    return run["requestsPerSecond"], latency


def measure(authd, scenario, placement, seconds, work):
    server_prefix, bench_prefix = PLACEMENTS[placement]
    port = free_port()
    data = tempfile.mkdtemp(prefix="tail-", dir=work)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAL_", "RATE_LIMIT", "REPLICA", "CLUSTER_", "SYNC_"))}
    env.update({"HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": data, "RATE_LIMIT_MAX_REQUESTS": "0",
                "LOGIN_MAX_ATTEMPTS": "0", "LOG_LEVEL": "warn", "WAL_FSYNC": "always", "METRICS_ENABLED": "true"})
    log = open(os.path.join(data, "authd.log"), "wb")
    proc = subprocess.Popen(server_prefix + [authd, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    started.append(proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{authd} did not become ready")
                time.sleep(0.05)
        peak, _ = bench(bench_prefix, scenario, port, seconds, None, os.path.join(data, "peak.json"))
        before = scrape(port, ROUTES[scenario])
        beside = {}
        probe = None
        if scenario == "refresh":
            import threading
            probe = threading.Thread(target=lambda: beside.update(fsync_tail(data, seconds)))
            probe.start()
        rate, latency = bench(bench_prefix, scenario, port, seconds, peak / 2, os.path.join(data, "open.json"))
        if probe:
            probe.join()
        after = scrape(port, ROUTES[scenario])
        result = {"peak": peak, "rate": rate, "p50": latency["p50Ms"], "p99": latency["p99Ms"], "p999": latency["p999Ms"],
                  "server_p99": server_p99_ms(before, after)}
        if scenario == "refresh":
            result["fsync_beside"] = beside
            result["fsync"] = fsync_tail(data)
        return result
    finally:
        stop_all()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--scenarios", default="me,refresh")
    parser.add_argument("authd", nargs="+")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="authd-tail-", dir="/tmp")
    results = {}
    try:
        for scenario in args.scenarios.split(","):
            for placement in PLACEMENTS:
                for round_ in range(1, args.rounds + 1):
                    for authd in args.authd:
                        r = measure(os.path.abspath(authd), scenario, placement, args.seconds, work)
                        results.setdefault((scenario, placement, authd), []).append(r)
                        extra = ""
                        for label in ("beside", "alone"):
                            f = r.get("fsync_beside" if label == "beside" else "fsync")
                            if f:
                                extra += (f" | disk fdatasync {label}: p50 {f['p50']:.2f} p99 {f['p99']:.2f} p99.9 {f['p999']:.2f}"
                                          f" max {f['max']:.1f} ms, {f['over5ms']} over 5 ms in {f['seconds']:g} s")
                        print(f"{scenario} {placement} round {round_} {authd}: peak {r['peak']:,.0f}/s, open loop {r['rate']:,.0f}/s: "
                              f"p50 {r['p50']:.3f} p99 {r['p99']:.3f} p99.9 {r['p999']:.3f} ms, server p99 <= {r['server_p99']:.3g} ms{extra}",
                              flush=True)
        print("\nmedians (client latency from each request's due time; server p99 is a histogram bucket bound)")
        for (scenario, placement, authd), runs in results.items():
            med = lambda key: statistics.median(r[key] for r in runs)
            print(f"{scenario:8} {placement:9} {authd}: peak {med('peak'):,.0f}/s at half: p50 {med('p50'):.3f} p99 {med('p99'):.3f} "
                  f"p99.9 {med('p999'):.3f} ms, server p99 <= {med('server_p99'):.3g} ms")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
