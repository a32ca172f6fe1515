/// Every way an engine operation can refuse, with the seed's error code and HTTP status.
public enum AuthError: Error, Sendable, Equatable {
    /// The request's fields break the validation rules; one issue per invalid field.
    case invalidPayload([FieldIssue])
    case userAlreadyExists
    case invalidCredentials
    /// The access token is malformed, forged, expired, of the wrong kind, issuer or audience.
    case invalidToken
    /// The access token is genuine but its session was revoked or compromised.
    case sessionNotActive
    case invalidRefreshToken
    /// An earlier link of a refresh chain was presented: the session is now compromised.
    case refreshTokenReused
    case sessionCompromised
    case sessionRevoked
    case refreshTokenExpired
    case sessionNotFound
    case rateLimited(retryAfterSeconds: Int)
    /// The password-hashing queue is full: the server sheds load instead of queueing.
    case overloaded(retryAfterSeconds: Int)
    /// The write-ahead log cannot write: nothing was acknowledged.
    case storageUnavailable

    /// The seed's machine-readable code.
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

    /// The HTTP status the seed answers with.
    public var httpStatus: Int {
        switch self {
        case .invalidPayload: 400
        case .userAlreadyExists: 409
        case .invalidCredentials, .invalidToken, .sessionNotActive, .invalidRefreshToken, .refreshTokenReused,
             .sessionCompromised, .sessionRevoked, .refreshTokenExpired: 401
        case .sessionNotFound: 404
        case .rateLimited: 429
        case .overloaded, .storageUnavailable: 503
        }
    }

    /// A human-readable message; never contains secrets or internals.
    public var message: String {
        switch self {
        case .invalidPayload: "Request payload is invalid"
        case .userAlreadyExists: "A user with this email already exists"
        case .invalidCredentials: "Invalid email or password"
        case .invalidToken: "Access token is invalid or expired"
        case .sessionNotActive: "Session is no longer active"
        case .invalidRefreshToken: "Refresh token is invalid"
        case .refreshTokenReused: "Refresh token reuse detected; the session has been revoked"
        case .sessionCompromised: "Session has been compromised"
        case .sessionRevoked: "Session has been revoked"
        case .refreshTokenExpired: "Refresh token has expired"
        case .sessionNotFound: "Session not found"
        case .rateLimited: "Too many requests, please try again later"
        case .overloaded: "Server is busy, please retry shortly"
        case .storageUnavailable: "Storage is unavailable, please retry shortly"
        }
    }

    /// Seconds the client should wait before retrying, where that is meaningful.
    public var retryAfterSeconds: Int? {
        switch self {
        case .rateLimited(let s), .overloaded(let s): s
        case .storageUnavailable: 1
        default: nil
        }
    }
}
