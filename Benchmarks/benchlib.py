"""Helpers shared by the replication and failover benchmark scripts in this directory.

Stdlib only. Every server listens on 127.0.0.1; every process started here is remembered by
its PID and stopped by that PID (SIGTERM, then SIGKILL) when the script exits, however it exits;
temporary data lives under one directory in /tmp that is removed at the end (unless
AUTHD_BENCH_KEEP=1). Every wait and every load is bounded in time.
"""
import atexit
import http.client
import json
import os
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("AUTHD_BIN_DIR", os.path.join(ROOT, ".build", "release"))
AUTHD = os.path.join(BIN, "authd")
BENCH = os.path.join(BIN, "bench")
SECRET = "bench-replication-secret-0123456789abcdef-0123"
ACCESS = "bench-access-secret-0123456789abcdef-0123"
REFRESH = "bench-refresh-secret-0123456789abcdef-012"

COMMON = {
    "HOST": "127.0.0.1", "ACCESS_TOKEN_SECRET": ACCESS, "REFRESH_TOKEN_SECRET": REFRESH,
    "RATE_LIMIT_MAX_REQUESTS": "0", "LOGIN_MAX_ATTEMPTS": "0", "LOG_LEVEL": "warn",
    "WAL_FSYNC": "always", "SNAPSHOT_EVERY_BYTES": "0",
}

_procs = {}  # pid -> Popen: everything this process started and has not reaped
WORK = tempfile.mkdtemp(prefix="authd-bench-", dir="/tmp")


def _cleanup():
    for proc in list(_procs.values()):
        stop_process(proc, grace=5)
    if os.environ.get("AUTHD_BENCH_KEEP") != "1":
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        print(f"kept {WORK}", file=sys.stderr)


atexit.register(_cleanup)


def _on_signal(signum, _frame):
    sys.exit(128 + signum)  # runs atexit


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc, sig=signal.SIGTERM, grace=20):
    """Signals one process started here, by its PID, and reaps it (SIGKILL after `grace` s)."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGCONT)
            os.kill(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    _procs.pop(proc.pid, None)
    log = getattr(proc, "log_file", None)
    if log:
        log.close()


def spawn(args, log_path, env=None):
    log = open(log_path, "ab")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    proc.log_file = log
    _procs[proc.pid] = proc
    return proc


class Node:
    """One `authd serve` on 127.0.0.1 with its own data directory under WORK."""

    def __init__(self, name, env=None, data_dir=None, port=None):
        self.name = name
        self.port = port or free_port()
        self.data_dir = data_dir or os.path.join(WORK, name)
        self.env = dict(env or {})
        self.proc = None
        self.log_path = os.path.join(WORK, name + ".log")
        self.started_at = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def environment(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ACCESS_TOKEN", "REFRESH_TOKEN", "RATE_LIMIT", "REPLICA", "SYNC_", "CLUSTER_", "WAL_"))}
        env.update(COMMON)
        env.update({"PORT": str(self.port), "DATA_DIR": self.data_dir, "NODE_NAME": self.name})
        env.update(self.env)
        return env

    def start(self, wait=True, timeout=120):
        os.makedirs(self.data_dir, exist_ok=True)
        self.started_at = time.monotonic()
        self.started_wall = time.time()
        self.proc = spawn([AUTHD, "serve"], self.log_path, self.environment())
        if wait:
            return self.wait_ready(timeout)
        return None

    def wait_ready(self, timeout=120):
        """Seconds from start to the first 200 of /ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if get(self.port, "/ready", timeout=1)[0] == 200:
                    return time.monotonic() - self.started_at
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready within {timeout} s:\n{self.tail()}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc:
            stop_process(self.proc, sig)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def cluster(self, timeout=2):
        status, body = get(self.port, "/cluster", timeout=timeout)
        if status != 200:
            raise OSError(f"{self.name}: /cluster answered {status}")
        return json.loads(body)

    def log_seconds(self, text):
        """Seconds from this start to the first log line (JSON) whose message contains `text`."""
        import datetime
        try:
            with open(self.log_path, "rb") as f:
                for raw in f:
                    try:
                        entry = json.loads(raw)
                    except ValueError:
                        continue
                    if text in entry.get("message", ""):
                        t = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
                        if t >= self.started_wall - 1:
                            return t - self.started_wall
        except OSError:
            pass
        return None

    def tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


