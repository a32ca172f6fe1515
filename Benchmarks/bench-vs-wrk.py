#!/usr/bin/env python3
"""`bench --compare` against the wrk method, side by side, alternating in one run.

Each round runs, one after the other on the same machine:
  1. wrk -t1 -c64 against a bare SwiftNIO hello in its own process (`bench ceiling --serve-only`),
  2. wrk -t1 -c64 against authd's `GET /v1/auth/me` with a bearer token,
  3. `bench me --url AUTHD --compare --rounds 1 -t 1 -c 64`, which starts its own hello process
     and alternates it with the target,
and prints both ratios (target / hello) and each generator's CPU per request (wrk's from
getrusage of the child, bench's from its report). The two methods should agree within 10%.

Usage: python3 Benchmarks/bench-vs-wrk.py [rounds=3] [seconds=8]
Needs release builds of authd and bench (.build/release) and wrk. Every server listens on
127.0.0.1 and is stopped by its PID.
"""
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release")
# The arguments are this script's only when it runs as the main program (others import its helpers).
ARGS = sys.argv[1:] if __name__ == "__main__" else []
ROUNDS = int(ARGS[0]) if len(ARGS) > 0 else 3
SECONDS = int(ARGS[1]) if len(ARGS) > 1 else 8
CONNECTIONS = 64



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not answer")


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def process_cpu_seconds(pid):
    """utime + stime of a running process, from /proc (for a server's CPU per request)."""
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_all(processes):
    """Stops the processes this script started, by their PIDs (SIGTERM, then SIGKILL after 10 s)."""
    for p in processes:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def run_wrk(args):
    """Requests/s and the child's CPU seconds per request."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s"] + args, capture_output=True, text=True,
                         check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rps = float(re.search(r"Requests/sec:\s*([0-9.]+)", out).group(1))
    total = re.search(r"(\d+) requests in", out)
    requests = int(total.group(1)) if total else rps * SECONDS
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} non-2xx answers:\n{out}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return rps, cpu / max(1, requests)


def run_bench(authd_url, workdir):
    report = os.path.join(workdir, "bench.json")
    subprocess.run([os.path.join(BIN, "bench"), "me", "--url", authd_url, "--compare", "--rounds", "1", "-t", "1",
                    "-c", str(CONNECTIONS), "-d", str(SECONDS), "--warmup", "1", "--no-progress", "--json", report],
                   capture_output=True, text=True, check=True)
    data = json.load(open(report))
    comparison = data["comparison"]
    target = comparison["targetRuns"][0]
    ceiling = comparison["ceilingRuns"][0]
    # CPU over the load phase (warmup included) per answer of that phase, like wrk's getrusage.
    cpu = target["generatorCPUSeconds"] / max(1, target["loadAnswers"])
    return ceiling["requestsPerSecond"], target["requestsPerSecond"], cpu


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workdir = tempfile.mkdtemp(prefix="authd-bench-vs-wrk-")
    processes = []
    try:
        hello_port = free_port()
        hello = subprocess.Popen([os.path.join(BIN, "bench"), "ceiling", "--serve-only", "--port", str(hello_port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(hello)
        authd_port = free_port()
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(authd_port), DATA_DIR=os.path.join(workdir, "data"),
                   RATE_LIMIT_MAX_REQUESTS="0", LOGIN_MAX_ATTEMPTS="0", LOG_LEVEL="warning", WAL_FSYNC="always")
        authd = subprocess.Popen([os.path.join(BIN, "authd"), "serve"], env=env, stdout=open(os.path.join(workdir, "authd.log"), "w"),
                                 stderr=subprocess.STDOUT)
        processes.append(authd)
        hello_url = f"http://127.0.0.1:{hello_port}"
        authd_url = f"http://127.0.0.1:{authd_port}"
        wait_ready(hello_url + "/")
        wait_ready(authd_url + "/ready")
        post(authd_url + "/v1/auth/register", {"name": "Wrk", "email": "wrk@example.com", "password": "password123"})
        token = post(authd_url + "/v1/auth/sessions", {"email": "wrk@example.com", "password": "password123"})["accessToken"]
        print(f"hello pid {hello.pid} on {hello_url}, authd pid {authd.pid} on {authd_url}; {ROUNDS} rounds of {SECONDS} s, "
              f"{CONNECTIONS} connections, one generator thread", flush=True)
        print("round | wrk hello | wrk me | wrk ratio | bench hello | bench me | bench ratio | bench/wrk | CPU/request wrk | bench",
              flush=True)
        rows = []
        for r in range(1, ROUNDS + 1):
            wrk_hello, wrk_cpu_hello = run_wrk([hello_url + "/"])
            wrk_me, wrk_cpu = run_wrk(["-H", f"Authorization: Bearer {token}", authd_url + "/v1/auth/me"])
            bench_hello, bench_me, bench_cpu = run_bench(authd_url, workdir)
            wrk_ratio, bench_ratio = wrk_me / wrk_hello, bench_me / bench_hello
            rows.append((wrk_ratio, bench_ratio, wrk_cpu, bench_cpu))
            print(f"{r} | {wrk_hello:,.0f} | {wrk_me:,.0f} | {wrk_ratio:.2f}x | {bench_hello:,.0f} | {bench_me:,.0f} | "
                  f"{bench_ratio:.2f}x | {bench_ratio / wrk_ratio:.2f} | {1e6 * wrk_cpu:.2f} us | {1e6 * bench_cpu:.2f} us", flush=True)
        median = lambda xs: sorted(xs)[len(xs) // 2]
        w, b = median([x[0] for x in rows]), median([x[1] for x in rows])
        print(f"median: wrk method {w:.2f}x, bench --compare {b:.2f}x, agreement {b / w:.2f} "
              f"({'within' if abs(b / w - 1) <= 0.10 else 'NOT within'} 10%); generator CPU per request: wrk "
              f"{1e6 * median([x[2] for x in rows]):.2f} us, bench {1e6 * median([x[3] for x in rows]):.2f} us", flush=True)
    finally:
        stop_all(processes)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
