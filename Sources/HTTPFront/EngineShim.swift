// TEMPORARY: a stand-in for the Engine module's public API, so that HTTPFront
// builds and is tested before the Engine lands on main. Delete this file when
// merging main; every name here is the Engine's name, so nothing else changes.
import Foundation

public struct Timestamp: Sendable, Hashable, Comparable {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }
    public var iso8601: String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

public enum SessionStatus: String, Sendable { case active = "ACTIVE", revoked = "REVOKED", compromised = "COMPROMISED" }

public struct UserView: Sendable {
    public let id: UUID; public let name: String; public let email: String; public let createdAt: Timestamp
    public init(id: UUID, name: String, email: String, createdAt: Timestamp) {
        self.id = id; self.name = name; self.email = email; self.createdAt = createdAt
    }
}

public struct SessionView: Sendable {
    public let id: UUID; public let status: SessionStatus; public let createdAt: Timestamp; public let lastSeenAt: Timestamp
    public let userAgent: String?; public let ipAddress: String?; public let revokedAt: Timestamp?; public let revokeReason: String?
    public let isCurrent: Bool
    public init(id: UUID, status: SessionStatus, createdAt: Timestamp, lastSeenAt: Timestamp, userAgent: String?, ipAddress: String?,
                revokedAt: Timestamp?, revokeReason: String?, isCurrent: Bool) {
        self.id = id; self.status = status; self.createdAt = createdAt; self.lastSeenAt = lastSeenAt; self.userAgent = userAgent
        self.ipAddress = ipAddress; self.revokedAt = revokedAt; self.revokeReason = revokeReason; self.isCurrent = isCurrent
    }
}

public struct TokenGrant: Sendable {
    public let accessToken: String; public let refreshToken: String; public let user: UserView; public let session: SessionView
    public init(accessToken: String, refreshToken: String, user: UserView, session: SessionView) {
        self.accessToken = accessToken; self.refreshToken = refreshToken; self.user = user; self.session = session
    }
}

public struct ClientInfo: Sendable {
    public var userAgent: String?; public var ipAddress: String?
    public init(userAgent: String?, ipAddress: String?) { self.userAgent = userAgent; self.ipAddress = ipAddress }
}

public struct FieldIssue: Sendable, Equatable {
    public let path: String; public let message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
}

public enum FieldInput: Sendable, Equatable { case missing, notString, value(String) }

public enum AuthError: Error, Sendable, Equatable {
    case invalidPayload([FieldIssue])
    case userAlreadyExists
    case invalidCredentials
    case invalidToken
    case sessionNotActive
    case invalidRefreshToken
    case refreshTokenReused
    case sessionCompromised
    case sessionRevoked
    case refreshTokenExpired
    case sessionNotFound
    case rateLimited(retryAfterSeconds: Int)
    case overloaded(retryAfterSeconds: Int)
    case storageUnavailable

    public var code: String {
        switch self {
        case .invalidPayload: "INVALID_PAYLOAD"
        case .userAlreadyExists: "USER_ALREADY_EXISTS"
        case .invalidCredentials: "INVALID_CREDENTIALS"
        case .invalidToken: "INVALID_TOKEN"
        case .sessionNotActive: "SESSION_NOT_ACTIVE"
        case .invalidRefreshToken: "INVALID_REFRESH_TOKEN"
        case .refreshTokenReused: "REFRESH_TOKEN_REUSED"
        case .sessionCompromised: "SESSION_COMPROMISED"
        case .sessionRevoked: "SESSION_REVOKED"
        case .refreshTokenExpired: "REFRESH_TOKEN_EXPIRED"
        case .sessionNotFound: "SESSION_NOT_FOUND"
        case .rateLimited: "TOO_MANY_REQUESTS"
        case .overloaded, .storageUnavailable: "SERVICE_UNAVAILABLE"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .invalidPayload: 400
        case .userAlreadyExists: 409
        case .sessionNotFound: 404
        case .rateLimited: 429
        case .overloaded, .storageUnavailable: 503
        default: 401
        }
    }

    public var message: String {
        switch self {
        case .invalidPayload: "invalid payload"
        case .userAlreadyExists: "user already exists"
        case .invalidCredentials: "invalid credentials"
        case .invalidToken: "invalid token"
        case .sessionNotActive: "session is not active"
        case .invalidRefreshToken: "invalid refresh token"
        case .refreshTokenReused: "refresh token reuse detected"
        case .sessionCompromised: "session is compromised"
        case .sessionRevoked: "session is revoked"
        case .refreshTokenExpired: "refresh token expired"
        case .sessionNotFound: "session not found"
        case .rateLimited: "too many requests"
        case .overloaded: "server is overloaded"
        case .storageUnavailable: "storage unavailable"
        }
    }
}

public enum RateLimitKey: Sendable, Hashable { case ip(String), account(String) }

public struct RateLimitDecision: Sendable {
    public let allowed: Bool; public let retryAfterSeconds: Int; public let remaining: Int
    public init(allowed: Bool, retryAfterSeconds: Int, remaining: Int) {
        self.allowed = allowed; self.retryAfterSeconds = retryAfterSeconds; self.remaining = remaining
    }
}

public struct EngineStatistics: Sendable {
    public var users = 0
    public var sessionsActive = 0
    public var sessionsRevoked = 0
    public var sessionsCompromised = 0
    public var hashQueueDepth = 0
    public var walFsyncs: Int64 = 0
    public var walLastBatchSize = 0
    public var walBytesWritten: Int64 = 0
    public var walCompressionRatio = 1.0
    public var walLastFsyncMicros: Int64 = 0
    public var snapshotDurationMillis: Int64 = 0
    public init() {}
}
