"""Replication end-to-end: three real `authd serve` processes on loopback (a leader and two
followers, SYNC_REPLICAS=1), a client ledger under register/login/refresh/revoke load, SIGKILL of
the leader, `authd cluster promote` of the follower with the highest durable LSN, the clients on
the new leader: every acknowledged write is there. Then the old leader comes back as a follower:
its unacknowledged tail is cut, and all three nodes converge (`wal verify` clean, `inspect` equal).

Usage: python3 replication.py BIN_DIR
"""
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

from authd_process import Server, free_port, same_state_on_disk
import crash

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
AUTHD = os.path.join(BIN, "authd")
SECRET = "e2e-replication-secret-0123456789abcdef-01234"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def authd(*args, timeout=60):
    return subprocess.run([AUTHD, *args], capture_output=True, text=True, timeout=timeout)


class Node:
    """One cluster member: its Server (HTTP), replication port and name."""

    def __init__(self, name):
        self.name = name
        self.replication_port = free_port()
        self.server = Server(BIN, env={})
        self.follow(None)

    def follow(self, leader):
        env = {
            "NODE_NAME": self.name,
            "REPLICATION_LISTEN": f"127.0.0.1:{self.replication_port}",
            "REPLICATION_SECRET": SECRET,
            "SYNC_REPLICAS": "1",
            "SYNC_TIMEOUT": "2s",
            "SYNC_STRICT": "true",
            "HTTP_ADVERTISE": f"http://127.0.0.1:{self.server.port}",
            "SNAPSHOT_EVERY_BYTES": "0",
        }
        if leader is not None:
            env["REPLICATE_FROM"] = f"127.0.0.1:{leader.replication_port}"
        self.server.extra_env = env

    def cluster(self):
        status, _, body = self.server.request("GET", "/cluster")
        expect(status == 200, f"{self.name}: /cluster answered {status}")
        return body

    def start(self):
        self.server.start()
        return self


def wait(condition, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return
        except (OSError, AssertionError, KeyError, TypeError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def streaming_followers(leader):
    return {f["name"] for f in leader.cluster().get("followers", []) if f.get("streaming")}


def converged(nodes):
    applied = [n.cluster()["lsn"]["applied"] for n in nodes]
    return len(set(applied)) == 1


NODES = []


def main():
    a, b, c = Node("node-a"), Node("node-b"), Node("node-c")
    NODES.extend([a, b, c])
    a.start()
    b.follow(a)
    c.follow(a)
    b.start()
    c.start()
    wait(lambda: streaming_followers(a) == {"node-b", "node-c"}, "both followers to stream from node-a")
    print("cluster: node-a leads, node-b and node-c stream", flush=True)

    # A follower refuses writes and names the leader.
    status, headers, body = b.server.request("POST", "/v1/auth/register",
                                             {"name": "Nope", "email": "nope@example.com", "password": "password123"})
    expect(status == 503 and body["error"]["code"] == "NOT_LEADER", f"follower took a write: {status} {body}")
    expect(headers.get("x-authd-leader") == f"http://127.0.0.1:{a.server.port}", f"leader URL: {headers}")

    ledger = crash.Ledger()
    stop = threading.Event()
    rnd = random.Random()
    threads = [threading.Thread(target=crash.worker, args=(a.server, ledger, stop, rnd.random()), daemon=True) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    # Pause both followers (SIGSTOP: their connections stay open, nothing is read or
    # acknowledged): the leader (SYNC_STRICT) appends the writes that keep arriving, which nobody
    # acknowledges; after SYNC_TIMEOUT they fail with 503 and further writes are refused. A
    # SIGKILL of the followers instead resets their connections at once, so the leader starts
    # refusing before it appends anything past them, and there is no tail to cut. Then kill the
    # leader: its log ends with a tail no client was ever told about; then the paused followers.
    before = a.cluster()["lsn"]["appended"]
    b.server.proc.send_signal(signal.SIGSTOP)
    c.server.proc.send_signal(signal.SIGSTOP)
    time.sleep(3.0)
    status = a.cluster()
    leader_end = status["lsn"]["appended"]
    expect(status["mode"] == "refusing", f"the strict leader did not refuse writes without followers: {status['mode']}")
    expect(leader_end > before, f"the leader appended nothing while its followers were paused (LSN {before})")
    a.server.kill()
    b.server.kill()
    c.server.kill()
    stop.set()
    for t in threads:
        t.join(10)
    ledger.pending_users.clear()
    acknowledged = len(ledger.users)
    print(f"load: {acknowledged} users, {len(ledger.chains)} sessions acknowledged; node-a killed", flush=True)

    # The followers come back (their leader is gone) and the most advanced one is promoted.
    b.start()
    c.start()
    durable = {n.name: n.cluster()["lsn"]["durable"] for n in (b, c)}
    target, other = (b, c) if durable["node-b"] >= durable["node-c"] else (c, b)
    out = authd("cluster", "promote", "--data-dir", target.server.data_dir)
    expect(out.returncode == 0, f"promote {target.name}: {out.stdout} {out.stderr}")
    wait(lambda: target.cluster()["role"] == "leader", f"{target.name} to lead")
    # The other follower follows the new leader (SYNC_STRICT: the new leader takes writes once
    # a follower acknowledges).
    other.server.stop()
    other.follow(target)
    other.start()
    wait(lambda: target.server.request("GET", "/cluster/leader")[0] == 200, f"{target.name} to accept writes")
    print(f"promoted {target.name} (durable LSNs {durable}; the killed leader had appended {leader_end})", flush=True)
    expect(leader_end > max(durable.values()), "the killed leader had no unacknowledged tail: nothing to cut")

    problems = crash.check(target.server, ledger)
    for p in problems[:10]:
        print("  " + p, flush=True)
    expect(not problems, f"{len(problems)} acknowledged writes lost after the failover")

    # The old leader rejoins as a follower.
    a.follow(target)
    a.start()
    wait(lambda: streaming_followers(target) == {a.name, other.name}, "both nodes to stream from the new leader")
    # A few writes on the new leader, then everything converges.
    for i in range(20):
        target.server.request("POST", "/v1/auth/register", {"name": "After", "email": f"after-{i}@example.com", "password": "password123"})
    wait(lambda: converged([target, a, other]), "all three nodes to apply the same LSN")
    rejoin = a.cluster()
    cut = [json.loads(line) for line in a.server.output().splitlines()
           if line.startswith("{") and "cut this node's log back" in line]
    expect(cut and cut[-1]["recordsCut"] > 0, "the old leader's unacknowledged tail was not cut")
    kept = cut[-1]["keptAside"]
    expect(kept and all(os.path.exists(p) for p in kept), f"the cut records were not kept aside: {kept}")
    print(f"node-a rejoined as {rejoin['role']} at term {rejoin['term']}; its tail of {cut[-1]['recordsCut']} "
          f"unacknowledged records was cut back to LSN {cut[-1]['lastLSN']} and kept in {len(kept)} file(s)", flush=True)
    expect(rejoin["role"] == "follower", "the old leader did not rejoin as a follower")
    for node in (target, a, other):
        node.server.stop()
    users, sessions, last = same_state_on_disk(AUTHD, [(n.name, n.server.data_dir) for n in (target, a, other)])
    print(f"converged: {users} users, sessions {sessions}, last LSN {last} on all three; "
          f"wal verify clean on each", flush=True)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as error:
        print(f"FAIL: {error}")
        for node in NODES:
            print(f"--- {node.name} log tail\n" + node.server.output()[-3000:])
        print("0 passed, 1 failed")
        sys.exit(1)
    finally:
        for node in NODES:
            node.server.stop()