def get(port, path, timeout=2, conn=None):
    """(status, body bytes) of GET path on 127.0.0.1:port; reuses `conn` when given."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        if own:
            c.close()


class Poller:
    """A kept-alive connection for sampling one server's JSON endpoint often."""

    def __init__(self, port, path="/cluster", timeout=2):
        self.port, self.path, self.timeout = port, path, timeout
        self.conn = None

    def json(self):
        for _ in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                status, body = get(self.port, self.path, conn=self.conn)
                if status == 200:
                    return json.loads(body)
                return None
            except (OSError, http.client.HTTPException, ValueError):
                if self.conn:
                    self.conn.close()
                self.conn = None
        return None


def replication_env(listen_port, leader_port=None, sync=None):
    env = {"REPLICATION_LISTEN": f"127.0.0.1:{listen_port}", "REPLICATION_SECRET": SECRET}
    if leader_port:
        env["REPLICATE_FROM"] = f"127.0.0.1:{leader_port}"
    if sync is not None:
        env["SYNC_REPLICAS"] = str(sync)
    return env


def start_group(followers=2, sync=1, extra=None, follower_extra=None):
    """A leader with `followers` followers, all started and ready; returns (leader, [followers])."""
    lport = free_port()
    leader = Node("leader", {**replication_env(lport, sync=sync), **(extra or {})})
    leader.replication_port = lport
    leader.start()
    fs = []
    for i in range(followers):
        fport = free_port()
        f = Node(f"follower{i + 1}", {**replication_env(fport, leader_port=lport), **(extra or {}), **(follower_extra or {})})
        f.replication_port = fport
        f.start()
        fs.append(f)
    wait_until(lambda: len([x for x in leader.cluster().get("followers", []) if x.get("streaming")]) == followers,
               "followers streaming", timeout=30)
    return leader, fs


def seconds_to_applied(node, target, timeout):
    """Seconds from `node.started_at` until its /cluster reports applied >= `target` (polled
    every 20 ms on one kept-alive connection); raises with the node's log tail on timeout."""
    poller = Poller(node.port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = poller.json()
        if answer and answer["lsn"].get("applied", 0) >= target:
            return time.monotonic() - node.started_at
        time.sleep(0.02)
    raise RuntimeError(f"{node.name} did not catch up within {timeout} s:\n{node.tail()}")


def wait_until(condition, what, timeout=60, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, KeyError, TypeError, ValueError, http.client.HTTPException):
            pass
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def _find(o, key):
    if isinstance(o, dict):
        if key in o and isinstance(o[key], (int, float)):
            return o[key]
        for v in o.values():
            r = _find(v, key)
            if r is not None:
                return r
    if isinstance(o, list):
        for v in o:
            r = _find(v, key)
            if r is not None:
                return r
    return None


def bench(scenario, url, connections=64, seconds=8, warmup=2, background=False, extra=()):
    """Runs `bench SCENARIO --url URL`; returns its requests/s (or the Popen with background=True)."""
    out = os.path.join(WORK, f"bench-{time.monotonic_ns()}.json")
    args = [BENCH, scenario, "--url", url, "-c", str(connections), "-d", str(seconds), "--warmup", str(warmup),
            "--no-progress", "--json", out, *extra]
    if background:
        proc = spawn(args, os.path.join(WORK, "bench.log"))
        proc.json_path = out
        return proc
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, timeout=seconds + warmup + 120)
    return bench_rate(out)


def bench_rate(path):
    with open(path) as f:
        return _find(json.load(f), "requestsPerSecond") or 0.0


def percentile(values, p):
    """Nearest-rank percentile of a list (p in 0...100); None for an empty list."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary(values, unit=""):
    if not values:
        return "no samples"
    return (f"p50 {fmt(percentile(values, 50))}{unit}  p99 {fmt(percentile(values, 99))}{unit}  "
            f"max {fmt(max(values))}{unit}  ({len(values)} samples)")


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.1f}"
    return f"{int(x):,}"


def machine_line():
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
