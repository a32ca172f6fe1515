import Engine
import Foundation
import Testing
@testable import HTTPFront

/// The seed's scenarios through real HTTP on 127.0.0.1, against the real engine (in memory).
@Suite(.timeLimit(.minutes(2))) struct EngineScenarioTests {
    static func engine(_ configure: (inout EngineConfiguration) -> Void = { _ in }, clock: any EngineClock = SystemClock()) -> AuthEngine {
        var configuration = EngineConfiguration(
            dataDirectory: "/nonexistent", accessTokenSecret: Array(String(repeating: "a", count: 32).utf8),
            refreshTokenSecret: Array(String(repeating: "r", count: 32).utf8))
        configuration.argon2 = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
        configuration.hashThreads = 1
        configuration.shardCount = 2
        configure(&configuration)
        return AuthEngine.inMemory(configuration, clock: clock)
    }

    func withServer(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
    ) async throws {
        try await withServer(configure: configure) { server, _ in try await body(server) }
    }

    func withServer(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }, engine configureEngine: (inout EngineConfiguration) -> Void = { _ in },
        clock: any EngineClock = SystemClock(), _ body: (TestServer, AuthEngine) async throws -> Void
    ) async throws {
        let engine = Self.engine(configureEngine, clock: clock)
        let server = try await TestServer.start(service: engine, configure: configure)
        do {
            try await body(server, engine)
        } catch {
            await server.stop()
            await engine.shutdown()
            throw error
        }
        await server.stop()
        await engine.shutdown()
    }

    struct Tokens {
        var access: String
        var refresh: String
        var sessionID: String
    }

    func register(_ server: TestServer, email: String = "ada@example.com") async throws {
        let response = try await server.request(
            "POST", "/v1/auth/register", body: #"{"name":"Ada Lovelace","email":"\#(email)","password":"correct-horse"}"#)
        #expect(response.status == 201)
    }

    func login(_ server: TestServer, email: String = "ada@example.com", agent: String = "tests") async throws -> Tokens {
        let response = try await server.request(
            "POST", "/v1/auth/sessions", headers: [("User-Agent", agent)], body: #"{"email":"\#(email)","password":"correct-horse"}"#)
        #expect(response.status == 200)
        return try tokens(response)
    }

    func tokens(_ response: TestResponse) throws -> Tokens {
        let json = response.json
        let session = try #require(json["session"] as? [String: Any])
        return Tokens(
            access: try #require(json["accessToken"] as? String), refresh: try #require(json["refreshToken"] as? String),
            sessionID: try #require(session["id"] as? String))
    }

    func me(_ server: TestServer, _ access: String) async throws -> TestResponse {
        try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Bearer \(access)")])
    }

    func refresh(_ server: TestServer, _ token: String) async throws -> TestResponse {
        try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"\#(token)"}"#)
    }

    @Test func registerLoginMe() async throws {
        try await withServer { server in
            let registered = try await server.request(
                "POST", "/v1/auth/register", body: #"{"name":"  Ada Lovelace ","email":"  Ada@Example.COM ","password":"correct-horse"}"#)
            #expect(registered.status == 201)
            let user = try #require(registered.json["user"] as? [String: Any])
            #expect(user["email"] as? String == "ada@example.com")
            #expect(user["password"] == nil && user["passwordHash"] == nil)
            let tokens = try await login(server, email: "ADA@example.com", agent: "scenario/1")
            let answer = try await me(server, tokens.access)
            #expect(answer.status == 200)
            let session = try #require(answer.json["session"] as? [String: Any])
            #expect(session["id"] as? String == tokens.sessionID)
            #expect(session["userAgent"] as? String == "scenario/1")
            #expect(session["ipAddress"] as? String == "127.0.0.1")
            #expect(session["current"] as? Bool == true)
            #expect(session["status"] as? String == "ACTIVE")
        }
    }

    @Test func registrationErrors() async throws {
        try await withServer { server in
            try await register(server)
            let duplicate = try await server.request(
                "POST", "/v1/auth/register", body: #"{"name":"Ada","email":"ADA@example.com","password":"correct-horse"}"#)
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "USER_ALREADY_EXISTS")
            let invalid = try await server.request("POST", "/v1/auth/register", body: #"{"name":"A","email":"nope","password":7}"#)
            #expect(invalid.status == 400)
            let paths = (invalid.error["details"] as? [[String: String]])?.compactMap { $0["path"] } ?? []
            #expect(Set(paths) == ["name", "email", "password"])
            let wrong = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"wrong-horse"}"#)
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "INVALID_CREDENTIALS")
            let unknown = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"who@example.com","password":"wrong-horse"}"#)
            #expect(unknown.errorCode == "INVALID_CREDENTIALS")
        }
    }

    @Test func rotateThenReplayCompromisesTheSession() async throws {
        try await withServer { server in
            try await register(server)
            let first = try await login(server)
            let rotated = try await refresh(server, first.refresh)
            #expect(rotated.status == 200)
            let second = try tokens(rotated)
            #expect(second.sessionID == first.sessionID)
            #expect(second.refresh != first.refresh)
            #expect(try await me(server, second.access).status == 200)

            let replay = try await refresh(server, first.refresh)
            #expect(replay.status == 401)
            #expect(replay.errorCode == "REFRESH_TOKEN_REUSED")
            let afterReplay = try await me(server, second.access)
            #expect(afterReplay.status == 401)
            #expect(afterReplay.errorCode == "SESSION_NOT_ACTIVE")
            let current = try await refresh(server, second.refresh)
            #expect(current.status == 401)
            #expect(["SESSION_COMPROMISED", "REFRESH_TOKEN_REUSED"].contains(current.errorCode ?? ""))
            #expect(server.log.text.contains("\"event\":\"refresh_replay_detected\""))
        }
    }

    /// Ended sessions are listed after the active ones (EXPIRED with null revokedAt), counted by
    /// status on /metrics, and gone from both once the sweep purged them past the retention.
    @Test func endedSessionsAreListedAfterActiveOnesUntilPurged() async throws {
        let clock = ManualClock()
        try await withServer(engine: {
            $0.refreshTokenTTLSeconds = 3_600
            $0.accessTokenTTLSeconds = 7_200
            $0.sessionRetentionMilliseconds = 1_800_000
        }, clock: clock) { server, engine in
            try await register(server)
            let expiring = try await login(server, agent: "old tab")
            clock.advance(seconds: 3_600)
            let revoked = try await login(server, agent: "logged out")
            let current = try await login(server, agent: "laptop")
            let logout = try await server.request("POST", "/v1/auth/sessions/current/revoke", body: #"{"refreshToken":"\#(revoked.refresh)"}"#)
            #expect(logout.status == 204)
            let bearer = [("Authorization", "Bearer \(current.access)")]
            var sessions = try #require(try await server.request("GET", "/v1/auth/sessions", headers: bearer).json["sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["id"] as? String } == [current.sessionID, revoked.sessionID, expiring.sessionID])
            #expect(sessions.map { $0["status"] as? String } == ["ACTIVE", "REVOKED", "EXPIRED"])
            #expect(sessions[2]["revokedAt"] is NSNull && sessions[2]["revokeReason"] is NSNull)
            #expect(try await refresh(server, expiring.refresh).errorCode == "REFRESH_TOKEN_EXPIRED")
            // An access token outliving its session's refresh token no longer authenticates.
            #expect(try await me(server, expiring.access).errorCode == "SESSION_NOT_ACTIVE")
            var text = try await server.request("GET", "/metrics").text
            for status in ["ACTIVE", "EXPIRED", "REVOKED"] { #expect(text.contains("authd_sessions{status=\"\(status)\"} 1"), "\(status)") }

            clock.advance(milliseconds: 1_800_000)   // `revoked` and `expiring` ended half an hour ago now
            #expect(try await engine.sweepSessions().purgedSessions == 2)
            sessions = try #require(try await server.request("GET", "/v1/auth/sessions", headers: bearer).json["sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["id"] as? String } == [current.sessionID])
            text = try await server.request("GET", "/metrics").text
            #expect(text.contains("authd_sessions_purged_total 2"))
            #expect(text.contains("authd_sessions{status=\"REVOKED\"} 0") && text.contains("authd_sessions{status=\"EXPIRED\"} 0"))
        }
    }

    @Test func twoSessionsRevokeTheOther() async throws {
        try await withServer { server in
            try await register(server)
            let phone = try await login(server, agent: "phone")
            let laptop = try await login(server, agent: "laptop")
            let list = try await server.request("GET", "/v1/auth/sessions", headers: [("Authorization", "Bearer \(laptop.access)")])
            #expect(list.status == 200)
            let sessions = try #require(list.json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions.filter { $0["current"] as? Bool == true }.map { $0["id"] as? String } == [laptop.sessionID])

            let revoked = try await server.request(
                "DELETE", "/v1/auth/sessions/\(phone.sessionID)", headers: [("Authorization", "Bearer \(laptop.access)")])
            #expect(revoked.status == 204)
            #expect(try await me(server, phone.access).errorCode == "SESSION_NOT_ACTIVE")
            #expect(try await me(server, laptop.access).status == 200)
            #expect(try await refresh(server, phone.refresh).errorCode == "SESSION_REVOKED")

            let unknown = try await server.request(
                "DELETE", "/v1/auth/sessions/\(UUID().uuidString.lowercased())", headers: [("Authorization", "Bearer \(laptop.access)")])
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "SESSION_NOT_FOUND")
            let notUUID = try await server.request("DELETE", "/v1/auth/sessions/not-a-uuid", headers: [("Authorization", "Bearer \(laptop.access)")])
            #expect(notUUID.status == 400)
            #expect((notUUID.error["details"] as? [[String: String]])?.first?["path"] == "sessionId")
        }
    }

    @Test func anotherUsersSessionIsNotFound() async throws {
        try await withServer { server in
            try await register(server, email: "ada@example.com")
            try await register(server, email: "bob@example.com")
            let ada = try await login(server, email: "ada@example.com")
            let bob = try await login(server, email: "bob@example.com")
            let response = try await server.request(
                "DELETE", "/v1/auth/sessions/\(bob.sessionID)", headers: [("Authorization", "Bearer \(ada.access)")])
            #expect(response.errorCode == "SESSION_NOT_FOUND")
            #expect(try await me(server, bob.access).status == 200)
        }
    }

    @Test func revokeAll() async throws {
        try await withServer { server in
            try await register(server)
            let one = try await login(server)
            let two = try await login(server)
            let response = try await server.request("DELETE", "/v1/auth/sessions", headers: [("Authorization", "Bearer \(one.access)")])
            #expect(response.status == 204)
            #expect(try await me(server, one.access).errorCode == "SESSION_NOT_ACTIVE")
            #expect(try await me(server, two.access).errorCode == "SESSION_NOT_ACTIVE")
        }
    }

    @Test func revokeCurrentByRefreshToken() async throws {
        try await withServer { server in
            try await register(server)
            let tokens = try await login(server)
            let response = try await server.request("POST", "/v1/auth/sessions/current/revoke", body: #"{"refreshToken":"\#(tokens.refresh)"}"#)
            #expect(response.status == 204)
            #expect(try await me(server, tokens.access).errorCode == "SESSION_NOT_ACTIVE")
            #expect(try await refresh(server, tokens.refresh).errorCode == "SESSION_REVOKED")
            let garbage = try await server.request("POST", "/v1/auth/sessions/current/revoke", body: #"{"refreshToken":"garbage"}"#)
            #expect(garbage.errorCode == "INVALID_REFRESH_TOKEN")
        }
    }

    @Test func tokenConfusionAndGarbage() async throws {
        try await withServer { server in
            try await register(server)
            let tokens = try await login(server)
            #expect(try await me(server, tokens.refresh).errorCode == "INVALID_TOKEN")
            #expect(try await me(server, "not.a.jwt").errorCode == "INVALID_TOKEN")
            #expect(try await refresh(server, tokens.access).errorCode == "INVALID_REFRESH_TOKEN")
            let missing = try await server.request("POST", "/v1/auth/tokens/refresh", body: "{}")
            #expect(missing.status == 400)
        }
    }

    @Test func limiterThroughTheEngine() async throws {
        try await withServer(configure: { $0.rateLimitMaxRequests = 2 }) { server in
            for _ in 0..<2 {
                _ = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"x"}"#)
            }
            let limited = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"x"}"#)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "TOO_MANY_REQUESTS")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test func metricsFromTheEngine() async throws {
        try await withServer { server in
            try await register(server)
            _ = try await login(server)
            let text = try await server.request("GET", "/metrics").text
            #expect(text.contains("authd_users 1"))
            #expect(text.contains("authd_sessions{status=\"ACTIVE\"} 1"))
            #expect(text.contains("authd_login_total{outcome=\"success\"} 1"))
        }
    }

    /// Issue 15.1: a login with a huge "email" is refused by validation before anything is
    /// keyed by it; only the client's own IP bucket exists afterwards.
    @Test func aHugeEmailIsRefusedBeforeAnyLimiterKeysIt() async throws {
        try await withServer { server, engine in
            for i in 0..<20 {
                let email = String(repeating: "a", count: 1_000_000) + "\(i)@example.com"
                let response = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"\#(email)","password":"password1"}"#)
                #expect(response.status == 400)
                #expect(response.errorCode == "INVALID_PAYLOAD")
            }
            let statistics = await engine.statistics()
            #expect(statistics.rateLimitBuckets == 1)
            #expect(statistics.loginLockoutEntries == 0)
        }
    }

    /// Issue 8.2 through HTTP: successes do not count, failures lock the right password out.
    @Test func theLockoutCountsFailuresAndLocksTheRightPasswordOut() async throws {
        try await withServer(engine: { $0.loginLockout = LoginLockoutPolicy(maxFailures: 3, windowMilliseconds: 60_000) }) { server, _ in
            try await register(server)
            for _ in 0..<5 { _ = try await login(server) }
            for _ in 0..<3 {
                let wrong = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"guess-guess"}"#)
                #expect(wrong.status == 401)
            }
            let locked = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"correct-horse"}"#)
            #expect(locked.status == 429)
            #expect(locked.errorCode == "TOO_MANY_REQUESTS")
            #expect((1...60).contains(Int(locked.header("Retry-After") ?? "") ?? 0))
            #expect(server.log.text.contains("\"bucket\":\"account\""))
            // One lock, however many logins it refused.
            _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"correct-horse"}"#)
            let text = try await server.request("GET", "/metrics").text
            #expect(text.contains("authd_login_lockouts_total 1\n"))
            #expect(text.contains("authd_rate_limit_hits_total{bucket=\"account\"} 2\n"))
        }
    }

    /// Issue 15.6 through HTTP: a megabyte of combining accents answers in the INVALID_PAYLOAD envelope.
    @Test func byteLimitsAnswerInTheEnvelope() async throws {
        try await withServer { server in
            let name = "ab" + String(repeating: "\u{0301}", count: 400_000)
            let response = try await server.request(
                "POST", "/v1/auth/register", body: #"{"name":"\#(name)","email":"ada@example.com","password":"correct-horse"}"#)
            #expect(response.status == 400)
            #expect(response.errorCode == "INVALID_PAYLOAD")
            let error = try #require(response.json["error"] as? [String: Any])
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(details.count == 1)
            #expect(details.first?["path"] as? String == "name")
            #expect((details.first?["message"] as? String)?.contains("256 characters") == true)
        }
    }
}
