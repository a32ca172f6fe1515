import Engine
import Foundation
import Logging
import JSON
import NIOCore
import NIOHTTP1

/// Turns requests into answers; the HTTP front's only decision maker.
///
/// `prepare` runs on the event loop and settles everything that needs no
/// engine: routing errors, media type, JSON shape, the bearer header,
/// health, readiness and docs. What is left is one `EngineCall`, which
/// `perform` runs on a task: the per-IP rate limiter, then the engine (whose
/// login applies the per-account lockout), then the answer's JSON. `finish`
/// writes the access log line and the metrics.
/// No business rule lives here: field rules, tokens and sessions are the
/// engine's.
public final class RequestProcessor: Sendable {
    let service: any AuthService
    let configuration: HTTPServerConfiguration
    let metrics: ServerMetrics?
    let logger: Logger
    let parser = StrictJSONParser()
    let allocator = ByteBufferAllocator()
    let docsJSON: ByteBuffer
    let docsHTML: ByteBuffer

    /// A processor calling `service`, logging to `logger`; `metrics` is required when metrics are enabled.
    public init(service: any AuthService, configuration: HTTPServerConfiguration, metrics: ServerMetrics?, logger: Logger) {
        self.service = service
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.docsJSON = ByteBuffer(string: OpenAPIDocument.json)
        self.docsHTML = ByteBuffer(string: DocsPage.html)
    }

    // MARK: On the event loop

    /// Settles what can be settled without the engine.
    public func prepare(_ request: HTTPRequest) -> RequestStep {
        let route: Route
        let sessionParameter: Substring?
        switch request.match {
        case .notFound:
            return .respond(errorResponse(.notFound, request))
        case .methodNotAllowed(let allow):
            return .respond(errorResponse(.methodNotAllowed(allow: allow), request))
        case .route(let matched, let parameter):
            route = matched
            sessionParameter = parameter
        }
        let headers = request.head.headers
        if route.isMutation, let gate = configuration.cluster, let refusal = gate.refusal() {
            switch refusal {
            case .notLeader(let leader): return .respond(errorResponse(.notLeader(leaderURL: leader), request))
            case .writesUnavailable(let reason): return .respond(errorResponse(.writesUnavailable(reason), request))
            }
        }
        do throws(APIError) {
            switch route {
            case .cluster, .clusterLeader, .clusterReplica:
                guard let gate = configuration.cluster else { throw .notFound }
                let body: ByteBuffer
                let healthy: Bool
                switch route {
                case .cluster:
                    body = ByteBuffer(bytes: gate.status())
                    healthy = true
                case .clusterLeader:
                    healthy = gate.acceptsWrites()
                    body = statusBody(healthy ? "leader" : "not_leader")
                default:
                    healthy = gate.isHealthyReplica()
                    body = statusBody(healthy ? "replica" : "not_replica")
                }
                var response = HTTPResponse(status: healthy ? .ok : .serviceUnavailable, contentType: .json, body: body)
                response.headers.add(name: "Cache-Control", value: "no-store")
                return .respond(response)
            case .health:
                return .respond(.json(.ok, statusBody("ok")))
            case .ready:
                return .respond(service.isReady ? .json(.ok, statusBody("ready")) : .json(.serviceUnavailable, statusBody("not_ready")))
            case .docs, .docsJSON:
                guard configuration.docsEnabled else { throw .notFound }
                return .respond(HTTPResponse(status: .ok, contentType: route == .docs ? .html : .json, body: route == .docs ? docsHTML : docsJSON))
            case .jwks:
                var response = HTTPResponse(status: .ok, contentType: .json, body: ByteBuffer(bytes: service.jwksDocument()))
                response.headers.add(name: "Cache-Control", value: "public, max-age=\(service.jwksMaxAgeSeconds)")
                return .respond(response)
            case .metrics:
                guard configuration.metricsEnabled, metrics != nil else { throw .notFound }
                if let expected = configuration.metricsAuthToken {
                    let token = try BearerCredentials.token(from: headers)
                    guard ConstantTime.equals(token, expected) else { throw .invalidToken }
                }
                return .call(EngineCall(operation: .metrics, clientAddress: nil))
            case .register:
                let fields = try jsonBody(request)
                return .call(call(.register(name: fields["name"], email: fields["email"], password: fields["password"]), request))
            case .login:
                let fields = try jsonBody(request)
                let address = clientAddress(request)
                let client = client(request, address: address)
                return .call(EngineCall(operation: .login(email: fields["email"], password: fields["password"], client: client), clientAddress: address))
            case .refresh:
                let fields = try jsonBody(request)
                let address = clientAddress(request)
                return .call(EngineCall(operation: .refresh(refreshToken: fields["refreshToken"], client: client(request, address: address)),
                                        clientAddress: address))
            case .revokeCurrentSession:
                let fields = try jsonBody(request)
                return .call(call(.revokeCurrentSession(refreshToken: fields["refreshToken"]), request))
            case .me:
                return .call(call(.me(accessToken: try bearer(headers)), request))
            case .listSessions:
                return .call(call(.listSessions(accessToken: try bearer(headers)), request))
            case .revokeAllSessions:
                return .call(call(.revokeAllSessions(accessToken: try bearer(headers)), request))
            case .revokeSession:
                let token = try bearer(headers)
                return .call(call(.revokeSession(accessToken: token, sessionID: String(sessionParameter ?? "")), request))
            }
        } catch {
            return .respond(errorResponse(error, request))
        }
    }

