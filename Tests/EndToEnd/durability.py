"""Durability end-to-end: damage a real data directory the ways an independent review found
to lose acknowledged writes silently, and check with a client ledger that authd either keeps
every acknowledged write or refuses to start (and the read-only tools refuse too), never
starts with less.

Scenarios (each on its own data directory):
  header      one bit flipped in the newest segment's header after SIGKILL under load
  cut         `wal repair` cuts the log below the newest snapshot; new writes survive a restart
  gap         the first segment deleted (no snapshot)
  restore     `restore --until` an LSN / a time before the newest snapshot
  damage      one payload byte flipped mid-log: restore and inspect refuse, serve refuses
  owner-only  a dev-mode start creates DATA_DIR 0700 and files 0600, and repairs a 0755 one

Usage: python3 durability.py BIN_DIR
"""
import datetime
import glob
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from authd_process import Server

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
AUTHD = os.path.join(BIN, "authd")
PASSWORD = "password123"
FAILURES = []


def scenario(fn):
    def run():
        started = time.time()
        try:
            fn()
            print(f"ok   {fn.__name__} ({time.time() - started:.1f}s)", flush=True)
        except Exception as error:  # a scenario's failure is reported, the others still run
            FAILURES.append(fn.__name__)
            print(f"FAIL {fn.__name__}: {error}", flush=True)
    run.__name__ = fn.__name__
    return run


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def authd(*args, timeout=60):
    return subprocess.run([AUTHD, *args], capture_output=True, text=True, timeout=timeout)


def segments(data_dir):
    return sorted(glob.glob(os.path.join(data_dir, "wal", "*.wal")))


def frames(data_dir):
    """(segment, offset, first LSN, record count) of every whole frame, in log order."""
    out = []
    for path in segments(data_dir):
        with open(path, "rb") as f:
            data = f.read()
        pos = 32
        while pos + 48 <= len(data):
            magic, _version, _flags, stored, _raw, first, count = struct.unpack_from("<IHHIIQI", data, pos)
            if magic != 0x4D524657:
                break
            out.append((path, pos, first, count))
            pos += 48 + ((stored + 7) & ~7)
    return out


def frame_holding(data_dir, lsn):
    for path, offset, first, count in frames(data_dir):
        if first <= lsn < first + count:
            return path, offset
    raise AssertionError(f"no frame holds LSN {lsn}")


def flip(path, offset, mask=0x01):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ mask]))


def refused_start(server, timeout=60):
    """Starts `authd serve` expecting it to exit non-zero; returns its output."""
    log = open(server.log_path, "ab")
    proc = subprocess.Popen([server.bin, "serve", *server.args], env=server.environment(), stdout=log,
                            stderr=subprocess.STDOUT, cwd=server.data_dir)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("authd started on a data directory it must refuse")
    finally:
        log.close()
    expect(code != 0, "authd exited 0 on a data directory it must refuse")
    return server.output()


def register(server, email, conn=None):
    s, _, body = server.request("POST", "/v1/auth/register", {"name": "Durable User", "email": email, "password": PASSWORD}, conn=conn)
    return s


def logs_in(server, email):
    s, _, _ = server.request("POST", "/v1/auth/sessions", {"email": email, "password": PASSWORD})
    return s == 200


def missing(server, emails):
    return [e for e in emails if not logs_in(server, e)]


def inspect(data_dir):
    out = authd("inspect", "--json", "--data-dir", data_dir)
    expect(out.returncode == 0, f"inspect failed: {out.stderr}")
    return json.loads(out.stdout)


def snapshot(server):
    out = authd("snapshot", "--data-dir", server.data_dir)
    expect(out.returncode == 0, f"authd snapshot failed: {out.stdout} {out.stderr}")


def load(server, seconds, threads=4):
    """Registrations from several clients until SIGKILL; returns the acknowledged emails."""
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker():
        conn = server.connection()
        while not stop.is_set():
            email = f"load-{uuid.uuid4().hex[:12]}@example.com"
            try:
                status = register(server, email, conn=conn)
            except (OSError, ConnectionError):
                return
            if status == 201:
                with lock:
                    acknowledged.append(email)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    server.kill()
    stop.set()
    for w in workers:
        w.join(10)
    return acknowledged


