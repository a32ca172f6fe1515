#!/usr/bin/env python3
"""Two authd builds against the bare SwiftNIO hello ceiling, measured with wrk, alternating in one run.

Each round runs wrk -t1 -c64 for SECONDS against: the hello server (`bench ceiling --serve-only`,
its own process), `GET /v1/auth/me` on authd BEFORE and AFTER (one bearer token each), and
`GET /health` on both. Prints req/s, the ratio to the hello of the same round, and the server's
CPU per request (utime + stime of the server process from /proc, divided by wrk's request count):
on this shared machine CPU per request moves far less than throughput.

Usage: python3 Benchmarks/wrk-before-after.py BEFORE_AUTHD AFTER_AUTHD [ROUNDS=3] [SECONDS=5]
Needs wrk and .build/release/bench. Every server listens on 127.0.0.1 and is stopped by its PID.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "release", "bench")
# The process helpers of bench-vs-wrk.py (free ports, readiness, JSON posts, stopping by PID).
_spec = importlib.util.spec_from_file_location("bench_vs_wrk", os.path.join(ROOT, "Benchmarks", "bench-vs-wrk.py"))
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
free_port, wait_ready, post, stop_all = _helpers.free_port, _helpers.wait_ready, _helpers.post, _helpers.stop_all
cpu_seconds = _helpers.process_cpu_seconds


def wrk(pid, args, seconds):
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t1", "-c64", f"-d{seconds}s"] + args, capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pid) - before
    if "Non-2xx" in out:
        raise SystemExit("wrk saw non-2xx answers:\n" + out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s*([0-9.]+)", out).group(1)), 1e6 * used / requests


def main():
    before_binary, after_binary = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    work = tempfile.mkdtemp(prefix="authd-wrk-before-after-")
    processes = []
    try:
        hello_port = free_port()
        hello = subprocess.Popen([BENCH, "ceiling", "--serve-only", "--port", str(hello_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(hello)
        servers = {}
        for name, binary in (("before", before_binary), ("after", after_binary)):
            port = free_port()
            env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), DATA_DIR=os.path.join(work, name), RATE_LIMIT_MAX_REQUESTS="0",
                       LOGIN_MAX_ATTEMPTS="0", LOG_LEVEL="warning", WAL_FSYNC="always")
            process = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(process)
            servers[name] = (process, f"http://127.0.0.1:{port}")
        wait_ready(f"http://127.0.0.1:{hello_port}/")
        tokens = {}
        for name, (_, url) in servers.items():
            wait_ready(url + "/ready")
            post(url + "/v1/auth/register", {"name": "Wrk", "email": "wrk@example.com", "password": "password123"})
            tokens[name] = post(url + "/v1/auth/sessions", {"email": "wrk@example.com", "password": "password123"})["accessToken"]
        columns = ["hello", "before me", "after me", "before health", "after health"]
        results = {c: [] for c in columns}
        print(f"{rounds} rounds of wrk -t1 -c64 -d{seconds}s; req/s (ratio to the round's hello), server CPU per request", flush=True)
        for r in range(1, rounds + 1):
            results["hello"].append(wrk(hello.pid, [f"http://127.0.0.1:{hello_port}/"], seconds))
            for route in ("me", "health"):
                for name in ("before", "after"):
                    process, url = servers[name]
                    args = ["-H", f"Authorization: Bearer {tokens[name]}", url + "/v1/auth/me"] if route == "me" else [url + "/health"]
                    results[f"{name} {route}"].append(wrk(process.pid, args, seconds))
            hello_rps = results["hello"][-1][0]
            print(f"round {r}: " + " | ".join(f"{c} {results[c][-1][0]:,.0f} ({results[c][-1][0] / hello_rps:.2f}x) {results[c][-1][1]:.1f} us"
                                             for c in columns), flush=True)
        median = lambda xs: sorted(xs)[len(xs) // 2]
        for c in columns:
            ratio = median([x[0] / h[0] for x, h in zip(results[c], results["hello"])])
            print(f"median {c}: {median([x[0] for x in results[c]]):,.0f} req/s, {ratio:.2f}x hello, server CPU {median([x[1] for x in results[c]]):.1f} us/request")
    finally:
        stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
