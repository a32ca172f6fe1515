"""Many connections, end to end: 20,000 idle or half-sent connections (slowloris) against a real
`authd serve`, while a normal client keeps asking; then descriptors run out and authd must back
off accepting, never crash, and serve again once they are free.

Phase "slowloris" (authd's open-file limit as high as this machine allows, MAX_CONNECTIONS at its
default, REQUEST_READ_TIMEOUT=5s): FLOODERS child processes open 20,000 connections in all; half
send nothing, half send a request head without its blank line. A client connected before the
flood (keep-alive) and fresh connections ask GET /v1/auth/me (a token check in the engine) and
/health every 0.2 s throughout. Checks: the keep-alive client is answered every time, within 5 s
(a generous bound; the latencies observed are printed), authd stays up, the half-sent
connections are cut with 408 REQUEST_TIMEOUT, connections past MAX_CONNECTIONS get 503 with
Retry-After, and a new client is served once the flood is gone.

Phase "descriptors" (open-file limit 1024, MAX_CONNECTIONS=100000, above it): 3,000 connections,
more than authd has descriptors. Checks: authd stays up, its CPU stays low (the listener pauses
instead of spinning on EMFILE), the keep-alive client is still answered, and new clients are
served once the flood closes.

Only processes started here are signalled (by PID); everything listens on 127.0.0.1. Every loop
is bounded.

Usage: python3 connections.py BIN_DIR [TOTAL_CONNECTIONS]
"""
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from authd_process import Server

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
TOTAL = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
FLOODERS = 4
PASSWORD = "password123"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def raise_nofile(wanted):
    """Raises this process's soft RLIMIT_NOFILE towards `wanted` (never above the hard limit); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def flood(port, count, hold_seconds, half_sent, marker=None):
    """Child mode: opens `count` connections, half of them sending a head without its end, holds
    them `hold_seconds`, then reports (as one JSON line) what came back on them."""
    raise_nofile(count + 256)
    sockets = []
    started = time.time()
    for index in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sockets.append(s)
        if index % 500 == 499:
            time.sleep(0.01)   # let the listener keep up with the SYNs
    # Wait (bounded) until each connect finished one way or the other.
    pending = set(range(len(sockets)))
    connected, failed = set(), set()
    deadline = time.time() + 60
    while pending and time.time() < deadline:
        for i in list(pending):
            err = sockets[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err != 0:
                failed.add(i)
                pending.discard(i)
                continue
            try:
                sockets[i].getpeername()
            except OSError:
                continue   # still connecting
            connected.add(i)
            pending.discard(i)
        if pending:
            time.sleep(0.1)
    opened = time.time() - started
    if marker:
        open(marker, "w").close()   # the parent tells the connecting phase from the holding one
    head = b"GET /health HTTP/1.1\r\nHost: slow\r\nX-Slow: 1\r\n"
    for i in connected:
        if half_sent and i % 2 == 0:
            try:
                sockets[i].send(head)
            except OSError:
                pass
    time.sleep(hold_seconds)
    answers = {"408": 0, "503": 0, "other": 0, "none": 0, "closed": 0}
    for i in connected:
        try:
            data = sockets[i].recv(512)
        except BlockingIOError:
            answers["none"] += 1
            continue
        except OSError:
            answers["closed"] += 1
            continue
        if not data:
            answers["closed"] += 1
        elif data.startswith(b"HTTP/1.1 408"):
            answers["408"] += 1
        elif data.startswith(b"HTTP/1.1 503"):
            answers["503"] += 1
        else:
            answers["other"] += 1
    for s in sockets:
        s.close()
    print(json.dumps({"connected": len(connected), "failed": len(failed), "pending": len(pending),
                      "openSeconds": round(opened, 2), "answers": answers}), flush=True)


def start_flood(port, total, hold_seconds, half_sent=True, markers=None):
    """FLOODERS children; with `markers` (a directory), each creates a file there once all its
    connections are made."""
    each = total // FLOODERS
    return [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--flood", str(port), str(each), str(hold_seconds),
                              "1" if half_sent else "0"] + ([os.path.join(markers, str(n))] if markers else []),
                             stdout=subprocess.PIPE, text=True) for n in range(FLOODERS)]


def collect(floods, timeout):
    reports = []
    for proc in floods:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    total = {"connected": 0, "failed": 0, "pending": 0, "answers": {}}
    for r in reports:
        for key in ("connected", "failed", "pending"):
            total[key] += r[key]
        for key, value in r["answers"].items():
            total["answers"][key] = total["answers"].get(key, 0) + value
    total["openSeconds"] = max((r["openSeconds"] for r in reports), default=0)
    return total


def timed(server, path, headers=None, conn=None):
    """(status, milliseconds) of one request; status None when it failed to be answered."""
    started = time.time()
    try:
        status, _, _ = server.request("GET", path, headers=headers, conn=conn)
    except (OSError, http.client.HTTPException):
        status = None
    return status, (time.time() - started) * 1000


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def summary(latencies):
    if not latencies:
        return "none"
    ordered = sorted(latencies)
    return (f"n={len(ordered)} p50={statistics.median(ordered):.1f}ms "
            f"p99={ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]:.1f}ms max={ordered[-1]:.1f}ms")


def login(server):
    email = f"conn-{os.getpid()}-{time.time_ns()}@example.com"
    expect(server.request("POST", "/v1/auth/register", {"name": "Conn", "email": email, "password": PASSWORD})[0] == 201, "register")
    status, _, grant = server.request("POST", "/v1/auth/sessions", {"email": email, "password": PASSWORD})
    expect(status == 200, "login")
    return {"Authorization": f"Bearer {grant['accessToken']}"}


def probe_while(server, floods, bearer, keep, seconds, fresh_too=True):
    """Asks every 0.2 s on the keep-alive connection (and on fresh ones) until the floods end."""
    kept, fresh, fresh_status = [], [], {}
    deadline = time.time() + seconds
    while time.time() < deadline and any(p.poll() is None for p in floods):
        status, ms = timed(server, "/v1/auth/me", headers=bearer, conn=keep)
        expect(status == 200, f"the keep-alive client got {status} during the flood")
        expect(ms < 5000, f"the keep-alive client waited {ms:.0f} ms")
        kept.append(ms)
        if not fresh_too:
            expect(server.proc.poll() is None, f"authd exited during the flood: {server.output()[-1500:]}")
            time.sleep(0.2)
            continue
        status, ms = timed(server, "/health")
        fresh_status[status] = fresh_status.get(status, 0) + 1
        if status == 200:
            fresh.append(ms)
        expect(server.proc.poll() is None, f"authd exited during the flood: {server.output()[-1500:]}")
        time.sleep(0.2)
    return kept, fresh, fresh_status


def slowloris():
    limit = raise_nofile(TOTAL + 4096)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    total = TOTAL
    if hard != resource.RLIM_INFINITY and hard - 256 < TOTAL // FLOODERS:
        total = FLOODERS * (hard - 256)
        print(f"     note: RLIMIT_NOFILE hard limit {hard}: {total} connections instead of {TOTAL}", flush=True)
    server = Server(BIN, env={"REQUEST_READ_TIMEOUT": "5s", "LOG_LEVEL": "error", "SHARDS": "2"})
    server_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    server.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (server_limit, server_limit))
    server.start()
    try:
        bearer = login(server)
        keep = server.connection()
        expect(timed(server, "/v1/auth/me", headers=bearer, conn=keep)[0] == 200, "keep-alive client before the flood")
        markers = tempfile.mkdtemp(prefix="authd-flood-")
        floods = start_flood(server.port, total, hold_seconds=15, markers=markers)
        peak_fds = 0
        kept, fresh, fresh_status = [], [], {}
        held = []   # the keep-alive client's answers once every connection of the flood is made
        deadline = time.time() + 120
        while time.time() < deadline and any(p.poll() is None for p in floods):
            all_made = len(os.listdir(markers)) == FLOODERS
            k, f, s = probe_while(server, floods, bearer, keep, 1)
            kept += k
            if all_made:
                held += k
            fresh += f
            for key, value in s.items():
                fresh_status[key] = fresh_status.get(key, 0) + value
            peak_fds = max(peak_fds, open_descriptors(server.proc.pid))
        report = collect(floods, timeout=60)
        print(f"     slowloris: {total} connections asked from {FLOODERS} processes (test limit {limit}, authd limit {server_limit}); "
              f"{report['connected']} connected in {report['openSeconds']}s, {report['failed']} failed, {report['pending']} unfinished; "
              f"authd peak descriptors {peak_fds}", flush=True)
        print(f"     on the flood's connections after 15 s: {report['answers']}", flush=True)
        print(f"     keep-alive client GET /v1/auth/me: {summary(kept)}", flush=True)
        print(f"     of which while all {report['connected']} connections were held (after the connect burst): "
              f"{summary(held) if held else 'none'}", flush=True)
        print(f"     fresh connections GET /health: {summary(fresh)}; statuses {fresh_status}", flush=True)
        expect(report["connected"] >= total * 0.9, f"only {report['connected']} of {total} connections were made")
        expect(report["answers"].get("408", 0) > 0, "no half-sent connection was cut with 408")
        expect(len(kept) >= 5, "too few probes during the flood")
        expect(server.proc.poll() is None, "authd exited")
        status, _ = timed(server, "/health")
        deadline = time.time() + 30
        while status != 200 and time.time() < deadline:
            time.sleep(0.2)
            status, _ = timed(server, "/health")
        expect(status == 200, "a new client is not served after the flood")
        keep.close()
        shutil.rmtree(markers, ignore_errors=True)
    finally:
        server.stop()


def descriptors():
    server = Server(BIN, env={"MAX_CONNECTIONS": "100000", "LOG_LEVEL": "error", "SHARDS": "2"})
    server.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    server.start()
    try:
        bearer = login(server)
        keep = server.connection()
        expect(timed(server, "/v1/auth/me", headers=bearer, conn=keep)[0] == 200, "keep-alive client before the flood")
        floods = start_flood(server.port, 3000, hold_seconds=8, half_sent=False)
        time.sleep(3)
        before = cpu_seconds(server.proc.pid)
        kept, _, _ = probe_while(server, floods, bearer, keep, 4, fresh_too=False)
        used = cpu_seconds(server.proc.pid) - before
        fds = open_descriptors(server.proc.pid)
        # A new client now waits in the backlog (authd accepts nothing while it has no descriptor).
        try:
            probe = socket.create_connection(("127.0.0.1", server.port), timeout=2)
            probe.settimeout(2)
            probe.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            fresh_status = "answered: " + probe.recv(16).decode("latin-1")
            probe.close()
        except OSError as error:
            fresh_status = f"not answered within 2 s ({type(error).__name__})"
        report = collect(floods, timeout=90)
        print(f"     descriptors: authd limit 1024, {report['connected']} of 3000 connections completed by the kernel "
              f"(those past authd's descriptors wait in the listen backlog, unaccepted); "
              f"authd held {fds} descriptors; {used:.2f} CPU s over the probing; keep-alive client {summary(kept)}; "
              f"a new connection meanwhile: {fresh_status}", flush=True)
        expect(server.proc.poll() is None, "authd exited when descriptors ran out")
        expect(fds >= 900, f"descriptors did not run out ({fds} open): the phase tested nothing")
        expect(used < 3.0, f"authd burnt {used:.2f} CPU seconds with descriptors exhausted (spinning on accept?)")
        deadline = time.time() + 30
        status, _ = timed(server, "/health")
        while status != 200 and time.time() < deadline:
            time.sleep(0.2)
            status, _ = timed(server, "/health")
        expect(status == 200, "no recovery once descriptors are free again")
        keep.close()
    finally:
        server.stop()


def main():
    failures = []
    for phase in (slowloris, descriptors):
        started = time.time()
        try:
            phase()
            print(f"ok   {phase.__name__} ({time.time() - started:.1f}s)", flush=True)
        except Exception as error:
            failures.append(phase.__name__)
            print(f"FAIL {phase.__name__}: {error}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--flood":
        flood(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1",
              sys.argv[6] if len(sys.argv) > 6 else None)
        sys.exit(0)
    sys.exit(main())
