"""Starts and stops real etcd members on 127.0.0.1 for the end-to-end cluster tests.

One or three members, each on free loopback ports with its own data directory under one
temp directory, with fast election settings (heartbeat 100 ms, election timeout 1 s).
Only processes started here are ever signalled, by their PID; whatever is still running
when the Python process exits is killed (atexit).

    cluster = EtcdCluster(size=3)
    urls = cluster.start()            # client URLs, once every member reports healthy
    cluster.kill(0)                   # SIGKILL; also pause(i) / resume(i) / restart(i)
    cluster.put("/k", "v", url=urls[1]); cluster.get("/k", url=urls[2])
    cluster.stop()                    # every member, then the temp directory

Stdlib only. `python3 etcd_harness.py --selftest` checks it against the etcd on PATH.
"""
import atexit
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HEARTBEAT_MS = 100
ELECTION_MS = 1000

_running = {}  # pid -> Popen, every member process this module started and has not reaped


def _kill_leftovers():
    for proc in list(_running.values()):
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGCONT)
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    _running.clear()


atexit.register(_kill_leftovers)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(text):
    data = text if isinstance(text, bytes) else text.encode()
    return base64.b64encode(data).decode()


class EtcdMember:
    """One etcd process: its name, ports, data directory and (while running) its PID."""

    def __init__(self, name, base_dir):
        self.name = name
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data_dir = os.path.join(base_dir, name)
        self.log_path = os.path.join(base_dir, name + ".log")
        self.proc = None
        self.paused = False

    @property
    def client_url(self):
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self):
        return f"http://127.0.0.1:{self.peer_port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def launch(self, initial_cluster, etcd="etcd"):
        args = [
            etcd, "--name", self.name, "--data-dir", self.data_dir,
            "--listen-client-urls", self.client_url, "--advertise-client-urls", self.client_url,
            "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", initial_cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "authd-e2e",
            "--heartbeat-interval", str(HEARTBEAT_MS), "--election-timeout", str(ELECTION_MS),
        ]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.paused = False
        _running[self.proc.pid] = self.proc

    def signal(self, signum):
        if self.running():
            os.kill(self.proc.pid, signum)

    def reap(self, timeout):
        """Waits up to `timeout` seconds for the process to exit; True once it has."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        _running.pop(self.proc.pid, None)
        return True

    def kill(self):
        """SIGKILL and reap."""
        self.signal(signal.SIGKILL)
        self.reap(10)
        self.paused = False

    def terminate(self, grace=5):
        """SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, then SIGKILL after `grace` s."""
        if not self.running():
            self.reap(0)
            return
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        if not self.reap(grace):
            self.kill()
        self.paused = False

    def healthy(self, timeout=1.0):
        try:
            with urllib.request.urlopen(self.client_url + "/health", timeout=timeout) as response:
                return json.loads(response.read()).get("health") == "true"
        except (OSError, ValueError, urllib.error.URLError):
            return False


class EtcdCluster:
    """1 or 3 etcd members on loopback, started together, each controllable by index."""

    def __init__(self, size=1, base_dir=None, etcd="etcd"):
        if size not in (1, 3):
            raise ValueError("size must be 1 or 3")
        self.etcd = etcd
        self.own_dir = base_dir is None
        self.base_dir = base_dir or tempfile.mkdtemp(prefix="authd-etcd-")
        self.members = [EtcdMember(f"etcd{i}", self.base_dir) for i in range(size)]
        self.initial_cluster = ",".join(f"{m.name}={m.peer_url}" for m in self.members)

    @property
    def client_urls(self):
        return [m.client_url for m in self.members]

    @property
    def endpoints(self):
        """The client URLs as authd's CLUSTER_ETCD_ENDPOINTS wants them."""
        return ",".join(self.client_urls)

    def start(self, timeout=30):
        """Starts every member and returns the client URLs once all report healthy."""
        for member in self.members:
            member.launch(self.initial_cluster, self.etcd)
        self.wait_healthy(timeout=timeout)
        return self.client_urls

    def wait_healthy(self, indices=None, timeout=30):
        """Waits until the members at `indices` (default: every running, unpaused one) are healthy."""
        chosen = [self.members[i] for i in indices] if indices is not None else \
            [m for m in self.members if m.running() and not m.paused]
        deadline = time.time() + timeout
        while time.time() < deadline:
            dead = [m.name for m in chosen if not m.running()]
            if dead:
                raise RuntimeError(f"etcd member(s) {dead} exited; logs in {self.base_dir}")
            if all(m.healthy() for m in chosen):
                return
            time.sleep(0.1)
        raise RuntimeError(f"etcd not healthy within {timeout} s; logs in {self.base_dir}")

    def kill(self, index):
        """SIGKILL member `index`."""
        self.members[index].kill()

    def pause(self, index, timeout=5):
        """SIGSTOP member `index` (it keeps its sockets but answers nothing); returns once the
        kernel reports it stopped (delivery is asynchronous: right after kill() it may still run)."""
        member = self.members[index]
        member.signal(signal.SIGSTOP)
        member.paused = True
        self._wait_state(member, stopped=True, timeout=timeout)

    def resume(self, index, timeout=5):
        """SIGCONT member `index`; returns once it runs again."""
        member = self.members[index]
        member.signal(signal.SIGCONT)
        member.paused = False
        self._wait_state(member, stopped=False, timeout=timeout)

    @staticmethod
    def _wait_state(member, stopped, timeout):
        deadline = time.time() + timeout
        while member.running() and time.time() < deadline:
            try:
                with open(f"/proc/{member.pid}/stat") as stat:
                    state = stat.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                return
            if (state in ("T", "t")) == stopped:
                return
            time.sleep(0.01)
        if member.running():
            raise RuntimeError(f"{member.name} (pid {member.pid}) did not {'stop' if stopped else 'continue'}")

    def restart(self, index, timeout=30):
        """Stops member `index` if running, starts it again on its ports and data, waits healthy."""
        member = self.members[index]
        member.terminate()
        member.launch(self.initial_cluster, self.etcd)
        self.wait_healthy([index], timeout=timeout)

    def pids(self):
        return [m.pid for m in self.members if m.running()]

    def stop(self):
        """Stops every member (SIGTERM, then SIGKILL) and removes the temp directory it made."""
        for member in self.members:
            member.terminate()
        if self.own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # The gateway calls the tests need to look at etcd directly.

    def call(self, path, body, url=None, timeout=5):
        """POSTs `body` (a dict) to `/v3/<path>` on `url` (default: the first running member)."""
        url = url or next(m.client_url for m in self.members if m.running() and not m.paused)
        request = urllib.request.Request(url + "/v3/" + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def put(self, key, value, url=None):
        return self.call("kv/put", {"key": b64(key), "value": b64(value)}, url)

    def get(self, key, url=None):
        """The value of `key` as text, or None."""
        kvs = self.call("kv/range", {"key": b64(key)}, url).get("kvs", [])
        return base64.b64decode(kvs[0].get("value", "")).decode() if kvs else None

    def get_prefix(self, prefix, url=None):
        """{key: value} of every key under `prefix`, as text."""
        end = bytearray(prefix.encode())
        while end and end[-1] == 0xFF:
            end.pop()
        if end:
            end[-1] += 1
        answer = self.call("kv/range", {"key": b64(prefix), "range_end": b64(bytes(end) or b"\0")}, url)
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")).decode()
                for kv in answer.get("kvs", [])}