    private func call(_ operation: EngineCall.Operation, _ request: HTTPRequest) -> EngineCall {
        EngineCall(operation: operation, clientAddress: clientAddress(request))
    }

    private func bearer(_ headers: HTTPHeaders) throws(APIError) -> String {
        try BearerCredentials.token(from: headers)
    }

    /// The client IP under the `TRUST_PROXY` policy.
    func clientAddress(_ request: HTTPRequest) -> String? {
        ClientAddress.resolve(
            socketAddress: request.socketAddress, forwardedFor: request.head.headers["x-forwarded-for"],
            trustedHops: configuration.trustedProxyHops)
    }

    /// What the engine stores about the client (it bounds both values itself).
    private func client(_ request: HTTPRequest, address: String?) -> ClientInfo {
        ClientInfo(userAgent: request.head.headers.first(name: "user-agent"), ipAddress: address)
    }

    /// The body of a JSON route as top-level fields: 415 for another media
    /// type, 400 for a missing, malformed or non-object body.
    func jsonBody(_ request: HTTPRequest) throws(APIError) -> JSONObjectFields {
        guard let body = request.body, body.readableBytes > 0 else { throw .invalidJSON(.notAnObject) }
        guard Self.isJSONMediaType(request.head.headers) else { throw .unsupportedMediaType }
        do {
            return try body.withUnsafeReadableBytes { raw throws(JSONParseError) in
                try parser.parseObject(rawBytes: raw)
            }
        } catch {
            throw .invalidJSON(error)
        }
    }

    /// Whether the request has one Content-Type and it is `application/json` (parameters such as
    /// charset allowed, any case, spaces around the media type ignored), read in place.
    static func isJSONMediaType(_ headers: HTTPHeaders) -> Bool {
        guard case .value(var value) = headers.single("content-type") else { return false }
        return value.withUTF8 { bytes in
            var start = 0
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            return SingleHeader.equalsIgnoringASCIICase(bytes[start..<end], "application/json")
        }
    }