@scenario
def header():
    server = Server(BIN, env={"WAL_SEGMENT_BYTES": "65536", "SNAPSHOT_EVERY_BYTES": "0"}).start()
    acknowledged = load(server, 2.0)
    expect(len(segments(server.data_dir)) >= 2, "the load did not fill several segments")
    newest = segments(server.data_dir)[-1]
    expect(frames(server.data_dir)[-1][0] == newest, "the newest segment holds no frame")
    flip(newest, 17)
    output = refused_start(server)
    expect(os.path.basename(newest) in output and "byte 0" in output, f"refusal does not name the segment and offset: {output[-600:]}")
    expect(not glob.glob(newest + ".broken*"), "start-up moved bytes of the damaged segment aside")
    verify = authd("wal", "verify", "--data-dir", server.data_dir)
    expect(verify.returncode != 0, "wal verify passed a damaged header")
    # The bytes are all still there: undoing the damage brings back every acknowledged user.
    flip(newest, 17)
    server.start()
    lost = missing(server, acknowledged)
    expect(not lost, f"{len(lost)} of {len(acknowledged)} acknowledged users lost")
    server.stop()
    print(f"     header: refused with the damage named; {len(acknowledged)} acknowledged users all present after undoing it")


@scenario
def cut():
    # One segment (the default size), so the snapshot deletes none of the log below it.
    server = Server(BIN, env={"SNAPSHOT_EVERY_BYTES": "0"}).start()
    conn = server.connection()
    before = [f"cut-a-{i}@example.com" for i in range(400)]
    for email in before:
        expect(register(server, email, conn=conn) == 201, "registration failed")
    snapshot(server)
    snapshot_lsn = inspect(server.data_dir)["snapshotLSN"]
    after = [f"cut-b-{i}@example.com" for i in range(100)]
    for email in after:
        register(server, email, conn=conn)
    server.kill()
    # Damage about 300 LSNs below the snapshot, then the documented remedy.
    path, offset = frame_holding(server.data_dir, snapshot_lsn - 300)
    flip(path, offset + 60, 0x5A)
    refused_start(server)
    repair = authd("wal", "repair", "--data-dir", server.data_dir)
    expect(repair.returncode == 0, f"wal repair failed: {repair.stdout} {repair.stderr}")
    server.start()
    expect("started over after the snapshot" in server.output(), "the log restart was not logged")
    lost = missing(server, before)
    expect(not lost, f"{len(lost)} users the snapshot holds are lost")
    new = [f"cut-c-{i}@example.com" for i in range(600)]
    conn = server.connection()
    for email in new:
        expect(register(server, email, conn=conn) == 201, "registration after the repair failed")
    server.kill()
    server.start()
    lost = missing(server, new)
    expect(not lost, f"{len(lost)} of 600 registrations acknowledged after the repair lost at the next restart")
    server.stop()
    verify = authd("wal", "verify", "--data-dir", server.data_dir)
    expect(verify.returncode == 0, f"wal verify after the restart: {verify.stdout} {verify.stderr}")
    print(f"     cut: snapshot at {snapshot_lsn}, log cut ~300 below; 400 + 600 acknowledged users present, verify clean")


@scenario
def gap():
    server = Server(BIN, env={"WAL_SEGMENT_BYTES": "16384", "SNAPSHOT_EVERY_BYTES": "0"}).start()
    conn = server.connection()
    for i in range(150):
        register(server, f"gap-{i}@example.com", conn=conn)
    server.stop()
    expect(len(segments(server.data_dir)) >= 3, "not enough segments")
    os.unlink(segments(server.data_dir)[0])
    output = refused_start(server)
    expect("missing" in output, f"refusal does not say records are missing: {output[-600:]}")
    for tool in (["inspect", "--data-dir", server.data_dir],
                 ["restore", "--from", server.data_dir, "--into", tempfile.mkdtemp(prefix="authd-gap-") + "/r"]):
        out = authd(*tool)
        expect(out.returncode != 0 and "missing" in out.stderr, f"{tool[0]} accepted a log with a gap: {out.stdout} {out.stderr}")
    print("     gap: serve, inspect and restore refuse a log whose first segment is gone")


