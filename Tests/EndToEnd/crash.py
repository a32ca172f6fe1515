"""Crash test: concurrent register/login/refresh/revoke load against a real authd in
WAL_FSYNC=always, SIGKILL at a random moment, restart, and a client-side ledger check:
every acknowledged write must be present. Several cycles on one data directory.

A request in flight at the kill has no answer, so its outcome is open: the ledger accepts
either result for exactly those, and demands the acknowledged state for everything else.

Usage: python3 crash.py BIN_DIR [cycles]
"""
import os
import random
import sys
import threading
import time
import uuid

from authd_process import Server

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 3


class Chain:
    """One user's session as the client saw it."""

    def __init__(self, email):
        self.email = email
        self.tokens = []        # acknowledged refresh tokens, oldest first
        self.access = None
        self.revoked = False    # a revoke was acknowledged, or the check compromised it on purpose
        self.in_flight = None   # what was being sent when the server died


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.users = []          # acknowledged registrations (email)
        self.pending_users = []  # registrations in flight at the kill
        self.chains = []


def worker(server, ledger, stop, seed):
    rnd = random.Random(seed)
    conn = server.connection()
    mine = []
    while not stop.is_set():
        try:
            action = rnd.random()
            if action < 0.25 or not mine:
                email = f"crash-{uuid.uuid4().hex[:10]}@example.com"
                with ledger.lock:
                    ledger.pending_users.append(email)
                s, _, _ = server.request("POST", "/v1/auth/register", {"name": "Crash Test", "email": email, "password": "password123"}, conn=conn)
                with ledger.lock:
                    ledger.pending_users.remove(email)
                    if s == 201:
                        ledger.users.append(email)
                if s != 201:
                    continue
                chain = Chain(email)
                chain.in_flight = "login"
                s, _, body = server.request("POST", "/v1/auth/sessions", {"email": email, "password": "password123"}, conn=conn)
                chain.in_flight = None
                if s == 200:
                    chain.tokens.append(body["refreshToken"])
                    chain.access = body["accessToken"]
                    mine.append(chain)
                    with ledger.lock:
                        ledger.chains.append(chain)
            elif action < 0.95:
                chain = rnd.choice(mine)
                if chain.revoked:
                    continue
                chain.in_flight = "refresh"
                s, _, body = server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": chain.tokens[-1]}, conn=conn)
                if s == 200:
                    chain.tokens.append(body["refreshToken"])
                    chain.access = body["accessToken"]
                elif s == 503:
                    # Unknown outcome (the record may be durable somewhere): leave it marked and
                    # stop using this chain.
                    mine.remove(chain)
                    continue
                else:
                    raise AssertionError(f"refresh answered {s} {body} during load")
                chain.in_flight = None
            else:
                chain = rnd.choice(mine)
                if chain.revoked:
                    continue
                chain.in_flight = "revoke"
                s, _, _ = server.request("DELETE", "/v1/auth/sessions", headers={"Authorization": f"Bearer {chain.access}"}, conn=conn)
                if s == 204:
                    chain.revoked = True
                elif s == 503:
                    mine.remove(chain)   # unknown outcome, as above
                    continue
                chain.in_flight = None
        except (OSError, ConnectionError):
            return   # the server died: whatever was in flight stays marked
        except Exception as error:   # an unexpected answer during load is a failure
            print("worker error:", error, flush=True)
            stop.set()
            raise


def check(server, ledger):
    problems = []
    for email in ledger.users:
        s, _, _ = server.request("POST", "/v1/auth/sessions", {"email": email, "password": "password123"})
        if s != 200:
            problems.append(f"acknowledged user {email} cannot log in ({s})")
    for chain in ledger.chains:
        if chain.revoked:
            s, _, _ = server.request("GET", "/v1/auth/me", headers={"Authorization": f"Bearer {chain.access}"})
            if s != 401:
                problems.append(f"acknowledged revocation of {chain.email} lost (me -> {s})")
            continue
        latest = chain.tokens[-1]
        s, _, body = server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": latest})
        if s == 200:
            newest = body["refreshToken"]
            if len(chain.tokens) > 1:
                s2, _, b2 = server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": chain.tokens[-2]})
                if s2 != 401 or b2["error"]["code"] != "REFRESH_TOKEN_REUSED":
                    problems.append(f"parent of the latest token of {chain.email} not detected as replay ({s2} {b2})")
                # That replay compromised the session: from now on it must stay ended.
                chain.revoked = True
            chain.tokens.append(newest)
            chain.access = body["accessToken"]
        elif chain.in_flight in ("refresh", "revoke") and s == 401:
            # The unanswered rotation or revoke became durable: both are allowed outcomes.
            chain.revoked = True
        else:
            problems.append(f"latest acknowledged refresh token of {chain.email} refused ({s} {body}), in flight: {chain.in_flight}")
        chain.in_flight = None
    return problems


def main():
    server = Server(BIN, env={"WAL_FSYNC": "always", "SNAPSHOT_EVERY_BYTES": "200000"})
    ledger = Ledger()
    rnd = random.Random()
    total_problems = []
    for cycle in range(CYCLES):
        server.start()
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(server, ledger, stop, rnd.random()), daemon=True) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(1.0, 3.0))
        server.kill()
        stop.set()
        for t in threads:
            t.join(10)
        # Registrations in flight at the kill may or may not exist; forget them.
        ledger.pending_users.clear()
        server.start()
        problems = check(server, ledger)
        acked_refreshes = sum(max(0, len(c.tokens) - 1) for c in ledger.chains)
        print(f"cycle {cycle + 1}: {len(ledger.users)} users, {len(ledger.chains)} sessions, {acked_refreshes} refreshes acknowledged so far, "
              f"{len(problems)} problems", flush=True)
        total_problems += problems
        for p in problems[:10]:
            print("  " + p, flush=True)
        server.stop()
    passed = CYCLES - (1 if total_problems else 0)
    print(f"{passed if not total_problems else 0} passed, {1 if total_problems else 0} failed")
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main())