    private func statusBody(_ status: String) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 96))
        writer.beginObject()
        writer.key("status")
        writer.string(status)
        writer.key("service")
        writer.string(configuration.serviceName)
        writer.key("timestamp")
        writer.string(JSONLogHandler.timestamp())
        writer.endObject()
        return writer.buffer
    }

    func errorResponse(_ error: APIError, _ request: HTTPRequest) -> HTTPResponse {
        .error(error, correlationID: request.correlationID, allocator: allocator)
    }

    // MARK: On a task

    /// Runs the per-IP limiter and the engine call; never throws, every failure is an answer.
    public func perform(_ call: EngineCall, for request: HTTPRequest) async -> RequestOutcome {
        let correlationID = request.correlationID
        do throws(APIError) {
            if case .metrics = call.operation {
                let statistics = await service.statistics()
                var body = allocator.buffer(capacity: 16 * 1024)
                metrics?.render(statistics: statistics, isReady: service.isReady, cluster: configuration.cluster?.figures(), into: &body)
                var response = HTTPResponse(status: .ok, contentType: .prometheusText, body: body)
                response.headers.add(name: "Cache-Control", value: "no-store")
                return RequestOutcome(response: response)
            }
            if let route = request.route, route.isRateLimited, configuration.rateLimitMaxRequests > 0 {
                try await limit(.ip(call.clientAddress ?? "unknown"), capacity: configuration.rateLimitMaxRequests,
                                bucket: "ip", request: request)
            }
            return try await invoke(call, request: request)
        } catch {
            return RequestOutcome(response: .error(error, correlationID: correlationID, allocator: allocator))
        }
    }

    private func limit(_ key: RateLimitKey, capacity: Int, bucket: String, request: HTTPRequest) async throws(APIError) {
        let decision = await service.consume(key, capacity: capacity, windowMilliseconds: configuration.rateLimitWindowMilliseconds)
        try check(decision, bucket: bucket, request: request)
    }

    private func check(_ decision: RateLimitDecision, bucket: String, request: HTTPRequest) throws(APIError) {
        guard !decision.allowed else { return }
        metrics?.recordRateLimitHit(bucket: bucket)
        AuditLog(processor: self, request: request).warning(
            "rate limited", metadata: ["event": "rate_limited", "bucket": .string(bucket), "retryAfterSeconds": .stringConvertible(decision.retryAfterSeconds)])
        throw .tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds)
    }

    // MARK: Without a task (the hot path)

    /// Answers `me` and `refresh` through the engine's completion API, so the request never
    /// leaves the event loops (plus the WAL thread for a durable refresh). Returns false
    /// for every other call, which then goes through `perform` on a task.
    ///
    /// A durable refresh completes on the WAL writer thread; its answer (the grant's JSON, the
    /// audit line, the metrics) is built back on `loop`, the connection's event loop, so that
    /// one thread does not build every connection's answers while the loops wait.
    public func performWithoutTask(_ call: EngineCall, for request: HTTPRequest, on loop: any EventLoop,
                                   completion: @escaping @Sendable (RequestOutcome) -> Void) -> Bool {
        switch call.operation {
        case .me(let token):
            service.me(accessToken: token) { result in completion(self.meOutcome(result, request: request)) }
            return true
        case .refresh(let token, let client):
            let rotate: @Sendable () -> Void = {
                self.service.refresh(refreshToken: token, client: client) { result in
                    if loop.inEventLoop {
                        completion(self.refreshOutcome(result, request: request))
                    } else {
                        loop.execute { completion(self.refreshOutcome(result, request: request)) }
                    }
                }
            }
            guard let route = request.route, route.isRateLimited, configuration.rateLimitMaxRequests > 0 else {
                rotate()
                return true
            }
            service.consume(.ip(call.clientAddress ?? "unknown"), capacity: configuration.rateLimitMaxRequests,
                            windowMilliseconds: configuration.rateLimitWindowMilliseconds) { decision in
                do throws(APIError) {
                    try self.check(decision, bucket: "ip", request: request)
                    rotate()
                } catch {
                    completion(RequestOutcome(response: .error(error, correlationID: request.correlationID, allocator: self.allocator)))
                }
            }
            return true
        default:
            return false
        }
    }

    private func meOutcome(_ result: Result<(user: UserView, session: SessionView), AuthError>, request: HTTPRequest) -> RequestOutcome {
        switch result {
        case .success(let (user, session)):
            return RequestOutcome(
                response: .json(.ok, AuthJSON.me(user: user, session: session, allocator: allocator)), userID: user.id, sessionID: session.id)
        case .failure(let error):
            return RequestOutcome(response: .error(APIError(error), correlationID: request.correlationID, allocator: allocator))
        }
    }

    /// The answer to a refresh, with its metrics and audit lines.
    private func refreshOutcome(_ result: Result<TokenGrant, AuthError>, request: HTTPRequest) -> RequestOutcome {
        let log = AuditLog(processor: self, request: request)
        switch result {
        case .success(let grant):
            metrics?.recordRefresh(outcome: "success")
            log.info("refresh succeeded", metadata: [
                "event": "refresh_succeeded", "userId": .string(grant.user.id.lowercased),
                "sessionId": .string(grant.session.id.lowercased),
            ])
            return RequestOutcome(
                response: .json(.ok, AuthJSON.grant(grant, allocator: allocator)), userID: grant.user.id, sessionID: grant.session.id)
        case .failure(let error):
            metrics?.recordRefresh(outcome: error.code)
            if error == .refreshTokenReused {
                log.warning("refresh token replay detected; session compromised", metadata: ["event": "refresh_replay_detected"])
            }
            return RequestOutcome(response: .error(APIError(error), correlationID: request.correlationID, allocator: allocator))
        }
    }

    private func invoke(_ call: EngineCall, request: HTTPRequest) async throws(APIError) -> RequestOutcome {
        let log = AuditLog(processor: self, request: request)
        do throws(AuthError) {
            switch call.operation {
            case .register(let name, let email, let password):
                let user = try await service.register(name: name, email: email, password: password)
                log.info("user registered", metadata: ["event": "user_registered", "userId": .string(user.id.lowercased)])
                return RequestOutcome(response: .json(.created, AuthJSON.registered(user, allocator: allocator)), userID: user.id)

            case .login(let email, let password, let client):
                do throws(AuthError) {
                    let grant = try await service.login(email: email, password: password, client: client)
                    metrics?.recordLogin(outcome: "success")
                    log.info("login succeeded", metadata: [
                        "event": "login_succeeded", "userId": .string(grant.user.id.lowercased),
                        "sessionId": .string(grant.session.id.lowercased),
                    ])
                    return RequestOutcome(
                        response: .json(.ok, AuthJSON.grant(grant, allocator: allocator)), userID: grant.user.id, sessionID: grant.session.id)
                } catch {
                    metrics?.recordLogin(outcome: error.code)
                    if case .rateLimited(let seconds) = error {
                        // The engine's login lockout: this account had too many failed password checks.
                        metrics?.recordRateLimitHit(bucket: "account")
                        log.warning("rate limited", metadata: [
                            "event": "rate_limited", "bucket": "account", "retryAfterSeconds": .stringConvertible(seconds),
                        ])
                    } else {
                        log.info("login failed", metadata: ["event": "login_failed", "code": .string(error.code)])
                    }
                    throw error
                }

            case .refresh(let token, let client):
                let result: Result<TokenGrant, AuthError>
                do throws(AuthError) { result = .success(try await service.refresh(refreshToken: token, client: client)) } catch {
                    result = .failure(error)
                }
                return refreshOutcome(result, request: request)

            case .revokeCurrentSession(let token):
                try await service.revokeCurrentSession(refreshToken: token)
                log.info("session revoked", metadata: ["event": "session_revoked", "scope": "current"])
                return RequestOutcome(response: .noContent)

            case .me(let token):
                let result: Result<(user: UserView, session: SessionView), AuthError>
                do throws(AuthError) { result = .success(try await service.me(accessToken: token)) } catch { result = .failure(error) }
                return meOutcome(result, request: request)

            case .listSessions(let token):
                let sessions = try await service.listSessions(accessToken: token)
                let current = sessions.first(where: \.isCurrent)
                return RequestOutcome(response: .json(.ok, AuthJSON.sessions(sessions, allocator: allocator)), sessionID: current?.id)

            case .revokeSession(let token, let sessionID):
                try await service.revokeSession(accessToken: token, sessionID: sessionID)
                log.info("session revoked", metadata: ["event": "session_revoked", "scope": "one", "revokedSessionId": .string(sessionID)])
                return RequestOutcome(response: .noContent)

            case .revokeAllSessions(let token):
                let count = try await service.revokeAllSessions(accessToken: token)
                log.info("session revoked", metadata: ["event": "session_revoked", "scope": "all", "count": .stringConvertible(count)])
                return RequestOutcome(response: .noContent)

            case .metrics:
                return RequestOutcome(response: .error(.internalError, correlationID: request.correlationID, allocator: allocator))
            }
        } catch {
            throw APIError(error)
        }
    }

    // MARK: Logging

    /// Audit lines of one request; the request's logger is only built when a line is written.
    struct AuditLog {
        let processor: RequestProcessor
        let request: HTTPRequest

        func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata) {
            write(.info, message(), metadata())
        }

        func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata) {
            write(.warning, message(), metadata())
        }

        private func write(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata) {
            guard processor.logger.logLevel <= level else { return }
            processor.requestLogger(request).log(level: level, message(), metadata: metadata())
        }
    }

    func requestLogger(_ request: HTTPRequest) -> Logger {
        var log = logger
        log[metadataKey: "correlationId"] = .string(request.correlationID)
        log[metadataKey: "method"] = .string(request.head.method.rawValue)
        log[metadataKey: "route"] = .string(request.route?.pathTemplate ?? "unmatched")
        return log
    }

    /// The access log line and the request metrics of a finished request.
    public func finish(_ request: HTTPRequest, outcome: RequestOutcome) {
        let elapsed = Int64(NIODeadline.now().uptimeNanoseconds &- request.startNanoseconds)
        let status = Int(outcome.response.status.code)
        metrics?.recordRequest(route: request.route, status: status, durationNanoseconds: elapsed)
        let level: Logger.Level = status >= 500 ? .error : .info
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "event": "request_completed",
            "status": .stringConvertible(status),
            "durationMs": .stringConvertible(Double(elapsed / 1000) / 1000),
        ]
        if let userID = outcome.userID { metadata["userId"] = .string(userID.lowercased) }
        if let sessionID = outcome.sessionID { metadata["sessionId"] = .string(sessionID.lowercased) }
        requestLogger(request).log(level: level, "request completed", metadata: metadata)
    }
}
