import Engine
import Foundation
import Logging
import Testing
@testable import HTTPFront

@Suite(.timeLimit(.minutes(1))) struct LoggingTests {
    @Test func linesAreJSONWithTheRequestFields() async throws {
        let server = try await TestServer.start(service: FakeAuthService())
        _ = try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Bearer \(FakeAuthService.accessToken)"), ("X-Request-Id", "trace-1")])
        await server.stop()
        let lines = server.log.all
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.hasSuffix("\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["time"] is String && object["level"] is String && object["message"] is String)
        }
        let completed = try #require(
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { $0["event"] as? String == "request_completed" })
        #expect(completed["correlationId"] as? String == "trace-1")
        #expect(completed["method"] as? String == "GET")
        #expect(completed["route"] as? String == "/v1/auth/me")
        #expect(completed["status"] as? Int == 200)
        #expect(completed["durationMs"] is Double || completed["durationMs"] is Int)
        #expect(completed["userId"] as? String == FakeAuthService.user.id.uuidString.lowercased())
        #expect(completed["sessionId"] as? String == FakeAuthService.session.id.uuidString.lowercased())
        #expect((completed["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func noPasswordTokenOrSecretIsEverLogged() async throws {
        let service = FakeAuthService()
        let password = "correct-horse-battery-staple"
        let server = try await TestServer.start(service: service) { $0.metricsAuthToken = "metrics-secret-token" }
        let auth = ("Authorization", "Bearer \(FakeAuthService.accessToken)")
        _ = try await server.request("POST", "/v1/auth/register", body: #"{"name":"Ada","email":"ada@example.com","password":"\#(password)"}"#)
        _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"\#(password)"}"#)
        _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"\#(password)""#)
        _ = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"\#(FakeAuthService.refreshToken)"}"#)
        _ = try await server.request("GET", "/v1/auth/me", headers: [auth])
        _ = try await server.request("GET", "/v1/auth/sessions", headers: [auth])
        _ = try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Bearer \(FakeAuthService.accessToken) extra")])
        _ = try await server.request("DELETE", "/v1/auth/sessions/33333333-3333-4333-8333-333333333333", headers: [auth])
        _ = try await server.request("POST", "/v1/auth/sessions/current/revoke", body: #"{"refreshToken":"\#(FakeAuthService.refreshToken)"}"#)
        _ = try await server.request("GET", "/metrics", headers: [("Authorization", "Bearer metrics-secret-token")])
        service.forcedError = .invalidCredentials
        _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"\#(password)"}"#)
        service.forcedError = .refreshTokenReused
        _ = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"\#(FakeAuthService.refreshToken)"}"#)
        service.forcedError = nil
        service.deny(.ip("127.0.0.1"))
        _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"ada@example.com","password":"\#(password)"}"#)
        await server.stop()

        let text = server.log.text
        for secret in [password, FakeAuthService.accessToken, FakeAuthService.refreshToken, "SECRET-ACCESS", "SECRET-REFRESH", "metrics-secret-token", "Bearer"] {
            #expect(!text.contains(secret), "log contains \(secret)")
        }
        for event in ["login_succeeded", "login_failed", "refresh_succeeded", "refresh_replay_detected", "session_revoked", "rate_limited", "user_registered"] {
            #expect(text.contains("\"event\":\"\(event)\""), "missing \(event)")
        }
        #expect(text.contains("\"scope\":\"one\"") && text.contains("\"scope\":\"current\""))
    }

    /// Audit fields that are numbers are JSON numbers, not strings of digits.
    @Test func auditNumbersAreJSONNumbers() async throws {
        let service = FakeAuthService()
        let server = try await TestServer.start(service: service)
        _ = try await server.request("DELETE", "/v1/auth/sessions", headers: [("Authorization", "Bearer \(FakeAuthService.accessToken)")])
        service.deny(.ip("127.0.0.1"))
        _ = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"\#(FakeAuthService.refreshToken)"}"#)
        await server.stop()
        let objects = server.log.all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let revokedAll = try #require(objects.first { $0["event"] as? String == "session_revoked" })
        #expect(revokedAll["scope"] as? String == "all")
        #expect(revokedAll["count"] as? Int == 2)
        let limited = try #require(objects.first { $0["event"] as? String == "rate_limited" })
        #expect(limited["retryAfterSeconds"] as? Int == 42)
        #expect(!server.log.text.contains(#""count":"2""#) && !server.log.text.contains(#""retryAfterSeconds":"42""#))
    }

    @Test func handlerLevelsAndMetadata() throws {
        let log = CapturedLog()
        var logger = log.logger(level: .warning)
        logger[metadataKey: "component"] = "test"
        logger.info("dropped")
        logger.warning("kept \"quoted\"", metadata: ["n": .stringConvertible(3), "list": ["a", "b"], "map": ["k": "v"]])
        #expect(log.all.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(log.text.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "kept \"quoted\"")
        #expect(object["level"] as? String == "warning")
        #expect(object["component"] as? String == "test")
        #expect(object["n"] as? Int == 3)
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect((object["map"] as? [String: String]) == ["k": "v"])
    }
}
