import NIOHTTP1

/// Every endpoint authd serves: the seed's 13 routes, the JWKS and the cluster probes, one case each.
///
/// The route knows its method, its path template (as the OpenAPI document
/// and the logs spell it) and the shape of its request, so the request
/// handler and the router agree by construction.
public enum Route: String, Sendable, CaseIterable {
    case register
    case login
    case listSessions
    case revokeAllSessions
    case revokeSession
    case revokeCurrentSession
    case refresh
    case me
    case health
    case ready
    case metrics
    case docs
    case docsJSON
    case jwks
    case cluster
    case clusterLeader
    case clusterReplica

    /// The method that reaches this route.
    public var method: HTTPMethod {
        switch self {
        case .register, .login, .refresh, .revokeCurrentSession: .POST
        case .revokeAllSessions, .revokeSession: .DELETE
        case .listSessions, .me, .health, .ready, .metrics, .docs, .docsJSON, .jwks, .cluster, .clusterLeader, .clusterReplica: .GET
        }
    }

    /// The path with `:sessionId` for the parameter (Express style).
    public var pathTemplate: String {
        switch self {
        case .register: "/v1/auth/register"
        case .login, .listSessions, .revokeAllSessions: "/v1/auth/sessions"
        case .revokeSession: "/v1/auth/sessions/:sessionId"
        case .revokeCurrentSession: "/v1/auth/sessions/current/revoke"
        case .refresh: "/v1/auth/tokens/refresh"
        case .me: "/v1/auth/me"
        case .health: "/health"
        case .ready: "/ready"
        case .metrics: "/metrics"
        case .docs: "/docs"
        case .docsJSON: "/docs.json"
        case .jwks: "/.well-known/jwks.json"
        case .cluster: "/cluster"
        case .clusterLeader: "/cluster/leader"
        case .clusterReplica: "/cluster/replica"
        }
    }

    /// The path as OpenAPI writes it (`{sessionId}`).
    public var openAPIPath: String {
        self == .revokeSession ? "/v1/auth/sessions/{sessionId}" : pathTemplate
    }

    /// Whether the route takes a JSON body (and so checks Content-Type).
    public var takesJSONBody: Bool {
        switch self {
        case .register, .login, .refresh, .revokeCurrentSession: true
        default: false
        }
    }

    /// Whether the route needs `Authorization: Bearer <access token>`.
    public var requiresAccessToken: Bool {
        switch self {
        case .listSessions, .revokeAllSessions, .revokeSession, .me: true
        default: false
        }
    }

    /// Whether the route changes state, so that only a cluster's leader may serve it.
    public var isMutation: Bool {
        switch self {
        case .register, .login, .refresh, .revokeCurrentSession, .revokeSession, .revokeAllSessions: true
        default: false
        }
    }

    /// Whether answers carry tokens or personal data and so must not be kept by any cache
    /// (RFC 6749 section 5.1): every `/v1/auth` route, errors included, is answered with
    /// `Cache-Control: no-store` and `Pragma: no-cache`.
    public var answersMustNotBeCached: Bool {
        switch self {
        case .register, .login, .listSessions, .revokeAllSessions, .revokeSession, .revokeCurrentSession, .refresh, .me: true
        case .health, .ready, .metrics, .docs, .docsJSON, .jwks, .cluster, .clusterLeader, .clusterReplica: false
        }
    }

    /// Whether the per-IP limiter of mutation routes applies.
    public var isRateLimited: Bool {
        switch self {
        case .register, .login, .refresh, .revokeCurrentSession, .revokeSession, .revokeAllSessions: true
        default: false
        }
    }
}
