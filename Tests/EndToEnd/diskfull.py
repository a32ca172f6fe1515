"""Disk full, end to end: authd on a small file system of its own, filled up under a writing
client, then given its space back.

Checks, against a real `authd serve` whose DATA_DIR is a size-limited tmpfs mounted here:
  - mutations answer 503 SERVICE_UNAVAILABLE while the disk is full (never 500, never a hang);
  - reads keep working (/health, GET /v1/auth/me with a token issued before);
  - /ready fails (503) while the WAL cannot write;
  - when the space comes back authd recovers by itself: /ready 200 and writes succeed again,
    with no restart and no operator step;
  - nothing acknowledged is lost: every registration answered 201 (the client ledger) logs in
    after a SIGKILL and a restart on the same directory.

Needs root (or CAP_SYS_ADMIN) to mount a tmpfs. When the machine does not allow it, prints a
SKIPPED line saying why and exits 0 (the runner shows it); it never passes without the checks.
Only the authd started here is signalled (by PID); it listens on 127.0.0.1.

Usage: python3 diskfull.py BIN_DIR
"""
import os
import subprocess
import sys
import tempfile
import time
import uuid

from authd_process import Server, wait_for

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
PASSWORD = "password123"
SIZE = "16m"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def mount_tmpfs():
    """A fresh size-limited tmpfs, or (None, reason) when this machine cannot mount one."""
    point = tempfile.mkdtemp(prefix="authd-diskfull-")
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", point],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        os.rmdir(point)
        return None, f"mount failed to run: {error}"
    if done.returncode != 0:
        os.rmdir(point)
        return None, f"mount -t tmpfs refused (uid {os.getuid()}): {done.stderr.strip()}"
    return point, None


def unmount(point):
    subprocess.run(["umount", point], capture_output=True, timeout=30)
    try:
        os.rmdir(point)
    except OSError:
        pass


def fill(path, chunk=1 << 16):
    """Writes zeros to `path` until the file system refuses (ENOSPC); returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as ballast:
        block = b"\0" * chunk
        while True:
            try:
                written += ballast.write(block)
            except OSError:
                if chunk == 1 << 16:   # then the last few kilobytes, so nothing is left
                    block = b"\0" * 512
                    chunk = 512
                    continue
                break
    return written


def register(server, email, conn=None):
    return server.request("POST", "/v1/auth/register", {"name": "Disk Full", "email": email, "password": PASSWORD}, conn=conn)


def main():
    point, reason = mount_tmpfs()
    if point is None:
        print(f"SKIPPED diskfull: this machine cannot mount a size-limited file system ({reason})", flush=True)
        return 0
    data_dir = os.path.join(point, "data")
    os.mkdir(data_dir, 0o700)
    server = Server(BIN, data_dir=data_dir, env={"WAL_SEGMENT_BYTES": "65536", "WAL_FSYNC": "always", "LOG_LEVEL": "warn"})
    ledger = []
    try:
        server.start()
        conn = server.connection()
        reader = f"reader-{uuid.uuid4().hex[:8]}@example.com"
        expect(register(server, reader, conn)[0] == 201, "first registration")
        ledger.append(reader)
        status, _, grant = server.request("POST", "/v1/auth/sessions", {"email": reader, "password": PASSWORD}, conn=conn)
        expect(status == 200, f"login before the disk fills: {status}")
        bearer = {"Authorization": f"Bearer {grant['accessToken']}"}

        # Fill the disk, then keep writing until the WAL meets ENOSPC (its current segment may
        # still have room: at most one 64 KiB segment of registrations).
        ballast = os.path.join(point, "ballast")
        filled = fill(ballast)
        statuses = {}
        full_since = None
        for index in range(5000):
            email = f"full-{index}-{uuid.uuid4().hex[:6]}@example.com"
            status, _, body = register(server, email, conn)
            statuses[status] = statuses.get(status, 0) + 1
            expect(status in (201, 503), f"a registration on a full disk answered {status}: {body}")
            if status == 201:
                ledger.append(email)
                continue
            expect(body.get("error", {}).get("code") == "SERVICE_UNAVAILABLE" if isinstance(body, dict) else False,
                   f"503 without SERVICE_UNAVAILABLE: {body}")
            full_since = time.time()
            break
        expect(full_since is not None, f"5000 registrations on a full disk and no 503 ({statuses}, ballast {filled} bytes)")
        print(f"     disk full after {len(ledger) - 1} more registrations (ballast {filled >> 10} KiB)", flush=True)

        # While full: every mutation 503, reads answered, /ready 503.
        refused = 0
        for index in range(20):
            status, _, _ = register(server, f"refused-{index}-{uuid.uuid4().hex[:6]}@example.com", conn)
            expect(status in (503, 201), f"mutation while full answered {status}")
            refused += status == 503
        expect(refused >= 15, f"only {refused} of 20 mutations refused while full")
        status, _, _ = server.request("POST", "/v1/auth/sessions", {"email": reader, "password": PASSWORD}, conn=conn)
        expect(status == 503, f"a login (it opens a session: a write) answered {status} while full")
        expect(server.request("GET", "/health", conn=conn)[0] == 200, "/health while full")
        status, _, me = server.request("GET", "/v1/auth/me", headers=bearer, conn=conn)
        expect(status == 200 and me["user"]["email"] == reader, f"GET /v1/auth/me while full: {status} {me}")
        expect(server.request("GET", "/v1/auth/sessions", headers=bearer, conn=conn)[0] == 200, "session list while full")
        expect(server.request("GET", "/ready", conn=conn)[0] == 503, "/ready answered 200 while the disk is full")
        print(f"     while full: {refused}/20 mutations 503, reads 200, /ready 503", flush=True)

        # Space comes back: authd must heal by itself (its WAL retries with backoff up to 1 s).
        os.unlink(ballast)
        freed = time.time()
        healed = wait_for(lambda: register(server, f"after-{uuid.uuid4().hex[:8]}@example.com")[0] == 201 and time.time(),
                          "a write to succeed after the space came back", timeout=30, every=0.2)
        wait_for(lambda: server.request("GET", "/ready")[0] == 200, "/ready after the space came back", timeout=30)
        print(f"     recovered {healed - freed:.2f}s after the space came back, without a restart", flush=True)
        for index in range(50):
            email = f"after-{index}-{uuid.uuid4().hex[:6]}@example.com"
            status, _, _ = register(server, email, conn)
            expect(status == 201, f"registration after recovery answered {status}")
            ledger.append(email)
        conn.close()

        # The ledger survives a SIGKILL and a restart on the same directory.
        server.kill()
        server.start()
        lost = [e for e in ledger if server.request("POST", "/v1/auth/sessions", {"email": e, "password": PASSWORD})[0] != 200]
        expect(not lost, f"{len(lost)} of {len(ledger)} acknowledged registrations lost: {lost[:5]}")
        print(f"     ledger: {len(ledger)} acknowledged, 0 lost after SIGKILL and restart", flush=True)
    finally:
        server.stop()
        unmount(point)
    print("ok   diskfull", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as error:
        print(f"FAIL diskfull: {error}", flush=True)
        sys.exit(1)
