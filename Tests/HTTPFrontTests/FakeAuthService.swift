@testable import Engine
import Foundation
@testable import HTTPFront

/// A scripted `AuthService`: canned answers, a forced error, a denied limiter key.
final class FakeAuthService: AuthService, @unchecked Sendable {
    private let lock = NSLock()
    private var _forcedError: AuthError?
    private var _deniedKeys: Set<RateLimitKey> = []
    private var _consumed: [RateLimitKey] = []
    private var _calls: [String] = []
    private var _ready = true
    private var _meDelayNanoseconds: UInt64 = 0

    static let user = UserView(
        id: UUID(uuidString: "11111111-1111-4111-8111-111111111111")!, name: "Ada Lovelace", email: "ada@example.com",
        createdAt: Timestamp(milliseconds: 1_795_000_000_000))
    static let session = SessionView(
        id: UUID(uuidString: "22222222-2222-4222-8222-222222222222")!, status: .active,
        createdAt: Timestamp(milliseconds: 1_795_000_000_000), lastSeenAt: Timestamp(milliseconds: 1_795_000_001_000),
        userAgent: "curl/8", ipAddress: "127.0.0.1", revokedAt: nil, revokeReason: nil, isCurrent: true)
    static let accessToken = "access.token.SECRET-ACCESS-VALUE"
    static let refreshToken = "refresh.token.SECRET-REFRESH-VALUE"

    var forcedError: AuthError? {
        get { lock.withLock { _forcedError } }
        set { lock.withLock { _forcedError = newValue } }
    }
    var ready: Bool {
        get { lock.withLock { _ready } }
        set { lock.withLock { _ready = newValue } }
    }
    private var _holdMe = false
    /// While true, `me` does not answer.
    var isHoldingMe: Bool {
        get { lock.withLock { _holdMe } }
        set { lock.withLock { _holdMe = newValue } }
    }
    var meDelayNanoseconds: UInt64 {
        get { lock.withLock { _meDelayNanoseconds } }
        set { lock.withLock { _meDelayNanoseconds = newValue } }
    }
    func deny(_ key: RateLimitKey) { lock.withLock { _ = _deniedKeys.insert(key) } }
    var consumed: [RateLimitKey] { lock.withLock { _consumed } }
    var calls: [String] { lock.withLock { _calls } }

    private func enter(_ name: String) throws(AuthError) {
        let error: AuthError? = lock.withLock {
            _calls.append(name)
            return _forcedError
        }
        if let error { throw error }
    }

    var grant: TokenGrant {
        TokenGrant(accessToken: Self.accessToken, refreshToken: Self.refreshToken, user: Self.user, session: Self.session)
    }

    func register(name: FieldInput, email: FieldInput, password: FieldInput) async throws(AuthError) -> UserView {
        try enter("register")
        var issues: [FieldIssue] = []
        if case .value(let n) = name, n.trimmingCharacters(in: .whitespaces).count >= 2 {} else {
            issues.append(FieldIssue(path: "name", message: "name must have at least 2 characters"))
        }
        if case .value = email {} else { issues.append(FieldIssue(path: "email", message: "email must be a valid email")) }
        if case .value = password {} else { issues.append(FieldIssue(path: "password", message: "password must have at least 8 characters")) }
        if !issues.isEmpty { throw .invalidPayload(issues) }
        return Self.user
    }

    func login(email: FieldInput, password: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant {
        try enter("login:\(client.ipAddress ?? "-"):\(client.userAgent ?? "-")")
        return grant
    }

    func refresh(refreshToken: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant {
        try enter("refresh")
        return grant
    }

    func me(accessToken: String) async throws(AuthError) -> (user: UserView, session: SessionView) {
        try enter("me:\(accessToken)")
        let delay = meDelayNanoseconds
        if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
        // Held: answer only once the test releases it (no race with the test's own steps).
        while isHoldingMe { try? await Task.sleep(nanoseconds: 2_000_000) }
        return (Self.user, Self.session)
    }

    func listSessions(accessToken: String) async throws(AuthError) -> [SessionView] {
        try enter("listSessions")
        let other = SessionView(
            id: UUID(uuidString: "33333333-3333-4333-8333-333333333333")!, status: .revoked,
            createdAt: Timestamp(milliseconds: 1_795_000_000_000), lastSeenAt: Timestamp(milliseconds: 1_795_000_000_500),
            userAgent: nil, ipAddress: nil, revokedAt: Timestamp(milliseconds: 1_795_000_002_000), revokeReason: "user\"revoked", isCurrent: false)
        return [Self.session, other]
    }

    func revokeSession(accessToken: String, sessionID: String) async throws(AuthError) {
        try enter("revokeSession:\(sessionID)")
    }

    func revokeAllSessions(accessToken: String) async throws(AuthError) -> Int {
        try enter("revokeAllSessions")
        return 2
    }

    func revokeCurrentSession(refreshToken: FieldInput) async throws(AuthError) {
        try enter("revokeCurrentSession")
    }

    func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int) async -> RateLimitDecision {
        lock.withLock {
            _consumed.append(key)
            let denied = _deniedKeys.contains(key)
            return RateLimitDecision(allowed: !denied, retryAfterSeconds: denied ? 42 : 0, remaining: denied ? 0 : capacity - 1)
        }
    }

    var isReady: Bool { ready }

    func statistics() async -> EngineStatistics {
        var statistics = EngineStatistics()
        statistics.users = 7
        statistics.sessionsActive = 3
        return statistics
    }
}