def selftest():
    cluster = EtcdCluster(size=3)
    try:
        started = time.time()
        urls = cluster.start()
        print(f"3 members healthy in {time.time() - started:.1f} s: {urls}")
        cluster.put("/selftest/a", "one", url=urls[0])
        assert cluster.get("/selftest/a", url=urls[2]) == "one"

        killed = cluster.members[0].pid
        cluster.kill(0)
        assert not cluster.members[0].running()
        cluster.wait_healthy([1, 2])  # a new leader, if member 0 led
        cluster.put("/selftest/b", "two", url=urls[1])
        assert cluster.get("/selftest/b", url=urls[2]) == "two"
        assert cluster.get_prefix("/selftest/", url=urls[2]) == {"/selftest/a": "one", "/selftest/b": "two"}
        print(f"member 0 (pid {killed}) killed: writes and reads still go through the other two")

        cluster.pause(2)
        try:
            cluster.call("kv/range", {"key": b64("/selftest/a")}, url=urls[2], timeout=1)
            raise AssertionError("a paused member answered")
        except (OSError, urllib.error.URLError):
            pass
        cluster.resume(2)
        cluster.wait_healthy([1, 2])
        print("member 2 paused (no answer) and resumed")

        cluster.restart(0)
        assert cluster.get("/selftest/b", url=urls[0]) == "two"
        print("member 0 restarted and caught up")
    finally:
        pids = cluster.pids()
        cluster.stop()
    for pid in pids:
        try:
            os.kill(pid, 0)
            raise AssertionError(f"etcd pid {pid} still running after stop")
        except ProcessLookupError:
            pass
    assert not os.path.exists(cluster.base_dir)
    print("selftest passed: every member stopped, temp directory removed")


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        selftest()
    else:
        print(__doc__)
        sys.exit(2)
