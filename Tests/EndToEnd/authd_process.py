"""Starts and stops a real `authd serve` process on 127.0.0.1 for end-to-end tests.

Only processes started here are ever signalled, by their PID.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

ACCESS_SECRET = "e2e-access-secret-0123456789abcdef-0123456789"
REFRESH_SECRET = "e2e-refresh-secret-0123456789abcdef-012345678"


def wait_for(condition, what, timeout=30, every=0.05):
    """Polls `condition` until it returns a truthy value (which is returned) or `timeout` passes."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One authd process with its own data directory and port."""

    def __init__(self, bin_dir, data_dir=None, env=None, args=None):
        self.bin = os.path.join(os.path.abspath(bin_dir), "authd")
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="authd-e2e-")
        self.port = free_port()
        self.extra_env = env or {}
        self.args = args or []
        self.proc = None
        self.preexec = None   # e.g. a resource limit for the child
        self.log_path = os.path.join(tempfile.gettempdir(), f"authd-e2e-{self.port}.log")

    def environment(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCESS_TOKEN", "REFRESH_TOKEN", "RATE_LIMIT", "METRICS"))}
        env.update({
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATA_DIR": self.data_dir,
            "ACCESS_TOKEN_SECRET": ACCESS_SECRET,
            "REFRESH_TOKEN_SECRET": REFRESH_SECRET,
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_ITERATIONS": "1",
            "RATE_LIMIT_MAX_REQUESTS": "0",
            "LOGIN_MAX_ATTEMPTS": "0",
            "LOG_LEVEL": "info",
            "SHARDS": "4",
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.bin, "serve", *self.args], env=self.environment(), stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.data_dir, preexec_fn=self.preexec)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"authd exited with {self.proc.returncode}: {self.output()[-2000:]}")
            try:
                status, _, _ = self.request("GET", "/ready")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("authd did not become ready: " + self.output()[-2000:])

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method, path, body=None, headers=None, raw=None, conn=None):
        """Returns (status, headers dict (lower-case names), parsed JSON or text)."""
        own = conn is None
        conn = conn or self.connection()
        try:
            h = dict(headers or {})
            data = raw
            if body is not None:
                data = json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            payload = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            ctype = hdrs.get("content-type", "")
            parsed = json.loads(payload) if payload and "json" in ctype else payload.decode("utf-8", "replace")
            return resp.status, hdrs, parsed
        finally:
            if own:
                conn.close()


def same_state_on_disk(authd, nodes):
    """`authd wal verify` clean and `authd inspect` equal on every stopped node (a name and a
    data directory each). Returns the common (users, sessions, lastLSN); raises AssertionError."""
    inspections = []
    for name, data_dir in nodes:
        verify = subprocess.run([authd, "wal", "verify", "--data-dir", data_dir], capture_output=True, text=True, timeout=120)
        if verify.returncode != 0:
            raise AssertionError(f"wal verify on {name}: {verify.stdout[-800:]} {verify.stderr}")
        out = subprocess.run([authd, "inspect", "--json", "--data-dir", data_dir], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError(f"inspect on {name}: {out.stderr}")
        info = json.loads(out.stdout)
        inspections.append((info["users"], info["sessions"], info["lastLSN"]))
    if len(set(json.dumps(i) for i in inspections)) != 1:
        raise AssertionError(f"nodes differ: {inspections}")
    return inspections[0]