@scenario
def restore():
    server = Server(BIN, env={"SNAPSHOT_EVERY_BYTES": "0", "SNAPSHOT_KEEP": "3"}).start()
    conn = server.connection()
    times = {}
    for i in range(1, 201):
        expect(register(server, f"pitr-{i}@example.com", conn=conn) == 201, "registration failed")
        if i == 120:
            time.sleep(0.05)
            times[120] = datetime.datetime.now(datetime.timezone.utc)
            time.sleep(0.05)
        if i in (100, 150):
            snapshot(server)
    server.stop()
    for until, label in ((str(120), "LSN 120"), (times[120].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", "time after user 120")):
        target = tempfile.mkdtemp(prefix="authd-pitr-") + "/restored"
        out = authd("restore", "--from", server.data_dir, "--until", until, "--into", target)
        expect(out.returncode == 0, f"restore --until {until}: {out.stderr}")
        users = inspect(target)["users"]
        expect(users == 120, f"restore --until {label} holds {users} users, expected 120: {out.stdout}")
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)
    print("     restore: --until LSN 120 and --until <time of user 120> hold 120 users with snapshots at 100 and 150")


@scenario
def damage():
    server = Server(BIN, env={"SNAPSHOT_EVERY_BYTES": "0"}).start()
    conn = server.connection()
    for i in range(1, 301):
        register(server, f"dmg-{i}@example.com", conn=conn)
    server.stop()
    path, offset = frame_holding(server.data_dir, 200)
    flip(path, offset + 60, 0x5A)
    out = authd("inspect", "--data-dir", server.data_dir)
    expect(out.returncode != 0 and "corruption" in out.stderr, f"inspect accepted a damaged log: {out.stdout}")
    target = tempfile.mkdtemp(prefix="authd-dmg-") + "/r"
    out = authd("restore", "--from", server.data_dir, "--until", "250", "--into", target)
    expect(out.returncode != 0 and "corruption" in out.stderr, f"restore past the damage succeeded: {out.stdout}")
    out = authd("restore", "--from", server.data_dir, "--until", "150", "--into", target)
    expect(out.returncode == 0, f"restore before the damage failed: {out.stderr}")
    expect(inspect(target)["users"] == 150, "restore before the damage has the wrong state")
    refused_start(server)
    print("     damage: inspect and restore past the damage exit non-zero naming it; restore before it works")


@scenario
def owner_only():
    parent = tempfile.mkdtemp(prefix="authd-perm-")
    data_dir = os.path.join(parent, "data")
    server = Server(BIN, data_dir=data_dir, env={"AUTHD_ENV": "development"})
    server.without_secrets = True
    env = server.environment()
    env.pop("ACCESS_TOKEN_SECRET", None)
    env.pop("REFRESH_TOKEN_SECRET", None)
    server.environment = lambda: env
    os.makedirs(data_dir)
    os.chmod(data_dir, 0o755)   # a volume mounted world-readable
    server.start()
    register(server, "perm@example.com")
    server.stop()
    offenders = []
    for root, dirs, files in os.walk(data_dir):
        for name in dirs + files:
            path = os.path.join(root, name)
            if os.stat(path).st_mode & 0o077:
                offenders.append(f"{path} {oct(os.stat(path).st_mode & 0o777)}")
    if os.stat(data_dir).st_mode & 0o077:
        offenders.append(f"{data_dir} {oct(os.stat(data_dir).st_mode & 0o777)}")
    expect(not offenders, f"readable by others: {offenders}")
    expect("permissions tightened" in server.output(), "the repair was not logged")
    shutil.rmtree(parent, ignore_errors=True)
    print("     owner-only: DATA_DIR 0700, every file 0600 after a dev-mode start on a 0755 directory")


def main():
    for run in (header, cut, gap, restore, damage, owner_only):
        run()
    print(f"{6 - len(FAILURES)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
