import Engine
import Foundation
import NIOCore
import Testing
@testable import HTTPFront

@Suite(.timeLimit(.minutes(2))) struct HTTPServerTests {
    let bearer = ("Authorization", "Bearer \(FakeAuthService.accessToken)")

    func withServer(
        _ service: FakeAuthService = FakeAuthService(), configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: (TestServer, FakeAuthService) async throws -> Void
    ) async throws {
        let server = try await TestServer.start(service: service, configure: configure)
        do {
            try await body(server, service)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    // MARK: Ops routes and correlation

    @Test func healthAndGeneratedCorrelationID() async throws {
        try await withServer { server, _ in
            let response = try await server.request("GET", "/health")
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ok")
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let id = try #require(response.header("X-Correlation-Id"))
            #expect(CorrelationID.isAcceptable(id))
        }
    }

    @Test func correlationIDFromClientIsEchoedEverywhere() async throws {
        try await withServer { server, _ in
            let echoed = try await server.request("GET", "/nope", headers: [("X-Correlation-Id", "abc-123")])
            #expect(echoed.header("X-Correlation-Id") == "abc-123")
            #expect(echoed.error["correlationId"] as? String == "abc-123")
            let fromRequestID = try await server.request("GET", "/health", headers: [("X-Request-Id", "req-9")])
            #expect(fromRequestID.header("X-Correlation-Id") == "req-9")
            let invalid = try await server.request("GET", "/health", headers: [("X-Correlation-Id", String(repeating: "x", count: 129))])
            #expect(invalid.header("X-Correlation-Id")?.count ?? 0 < 129)
            #expect(server.log.text.contains("\"correlationId\":\"abc-123\""))
        }
    }

    @Test func readinessFollowsTheEngine() async throws {
        try await withServer { server, service in
            #expect(try await server.request("GET", "/ready").status == 200)
            service.ready = false
            let response = try await server.request("GET", "/ready")
            #expect(response.status == 503)
            #expect(response.json["status"] as? String == "not_ready")
        }
    }

    @Test func headHasNoBody() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await connection.readResponse(toHEAD: true)
            #expect(head.status == 200)
            // The next answer parses right after: the HEAD answer carried no body bytes.
            _ = head
            await connection.close()
        }
    }

    // MARK: Routing errors

    @Test func unknownRouteAndWrongMethod() async throws {
        try await withServer { server, _ in
            let notFound = try await server.request("GET", "/v2/whatever")
            #expect(notFound.status == 404)
            #expect(notFound.errorCode == "NOT_FOUND")
            let wrongMethod = try await server.request("PUT", "/v1/auth/me")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.errorCode == "METHOD_NOT_ALLOWED")
            #expect(wrongMethod.header("Allow") == "GET, HEAD")
        }
    }

    // MARK: Bodies

    @Test func declaredOversizedBodyIsRefusedBeforeItIsSent() async throws {
        try await withServer { server, service in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(
                "POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(2 << 20)\r\n\r\n{")
            let response = try await connection.readResponse()
            #expect(response.status == 413)
            #expect(response.errorCode == "PAYLOAD_TOO_LARGE")
            #expect(response.header("Connection") == "close")
            #expect(await connection.waitForClose())
            #expect(service.calls.isEmpty)
        }
    }

    @Test func streamedOversizedBodyIsRefusedWhenItPassesTheLimit() async throws {
        try await withServer(configure: { $0.maximumBodyBytes = 1000 }) { server, service in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "a", count: 600)
            try await connection.send("258\r\n\(chunk)\r\n")
            try await connection.send("258\r\n\(chunk)\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 413)
            #expect(await connection.waitForClose())
            #expect(service.calls.isEmpty)
        }
    }

    @Test func bodyAtTheLimitIsAccepted() async throws {
        try await withServer(configure: { $0.maximumBodyBytes = 64 }) { server, _ in
            let body = #"{"name":"Ada","email":"ada@example.com","password":"x"}"#.padding(toLength: 64, withPad: " ", startingAt: 0)
            let response = try await server.request("POST", "/v1/auth/register", body: body)
            #expect(response.status == 201)
        }
    }

    @Test func wrongContentTypeIs415AndTheConnectionLives() async throws {
        try await withServer { server, service in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(rawRequest("POST", "/v1/auth/sessions", body: "email=a&password=b", contentType: "application/x-www-form-urlencoded"))
            let first = try await connection.readResponse()
            #expect(first.status == 415)
            #expect(first.errorCode == "UNSUPPORTED_MEDIA_TYPE")
            try await connection.send(rawRequest("POST", "/v1/auth/sessions", body: "{}", contentType: nil))
            #expect(try await connection.readResponse().status == 415)
            try await connection.send(rawRequest("POST", "/v1/auth/sessions", body: #"{"email":"a@b.co","password":"pw"}"#, contentType: "Application/JSON; charset=utf-8"))
            #expect(try await connection.readResponse().status == 200)
            await connection.close()
            #expect(service.calls.count == 1)
        }
    }

    @Test(arguments: [
        ("{\"email\":", "body"), ("[1,2]", "body"), ("\"text\"", "body"), ("{} trailing", "body"), ("{\"a\":\"\\ud800\"}", "body"),
    ])
    func malformedOrNonObjectBodiesAre400(body: String, path: String) async throws {
        try await withServer { server, service in
            let response = try await server.request("POST", "/v1/auth/tokens/refresh", body: body)
            #expect(response.status == 400)
            #expect(response.errorCode == "INVALID_PAYLOAD")
            let details = try #require(response.error["details"] as? [[String: String]])
            #expect(details.first?["path"] == path)
            #expect(service.calls.isEmpty)
        }
    }

    @Test func emptyBodyIs400() async throws {
        try await withServer { server, _ in
            let response = try await server.request("POST", "/v1/auth/register")
            #expect(response.status == 400)
            #expect(response.errorCode == "INVALID_PAYLOAD")
        }
    }

    @Test func fieldIssuesFromTheEngineBecomeDetails() async throws {
        try await withServer { server, _ in
            let response = try await server.request("POST", "/v1/auth/register", body: #"{"name":1,"email":"a@b.co"}"#)
            #expect(response.status == 400)
            let details = try #require(response.error["details"] as? [[String: String]])
            #expect(details.map { $0["path"] } == ["name", "password"])
        }
    }

    @Test func malformedHTTPGetsAnAnswerAndAClose() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("THIS IS NOT HTTP\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 400)
            #expect(await connection.waitForClose())
        }
    }

    // MARK: Auth routes

    @Test func registerLoginRefreshShapes() async throws {
        try await withServer { server, service in
            let registered = try await server.request("POST", "/v1/auth/register", body: #"{"name":"Ada","email":"ada@example.com","password":"password1"}"#)
            #expect(registered.status == 201)
            #expect(Set(registered.json.keys) == ["user"])
            let login = try await server.request(
                "POST", "/v1/auth/sessions", headers: [("User-Agent", "tests/1")], body: #"{"email":"ada@example.com","password":"password1"}"#)
            #expect(login.status == 200)
            #expect(Set(login.json.keys) == ["accessToken", "refreshToken", "user", "session"])
            #expect(service.calls.contains("login:127.0.0.1:tests/1"))
            let refreshed = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"r"}"#)
            #expect(refreshed.status == 200)
            #expect(refreshed.json["refreshToken"] as? String == FakeAuthService.refreshToken)
        }
    }

    @Test func bearerRules() async throws {
        try await withServer { server, service in
            let missing = try await server.request("GET", "/v1/auth/me")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "AUTHORIZATION_REQUIRED")
            let basic = try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Basic abc")])
            #expect(basic.errorCode == "INVALID_AUTHORIZATION_HEADER")
            let extra = try await server.request("GET", "/v1/auth/sessions", headers: [("Authorization", "Bearer a b")])
            #expect(extra.errorCode == "INVALID_AUTHORIZATION_HEADER")
            #expect(service.calls.isEmpty)
            let me = try await server.request("GET", "/v1/auth/me", headers: [bearer])
            #expect(me.status == 200)
            #expect(Set(me.json.keys) == ["user", "session"])
            #expect(service.calls == ["me:\(FakeAuthService.accessToken)"])
        }
    }

    @Test func sessionsListAndRevokes() async throws {
        try await withServer { server, service in
            let list = try await server.request("GET", "/v1/auth/sessions", headers: [bearer])
            #expect(list.status == 200)
            let sessions = try #require(list.json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions[1]["revokeReason"] as? String == "user\"revoked")
            #expect(sessions[1]["userAgent"] is NSNull)
            let one = try await server.request("DELETE", "/v1/auth/sessions/33333333-3333-4333-8333-333333333333", headers: [bearer])
            #expect(one.status == 204)
            #expect(one.body.isEmpty)
            #expect(try await server.request("DELETE", "/v1/auth/sessions", headers: [bearer]).status == 204)
            #expect(try await server.request("POST", "/v1/auth/sessions/current/revoke", body: #"{"refreshToken":"r"}"#).status == 204)
            #expect(service.calls.contains("revokeSession:33333333-3333-4333-8333-333333333333"))
            #expect(service.calls.contains("revokeAllSessions"))
            #expect(service.calls.contains("revokeCurrentSession"))
        }
    }

    @Test(arguments: APIErrorTests.engineErrors.indices)
    func engineErrorsReachTheClient(index: Int) async throws {
        let (error, status, code) = APIErrorTests.engineErrors[index]
        let service = FakeAuthService()
        service.forcedError = error
        try await withServer(service) { server, _ in
            let response = try await server.request("GET", "/v1/auth/me", headers: [bearer])
            #expect(response.status == status)
            #expect(response.errorCode == code)
            if status == 429 || (status == 503 && error != .storageUnavailable) {
                #expect(response.header("Retry-After") != nil)
            }
        }
    }

    @Test func authAnswersAreNeverCached() async throws {
        try await withServer { server, service in
            let login = #"{"email":"ada@example.com","password":"password1"}"#
            var answers: [(String, TestResponse)] = [
                ("register", try await server.request("POST", "/v1/auth/register", body: #"{"name":"Ada","email":"ada@example.com","password":"password1"}"#)),
                ("login", try await server.request("POST", "/v1/auth/sessions", body: login)),
                ("refresh", try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"r"}"#)),
                ("me", try await server.request("GET", "/v1/auth/me", headers: [bearer])),
                ("sessions", try await server.request("GET", "/v1/auth/sessions", headers: [bearer])),
                ("revoke", try await server.request("DELETE", "/v1/auth/sessions", headers: [bearer])),
                ("missing bearer", try await server.request("GET", "/v1/auth/me")),
                ("bad body", try await server.request("POST", "/v1/auth/sessions", body: "{")),
                ("wrong method", try await server.request("PUT", "/v1/auth/me")),
                ("unknown auth path", try await server.request("GET", "/v1/auth/nowhere")),
            ]
            service.forcedError = .refreshTokenReused
            answers.append(("replay", try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"r"}"#)))
            for (name, answer) in answers {
                #expect(answer.header("Cache-Control") == "no-store", "\(name)")
                #expect(answer.header("Pragma") == "no-cache", "\(name)")
            }
            let health = try await server.request("GET", "/health")
            #expect(health.header("Cache-Control") == nil && health.header("Pragma") == nil)
        }
    }

    // MARK: Rate limiting

    @Test func mutationRoutesAreLimitedPerIP() async throws {
        try await withServer { server, service in
            service.deny(.ip("127.0.0.1"))
            let response = try await server.request("POST", "/v1/auth/register", body: #"{"name":"Ada","email":"a@b.co","password":"password1"}"#)
            #expect(response.status == 429)
            #expect(response.errorCode == "TOO_MANY_REQUESTS")
            #expect(response.header("Retry-After") == "42")
            #expect(try await server.request("DELETE", "/v1/auth/sessions", headers: [bearer]).status == 429)
            // Reads are not limited.
            #expect(try await server.request("GET", "/v1/auth/me", headers: [bearer]).status == 200)
            #expect(!service.calls.contains("register"))
            #expect(server.log.text.contains("\"event\":\"rate_limited\""))
        }
    }

    @Test func aLockedAccountAnswers429WithRetryAfter() async throws {
        try await withServer { server, service in
            // The lockout is the engine's: the front takes only the IP's token and relays the answer.
            service.forcedError = .rateLimited(retryAfterSeconds: 42)
            let response = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"victim@example.com","password":"guess"}"#)
            #expect(response.status == 429)
            #expect(response.errorCode == "TOO_MANY_REQUESTS")
            #expect(response.header("Retry-After") == "42")
            #expect(service.consumed == [.ip("127.0.0.1")])
            #expect(server.log.text.contains("\"bucket\":\"account\""))
        }
    }

    @Test func zeroDisablesTheLimiters() async throws {
        try await withServer(configure: { $0.rateLimitMaxRequests = 0 }) { server, service in
            service.deny(.ip("127.0.0.1"))
            let response = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"a@b.co","password":"pw"}"#)
            #expect(response.status == 200)
            #expect(service.consumed.isEmpty)
        }
    }

    @Test func trustProxyTakesTheForwardedAddress() async throws {
        try await withServer(configure: { $0.trustedProxyHops = 1 }) { server, service in
            _ = try await server.request(
                "POST", "/v1/auth/tokens/refresh", headers: [("X-Forwarded-For", "198.51.100.1, 203.0.113.5")], body: #"{"refreshToken":"r"}"#)
            #expect(service.consumed == [.ip("203.0.113.5")])
        }
        try await withServer { server, service in
            _ = try await server.request(
                "POST", "/v1/auth/tokens/refresh", headers: [("X-Forwarded-For", "198.51.100.1")], body: #"{"refreshToken":"r"}"#)
            #expect(service.consumed == [.ip("127.0.0.1")])
        }
    }

    @Test func storedClientDetailsAreBounded() async throws {
        try await withServer(configure: { $0.trustedProxyHops = 1 }) { server, service in
            let agent = String(repeating: "u", count: 75_000)
            let junk = "<img src=x onerror=alert(1)>" + String(repeating: "a", count: 5000)
            _ = try await server.request(
                "POST", "/v1/auth/sessions", headers: [("User-Agent", agent), ("X-Forwarded-For", junk)],
                body: #"{"email":"a@b.co","password":"pw"}"#)
            #expect(service.calls.last == "login:127.0.0.1:" + String(repeating: "u", count: 512))
            #expect(service.consumed.first == .ip("127.0.0.1"))
        }
    }

    // MARK: Metrics and docs

    @Test func metricsBehindAToken() async throws {
        try await withServer(configure: { $0.metricsAuthToken = "scrape-me" }) { server, _ in
            _ = try await server.request("GET", "/health")
            #expect(try await server.request("GET", "/metrics").errorCode == "AUTHORIZATION_REQUIRED")
            #expect(try await server.request("GET", "/metrics", headers: [("Authorization", "Bearer nope")]).errorCode == "INVALID_TOKEN")
            let response = try await server.request("GET", "/metrics", headers: [("Authorization", "Bearer scrape-me")])
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(response.text.contains("authd_http_requests_total{route=\"/health\",status=\"200\"} 1"))
            #expect(response.text.contains("authd_users 7"))
            #expect(response.text.contains("authd_http_request_duration_seconds_bucket"))
        }
    }

    @Test func metricsCountOutcomes() async throws {
        try await withServer { server, service in
            _ = try await server.request("POST", "/v1/auth/sessions", body: #"{"email":"a@b.co","password":"pw"}"#)
            service.forcedError = .refreshTokenReused
            _ = try await server.request("POST", "/v1/auth/tokens/refresh", body: #"{"refreshToken":"r"}"#)
            service.forcedError = nil
            let text = try await server.request("GET", "/metrics").text
            #expect(text.contains("authd_login_total{outcome=\"success\"} 1"))
            #expect(text.contains("authd_refresh_total{outcome=\"REFRESH_TOKEN_REUSED\"} 1"))
            #expect(text.contains("authd_refresh_replay_detected_total 1"))
            #expect(server.log.text.contains("\"event\":\"refresh_replay_detected\""))
        }
    }

    @Test func disabledMetricsAndDocsAre404() async throws {
        try await withServer(configure: { $0.metricsEnabled = false; $0.docsEnabled = false }) { server, _ in
            for path in ["/metrics", "/docs", "/docs.json"] {
                let response = try await server.request("GET", path)
                #expect(response.status == 404)
                #expect(response.errorCode == "NOT_FOUND")
            }
        }
    }

    @Test func docsAreServed() async throws {
        try await withServer { server, _ in
            let json = try await server.request("GET", "/docs.json")
            #expect(json.status == 200)
            #expect(json.json["openapi"] as? String == "3.1.0")
            let html = try await server.request("GET", "/docs")
            #expect(html.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(html.text.contains("<script type=\"application/json\" id=\"openapi\">"))
            #expect(!html.text.contains("https://"))
        }
    }

    @Test func jwksIsServedCacheable() async throws {
        try await withServer { server, _ in
            let response = try await server.request("GET", "/.well-known/jwks.json")
            #expect(response.status == 200)
            #expect(response.header("Cache-Control") == "public, max-age=300")
            #expect(response.header("Pragma") == nil)
            #expect(response.text == #"{"keys":[]}"#)
            #expect(try await server.request("POST", "/.well-known/jwks.json").status == 405)
        }
    }

    // MARK: Connections

    @Test func keepAliveAndPipelining() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(
                rawRequest("GET", "/health") + rawRequest("GET", "/v1/auth/me", headers: [bearer]) + rawRequest("GET", "/missing"))
            #expect(try await connection.readResponse().status == 200)
            #expect(try await connection.readResponse().status == 200)
            #expect(try await connection.readResponse().status == 404)
            try await connection.send(rawRequest("GET", "/ready"))
            #expect(try await connection.readResponse().status == 200)
            await connection.close()
        }
    }

    @Test func pipelinedRequestsWaitBehindASlowAnswerAndComeBackInOrder() async throws {
        let service = FakeAuthService()
        service.isHoldingMe = true
        let server = try await TestServer.start(service: service)
        let connection = try await RawConnection.connect(port: server.port)
        try await connection.send(
            rawRequest("GET", "/v1/auth/me", headers: [bearer]) + rawRequest("GET", "/health") + rawRequest("GET", "/missing"))
        while !service.calls.contains(where: { $0.hasPrefix("me:") }) { try await Task.sleep(nanoseconds: 5_000_000) }
        try await Task.sleep(nanoseconds: 50_000_000)
        // Nothing may overtake the held answer: the two quick ones wait behind it.
        #expect(connection.box.snapshot().0.isEmpty)
        service.isHoldingMe = false
        let first = try await connection.readResponse()
        #expect(first.status == 200)
        #expect(first.json["user"] != nil)
        #expect(try await connection.readResponse().status == 200)
        #expect(try await connection.readResponse().status == 404)
        await connection.close()
        await server.stop()
    }

    @Test func bytesThatAreNotHTTPAreAnswered400AfterTheRequestsBeforeThemThenClosed() async throws {
        let service = FakeAuthService()
        service.isHoldingMe = true
        let server = try await TestServer.start(service: service)
        let connection = try await RawConnection.connect(port: server.port)
        try await connection.send(rawRequest("GET", "/v1/auth/me", headers: [bearer]) + "NOT HTTP AT ALL\r\n\r\n")
        while !service.calls.contains(where: { $0.hasPrefix("me:") }) { try await Task.sleep(nanoseconds: 5_000_000) }
        service.isHoldingMe = false
        #expect(try await connection.readResponse().status == 200)
        let refused = try await connection.readResponse()
        #expect(refused.status == 400)
        #expect(refused.header("Connection") == "close")
        #expect(await connection.waitForClose())
        // And on a connection with nothing in flight, at once.
        let second = try await RawConnection.connect(port: server.port)
        try await second.send("\u{01}\u{02} nonsense\r\n\r\n")
        #expect(try await second.readResponse().status == 400)
        #expect(await second.waitForClose())
        await server.stop()
    }

    @Test func framingHeadersFollowTheStatusAndMethod() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            // HEAD: the length the body would have, and no body (the next answer parses cleanly after it).
            try await connection.send(rawRequest("HEAD", "/health") + rawRequest("GET", "/health"))
            let head = try await connection.readResponse(toHEAD: true)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let length = try #require(Int(head.header("Content-Length") ?? ""))
            let get = try await connection.readResponse()
            #expect(get.status == 200)
            #expect(get.body.count == length)
            #expect(get.header("Content-Type") == "application/json; charset=utf-8")
            // 204: no Content-Length at all (RFC 9110 section 8.6).
            try await connection.send(rawRequest("DELETE", "/v1/auth/sessions", headers: [bearer]))
            let revoked = try await connection.readResponse()
            #expect(revoked.status == 204)
            #expect(revoked.header("Content-Length") == nil)
            #expect(revoked.header("X-Correlation-Id") != nil)
            await connection.close()
        }
    }

    @Test func http10ClosesUnlessKeepAlive() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("GET /health HTTP/1.0\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            #expect(await connection.waitForClose())
        }
    }

    @Test func shutdownFinishesInFlightRequests() async throws {
        let service = FakeAuthService()
        service.isHoldingMe = true
        let server = try await TestServer.start(service: service)
        let connection = try await RawConnection.connect(port: server.port)
        try await connection.send(rawRequest("GET", "/v1/auth/me", headers: [bearer]))
        while !service.calls.contains(where: { $0.hasPrefix("me:") }) { try await Task.sleep(nanoseconds: 5_000_000) }
        async let stopped: Void = server.stop()
        // Shutdown has begun once the listener refuses new connections; only then does `me` answer.
        while let probe = try? await RawConnection.connect(port: server.port) {
            await probe.close()
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        service.isHoldingMe = false
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        await stopped
        #expect(await connection.waitForClose())
        await #expect(throws: (any Error).self) { try await RawConnection.connect(port: server.port) }
    }

    @Test func expectContinueIsAnswered() async throws {
        try await withServer { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            let body = #"{"refreshToken":"r"}"#
            try await connection.send(
                "POST /v1/auth/tokens/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            let interim = try await connection.readResponse()
            #expect(interim.status == 100)
            try await connection.send(body)
            #expect(try await connection.readResponse().status == 200)
            await connection.close()
        }
    }

    @Test func silentConnectionsAreClosedAfterTheIdleTimeout() async throws {
        // 3 s: long enough that a loaded machine (or ThreadSanitizer's slowdown) reads the first
        // request before the timer fires, short enough for the suite.
        try await withServer(configure: { $0.idleTimeoutSeconds = 3 }) { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(rawRequest("GET", "/health"))
            #expect(try await connection.readResponse().status == 200)
            #expect(await connection.waitForClose())
        }
    }

    @Test func clientThatSendsTheWholeOversizedBodyStillReadsThe413() async throws {
        try await withServer { server, service in
            for _ in 0..<3 {
                let connection = try await RawConnection.connect(port: server.port)
                let size = 3 << 20
                var bytes = Array("POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(size)\r\n\r\n".utf8)
                bytes += [UInt8](repeating: UInt8(ascii: " "), count: size)
                try? await connection.send(bytes)
                let response = try await connection.readResponse()
                #expect(response.status == 413)
                #expect(await connection.waitForClose())
            }
            #expect(service.calls.isEmpty)
        }
    }
}
