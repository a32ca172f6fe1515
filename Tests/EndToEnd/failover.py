"""Automatic failover end to end: a real etcd, three real `authd serve` nodes with
CLUSTER_ETCD_ENDPOINTS (SYNC_REPLICAS=1, CLUSTER_LEASE_TTL=3s) and a real HAProxy routing writes
to whichever node passes `/cluster/leader`. Clients write through HAProxy under a ledger of what
was acknowledged, while:

1. the leader is SIGKILLed, several times in a row, whichever node leads: a new leader
   acknowledges a write within CLUSTER_LEASE_TTL + 2 s, the killed node rejoins as a follower;
2. the leader is SIGSTOPped past its lease: another node takes over; once SIGCONT'ed the old
   leader acknowledges nothing sent straight to it, and rejoins as a follower;
3. a synchronous follower is SIGKILLed: writes go on (it leaves the sync set first), it comes
   back, catches up and rejoins;
4. a planned switchover (`authd cluster switchover --to` the sync member) under load: the
   target leads, the old leader follows, the write gap is measured from the ledger;
5. etcd is SIGKILLed for 10 s and restarted: writes pause and resume by themselves.

Then: every acknowledged write is on the cluster (0 lost), all nodes converge (`wal verify`
clean, `inspect` equal), and the failover times are printed. Along the way the nodes' /metrics
carry every cluster-only metric the alert rules and the dashboard use
(deploy/observability/cluster-metrics.txt), each with # HELP and a sample, and a failover is
counted by the nodes that saw it.

Usage: python3 failover.py BIN_DIR [kills]
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from authd_process import Server, free_port, same_state_on_disk
from etcd_harness import EtcdCluster
from observability import base_name, cluster_metrics, families
import crash

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
KILLS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
AUTHD = os.path.join(BIN, "authd")
SECRET = "e2e-failover-secret-0123456789abcdef-0123456"
TTL = 3


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def wait(condition, what, timeout=60, every=0.05):
    """Polls `condition` until it returns a truthy value, and returns that value (not a second
    evaluation: a cluster that was ready a moment ago may be between lease renewals now)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (OSError, AssertionError, KeyError, TypeError, ValueError, AttributeError):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Node:
    def __init__(self, name, etcd):
        self.name = name
        self.replication_port = free_port()
        self.server = Server(BIN, env={})
        self.server.extra_env = {
            "NODE_NAME": name,
            "REPLICATION_LISTEN": f"127.0.0.1:{self.replication_port}",
            "REPLICATION_SECRET": SECRET,
            "CLUSTER_ETCD_ENDPOINTS": etcd.endpoints,
            "CLUSTER_NAME": "e2e",
            "CLUSTER_LEASE_TTL": f"{TTL}s",
            "SYNC_REPLICAS": "1",
            "SYNC_TIMEOUT": "1s",
            "HTTP_ADVERTISE": f"http://127.0.0.1:{self.server.port}",
            "SNAPSHOT_EVERY_BYTES": "0",
            "LOG_LEVEL": "notice",
            "METRICS_ENABLED": "true",
        }

    def metrics(self):
        """{metric name: [sample lines]} and the set of names with # HELP, from /metrics."""
        status, _, text = self.server.request("GET", "/metrics")
        expect(status == 200, f"{self.name}: /metrics answered {status}")
        types, helped = families(text)
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                samples.setdefault(base_name(line.split("{", 1)[0].split(" ", 1)[0], types), []).append(line)
        return samples, helped

    def cluster(self):
        status, _, body = self.server.request("GET", "/cluster")
        expect(status == 200, f"{self.name}: /cluster answered {status}")
        return body

    def leads(self):
        try:
            return self.server.request("GET", "/cluster/leader")[0] == 200
        except OSError:
            return False

    def running(self):
        return self.server.proc is not None and self.server.proc.poll() is None


