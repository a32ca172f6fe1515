import NIOHTTP1

/// A static router for our fixed set of paths.
///
/// No tree, no regex, no allocation: a switch on the path (query string cut
/// off, one trailing slash tolerated, as Express does) and one prefix test for
/// `/v1/auth/sessions/:sessionId`. `HEAD` is served wherever `GET` is.
public struct Router: Sendable {
    /// Creates the router; it has no state.
    public init() {}

    /// Resolves `method` and `uri` (path plus optional query) to a route.
    public func match(method: HTTPMethod, uri: String) -> RouteMatch {
        // Cut on the UTF-8 bytes: every delimiter here is ASCII, and walking `Character`s (grapheme
        // breaking, an O(n) `count`) cost more than the whole switch.
        let bytes = uri.utf8
        var end = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? bytes.endIndex
        if end != bytes.startIndex {
            let last = bytes.index(before: end)
            if last != bytes.startIndex, bytes[last] == UInt8(ascii: "/") { end = last }
        }
        let path = Substring(bytes[..<end])
        let candidates: [Route]
        var parameter: Substring?
        // The switch compares in order: the two hot paths first.
        switch path {
        case "/v1/auth/me": candidates = Self.me
        case "/v1/auth/tokens/refresh": candidates = Self.refresh
        case "/v1/auth/register": candidates = Self.register
        case "/v1/auth/sessions": candidates = Self.sessions
        case "/v1/auth/sessions/current/revoke": candidates = Self.revokeCurrent
        case "/health": candidates = Self.health
        case "/ready": candidates = Self.ready
        case "/metrics": candidates = Self.metrics
        case "/docs": candidates = Self.docs
        case "/docs.json": candidates = Self.docsJSON
        case "/.well-known/jwks.json": candidates = Self.jwks
        case "/cluster": candidates = Self.cluster
        case "/cluster/leader": candidates = Self.clusterLeader
        case "/cluster/replica": candidates = Self.clusterReplica
        default:
            let prefix = "/v1/auth/sessions/"
            guard path.hasPrefix(prefix) else { return .notFound }
            let rest = path.dropFirst(prefix.count)
            guard !rest.isEmpty, !rest.contains("/") else { return .notFound }
            candidates = Self.revokeOne
            parameter = rest
        }
        let effective: HTTPMethod = method == .HEAD ? .GET : method
        for route in candidates where route.method == effective {
            return .route(route, sessionID: parameter)
        }
        return .methodNotAllowed(allow: Self.allowHeader(for: candidates))
    }

    // The candidates of each path, allocated once.
    private static let register: [Route] = [.register]
    private static let sessions: [Route] = [.login, .listSessions, .revokeAllSessions]
    private static let revokeCurrent: [Route] = [.revokeCurrentSession]
    private static let revokeOne: [Route] = [.revokeSession]
    private static let refresh: [Route] = [.refresh]
    private static let me: [Route] = [.me]
    private static let health: [Route] = [.health]
    private static let ready: [Route] = [.ready]
    private static let metrics: [Route] = [.metrics]
    private static let docs: [Route] = [.docs]
    private static let docsJSON: [Route] = [.docsJSON]
    private static let jwks: [Route] = [.jwks]
    private static let cluster: [Route] = [.cluster]
    private static let clusterLeader: [Route] = [.clusterLeader]
    private static let clusterReplica: [Route] = [.clusterReplica]

    static func allowHeader(for routes: [Route]) -> String {
        var methods: [String] = []
        for route in routes {
            methods.append(route.method.rawValue)
            if route.method == .GET { methods.append("HEAD") }
        }
        return methods.joined(separator: ", ")
    }
}
