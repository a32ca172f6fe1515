import NIOCore

/// What the HTTP front needs to know to serve: where, and its own policies.
///
/// `ServerConfiguration` (parsed from the environment and flags) produces
/// one; tests build one directly.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 lets the system choose (tests).
    public var port: Int = 3000
    /// The largest request body accepted (1 MiB, as the seed's `express.json`).
    public var maximumBodyBytes: Int = 1 << 20
    /// `TRUST_PROXY`: how many proxy hops of `X-Forwarded-For` to trust.
    public var trustedProxyHops: Int = 0
    /// Requests per window per client IP on mutation routes; 0 disables.
    public var rateLimitMaxRequests: Int = 100
    /// The limiter window in milliseconds.
    public var rateLimitWindowMilliseconds: Int = 60_000
    /// Whether `/docs` and `/docs.json` are served.
    public var docsEnabled: Bool = true
    /// Whether `/metrics` is served.
    public var metricsEnabled: Bool = false
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    public var metricsAuthToken: String?
    /// Event-loop threads; nil means one per core.
    public var eventLoopThreads: Int?
    /// Seconds without a byte from the client after which an idle
    /// keep-alive connection is closed (0 keeps it open forever).
    public var idleTimeoutSeconds: Int = 60
    /// `REQUEST_READ_TIMEOUT`: how long a request may take to arrive, from its first
    /// byte to its last (head and body); past it the client gets 408 and the connection
    /// is closed. Zero turns it off.
    public var requestReadTimeout: TimeAmount = .seconds(30)
    /// `MAX_CONNECTIONS`: client connections open at once. Past it, a new connection
    /// is answered 503 SERVICE_UNAVAILABLE (`Retry-After: 1`) and closed.
    public var maxConnections: Int = 10_000
    /// `SHUTDOWN_TIMEOUT`: how long graceful shutdown waits for in-flight requests
    /// before it closes every connection still open.
    public var shutdownTimeout: TimeAmount = .seconds(10)
    /// The `service` field of `/health` and `/ready`.
    public var serviceName: String = "authd"
    /// The cluster this node belongs to (nil: a single node, which takes every write and answers
    /// 404 on `/cluster*`).
    public var cluster: ClusterGate?

    /// The defaults above.
    public init() {}
}
