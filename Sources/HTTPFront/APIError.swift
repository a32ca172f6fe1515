import Engine
import NIOHTTP1

/// An error answer: status, the seed's code and message, optional details.
///
/// Everything that goes wrong on a request ends as one of these and is
/// written in the envelope `{"error":{"code","message","details"?,"correlationId"}}`.
/// Engine errors convert one to one (`init(_: AuthError)`); the rest are
/// the HTTP layer's own (routing, media type, size, authorization header).
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: HTTPResponseStatus
    /// The stable machine-readable code, e.g. `INVALID_PAYLOAD`.
    public var code: String
    /// A short human-readable message; never contains internals.
    public var message: String
    /// Field-level problems (INVALID_PAYLOAD only).
    public var details: [FieldIssue]?
    /// Seconds for a `Retry-After` header (429, 503).
    public var retryAfterSeconds: Int?
    /// The `Allow` header value (405 only).
    public var allow: String?
    /// The leader's URL for an `X-Authd-Leader` header (503 NOT_LEADER).
    public var leader: String?

    /// Creates an error answer.
    public init(
        status: HTTPResponseStatus, code: String, message: String, details: [FieldIssue]? = nil,
        retryAfterSeconds: Int? = nil, allow: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
        self.allow = allow
    }

    /// The answer for an engine error: its status, code and message.
    public init(_ error: AuthError) {
        self.init(status: HTTPResponseStatus(statusCode: error.httpStatus), code: error.code, message: error.message)
        switch error {
        case .invalidPayload(let issues): details = issues
        case .rateLimited(let seconds), .overloaded(let seconds): retryAfterSeconds = max(1, seconds)
        default: break
        }
    }

    /// 404 NOT_FOUND: no route has this path.
    public static let notFound = APIError(status: .notFound, code: "NOT_FOUND", message: "route not found")

    /// 405 METHOD_NOT_ALLOWED with the methods the path does accept.
    public static func methodNotAllowed(allow: String) -> APIError {
        APIError(status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "method not allowed", allow: allow)
    }

    /// 413 PAYLOAD_TOO_LARGE: the body passes the limit.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: .payloadTooLarge, code: "PAYLOAD_TOO_LARGE", message: "request body exceeds \(limit) bytes")
    }

    /// 408 REQUEST_TIMEOUT: the request's head and body did not all arrive within
    /// `REQUEST_READ_TIMEOUT` of its first byte; the connection is closed.
    public static let requestTimeout = APIError(
        status: .requestTimeout, code: "REQUEST_TIMEOUT", message: "request was not received in time")

    /// 503 SERVICE_UNAVAILABLE to a connection past `MAX_CONNECTIONS`; it is closed.
    public static let tooManyConnections = APIError(
        status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: "too many open connections", retryAfterSeconds: 1)

    /// 415 UNSUPPORTED_MEDIA_TYPE: a body route got something other than JSON.
    public static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: "content type must be application/json")

    /// 400 INVALID_PAYLOAD for a body that is not a JSON object.
    public static func invalidJSON(_ error: JSONParseError) -> APIError {
        APIError(
            status: .badRequest, code: "INVALID_PAYLOAD", message: "invalid payload",
            details: [FieldIssue(path: "body", message: error.message)])
    }

    /// 401 AUTHORIZATION_REQUIRED: no `Authorization` header.
    public static let authorizationRequired = APIError(
        status: .unauthorized, code: "AUTHORIZATION_REQUIRED", message: "authorization header is required")

    /// 401 INVALID_AUTHORIZATION_HEADER: not exactly `Bearer <token>`.
    public static let invalidAuthorizationHeader = APIError(
        status: .unauthorized, code: "INVALID_AUTHORIZATION_HEADER", message: "authorization header must use Bearer token")

    /// 401 INVALID_TOKEN: a bearer token that is not the expected one (`/metrics`).
    public static let invalidToken = APIError(status: .unauthorized, code: "INVALID_TOKEN", message: "invalid token")

    /// 429 TOO_MANY_REQUESTS from the HTTP front's limiter.
    public static func tooManyRequests(retryAfterSeconds: Int) -> APIError {
        APIError(status: .tooManyRequests, code: "TOO_MANY_REQUESTS", message: "too many requests",
                 retryAfterSeconds: max(1, retryAfterSeconds))
    }

    /// 503 NOT_LEADER: a cluster follower does not take writes; `X-Authd-Leader` says where to go
    /// (absent while no leader is known).
    public static func notLeader(leaderURL: String?) -> APIError {
        var error = APIError(status: .serviceUnavailable, code: "NOT_LEADER",
                             message: "this node is not the leader; send writes to the leader", retryAfterSeconds: 1)
        error.leader = leaderURL
        return error
    }

    /// 503 SERVICE_UNAVAILABLE: a leader that cannot acknowledge writes now (too few replicas in
    /// strict mode, or no lease).
    public static func writesUnavailable(_ reason: String) -> APIError {
        APIError(status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: reason, retryAfterSeconds: 1)
    }

    /// 503 SERVICE_UNAVAILABLE from `/ready`.
    public static let notReady = APIError(status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: "service is not ready")

    /// 500 INTERNAL_SERVER_ERROR: never says what went wrong inside.
    public static let internalError = APIError(
        status: .internalServerError, code: "INTERNAL_SERVER_ERROR", message: "internal server error")

    /// The answer for any error: itself, the engine's mapping, else 500.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as AuthError: APIError(error)
        case let error as JSONParseError: .invalidJSON(error)
        default: .internalError
        }
    }
}
