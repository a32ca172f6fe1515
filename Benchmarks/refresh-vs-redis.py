#!/usr/bin/env python3
"""Durable refresh against the ceiling and against Redis, each driven by a C client, alternated in one run.

Each round, one after the other on the same machine, 64 connections, one client thread:
  1. wrk -t1 against a bare SwiftNIO hello in its own process (`bench ceiling --serve-only`): the ceiling;
  2. wrk -t1 -s Benchmarks/wrk-refresh.lua against authd's `POST /v1/auth/tokens/refresh`
     (`WAL_FSYNC=always`): each answer's refresh token goes into a later request, over 128 sessions
     of 128 users logged in before the round (not measured);
  3. `bench refresh -t 1` against the same authd (its own 64 users), to show the weight of our client;
  4. redis-benchmark --threads 1 against Redis 7 running the same rotation as one Lua script
     (Benchmarks/peers/lua, `appendonly yes`, `appendfsync always`; 10,000 chains at random).
Prints requests/s, authd's refresh as a ratio to the round's hello and to the round's Redis, each
server's CPU per request (/proc) and each client's CPU per request (getrusage of the child; bench's
own figure over its load phase).

Usage: python3 Benchmarks/refresh-vs-redis.py [ROUNDS=3] [SECONDS=5] [AUTHD=.build/release/authd]
Needs wrk, redis-server and redis-benchmark (apt: wrk redis-server) and release builds of authd and
bench. Every server listens on 127.0.0.1 and is stopped by its PID. authd runs with a cheap Argon2
cost (ARGON2_MEMORY_KIB=1024, 1 iteration) so the 128 logins of each round take well under a second:
refresh never hashes a password, so the measured path is the default one.
"""
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release")
BENCH = os.path.join(BIN, "bench")
LUA = os.path.join(ROOT, "Benchmarks", "wrk-refresh.lua")
PEER_LUA = os.path.join(ROOT, "Benchmarks", "peers", "lua")
CONNECTIONS = 64
SESSIONS = 2 * CONNECTIONS
CHAINS = 10_000
_spec = importlib.util.spec_from_file_location("bench_vs_wrk", os.path.join(ROOT, "Benchmarks", "bench-vs-wrk.py"))
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
free_port, wait_ready, post, stop_all = _helpers.free_port, _helpers.wait_ready, _helpers.post, _helpers.stop_all
server_cpu = _helpers.process_cpu_seconds


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(server_pid, command, env=None):
    """Runs one client to completion; returns its stdout, the client's CPU and the server's CPU."""
    client_before, server_before = child_cpu(), server_cpu(server_pid)
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout, child_cpu() - client_before, server_cpu(server_pid) - server_before