class HAProxy:
    """HAProxy in front of the nodes: writes (and everything else) to the node that passes
    /cluster/leader, checked every 100 ms; connections to a node marked down are closed."""

    def __init__(self, nodes):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="authd-haproxy-")
        self.config = os.path.join(self.dir, "haproxy.cfg")
        servers = "\n".join(f"    server {n.name} 127.0.0.1:{n.server.port} check" for n in nodes)
        with open(self.config, "w") as f:
            f.write(f"""global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 500ms
frontend authd
    bind 127.0.0.1:{self.port}
    default_backend leader
backend leader
    option httpchk GET /cluster/leader
    http-check expect status 200
    default-server inter 100ms fall 1 rise 1 on-marked-down shutdown-sessions
{servers}
""")
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "haproxy.log"), "ab")
        self.proc = subprocess.Popen(["haproxy", "-f", self.config, "-db"], stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Load:
    """Client threads writing through HAProxy with a ledger; survive failovers (a broken
    connection or a 5xx is an unknown outcome: the chain is not used again)."""

    def __init__(self, proxy, threads=4):
        self.proxy = proxy
        self.ledger = crash.Ledger()
        self.stop = threading.Event()
        self.acks = []                 # times of acknowledged writes
        self.errors = []
        self.lock = threading.Lock()
        rnd = random.Random()
        self.threads = [threading.Thread(target=self.worker, args=(rnd.random(),), daemon=True) for _ in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(15)
        self.ledger.pending_users.clear()

    def acknowledged(self, sent):
        with self.lock:
            self.acks.append((sent, time.time()))

    def largest_gap(self, start, end):
        """The longest time without an acknowledgement between `start` and `end`."""
        with self.lock:
            times = sorted(answered for _, answered in self.acks if start <= answered <= end)
        points = [start] + times + [end]
        return max(b - a for a, b in zip(points, points[1:]))

    def first_ack_after(self, moment):
        """When the first write sent after `moment` was acknowledged."""
        with self.lock:
            later = [answered for sent, answered in self.acks if sent > moment]
        return min(later) if later else None

    def worker(self, seed):
        rnd = random.Random(seed)
        ledger = self.ledger
        conn = self.proxy.connection()
        mine = []
        while not self.stop.is_set():
            chain = None
            try:
                action = rnd.random()
                if action < 0.3 or not mine:
                    email = f"fo-{uuid.uuid4().hex[:10]}@example.com"
                    sent = time.time()
                    s, _, _ = self.proxy.request("POST", "/v1/auth/register",
                                                 {"name": "Failover", "email": email, "password": "password123"}, conn=conn)
                    if s != 201:
                        time.sleep(0.02)
                        continue
                    with ledger.lock:
                        ledger.users.append(email)
                    self.acknowledged(sent)
                    chain = crash.Chain(email)
                    chain.in_flight = "login"
                    sent = time.time()
                    s, _, body = self.proxy.request("POST", "/v1/auth/sessions", {"email": email, "password": "password123"},
                                                    conn=conn)
                    chain.in_flight = None
                    if s == 200:
                        chain.tokens.append(body["refreshToken"])
                        chain.access = body["accessToken"]
                        mine.append(chain)
                        with ledger.lock:
                            ledger.chains.append(chain)
                        self.acknowledged(sent)
                elif action < 0.9:
                    chain = rnd.choice(mine)
                    chain.in_flight = "refresh"
                    sent = time.time()
                    s, _, body = self.proxy.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": chain.tokens[-1]}, conn=conn)
                    if s == 200:
                        chain.tokens.append(body["refreshToken"])
                        chain.access = body["accessToken"]
                        chain.in_flight = None
                        self.acknowledged(sent)
                    elif s >= 500:
                        mine.remove(chain)   # unknown outcome: leave it marked
                        time.sleep(0.02)
                    else:
                        raise AssertionError(f"refresh answered {s} {body}")
                else:
                    chain = rnd.choice(mine)
                    chain.in_flight = "revoke"
                    sent = time.time()
                    s, _, _ = self.proxy.request("DELETE", "/v1/auth/sessions", headers={"Authorization": f"Bearer {chain.access}"},
                                                 conn=conn)
                    mine.remove(chain)
                    if s == 204:
                        chain.revoked = True
                        chain.in_flight = None
                        self.acknowledged(sent)
                    elif s < 500:
                        raise AssertionError(f"revoke answered {s}")
            except (OSError, ConnectionError, ValueError):
                # The node behind HAProxy went away mid-request: whatever was in flight stays open.
                if chain is not None and chain in mine:
                    mine.remove(chain)
                try:
                    conn.close()
                except OSError:
                    pass
                conn = self.proxy.connection()
                time.sleep(0.02)
            except Exception as error:
                with self.lock:
                    self.errors.append(repr(error))
                self.stop.set()
                return


NODES = []
ETCD = None
PROXY = None


def leader_of(nodes):
    leading = [n for n in nodes if n.running() and n.leads()]
    return leading[0] if len(leading) == 1 else None


def sync_member(leader):
    election = leader.cluster().get("election", {})
    sync = election.get("syncSet") or {}
    if sync.get("leader") != leader.name or not sync.get("members"):
        return None
    return sync["members"][0]


def ready_cluster(nodes):
    """One leader, both others streaming from it, a sync member published."""
    leader = leader_of(nodes)
    if leader is None:
        return None
    streaming = {f["name"] for f in leader.cluster().get("followers", []) if f.get("streaming")}
    if streaming != {n.name for n in nodes if n is not leader}:
        return None
    return leader if sync_member(leader) else None


def check_cluster_metrics(nodes):
    """Every cluster-only metric is exported, with # HELP and a sample, by some running node."""
    seen = {}
    for n in nodes:
        if n.running():
            samples, helped = n.metrics()
            for name in cluster_metrics():
                if name in helped and samples.get(name):
                    seen.setdefault(name, n.name)
    missing = sorted(name for name in cluster_metrics() if name not in seen)
    expect(not missing, f"cluster metrics without # HELP or a sample on any node: {missing}")
    print(f"metrics: the {len(seen)} cluster-only metrics of cluster-metrics.txt are exported with # HELP", flush=True)


def failovers_counted(nodes):
    total = 0.0
    for n in nodes:
        if n.running():
            samples, _ = n.metrics()
            total += sum(float(line.rsplit(" ", 1)[1]) for line in samples.get("authd_cluster_failovers_total", []))
    return total


def main():
    global ETCD, PROXY
    ETCD = EtcdCluster(1)
    ETCD.start()
    nodes = [Node(f"node-{x}", ETCD) for x in "abc"]
    NODES.extend(nodes)
    for n in nodes:
        n.server.start()
    proxy_ha = HAProxy(nodes).start()
    PROXY = proxy_ha
    proxy = Server(BIN)
    proxy.port = proxy_ha.port
    first = wait(lambda: ready_cluster(nodes), "one leader with both followers streaming and a sync member")
    print(f"cluster: {first.name} leads, sync member {sync_member(first)}", flush=True)

    # A follower, asked directly, refuses writes and names the leader.
    follower = next(n for n in nodes if n is not first)
    status, headers, body = follower.server.request("POST", "/v1/auth/register",
                                                    {"name": "Nope", "email": "nope@example.com", "password": "password123"})
    expect(status == 503 and body["error"]["code"] == "NOT_LEADER", f"a follower took a write: {status} {body}")
    expect(headers.get("x-authd-leader") == f"http://127.0.0.1:{first.server.port}", f"leader URL: {headers}")

    load = Load(proxy).start()
    wait(lambda: len(load.acks) > 20, "writes through HAProxy")
    # Lag and lease renewal series appear once the followers have acknowledged and the lease was renewed.
    wait(lambda: check_cluster_metrics(nodes) is None, "every cluster-only metric on /metrics", timeout=30, every=0.5)
    failovers_before = failovers_counted(nodes)

    # 1. SIGKILL whichever node leads, KILLS times.
    gaps = []
    for round_ in range(KILLS):
        leader = wait(lambda: ready_cluster(nodes), f"a ready cluster before kill {round_ + 1}", timeout=90)
        time.sleep(1.0)
        killed_at = time.time()
        leader.server.kill()
        wait(lambda: load.first_ack_after(killed_at) is not None, f"a write acknowledged after killing {leader.name}",
             timeout=TTL + 20)
        gap = load.first_ack_after(killed_at) - killed_at
        gaps.append(gap)
        new = leader_of(nodes)
        print(f"kill {round_ + 1}: {leader.name} SIGKILLed; {new.name if new else '?'} acknowledged a write after "
              f"{gap:.2f} s", flush=True)
        expect(not load.errors, f"client errors: {load.errors}")
        leader.server.start()
    expect(max(gaps) <= TTL + 2, f"failover took {max(gaps):.2f} s, more than CLUSTER_LEASE_TTL + 2 s")
    counted = failovers_counted(nodes)
    expect(counted > failovers_before, f"authd_cluster_failovers_total did not move over {KILLS} failovers "
                                       f"({failovers_before:g} -> {counted:g})")
    print(f"metrics: authd_cluster_failovers_total summed over the nodes {failovers_before:g} -> {counted:g}", flush=True)

    # 2. SIGSTOP the leader past its lease.
    paused = wait(lambda: ready_cluster(nodes), "a ready cluster before the pause", timeout=90)
    paused.server.proc.send_signal(signal.SIGSTOP)
    paused_at = time.time()
    wait(lambda: leader_of([n for n in nodes if n is not paused]) is not None, "a new leader while the old one is paused",
         timeout=TTL + 20)
    time.sleep(max(0.0, paused_at + TTL + 1 - time.time()))
    paused.server.proc.send_signal(signal.SIGCONT)
    # Straight to the old leader: nothing is acknowledged (it is fenced, then steps down).
    refused = []
    for i in range(10):
        try:
            s, _, _ = paused.server.request("POST", "/v1/auth/register",
                                            {"name": "Paused", "email": f"paused-{i}-{uuid.uuid4().hex[:6]}@example.com",
                                             "password": "password123"})
            refused.append(s)
            expect(s != 201, f"the resumed old leader {paused.name} acknowledged a write")
        except OSError:
            refused.append("closed")
        time.sleep(0.05)
    wait(lambda: paused.cluster()["role"] == "follower", f"{paused.name} to rejoin as a follower", timeout=60)
    print(f"pause: {paused.name} SIGSTOPped {TTL + 1} s; answers sent to it after SIGCONT: {refused}; it rejoined "
          f"as a follower", flush=True)

    # 3. SIGKILL the synchronous follower under load.
    leader = wait(lambda: ready_cluster(nodes), "a ready cluster before killing the sync member", timeout=90)
    member = next(n for n in nodes if n.name == sync_member(leader))
    member.server.kill()
    killed_at = time.time()
    wait(lambda: load.first_ack_after(killed_at + 0.001) is not None, "writes to go on without the sync member", timeout=20)
    wait(lambda: sync_member(leader) != member.name, "the dead member to leave the sync set", timeout=20)
    print(f"follower: {member.name} (sync member) SIGKILLed; writes went on after "
          f"{load.first_ack_after(killed_at) - killed_at:.2f} s, sync set now {sync_member(leader)}", flush=True)
    member.server.start()
    wait(lambda: ready_cluster(nodes) is not None, f"{member.name} to rejoin", timeout=60)

    # 4. Planned switchover to the sync member, under load.
    leader = wait(lambda: ready_cluster(nodes), "a ready cluster before the switchover", timeout=90)
    target = next(n for n in nodes if n.name == sync_member(leader))
    time.sleep(1.0)
    requested_at = time.time()
    done = subprocess.run([AUTHD, "cluster", "switchover", "--etcd", ETCD.endpoints, "--cluster", "e2e", "--to", target.name,
                           "--timeout", "10s", "--json"], capture_output=True, text=True, timeout=60)
    expect(done.returncode == 0, f"switchover failed: {done.stdout} {done.stderr}")
    outcome = json.loads(done.stdout)
    expect(outcome["from"] == leader.name and outcome["to"] == target.name, f"switchover outcome: {outcome}")
    wait(lambda: leader_of(nodes) is target, f"{target.name} to lead through /cluster/leader", timeout=20)
    finished_at = time.time()
    wait(lambda: load.first_ack_after(finished_at) is not None, "writes through HAProxy after the switchover", timeout=20)
    after = load.first_ack_after(finished_at)
    switch_gap = load.largest_gap(requested_at, after)
    wait(lambda: leader.cluster()["role"] == "follower", f"{leader.name} to follow after the switchover", timeout=60)
    expect(not load.errors, f"client errors: {load.errors}")
    print(f"switchover: {leader.name} -> {target.name} at term {outcome['term']}; the command saw writes unavailable "
          f"at most {outcome['writesUnavailableMilliseconds']:.0f} ms; longest gap between acknowledged writes through "
          f"HAProxy {switch_gap:.2f} s; {leader.name} follows", flush=True)
    # A request for a node that is no member is refused, and changes nothing.
    refused = subprocess.run([AUTHD, "cluster", "switchover", "--etcd", ETCD.endpoints, "--cluster", "e2e", "--to", "nobody"],
                             capture_output=True, text=True, timeout=30)
    expect(refused.returncode == 1 and "not a member" in refused.stdout, f"switchover to nobody: {refused.stdout}")
    expect(leader_of(nodes) is target, "a refused switchover changed the leader")

    # 5. etcd down for 10 s.
    ETCD.kill(0)
    down_at = time.time()
    time.sleep(10)
    acks_while_down = [answered for sent, answered in load.acks if down_at + TTL < answered]
    ETCD.restart(0)
    up_at = time.time()
    wait(lambda: load.first_ack_after(up_at) is not None, "writes to resume after etcd is back", timeout=30)
    print(f"etcd: down 10 s; writes acknowledged more than {TTL} s into the outage: {len(acks_while_down)}; resumed "
          f"{load.first_ack_after(up_at) - up_at:.2f} s after etcd was back", flush=True)
    expect(not acks_while_down, "a leader acknowledged writes past its lease while etcd was down")

    time.sleep(1.0)
    load.finish()
    expect(not load.errors, f"client errors: {load.errors}")
    ledger = load.ledger
    leader = wait(lambda: ready_cluster(nodes), "a ready cluster for the check", timeout=90)
    problems = crash.check(proxy, ledger)
    for p in problems[:10]:
        print("  " + p, flush=True)
    print(f"ledger: {len(ledger.users)} users and {len(ledger.chains)} sessions acknowledged; "
          f"{len(problems)} lost", flush=True)
    expect(not problems, f"{len(problems)} acknowledged writes lost")

    wait(lambda: len({n.cluster()["lsn"]["applied"] for n in nodes}) == 1, "all three nodes to apply the same LSN")
    # Followers first: a follower left running after the leader stopped would win the election and
    # write a term record the others never see.
    leader = leader_of(nodes)
    for n in sorted(nodes, key=lambda n: n is leader):
        n.server.stop()
    state = same_state_on_disk(AUTHD, [(n.name, n.server.data_dir) for n in nodes])
    gaps.sort()
    print(f"failover (SIGKILL to the first acknowledged write through HAProxy) over {len(gaps)} kills: "
          f"median {gaps[len(gaps) // 2]:.2f} s, max {gaps[-1]:.2f} s (CLUSTER_LEASE_TTL {TTL} s)", flush=True)
    print(f"converged: {state} on all three; wal verify clean on each", flush=True)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as error:
        print(f"FAIL: {error}")
        for node in NODES:
            print(f"--- {node.name} log tail\n" + node.server.output()[-4000:])
        print("0 passed, 1 failed")
        sys.exit(1)
    finally:
        for node in NODES:
            if node.server.proc is not None and node.server.proc.poll() is None:
                node.server.proc.send_signal(signal.SIGCONT)
            node.server.stop()
        if PROXY:
            PROXY.stop()
        if ETCD:
            ETCD.stop()
