"""End-to-end tests against the real authd process on 127.0.0.1: the seed's integration
scenarios, every error code, forged tokens, the reuse grace, rate limits, metrics,
restart, configuration errors and log redaction.

Usage: python3 e2e.py BIN_DIR
Prints one line per test and a closing 'N passed, N failed' line; exits non-zero on failure.
"""
import base64
import hashlib
import hmac
import json
import os
import socket
import re
import subprocess
import sys
import threading
import time
import traceback
import uuid

from authd_process import ACCESS_SECRET, REFRESH_SECRET, Server, wait_for

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def expect(cond, message=""):
    if not cond:
        raise AssertionError(message)


def expect_error(result, status, code):
    s, h, body = result
    expect(s == status, f"expected {status} {code}, got {s} {body}")
    expect(isinstance(body, dict) and body.get("error", {}).get("code") == code, f"expected code {code}, got {body}")
    expect(body["error"].get("correlationId"), "error without correlationId")
    expect(h.get("x-correlation-id") == body["error"]["correlationId"], "correlation header differs from body")
    return body


def email():
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(header, payload, key):
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def claims(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def header(token):
    return json.loads(b64url_decode(token.split(".")[0]))


def hmac_kid(secret):
    """The kid authd gives an HS256 secret: 12 bytes of HMAC-SHA256(secret, "authd/v1/key-id"), base64url."""
    return b64url(hmac.new(secret.encode(), b"authd/v1/key-id", hashlib.sha256).digest()[:12])


class Client:
    def __init__(self, server):
        self.server = server

    def register(self, mail=None, password="password123", name="E2E User"):
        mail = mail or email()
        return mail, self.server.request("POST", "/v1/auth/register", {"name": name, "email": mail, "password": password})

    def login(self, mail, password="password123", headers=None):
        return self.server.request("POST", "/v1/auth/sessions", {"email": mail, "password": password}, headers=headers)

    def user_with_session(self):
        mail, (s, _, _) = self.register()
        expect(s == 201, f"register {s}")
        s, _, body = self.login(mail)
        expect(s == 200, f"login {s} {body}")
        return mail, body

    def refresh(self, token):
        return self.server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": token})

    def me(self, access):
        return self.server.request("GET", "/v1/auth/me", headers={"Authorization": f"Bearer {access}"})

    def sessions(self, access):
        return self.server.request("GET", "/v1/auth/sessions", headers={"Authorization": f"Bearer {access}"})

    def revoke(self, access, session_id):
        return self.server.request("DELETE", f"/v1/auth/sessions/{session_id}", headers={"Authorization": f"Bearer {access}"})

    def revoke_all(self, access):
        return self.server.request("DELETE", "/v1/auth/sessions", headers={"Authorization": f"Bearer {access}"})

    def revoke_current(self, refresh, access=None):
        headers = {"Authorization": f"Bearer {access}"} if access else None
        return self.server.request("POST", "/v1/auth/sessions/current/revoke", {"refreshToken": refresh}, headers=headers)


SERVER = None
C = None


@test
def health_ready_docs():
    s, _, body = SERVER.request("GET", "/health")
    expect(s == 200, "health")
    s, _, _ = SERVER.request("GET", "/ready")
    expect(s == 200, "ready")
    s, _, doc = SERVER.request("GET", "/docs.json")
    expect(s == 200 and doc["openapi"].startswith("3.1"), "openapi 3.1")
    for path in ["/v1/auth/register", "/v1/auth/sessions", "/v1/auth/tokens/refresh", "/v1/auth/sessions/current/revoke",
                 "/v1/auth/me", "/v1/auth/sessions/{sessionId}", "/health", "/ready", "/metrics"]:
        expect(path in doc["paths"], f"{path} missing from /docs.json")
    s, h, html = SERVER.request("GET", "/docs")
    expect(s == 200 and "text/html" in h.get("content-type", "") and "/v1/auth/register" in html, "docs page")
    expect("cdn" not in html.lower() and "https://" not in html, "docs page must be self-contained")


@test
def seed_register_login_me():
    mail, (s, _, body) = C.register(name="  Ada Lovelace ")
    expect(s == 201, f"register {s} {body}")
    user = body["user"]
    expect(user["email"] == mail and user["name"] == "Ada Lovelace" and "password" not in json.dumps(body).lower(), str(body))
    expect(user["createdAt"].endswith("Z") and "T" in user["createdAt"], "ISO 8601 createdAt")
    s, _, grant = C.login(mail.upper(), headers={"User-Agent": "e2e-agent"})
    expect(s == 200, f"login {s} {grant}")
    for key in ["accessToken", "refreshToken", "user", "session"]:
        expect(key in grant, f"{key} missing")
    expect(grant["session"]["status"] == "ACTIVE", "active session")
    s, _, me = C.me(grant["accessToken"])
    expect(s == 200 and me["user"]["id"] == user["id"] and me["session"]["id"] == grant["session"]["id"], f"me {me}")
    expect(me["session"]["userAgent"] == "e2e-agent", f"userAgent {me['session']}")


@test
def seed_rotation_then_replay():
    _, grant = C.user_with_session()
    s, _, rotated = C.refresh(grant["refreshToken"])
    expect(s == 200 and rotated["refreshToken"] != grant["refreshToken"], "rotation")
    expect_error(C.refresh(grant["refreshToken"]), 401, "REFRESH_TOKEN_REUSED")
    expect_error(C.me(rotated["accessToken"]), 401, "SESSION_NOT_ACTIVE")
    expect_error(C.refresh(rotated["refreshToken"]), 401, "SESSION_COMPROMISED")
    s, _, listed = C.sessions(C.login(claims_email(grant))[2]["accessToken"])
    expect(any(x["id"] == grant["session"]["id"] and x["status"] == "COMPROMISED" for x in listed["sessions"]), str(listed))


def claims_email(grant):
    return grant["user"]["email"]


@test
def seed_two_sessions_revoke_other():
    mail, a = C.user_with_session()
    b = C.login(mail)[2]
    s, _, listed = C.sessions(a["accessToken"])
    expect(s == 200, f"list {s}")
    ids = {x["id"]: x for x in listed["sessions"]}
    expect(set(ids) == {a["session"]["id"], b["session"]["id"]}, str(listed))
    expect(ids[a["session"]["id"]]["current"] is True and ids[b["session"]["id"]]["current"] is False, "current flag")
    s, _, _ = C.revoke(a["accessToken"], b["session"]["id"])
    expect(s == 204, f"revoke other {s}")
    expect_error(C.me(b["accessToken"]), 401, "SESSION_NOT_ACTIVE")
    expect_error(C.refresh(b["refreshToken"]), 401, "SESSION_REVOKED")
    expect(C.me(a["accessToken"])[0] == 200, "own session still works")
    expect_error(C.revoke(a["accessToken"], str(uuid.uuid4())), 404, "SESSION_NOT_FOUND")
    expect_error(C.revoke(a["accessToken"], "not-a-uuid"), 400, "INVALID_PAYLOAD")
    _, other = C.user_with_session()
    expect_error(C.revoke(a["accessToken"], other["session"]["id"]), 404, "SESSION_NOT_FOUND")
    expect(C.me(other["accessToken"])[0] == 200, "another user's session untouched")


@test
def seed_revoke_all():
    mail, a = C.user_with_session()
    b = C.login(mail)[2]
    s, _, _ = C.revoke_all(a["accessToken"])
    expect(s == 204, f"revoke all {s}")
    expect_error(C.me(a["accessToken"]), 401, "SESSION_NOT_ACTIVE")
    expect_error(C.me(b["accessToken"]), 401, "SESSION_NOT_ACTIVE")


@test
def seed_revoke_current_by_refresh_token():
    _, a = C.user_with_session()
    s, _, _ = C.revoke_current(a["refreshToken"], a["accessToken"])
    expect(s == 204, f"revoke current {s}")
    expect_error(C.me(a["accessToken"]), 401, "SESSION_NOT_ACTIVE")
    expect_error(C.refresh(a["refreshToken"]), 401, "SESSION_REVOKED")


@test
def validation_errors():
    mail, _ = C.register()
    expect_error(C.register(mail)[1], 409, "USER_ALREADY_EXISTS")
    body = expect_error(SERVER.request("POST", "/v1/auth/register", {"name": "a", "email": "nope", "password": 5}), 400, "INVALID_PAYLOAD")
    paths = sorted(d["path"] for d in body["error"]["details"])
    expect(paths == ["email", "name", "password"], f"details {body}")
    expect_error(SERVER.request("POST", "/v1/auth/register", raw=b"{not json", headers={"Content-Type": "application/json"}), 400, "INVALID_PAYLOAD")
    expect_error(SERVER.request("POST", "/v1/auth/register", raw=b"[1,2]", headers={"Content-Type": "application/json"}), 400, "INVALID_PAYLOAD")
    expect_error(SERVER.request("POST", "/v1/auth/register", raw=b"", headers={"Content-Type": "application/json"}), 400, "INVALID_PAYLOAD")
    s, _, _ = SERVER.request("POST", "/v1/auth/register", raw=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    expect(s == 415, f"wrong content type gives {s}")
    s, _, _ = SERVER.request("POST", "/v1/auth/register", raw=b"{" + b" " * (1 << 20) + b"}", headers={"Content-Type": "application/json"})
    expect(s == 413, f"big body gives {s}")
    s, _, body = SERVER.request("GET", "/v1/nowhere")
    expect(s == 404 and body["error"]["code"] == "NOT_FOUND", f"unknown route {s} {body}")
    s, h, body = SERVER.request("PUT", "/v1/auth/me")
    expect(s == 405 and "allow" in h, f"wrong method {s} {h}")
    expect_error(C.login(mail, "wrong-password"), 401, "INVALID_CREDENTIALS")
    expect_error(C.login(email()), 401, "INVALID_CREDENTIALS")
    expect_error(C.refresh(""), 400, "INVALID_PAYLOAD")


@test
def authorization_header_errors():
    expect_error(SERVER.request("GET", "/v1/auth/me"), 401, "AUTHORIZATION_REQUIRED")
    for value in ["Token abc", "Bearer", "Bearer ", "Bearer a b", "bearer"]:
        expect_error(SERVER.request("GET", "/v1/auth/me", headers={"Authorization": value}), 401, "INVALID_AUTHORIZATION_HEADER")
    expect_error(C.me("garbage"), 401, "INVALID_TOKEN")


@test
def correlation_ids():
    s, h, body = SERVER.request("GET", "/v1/auth/me", headers={"X-Correlation-Id": "abc-123"})
    expect(h.get("x-correlation-id") == "abc-123" and body["error"]["correlationId"] == "abc-123", str(h))
    s, h, _ = SERVER.request("GET", "/health", headers={"X-Request-Id": "req-9"})
    expect(h.get("x-correlation-id") == "req-9", str(h))
    s, h, _ = SERVER.request("GET", "/health")
    expect(h.get("x-correlation-id"), "generated id")
    s, h, _ = SERVER.request("GET", "/health", headers={"X-Correlation-Id": "bad id\twith spaces"})
    expect(h.get("x-correlation-id") not in (None, "bad id\twith spaces"), "invalid ids are replaced")


@test
def forged_tokens():
    _, grant = C.user_with_session()
    access, refresh = grant["accessToken"], grant["refreshToken"]
    c = claims(access)
    # alg none, no signature
    none = b64url(b'{"alg":"none","typ":"JWT"}') + "." + access.split(".")[1] + "."
    expect_error(C.me(none), 401, "INVALID_TOKEN")
    # another algorithm named in the header, signed with the right key
    expect_error(C.me(sign({"alg": "HS512", "typ": "JWT"}, c, ACCESS_SECRET)), 401, "INVALID_TOKEN")
    # wrong key
    expect_error(C.me(sign({"alg": "HS256", "typ": "JWT"}, c, "x" * 48)), 401, "INVALID_TOKEN")
    # refresh as access and access as refresh
    expect_error(C.me(refresh), 401, "INVALID_TOKEN")
    expect_error(C.refresh(access), 401, "INVALID_REFRESH_TOKEN")
    # flipped signature
    head, body, sig = access.split(".")
    flipped = head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    expect_error(C.me(flipped), 401, "INVALID_TOKEN")
    # expired (signed with the real key)
    expired = dict(c, iat=c["iat"] - 7200, exp=c["iat"] - 3600)
    expect_error(C.me(sign({"alg": "HS256", "typ": "JWT"}, expired, ACCESS_SECRET)), 401, "INVALID_TOKEN")
    rc = claims(refresh)
    expect_error(C.refresh(sign({"alg": "HS256", "typ": "JWT"}, dict(rc, exp=rc["iat"] - 1), REFRESH_SECRET)), 401, "REFRESH_TOKEN_EXPIRED")
    # wrong audience / issuer
    expect_error(C.me(sign({"alg": "HS256", "typ": "JWT"}, dict(c, aud="elsewhere"), ACCESS_SECRET)), 401, "INVALID_TOKEN")
    expect_error(C.me(sign({"alg": "HS256", "typ": "JWT"}, dict(c, iss="elsewhere"), ACCESS_SECRET)), 401, "INVALID_TOKEN")
    # a genuine token still works
    expect(C.me(access)[0] == 200, "genuine token")


@test
def tokens_verify_with_standard_hs256():
    _, grant = C.user_with_session()
    for token, key, typ in [(grant["accessToken"], ACCESS_SECRET, "access"), (grant["refreshToken"], REFRESH_SECRET, "refresh")]:
        head, body, sig = token.split(".")
        expect(json.loads(b64url_decode(head)) == {"alg": "HS256", "kid": hmac_kid(key), "typ": "JWT"}, "header")
        mac = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        expect(hmac.compare_digest(b64url(mac), sig), "RFC 7519 HS256 signature")
        c = json.loads(b64url_decode(body))
        for claim in ["iss", "aud", "typ", "exp", "iat", "sub", "sid", "jti"]:
            expect(claim in c, f"claim {claim}")
        expect(c["typ"] == typ and c["iss"] == "auth-api" and c["aud"] == "auth-api-clients", str(c))
    try:
        import jwt  # PyJWT, when installed (CI installs it)
        decoded = jwt.decode(grant["accessToken"], ACCESS_SECRET, algorithms=["HS256"], audience="auth-api-clients", issuer="auth-api")
        expect(decoded["sub"] == grant["user"]["id"], "PyJWT decode")
    except ImportError:
        pass


def decode_pair(grant):
    """Both tokens' claims, verified with PyJWT when it is installed (else with hmac above)."""
    try:
        import jwt
    except ImportError:
        return claims(grant["accessToken"]), claims(grant["refreshToken"])
    options = {"algorithms": ["HS256"], "audience": "auth-api-clients", "issuer": "auth-api"}
    return jwt.decode(grant["accessToken"], ACCESS_SECRET, **options), jwt.decode(grant["refreshToken"], REFRESH_SECRET, **options)


@test
def every_token_has_its_own_jti():
    mail, grant = C.user_with_session()
    seen = set()
    for _ in range(20):
        access, refresh = decode_pair(grant)
        expect(access["typ"] == "access" and refresh["typ"] == "refresh", f"{access} {refresh}")
        expect(access["sid"] == refresh["sid"] and access["iat"] == refresh["iat"], "one pair, one session, one issue time")
        expect(access["jti"] != refresh["jti"], f"the pair shares jti {access['jti']}")
        for jti in (access["jti"], refresh["jti"]):
            expect(len(jti) == 22 and jti not in seen, f"jti {jti} repeats or is malformed")
            seen.add(jti)
        s, _, grant = C.refresh(grant["refreshToken"])
        expect(s == 200, f"refresh {s} {grant}")
    s, _, other = C.login(mail)
    expect(s == 200, "second login")
    expect(not (set(c["jti"] for c in decode_pair(other)) & seen), "a new login issues new ids")


@test
def reuse_grace_interval():
    server = Server(BIN, env={"REFRESH_REUSE_INTERVAL": "30s"}).start()
    try:
        c = Client(server)
        _, g0 = c.user_with_session()
        s, _, g1 = c.refresh(g0["refreshToken"])
        expect(s == 200, "rotate")
        s, _, again = c.refresh(g0["refreshToken"])
        expect(s == 200 and again["refreshToken"] == g1["refreshToken"] and again["accessToken"] == g1["accessToken"], "grace returns the current pair")
        s, _, g2 = c.refresh(g1["refreshToken"])
        expect(s == 200, "rotate again")
        expect_error(c.refresh(g0["refreshToken"]), 401, "REFRESH_TOKEN_REUSED")
    finally:
        server.stop()


@test
def rate_limits():
    server = Server(BIN, env={"RATE_LIMIT_MAX_REQUESTS": "3", "RATE_LIMIT_WINDOW_MS": "60000"}).start()
    try:
        c = Client(server)
        statuses = [c.register()[1][0] for _ in range(4)]
        expect(statuses[:3] == [201, 201, 201], str(statuses))
        s, h, body = c.register()[1]
        expect(s == 429 and body["error"]["code"] == "TOO_MANY_REQUESTS" and int(h.get("retry-after", "0")) >= 1, f"{s} {h} {body}")
        expect(server.request("GET", "/health")[0] == 200, "reads are not limited")
    finally:
        server.stop()


def metric(server, name):
    """The value of one unlabelled gauge on /metrics (the server must have METRICS_ENABLED)."""
    s, _, text = server.request("GET", "/metrics")
    expect(s == 200, f"metrics {s}")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@test
def login_lockout_counts_failures_not_logins():
    server = Server(BIN, env={"LOGIN_MAX_ATTEMPTS": "3", "LOGIN_LOCKOUT_WINDOW_MS": "60000"}).start()
    try:
        c = Client(server)
        mail, _ = c.register()
        # Successful logins never consume the budget (the 4th success used to be 429).
        statuses = [c.login(mail)[0] for _ in range(6)]
        expect(statuses == [200] * 6, f"successes {statuses}")
        statuses = [c.login(mail, "wrong-password")[0] for _ in range(3)]
        expect(statuses == [401, 401, 401], str(statuses))
        # Locked: the right password is refused too, with Retry-After within the window.
        s, h, body = c.login(mail.upper())
        expect_error((s, h, body), 429, "TOO_MANY_REQUESTS")
        expect(1 <= int(h.get("retry-after", "0")) <= 60, f"Retry-After {h}")
        expect_error(c.login(mail, "wrong-password"), 429, "TOO_MANY_REQUESTS")
        # An unknown email locks exactly like a known one.
        ghost = email()
        statuses = [c.login(ghost, "wrong-password")[0] for _ in range(5)]
        expect(statuses == [401, 401, 401, 429, 429], f"unknown email {statuses}")
        # Another account from the same address is not affected.
        other, _ = c.register()
        expect(c.login(other)[0] == 200, "other account")
        # Parallel wrong passwords get at most LOGIN_MAX_ATTEMPTS checks.
        raced, _ = c.register()
        results = []
        def guess(i):
            results.append(c.login(raced, f"wrong-{i}")[0])
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expect(results.count(401) <= 3 and results.count(401) + results.count(429) == 12, f"parallel {sorted(results)}")
        expect_error(c.login(raced), 429, "TOO_MANY_REQUESTS")
    finally:
        server.stop()


@test
def length_limits_count_bytes():
    # "ab" + 400,000 combining accents: 2 characters, 800 KB (sent as raw UTF-8 to fit in 1 MiB).
    raw = json.dumps({"name": "ab" + "\u0301" * 400_000, "email": email(), "password": "password123"}, ensure_ascii=False).encode()
    s, _, body = SERVER.request("POST", "/v1/auth/register", raw=raw, headers={"Content-Type": "application/json"})
    expect(s == 400 and body["error"]["code"] == "INVALID_PAYLOAD", f"{s} {str(body)[:200]}")
    expect([d["path"] for d in body["error"]["details"]] == ["name"], str(body["error"]["details"]))
    # Eight characters of 101 code points each: 8 characters, 1,608 bytes.
    _, (s, _, body) = C.register(password=("a" + "\u0301" * 100) * 8)
    expect(s == 400 and [d["path"] for d in body["error"]["details"]] == ["password"], f"{s} {str(body)[:200]}")
    _, (s, _, body) = C.register(name="\u674e" * 85, password="\u5bc6" * 42)   # 255 and 126 bytes
    expect(s == 201, f"{s} {body}")


@test
def me_cache_sees_a_revocation_on_every_connection():
    """GET /me over kept-alive connections spread over both event loops: after the first request
    of a token, the loop that does not own its shard answers from its access cache; revoking the
    session is seen by the very next /me on every connection (docs/architecture.md)."""
    server = Server(BIN, env={"METRICS_ENABLED": "true", "RATE_LIMIT_MAX_REQUESTS": "0"}).start()
    conns = []
    try:
        c = Client(server)
        _, grant = c.user_with_session()
        auth = {"Authorization": f"Bearer {grant['accessToken']}"}
        conns = [server.connection() for _ in range(6)]
        for _ in range(5):
            for conn in conns:
                s, _, me = server.request("GET", "/v1/auth/me", headers=auth, conn=conn)
                expect(s == 200 and me["session"]["id"] == grant["session"]["id"], f"me {s} {me}")
        deadline = time.monotonic() + 15
        while metric(server, "authd_access_cache_hits") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        expect(metric(server, "authd_access_cache_hits") > 0, "no /me was answered from an access cache")
        expect(c.revoke_current(grant["refreshToken"])[0] == 204, "logout")
        for conn in conns:
            expect_error(server.request("GET", "/v1/auth/me", headers=auth, conn=conn), 401, "SESSION_NOT_ACTIVE")
    finally:
        for conn in conns:
            conn.close()
        server.stop()


@test
def huge_emails_leave_no_limiter_state():
    server = Server(BIN, env={"METRICS_ENABLED": "true", "RATE_LIMIT_MAX_REQUESTS": "100000", "LOGIN_MAX_ATTEMPTS": "10"}).start()
    try:
        def rss_kib():
            with open(f"/proc/{server.proc.pid}/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        c = Client(server)
        c.login(email(), "warm-up-password")
        before = rss_kib()
        conn = server.connection()
        for i in range(100):
            s, _, body = server.request("POST", "/v1/auth/sessions", {"email": "a" * 1_000_000 + f"{i}@example.com", "password": "pw"}, conn=conn)
            expect(s == 400 and body["error"]["code"] == "INVALID_PAYLOAD", f"{s}")
        conn.close()
        grown_mib = (rss_kib() - before) / 1024
        # 100 MB of emails were sent; before the fix every one stayed in memory as a bucket key.
        expect(grown_mib < 48, f"RSS grew {grown_mib:.1f} MiB")
        expect(metric(server, "authd_login_lockout_entries") == 1, "only the warm-up's failure is counted")
        expect(metric(server, "authd_rate_limit_buckets") == 1, "only this client's IP bucket")
    finally:
        server.stop()


@test
def metrics_behind_a_token():
    server = Server(BIN, env={"METRICS_ENABLED": "true", "METRICS_AUTH_TOKEN": "m-secret"}).start()
    try:
        c = Client(server)
        c.user_with_session()
        s, _, _ = server.request("GET", "/metrics")
        expect(s == 401, f"metrics without token {s}")
        s, h, text = server.request("GET", "/metrics", headers={"Authorization": "Bearer m-secret"})
        expect(s == 200 and "text/plain" in h.get("content-type", ""), f"metrics {s}")
        expect("# TYPE" in text, "prometheus text")
    finally:
        server.stop()
    s, _, _ = SERVER.request("GET", "/metrics")
    expect(s == 404, f"metrics disabled by default gives {s}")


@test
def restart_keeps_everything():
    server = Server(BIN).start()
    c = Client(server)
    mail, g0 = c.user_with_session()
    g1 = c.refresh(g0["refreshToken"])[2]
    _, revoked = c.user_with_session()
    expect(c.revoke_all(revoked["accessToken"])[0] == 204, "revoke all")
    code = server.stop()
    expect(code == 0, f"SIGTERM exit code {code}")
    server.start()
    try:
        expect(c.me(g1["accessToken"])[0] == 200, "session survives restart")
        expect_error(c.me(revoked["accessToken"]), 401, "SESSION_NOT_ACTIVE")
        s, _, g2 = c.refresh(g1["refreshToken"])
        expect(s == 200, f"latest refresh token works after restart: {g2}")
        expect_error(c.refresh(g1["refreshToken"]), 401, "REFRESH_TOKEN_REUSED")
        expect(c.login(mail)[0] == 200, "login after restart")
    finally:
        server.stop()


@test
def operator_snapshot_and_inspect():
    server = Server(BIN).start()
    try:
        c = Client(server)
        for _ in range(3):
            c.user_with_session()
        out = subprocess.run([os.path.join(BIN, "authd"), "snapshot", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
        expect(out.returncode == 0 and "snapshot written" in out.stdout, out.stdout + out.stderr)
        c.user_with_session()
    finally:
        server.stop()
    out = subprocess.run([os.path.join(BIN, "authd"), "inspect", "--json", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    expect(out.returncode == 0, out.stderr)
    info = json.loads(out.stdout)
    expect(info["users"] == 4 and info["sessions"]["ACTIVE"] == 4, str(info))
    out = subprocess.run([os.path.join(BIN, "authd"), "wal", "verify", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    expect(out.returncode == 0, out.stdout + out.stderr)
    out = subprocess.run([os.path.join(BIN, "authd"), "wal", "dump", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    expect(out.returncode == 0 and "user.registered" in out.stdout and "session.opened" in out.stdout, out.stdout[-500:] + out.stderr)
    expect("argon2" not in out.stdout, "dump must not print password hashes")


@test
def point_in_time_restore():
    server = Server(BIN).start()
    c = Client(server)
    try:
        early, _ = c.user_with_session()
        subprocess.run([os.path.join(BIN, "authd"), "snapshot", "--data-dir", server.data_dir], check=True, capture_output=True, timeout=30)
        middle, _ = c.user_with_session()
    finally:
        server.stop()
    # The LSN after the middle user's login: everything up to here is restored, later records are not.
    out = subprocess.run([os.path.join(BIN, "authd"), "inspect", "--json", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    point = json.loads(out.stdout)["lastLSN"]
    server.start()
    try:
        late, _ = c.user_with_session()
    finally:
        server.stop()
    target = server.data_dir + "-restored"
    out = subprocess.run([os.path.join(BIN, "authd"), "restore", "--from", server.data_dir, "--until", str(point), "--into", target],
                         capture_output=True, text=True, timeout=60)
    expect(out.returncode == 0, out.stdout + out.stderr)
    restored = Server(BIN, data_dir=target).start()
    try:
        rc = Client(restored)
        expect(rc.login(early)[0] == 200 and rc.login(middle)[0] == 200, "users up to the point are restored")
        expect_error(rc.login(late), 401, "INVALID_CREDENTIALS")
        mail, _ = rc.user_with_session()   # the restored directory takes new writes
    finally:
        restored.stop()
    restored.start()   # and those survive a restart after the restore
    try:
        expect(Client(restored).login(mail)[0] == 200, "writes after a restore survive a restart")
    finally:
        restored.stop()
    bad = subprocess.run([os.path.join(BIN, "authd"), "restore", "--from", server.data_dir, "--until", "yesterday", "--into", target + "-x"],
                         capture_output=True, text=True, timeout=30)
    expect(bad.returncode != 0, "a bad --until is refused")


def labelled_metric(server, name):
    """The value of one metric line (name with its labels, e.g. authd_sessions{status="ACTIVE"})."""
    s, _, text = server.request("GET", "/metrics")
    expect(s == 200, f"metrics {s}")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


@test
def ended_sessions_are_listed_then_purged():
    # Default retention (7 days): a logged-out session is listed after the active ones.
    mail, a = C.user_with_session()
    b = C.login(mail)[2]
    expect(C.revoke_current(b["refreshToken"])[0] == 204, "logout")
    c = C.login(mail)[2]
    s, _, listed = C.sessions(a["accessToken"])
    expect(s == 200, f"list {s}")
    expect([x["status"] for x in listed["sessions"]] == ["ACTIVE", "ACTIVE", "REVOKED"], str(listed))
    expect([x["id"] for x in listed["sessions"]] == [c["session"]["id"], a["session"]["id"], b["session"]["id"]], "active first, newest first")

    # A short retention: ended sessions leave memory, the list, the metrics and the snapshot, and stay gone after a restart.
    server = Server(BIN, env={"SESSION_RETENTION": "1s", "SESSION_SWEEP_INTERVAL": "100ms", "METRICS_ENABLED": "true"}).start()
    try:
        cl = Client(server)
        mail, keep = cl.user_with_session()
        ended = []
        for _ in range(5):
            g = cl.login(mail)[2]
            expect(cl.revoke_current(g["refreshToken"])[0] == 204, "logout")
            ended.append(g["session"]["id"])
        wait_for(lambda: len(cl.sessions(keep["accessToken"])[2]["sessions"]) == 1, "the sweep to purge five ended sessions")
        s, _, listed = cl.sessions(keep["accessToken"])
        expect([x["id"] for x in listed["sessions"]] == [keep["session"]["id"]], str(listed))
        expect(labelled_metric(server, "authd_sessions_purged_total") == 5, "purge counter")
        expect(labelled_metric(server, 'authd_sessions{status="REVOKED"}') == 0, "no revoked session resident")
        expect(labelled_metric(server, 'authd_sessions{status="ACTIVE"}') == 1, "one active session")
        out = subprocess.run([os.path.join(BIN, "authd"), "snapshot", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
        expect(out.returncode == 0, out.stdout + out.stderr)
    finally:
        server.stop()
    out = subprocess.run([os.path.join(BIN, "authd"), "inspect", "--json", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    info = json.loads(out.stdout)
    expect(info["sessions"] == {"ACTIVE": 1, "REVOKED": 0, "COMPROMISED": 0}, str(info))
    out = subprocess.run([os.path.join(BIN, "authd"), "wal", "dump", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    expect("sessions.purged" in out.stdout, out.stdout[-800:])
    server.start()
    try:
        cl = Client(server)
        s, _, listed = cl.sessions(keep["accessToken"])
        expect(s == 200 and [x["id"] for x in listed["sessions"]] == [keep["session"]["id"]], f"after restart {listed}")
        for sid in ended:
            expect_error(cl.revoke(keep["accessToken"], sid), 404, "SESSION_NOT_FOUND")
        expect(cl.refresh(keep["refreshToken"])[0] == 200, "the live session still rotates")
    finally:
        server.stop()


def json_lines(text):
    """Every line of a server's output, each parsed with json.loads (any other line fails)."""
    lines = []
    for raw in text.splitlines():
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                raise AssertionError(f"not a JSON line: {raw[:300]}")
    return lines


def numeric_strings(value, path=""):
    """Fields whose value is a string of digits (a number logged as text), anywhere in a line."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += numeric_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += numeric_strings(v, f"{path}[{i}]")
    elif isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        found.append(f"{path}={value}")
    return found


@test
def logs_are_json_all_the_way_down():
    server = Server(BIN, env={"SNAPSHOT_EVERY_BYTES": "2048", "RATE_LIMIT_MAX_REQUESTS": "60", "SESSION_RETENTION": "0",
                              "SESSION_SWEEP_INTERVAL": "100ms"}).start()
    try:
        c = Client(server)
        mail, a = c.user_with_session()
        b = c.login(mail)[2]
        expect(c.revoke_all(a["accessToken"])[0] == 204, "revoke all")
        out = subprocess.run([os.path.join(BIN, "authd"), "snapshot", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
        expect(out.returncode == 0, out.stdout + out.stderr)
        for _ in range(16):   # enough WAL for an automatic snapshot (SNAPSHOT_EVERY_BYTES=2048)
            c.user_with_session()
        wait_for(lambda: any(l.get("message") == "snapshot written" and l.get("trigger") == "automatic" for l in json_lines(server.output())),
                 "an automatic snapshot")
        wait_for(lambda: any(l.get("event") == "sessions_purged" for l in json_lines(server.output())), "a purge line")
        while c.register()[1][0] != 429:   # the per-IP limit: a rate_limited audit line
            pass
    finally:
        server.stop()
    server.start()   # a restart: recovery lines of a directory with a snapshot and a WAL tail
    server.stop()
    lines = json_lines(server.output())
    expect(not [n for l in lines for n in numeric_strings(l)], f"numbers logged as strings: {[n for l in lines for n in numeric_strings(l)][:10]}")
    debug = [f"{k}: {v[:120]}" for l in lines for k, v in l.items() if isinstance(v, str) and re.match(r"^[A-Z][A-Za-z]+\(\w+: ", v)]
    expect(not debug, f"Swift debug descriptions in fields: {debug[:5]}")

    def one(predicate, what):
        found = [l for l in lines if predicate(l)]
        expect(found, f"no {what} line")
        return found[-1]

    listening = one(lambda l: l["message"].startswith("listening on"), "listening")
    expect(listening["port"] == server.port and isinstance(listening["host"], str), str(listening))
    opened = one(lambda l: l["message"] == "write-ahead log opened", "WAL opened")
    for key in ["segments", "frames", "records", "firstLSN", "lastLSN", "cuts"]:
        expect(isinstance(opened[key], int), f"{key} in {opened}")
    recovered = one(lambda l: l["message"] == "recovered data directory", "recovery")
    expect(isinstance(recovered["snapshotLSN"], int) and recovered["snapshotLSN"] > 0 and isinstance(recovered["replayedRecords"], int), str(recovered))
    expect(isinstance(recovered["seconds"], dict) and all(isinstance(v, (int, float)) for v in recovered["seconds"].values()), str(recovered))
    expect(recovered["snapshot"].endswith(".snap"), str(recovered))
    for trigger in ["requested", "automatic"]:
        snap = one(lambda l: l["message"] == "snapshot written" and l["trigger"] == trigger, f"{trigger} snapshot")
        expect(isinstance(snap["lsn"], int) and isinstance(snap["highLSN"], int) and snap["highLSN"] >= snap["lsn"] > 0, str(snap))
        expect(isinstance(snap["bytes"], int) and snap["bytes"] > 0 and isinstance(snap["milliseconds"], (int, float)), str(snap))
        expect(os.path.basename(snap["path"]).endswith(".snap"), str(snap))
    purged = one(lambda l: l.get("event") == "sessions_purged", "purge")
    expect(isinstance(purged["sessions"], int) and purged["sessions"] >= 2 and isinstance(purged["steps"], int), str(purged))
    login = one(lambda l: l.get("event") == "login_succeeded", "login audit")
    expect(isinstance(login["userId"], str) and isinstance(login["sessionId"], str) and isinstance(login["correlationId"], str), str(login))
    revoked = one(lambda l: l.get("event") == "session_revoked" and l.get("scope") == "all", "revoke-all audit")
    expect(revoked["count"] == 2, str(revoked))
    limited = one(lambda l: l.get("event") == "rate_limited", "rate-limited audit")
    expect(isinstance(limited["retryAfterSeconds"], int) and limited["retryAfterSeconds"] >= 1, str(limited))
    completed = one(lambda l: l.get("event") == "request_completed", "access line")
    expect(isinstance(completed["status"], int) and isinstance(completed["durationMs"], (int, float)), str(completed))

    # A start that fails: a second server on a directory the first one holds.
    holder = Server(BIN, data_dir=server.data_dir).start()
    try:
        second = Server(BIN, data_dir=server.data_dir)
        out = subprocess.run([second.bin, "serve"], env=second.environment(), capture_output=True, text=True, timeout=30)
    finally:
        holder.stop()
    expect(out.returncode == 1, f"exit {out.returncode}")
    failed = [l for l in json_lines(out.stdout) if l["message"] == "cannot open the engine"]
    expect(failed and failed[0]["level"] == "critical", out.stdout[-500:])
    expect("locked" in failed[0]["reason"] and failed[0]["path"].endswith("LOCK") and failed[0]["dataDirectory"] == server.data_dir, str(failed))


@test
def invalid_configuration_exits_2():
    env = dict(os.environ, PORT="not-a-port", ACCESS_TOKEN_EXPIRES_IN="forever", WAL_FSYNC="sometimes", DATA_DIR="/tmp/authd-e2e-never")
    out = subprocess.run([os.path.join(BIN, "authd"), "serve"], env=env, capture_output=True, text=True, timeout=30)
    expect(out.returncode == 2, f"exit {out.returncode}")
    text = out.stdout + out.stderr
    for name in ["PORT", "ACCESS_TOKEN_EXPIRES_IN", "WAL_FSYNC"]:
        expect(name in text, f"{name} not reported: {text}")
    # libsodium's Argon2id hashes with one lane only (issue 18): p > 1 is a configuration error.
    env = dict(os.environ, ARGON2_PARALLELISM="4", DATA_DIR="/tmp/authd-e2e-never")
    out = subprocess.run([os.path.join(BIN, "authd"), "serve"], env=env, capture_output=True, text=True, timeout=30)
    expect(out.returncode == 2 and "ARGON2_PARALLELISM" in out.stderr and "must be 1" in out.stderr, f"exit {out.returncode}: {out.stderr}")
    env = dict(os.environ, ACCESS_TOKEN_ALGORITHM="RS256", JWKS_MAX_AGE="1h", SIGNING_KEY_ROTATION_INTERVAL="10s",
               ACCESS_TOKEN_SECRET_PREVIOUS="short", DATA_DIR="/tmp/authd-e2e-never")
    out = subprocess.run([os.path.join(BIN, "authd"), "serve"], env=env, capture_output=True, text=True, timeout=30)
    expect(out.returncode == 2, f"exit {out.returncode}")
    for name in ["ACCESS_TOKEN_ALGORITHM", "ACCESS_TOKEN_SECRET_PREVIOUS"]:
        expect(name in out.stdout + out.stderr, f"{name} not reported: {out.stdout + out.stderr}")


# Hardening (issue 15): slow requests, connection limits, shutdown, headers, the admin socket.

def raw_exchange(port, data, wait=15, trickle=None):
    """Sends `data` on a fresh connection (or `trickle` bytes one by one, 0.3 s apart), then reads
    until the server closes or `wait` seconds pass. Returns (answer bytes, closed by the server, seconds)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    started = time.time()
    received = b""
    closed = False
    try:
        if data:
            s.sendall(data)
        if trickle:
            for byte in trickle:
                try:
                    s.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(0.3)
                if time.time() - started > wait:
                    break
        s.settimeout(max(0.1, wait - (time.time() - started)))
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    finally:
        s.close()
    return received, closed, time.time() - started


def parse_answer(raw):
    """(status, lower-case headers, JSON body) of the first answer in raw bytes."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    length = int(headers.get("content-length", "0"))
    return status, headers, json.loads(body[:length]) if length else None


@test
def slow_or_missing_bodies_are_answered_408_and_closed():
    server = Server(BIN, env={"REQUEST_READ_TIMEOUT": "1s"}).start()
    try:
        post = b"POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        cases = {
            "declared body never sent": post + b"Content-Length: 10\r\n\r\n",
            "body cut short": post + b"Content-Length: 100\r\n\r\n{\"email\":",
            "chunked without chunks": post + b"Transfer-Encoding: chunked\r\n\r\n",
            "body on a GET never sent": b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
            "head cut short": b"GET /health HTTP/1.1\r\nHost: x\r\n",
        }
        for name, data in cases.items():
            raw, closed, seconds = raw_exchange(server.port, data)
            expect(closed and seconds < 10, f"{name}: closed={closed} after {seconds:.1f}s")
            status, headers, body = parse_answer(raw)
            expect(status == 408 and body["error"]["code"] == "REQUEST_TIMEOUT", f"{name}: {raw[:300]}")
            expect(headers.get("connection") == "close" and body["error"]["correlationId"], f"{name}: {headers}")
        # A client trickling its head byte by byte is cut off too (the idle timeout alone never fires).
        raw, closed, seconds = raw_exchange(server.port, b"", trickle=b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200)
        expect(closed and seconds < 10, f"trickled head: closed={closed} after {seconds:.1f}s")
        expect(raw.startswith(b"HTTP/1.1 408"), f"trickled head: {raw[:200]}")
        # A request that arrives in time is unaffected, also on a kept-alive connection after a pause.
        conn = server.connection()
        expect(server.request("GET", "/health", conn=conn)[0] == 200, "health")
        time.sleep(1.5)
        expect(server.request("GET", "/health", conn=conn)[0] == 200, "kept-alive connection after a pause")
        conn.close()
    finally:
        server.stop()


@test
def connections_past_max_connections_are_refused_with_503():
    server = Server(BIN, env={"MAX_CONNECTIONS": "3"}).start()
    held = []
    try:
        for _ in range(3):
            # The readiness probe's connection, closed by the client, may still be counted for a moment
            # (until the server has read its end): a refusal then is retried, not a failure.
            deadline = time.time() + 10
            while True:
                conn = server.connection()
                try:
                    if server.request("GET", "/health", conn=conn)[0] == 200:
                        break
                except OSError:
                    pass
                conn.close()
                expect(time.time() < deadline, "admitted connection")
                time.sleep(0.05)
            held.append(conn)
        raw, closed, seconds = raw_exchange(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        expect(closed and seconds < 10, f"refused connection closed={closed} after {seconds:.1f}s")
        status, headers, body = parse_answer(raw)
        expect(status == 503 and body["error"]["code"] == "SERVICE_UNAVAILABLE", f"refusal: {raw[:300]}")
        expect(headers.get("retry-after") and headers.get("connection") == "close", f"refusal headers {headers}")
        held.pop().close()
        deadline = time.time() + 10
        while True:   # the freed slot is reusable once the server has seen the close
            try:
                if server.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            expect(time.time() < deadline, "a freed slot is not reused")
            time.sleep(0.1)
    finally:
        for conn in held:
            conn.close()
        server.stop()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@test
def accept_backs_off_when_descriptors_run_out():
    import resource
    server = Server(BIN, env={"MAX_CONNECTIONS": "100000", "LOG_LEVEL": "error"})
    server.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (96, 96))
    server.start()
    clients = []
    try:
        for _ in range(160):   # more than the server has descriptors: the rest wait in the backlog
            clients.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        time.sleep(0.5)
        before = cpu_seconds(server.proc.pid)
        time.sleep(2)
        used = cpu_seconds(server.proc.pid) - before
        expect(used < 1.0, f"the server burnt {used:.2f} CPU seconds in 2 s with descriptors exhausted")
        for c in clients:
            c.close()
        clients = []
        deadline = time.time() + 15
        while True:
            try:
                if server.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            expect(time.time() < deadline, "no recovery once descriptors are free again")
            time.sleep(0.2)
    finally:
        for c in clients:
            c.close()
        server.stop()


@test
def sigterm_with_stalled_connections_exits_within_shutdown_timeout():
    server = Server(BIN, env={"SHUTDOWN_TIMEOUT": "2s", "REQUEST_READ_TIMEOUT": "60s"}).start()
    stalled = []
    post = b"POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    for data in [post + b"Content-Length: 10\r\n\r\n", post + b"Transfer-Encoding: chunked\r\n\r\n",
                 b"GET /health HTTP/1.1\r\nHost: x\r\n", b"GET /docs.json HTTP/1.1\r\nHost: x\r\n\r\n" * 300]:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # a client that does not read its answers
        s.connect(("127.0.0.1", server.port))
        s.sendall(data)
        stalled.append(s)
    try:
        time.sleep(0.5)
        started = time.time()
        code = server.stop(timeout=30)
        elapsed = time.time() - started
        expect(code == 0, f"exit code {code}: {server.output()[-1500:]}")
        expect(elapsed < 8, f"SIGTERM took {elapsed:.1f}s with SHUTDOWN_TIMEOUT=2s")
    finally:
        for s in stalled:
            s.close()


@test
def token_and_personal_answers_are_not_cacheable():
    mail, (s, h, _) = C.register()
    answers = {"register": (s, h)}
    s, h, grant = C.login(mail)
    answers["login"] = (s, h)
    s, h, rotated = C.refresh(grant["refreshToken"])
    answers["refresh"] = (s, h)
    answers["me"] = C.me(rotated["accessToken"])[:2]
    answers["sessions"] = C.sessions(rotated["accessToken"])[:2]
    answers["me without a token"] = SERVER.request("GET", "/v1/auth/me")[:2]
    answers["refresh replayed"] = C.refresh(grant["refreshToken"])[:2]
    answers["login refused"] = C.login(mail, "wrong-password")[:2]
    for name, (status, headers) in answers.items():
        expect(headers.get("cache-control") == "no-store" and headers.get("pragma") == "no-cache", f"{name} ({status}): {headers}")


@test
def user_agent_is_capped_and_forwarded_addresses_must_parse():
    server = Server(BIN, env={"TRUST_PROXY": "1"}).start()
    try:
        c = Client(server)
        mail, _ = c.register()
        cases = [
            ({"User-Agent": "x" * 75_000}, "x" * 512, "127.0.0.1"),
            ({"User-Agent": "\u00e9" * 300}, "\u00e9" * 256, "127.0.0.1"),
            ({"X-Forwarded-For": "<img src=x onerror=alert(1)>" + "a" * 5000}, None, "127.0.0.1"),
            ({"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}, None, "203.0.113.9"),
            ({"X-Forwarded-For": "2001:db8::1"}, None, "2001:db8::1"),
            ({"X-Forwarded-For": "203.0.113.9, not-an-ip"}, None, "127.0.0.1"),
        ]
        for headers, agent, address in cases:
            encoded = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
            s, _, grant = c.login(mail, headers=encoded)
            expect(s == 200, f"login {s} {grant}")
            session = grant["session"]
            if agent is not None:
                expect(session["userAgent"] == agent, f"userAgent {len(session['userAgent'] or '')} chars: {session['userAgent'][:40]!r}")
            expect(session["ipAddress"] == address, f"{headers.get('X-Forwarded-For', '')[:40]!r} -> {session['ipAddress'][:60]!r}")
            refreshed = c.refresh(grant["refreshToken"])[2]   # a refresh rewrites the address: the same rule applies
            listed = c.sessions(refreshed["accessToken"])[2]["sessions"]
            mine = [x for x in listed if x["id"] == session["id"]][0]
            expect(mine["ipAddress"] == "127.0.0.1", f"after refresh {mine['ipAddress'][:60]!r}")
    finally:
        server.stop()
    out = subprocess.run([os.path.join(BIN, "authd"), "wal", "dump", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    expect("onerror" not in out.stdout and "x" * 513 not in out.stdout, "the WAL holds the raw header values")


@test
def jwt_leeway_tolerates_clock_skew_up_to_its_setting():
    _, grant = C.user_with_session()
    c = claims(grant["accessToken"])
    now = int(time.time())
    future = sign({"alg": "HS256", "typ": "JWT"}, dict(c, iat=now + 20, exp=now + 900), ACCESS_SECRET)
    expired = sign({"alg": "HS256", "typ": "JWT"}, dict(c, iat=now - 900, exp=now - 20), ACCESS_SECRET)
    expect_error(C.me(future), 401, "INVALID_TOKEN")
    expect_error(C.me(expired), 401, "INVALID_TOKEN")
    server = Server(BIN, args=["--jwt-leeway", "60"]).start()
    try:
        c2 = Client(server)
        _, g = c2.user_with_session()
        cl = claims(g["accessToken"])
        ahead = sign({"alg": "HS256", "typ": "JWT"}, dict(cl, iat=now + 20, exp=now + 900), ACCESS_SECRET)
        behind = sign({"alg": "HS256", "typ": "JWT"}, dict(cl, iat=now - 900, exp=now - 20), ACCESS_SECRET)
        far = sign({"alg": "HS256", "typ": "JWT"}, dict(cl, iat=now - 900, exp=now - 300), ACCESS_SECRET)
        expect(c2.me(ahead)[0] == 200, "iat 20 s ahead within a 60 s leeway")
        expect(c2.me(behind)[0] == 200, "exp 20 s ago within a 60 s leeway")
        expect_error(c2.me(far), 401, "INVALID_TOKEN")
    finally:
        server.stop()
    env = dict(os.environ, JWT_LEEWAY="61", DATA_DIR="/tmp/authd-e2e-never")
    out = subprocess.run([os.path.join(BIN, "authd"), "serve"], env=env, capture_output=True, text=True, timeout=30)
    expect(out.returncode == 2 and "JWT_LEEWAY" in out.stderr, f"exit {out.returncode}: {out.stderr}")


def snapshot_files(data_dir):
    return sorted(f for f in os.listdir(os.path.join(data_dir, "snapshots")) if f.endswith(".snap"))


def run_snapshot(data_dir, *extra, timeout=30):
    try:
        return subprocess.run([os.path.join(BIN, "authd"), "snapshot", "--data-dir", data_dir, *extra],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"authd snapshot did not finish within {timeout}s")


@test
def admin_socket_serves_snapshot_beside_an_idle_client():
    server = Server(BIN, env={"SNAPSHOT_KEEP": "100"}).start()
    idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c = Client(server)
        c.user_with_session()
        idle.connect(os.path.join(server.data_dir, "admin.sock"))   # connects, never sends a line
        time.sleep(0.2)
        out = run_snapshot(server.data_dir)
        expect(out.returncode == 0 and "snapshot written" in out.stdout, out.stdout + out.stderr)
        # A command whose client went away before its line was complete does not run.
        before = snapshot_files(server.data_dir)
        c.user_with_session()
        for partial in [b"snapshot", b"snap"]:
            cut = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            cut.connect(os.path.join(server.data_dir, "admin.sock"))
            cut.sendall(partial)
            cut.close()
        time.sleep(1.5)
        expect(snapshot_files(server.data_dir) == before, f"a cut-off command ran: {before} -> {snapshot_files(server.data_dir)}")
    finally:
        idle.close()
        server.stop()


@test
def admin_client_gives_up_after_its_timeout():
    import tempfile
    data_dir = tempfile.mkdtemp(prefix="authd-e2e-admin-")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(data_dir, "admin.sock"))
    listener.listen(4)   # accepts (in the backlog) and never answers
    try:
        started = time.time()
        out = run_snapshot(data_dir, "--timeout", "1s")
        elapsed = time.time() - started
        expect(out.returncode != 0 and elapsed < 10, f"exit {out.returncode} after {elapsed:.1f}s")
        expect("no answer" in out.stderr and "1" in out.stderr, f"unclear error: {out.stdout + out.stderr}")
    finally:
        listener.close()


@test
def logs_hold_no_secrets():
    log = SERVER.output()
    expect("correlationId" in log, "JSON log lines with correlation ids")
    token_header = b64url(json.dumps({"alg": "HS256", "kid": hmac_kid(ACCESS_SECRET), "typ": "JWT"}, separators=(",", ":")).encode())
    for secret in ["password123", ACCESS_SECRET, REFRESH_SECRET, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", token_header + "."]:
        expect(secret not in log, f"log contains {secret[:12]}...")


# Signing keys (issue 11): EdDSA / ES256 access tokens, the JWKS, rotation, previous secrets.

def jwks(server):
    status, headers, body = server.request("GET", "/.well-known/jwks.json")
    expect(status == 200, f"JWKS {status} {body}")
    return headers, body


def keys_cli(server, *args):
    out = subprocess.run([os.path.join(BIN, "authd"), "keys", *args, "--data-dir", server.data_dir],
                         capture_output=True, text=True, timeout=30)
    expect(out.returncode == 0, f"authd keys {' '.join(args)}: {out.stdout} {out.stderr}")
    return out.stdout


def verify_with_jwks(server, token, algorithm):
    """Verifies `token` as a resource server would: PyJWKClient fetches the JWKS, picks the key by kid."""
    import jwt
    client = jwt.PyJWKClient(f"http://127.0.0.1:{server.port}/.well-known/jwks.json", cache_keys=False, cache_jwk_set=False)
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=[algorithm], audience="auth-api-clients", issuer="auth-api")


def private_key_from_wal(data_dir, public):
    """The private half of `public` as the WAL holds it (the key record's bytes, lz4 literals)."""
    for root, _, names in os.walk(data_dir):
        for name in sorted(names):
            path = os.path.join(root, name)
            if not os.path.isfile(path) or name.endswith(".sock"):
                continue
            data = open(path, "rb").read()
            at = data.find(len(public).to_bytes(2, "little") + public)
            if at >= 34 and data[at - 34:at - 32] == (32).to_bytes(2, "little"):
                return data[at - 32:at]
    return None


def asymmetric_scenario(algorithm):
    env = {"ACCESS_TOKEN_ALGORITHM": algorithm, "JWKS_MAX_AGE": "2s", "ACCESS_TOKEN_EXPIRES_IN": "6s", "JWT_LEEWAY": "1s"}
    server = Server(BIN, env=env).start()
    try:
        c = Client(server)
        headers, body = jwks(server)
        expect(headers.get("cache-control") == "public, max-age=2", str(headers))
        expect(len(body["keys"]) == 1, str(body))
        first = body["keys"][0]
        expect(first["alg"] == algorithm and first["use"] == "sig" and "d" not in first, str(first))
        expect((first["kty"], first["crv"]) == (("OKP", "Ed25519") if algorithm == "EdDSA" else ("EC", "P-256")), str(first))
        mail, grant = c.user_with_session()
        expect(header(grant["accessToken"]) == {"alg": algorithm, "kid": first["kid"], "typ": "JWT"}, str(header(grant["accessToken"])))
        expect(header(grant["refreshToken"]) == {"alg": "HS256", "kid": hmac_kid(REFRESH_SECRET), "typ": "JWT"}, "refresh stays HS256")
        expect(verify_with_jwks(server, grant["accessToken"], algorithm)["sub"] == grant["user"]["id"], "PyJWT verifies through the JWKS")

        # Refused: an unknown kid, the refresh key's kid, alg edited (HS256 keyed with the public key), alg none.
        head, body_part, sig = grant["accessToken"].split(".")
        c_claims = claims(grant["accessToken"])
        def with_header(h, signature=sig):
            return b64url(json.dumps(h, separators=(",", ":")).encode()) + "." + body_part + "." + signature
        expect_error(c.me(with_header({"alg": algorithm, "kid": "AAAAAAAAAAAAAAAA", "typ": "JWT"})), 401, "INVALID_TOKEN")
        expect_error(c.me(with_header({"alg": algorithm, "kid": hmac_kid(REFRESH_SECRET), "typ": "JWT"})), 401, "INVALID_TOKEN")
        expect_error(c.me(sign({"alg": "HS256", "kid": hmac_kid(REFRESH_SECRET), "typ": "JWT"}, dict(c_claims, typ="access"), REFRESH_SECRET)),
                     401, "INVALID_TOKEN")
        public_x = first["x"]
        for secret in [public_x, ACCESS_SECRET]:
            expect_error(c.me(sign({"alg": "HS256", "kid": first["kid"], "typ": "JWT"}, c_claims, secret)), 401, "INVALID_TOKEN")
            expect_error(c.me(sign({"alg": "HS256", "typ": "JWT"}, c_claims, secret)), 401, "INVALID_TOKEN")
        expect_error(c.me(with_header({"alg": "none", "kid": first["kid"]}, "")), 401, "INVALID_TOKEN")
        expect(c.me(grant["accessToken"])[0] == 200, "the genuine token")

        # Rotation: the new key is published first, signs after JWKS_MAX_AGE; nobody is logged out.
        out = keys_cli(server, "rotate")
        expect("starts signing at" in out, out)
        _, body = jwks(server)
        kids = [k["kid"] for k in body["keys"]]
        expect(len(kids) == 2 and kids[0] == first["kid"], str(kids))
        second = kids[1]
        listed = json.loads(keys_cli(server, "list", "--json"))
        expect([(k["kid"], k["state"]) for k in listed] == [(first["kid"], "active"), (second, "next")], str(listed))
        expect(all(k["algorithm"] == algorithm and k["created"] and k["activated"] for k in listed), str(listed))
        table = keys_cli(server, "list")
        expect("KID" in table and second in table and "next" in table, table)
        s, _, during = c.refresh(grant["refreshToken"])
        expect(s == 200 and header(during["accessToken"])["kid"] == first["kid"], "the old key signs until JWKS_MAX_AGE")
        time.sleep(2.2)
        s, _, after = c.refresh(during["refreshToken"])
        expect(s == 200 and header(after["accessToken"])["kid"] == second, f"the new key signs after JWKS_MAX_AGE: {header(after['accessToken'])}")
        verify_with_jwks(server, during["accessToken"], algorithm)   # issued before: still verifies
        verify_with_jwks(server, after["accessToken"], algorithm)
        expect(c.me(during["accessToken"])[0] == 200 and c.me(after["accessToken"])[0] == 200, "no logout")
        listed = json.loads(keys_cli(server, "list", "--json"))
        expect([(k["kid"], k["state"]) for k in listed] == [(first["kid"], "retired"), (second, "active")], str(listed))
        expect(listed[0]["retired"], str(listed))
        # After one access-token lifetime plus leeway (7 s after it retired), the old key leaves the JWKS.
        time.sleep(7.2)
        _, body = jwks(server)
        expect([k["kid"] for k in body["keys"]] == [second], str(body))

        # Private key bytes appear in no log line.
        public = b64url_decode(body["keys"][0]["x"]) + (b64url_decode(body["keys"][0]["y"]) if algorithm == "ES256" else b"")
        private = private_key_from_wal(server.data_dir, public)
        expect(private is not None, "the key record is in the WAL")
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519
        if algorithm == "EdDSA":
            derived = ed25519.Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            derived = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1()).public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)[1:]
        expect(derived == public, "found the key's private half")
        log = server.output()
        for form in [private.hex(), b64url(private), base64.b64encode(private).decode(), str(list(private))]:
            expect(form not in log, "a private key reached the log")
        expect("signing_key_created" in log, "rotation logged")
        s, _, after = c.refresh(after["refreshToken"])
        expect(s == 200, "refresh")
    finally:
        server.stop()
    # A restart keeps the same keys: the JWKS and tokens issued before.
    server.start()
    try:
        _, body = jwks(server)
        expect([k["kid"] for k in body["keys"]] == [second], f"restart keeps the keys: {body}")
        s, _, again = Client(server).refresh(after["refreshToken"])
        expect(s == 200 and header(again["accessToken"])["kid"] == second, "restart")
        verify_with_jwks(server, again["accessToken"], algorithm)
    finally:
        server.stop()
    # Point-in-time restore keeps them too.
    out = subprocess.run([os.path.join(BIN, "authd"), "inspect", "--json", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)
    point = json.loads(out.stdout)["lastLSN"]
    target = server.data_dir + "-restored"
    out = subprocess.run([os.path.join(BIN, "authd"), "restore", "--from", server.data_dir, "--until", str(point), "--into", target],
                         capture_output=True, text=True, timeout=60)
    expect(out.returncode == 0, out.stdout + out.stderr)
    restored = Server(BIN, data_dir=target, env=env).start()
    try:
        _, body = jwks(restored)
        expect([k["kid"] for k in body["keys"]] == [second], f"restore keeps the keys: {body}")
        s, _, grant = Client(restored).login(mail)
        expect(s == 200 and header(grant["accessToken"])["kid"] == second, "a restored server signs with the restored key")
    finally:
        restored.stop()


@test
def eddsa_tokens_verify_against_the_jwks_and_rotate_without_logout():
    asymmetric_scenario("EdDSA")


@test
def es256_tokens_verify_against_the_jwks_and_rotate_without_logout():
    asymmetric_scenario("ES256")


@test
def hs256_servers_publish_no_keys_and_refuse_rotation():
    headers, body = jwks(SERVER)
    expect(body == {"keys": []} and headers.get("cache-control") == "public, max-age=300", f"{headers} {body}")
    out = subprocess.run([os.path.join(BIN, "authd"), "keys", "rotate", "--data-dir", SERVER.data_dir], capture_output=True, text=True, timeout=30)
    expect(out.returncode == 1 and "HS256" in out.stderr, out.stdout + out.stderr)
    listed = json.loads(keys_cli(SERVER, "list", "--json"))
    expect(listed == [{"kid": hmac_kid(ACCESS_SECRET), "algorithm": "HS256", "state": "active", "created": None, "activated": None,
                       "retired": None}], str(listed))


@test
def previous_hs256_secrets_verify_old_tokens_and_sign_nothing():
    server = Server(BIN).start()
    try:
        c = Client(server)
        _, old = c.user_with_session()
    finally:
        server.stop()
    new_access, new_refresh = "rotated-access-secret-0123456789abcdef-0123", "rotated-refresh-secret-0123456789abcdef-012"
    server.extra_env = {"ACCESS_TOKEN_SECRET": new_access, "REFRESH_TOKEN_SECRET": new_refresh,
                        "ACCESS_TOKEN_SECRET_PREVIOUS": ACCESS_SECRET, "REFRESH_TOKEN_SECRET_PREVIOUS": REFRESH_SECRET}
    server.start()
    try:
        c = Client(server)
        expect(c.me(old["accessToken"])[0] == 200, "an old access token verifies with the previous secret")
        s, _, fresh = c.refresh(old["refreshToken"])
        expect(s == 200, f"an old refresh token rotates: {fresh}")
        expect(header(fresh["accessToken"])["kid"] == hmac_kid(new_access), "new tokens are signed with the new secret")
        expect(header(fresh["refreshToken"])["kid"] == hmac_kid(new_refresh), "new refresh tokens too")
        listed = json.loads(keys_cli(server, "list", "--json"))
        expect([(k["kid"], k["state"]) for k in listed] == [(hmac_kid(new_access), "active"), (hmac_kid(ACCESS_SECRET), "verify-only")], str(listed))
        for secret in [ACCESS_SECRET, REFRESH_SECRET, new_access, new_refresh]:
            expect(secret not in server.output(), "a secret reached the log")
    finally:
        server.stop()
    server.extra_env = {"ACCESS_TOKEN_SECRET": new_access, "REFRESH_TOKEN_SECRET": new_refresh}
    server.start()
    try:
        c = Client(server)
        expect_error(c.me(old["accessToken"]), 401, "INVALID_TOKEN")
        expect(c.me(fresh["accessToken"])[0] == 200, "tokens of the new secret")
    finally:
        server.stop()


def main():
    global SERVER, C
    only = set(sys.argv[2:])
    SERVER = Server(BIN).start()
    C = Client(SERVER)
    passed = failed = 0
    try:
        for fn in TESTS:
            if only and fn.__name__ not in only:
                continue
            started = time.time()
            try:
                fn()
                passed += 1
                print(f"ok   {fn.__name__} ({time.time() - started:.2f}s)", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
    finally:
        SERVER.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