def wrk_figures(stdout):
    rps = float(re.search(r"Requests/sec:\s*([0-9.]+)", stdout).group(1))
    requests = int(re.search(r"(\d+) requests in", stdout).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", stdout)
    failures = re.search(r"refresh failures: (\d+)", stdout)
    if non2xx or (failures and int(failures.group(1)) > 0):
        raise SystemExit("wrk saw failed answers:\n" + stdout)
    return rps, requests


def login_round(url, path):
    """A fresh session for each of the SESSIONS users; their refresh tokens, one per line, in `path`."""
    tokens = [post(url + "/v1/auth/sessions", {"email": f"wrk-{i}@example.com", "password": "password123"})["refreshToken"]
              for i in range(SESSIONS)]
    with open(path, "w") as f:
        f.write("\n".join(tokens) + "\n")


def redis_cli(port, *args):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()


def main():
    args = sys.argv[1:]
    rounds = int(args[0]) if len(args) > 0 else 3
    seconds = int(args[1]) if len(args) > 1 else 5
    authd_binary = os.path.abspath(args[2]) if len(args) > 2 else os.path.join(BIN, "authd")
    for tool in ("wrk", "redis-server", "redis-benchmark", "redis-cli"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install wrk redis-server)")
    work = tempfile.mkdtemp(prefix="authd-refresh-vs-redis-")
    processes = []
    try:
        hello_port, authd_port, redis_port = free_port(), free_port(), free_port()
        hello = subprocess.Popen([BENCH, "ceiling", "--serve-only", "--port", str(hello_port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(hello)
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(authd_port), DATA_DIR=os.path.join(work, "authd"),
                   RATE_LIMIT_MAX_REQUESTS="0", LOGIN_MAX_ATTEMPTS="0", LOG_LEVEL="warning", WAL_FSYNC="always",
                   ARGON2_MEMORY_KIB="1024", ARGON2_ITERATIONS="1")
        authd = subprocess.Popen([authd_binary, "serve"], env=env, stdout=open(os.path.join(work, "authd.log"), "w"),
                                 stderr=subprocess.STDOUT)
        processes.append(authd)
        os.makedirs(os.path.join(work, "redis"))
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                  "--dir", os.path.join(work, "redis"), "--appendonly", "yes", "--appendfsync", "always",
                                  "--save", "", "--protected-mode", "yes", "--logfile", os.path.join(work, "redis.log")])
        processes.append(redis)
        hello_url, authd_url = f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{authd_port}"
        wait_ready(hello_url + "/")
        wait_ready(authd_url + "/ready")
        deadline = time.time() + 30
        while True:
            try:
                if redis_cli(redis_port, "ping") == "PONG":
                    break
            except subprocess.CalledProcessError:
                pass
            if time.time() > deadline:
                raise SystemExit("redis-server did not answer")
            time.sleep(0.1)
        redis_cli(redis_port, "EVAL", open(os.path.join(PEER_LUA, "redis-seed.lua")).read(), "0", str(CHAINS))
        sha = redis_cli(redis_port, "SCRIPT", "LOAD", open(os.path.join(PEER_LUA, "redis-rotate.lua")).read())
        if redis_cli(redis_port, "EVALSHA", sha, "1", "chain:000000000000") != "1":
            raise SystemExit("the Redis rotation script failed")
        for i in range(SESSIONS):
            post(authd_url + "/v1/auth/register", {"name": "Wrk", "email": f"wrk-{i}@example.com", "password": "password123"})
        tokens = os.path.join(work, "tokens")
        redis_rate = None
        print(f"{rounds} rounds of {seconds} s, {CONNECTIONS} connections, one client thread; authd {authd_binary} "
              f"(WAL_FSYNC=always), Redis appendfsync always", flush=True)
        print("round | wrk hello | wrk refresh | bench refresh | redis-benchmark | refresh/hello | refresh/Redis | "
              "bench refresh/Redis | server CPU/req authd, Redis | client CPU/req wrk, bench, redis-benchmark", flush=True)
        rows = []
        for r in range(1, rounds + 1):
            out, _, _ = measured(hello.pid, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", hello_url + "/"])
            hello_rps, _ = wrk_figures(out)

            login_round(authd_url, tokens)
            out, wrk_cpu, authd_cpu = measured(authd.pid, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", LUA,
                                                           authd_url], env=dict(os.environ, WRK_REFRESH_TOKENS=tokens))
            refresh_rps, refresh_requests = wrk_figures(out)

            report = os.path.join(work, "bench.json")
            measured(authd.pid, [BENCH, "refresh", "--url", authd_url, "-t", "1", "-c", str(CONNECTIONS), "-d", str(seconds),
                                 "--warmup", "1", "--no-progress", "--json", report])
            run = json.load(open(report))["runs"][0]
            if sum(run["errors"].values()) or run["unexpectedStatuses"]:
                raise SystemExit(f"bench refresh saw errors: {run['errors']} {run['unexpectedStatuses']}")
            bench_rps = run["requestsPerSecond"]
            bench_cpu = run["generatorCPUSeconds"] / max(1, run["loadAnswers"])

            # redis-benchmark takes a request count: about SECONDS at the previous round's rate
            # (a 2 s calibration before the first).
            if redis_rate is None:
                out, _, _ = measured(redis.pid, ["redis-benchmark", "-h", "127.0.0.1", "-p", str(redis_port), "-c", str(CONNECTIONS),
                                                 "-n", "5000", "-r", str(CHAINS), "--threads", "1", "--csv",
                                                 "EVALSHA", sha, "1", "chain:__rand_int__"])
                redis_rate = float(out.strip().splitlines()[-1].split('","')[1])
            count = max(1000, int(redis_rate * seconds))
            errors_before = int(re.search(r"total_error_replies:(\d+)", redis_cli(redis_port, "INFO", "stats")).group(1))
            out, redis_client_cpu, redis_cpu = measured(redis.pid, ["redis-benchmark", "-h", "127.0.0.1", "-p", str(redis_port),
                                                                    "-c", str(CONNECTIONS), "-n", str(count), "-r", str(CHAINS),
                                                                    "--threads", "1", "--csv",
                                                                    "EVALSHA", sha, "1", "chain:__rand_int__"])
            errors = int(re.search(r"total_error_replies:(\d+)", redis_cli(redis_port, "INFO", "stats")).group(1)) - errors_before
            if errors:
                raise SystemExit(f"Redis answered {errors} errors")
            redis_rate = float(out.strip().splitlines()[-1].split('","')[1])

            row = dict(hello=hello_rps, refresh=refresh_rps, bench=bench_rps, redis=redis_rate,
                       authd_cpu=authd_cpu / refresh_requests, redis_cpu=redis_cpu / count,
                       wrk_cpu=wrk_cpu / refresh_requests, bench_cpu=bench_cpu, redis_client_cpu=redis_client_cpu / count)
            rows.append(row)
            print(f"{r} | {hello_rps:,.0f} | {refresh_rps:,.0f} | {bench_rps:,.0f} | {redis_rate:,.0f} | "
                  f"{refresh_rps / hello_rps:.2f}x | {refresh_rps / redis_rate:.2f}x | {bench_rps / redis_rate:.2f}x | "
                  f"{1e6 * row['authd_cpu']:.1f} us, {1e6 * row['redis_cpu']:.1f} us | "
                  f"{1e6 * row['wrk_cpu']:.1f} us, {1e6 * bench_cpu:.1f} us, {1e6 * row['redis_client_cpu']:.1f} us", flush=True)
        median = lambda xs: sorted(xs)[len(xs) // 2]
        print(f"median: refresh {median([x['refresh'] / x['hello'] for x in rows]):.2f}x hello, "
              f"{median([x['refresh'] / x['redis'] for x in rows]):.2f}x Redis (wrk against redis-benchmark); "
              f"bench refresh {median([x['bench'] / x['redis'] for x in rows]):.2f}x Redis; "
              f"server CPU per request authd {1e6 * median([x['authd_cpu'] for x in rows]):.1f} us, "
              f"Redis {1e6 * median([x['redis_cpu'] for x in rows]):.1f} us; client CPU per request wrk "
              f"{1e6 * median([x['wrk_cpu'] for x in rows]):.1f} us, bench {1e6 * median([x['bench_cpu'] for x in rows]):.1f} us, "
              f"redis-benchmark {1e6 * median([x['redis_client_cpu'] for x in rows]):.1f} us", flush=True)
    finally:
        stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
