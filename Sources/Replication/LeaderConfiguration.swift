/// How a leader serves its followers.
public struct LeaderConfiguration: Sendable {
    /// Where to accept followers.
    public var host: String
    /// The port (0: any free port, for tests).
    public var port: Int
    /// This node's name, as followers and `/cluster` see it.
    public var node: String
    /// This node's HTTP URL, sent to followers so they can point clients here.
    public var httpURL: String
    /// The term of this leadership (its term record is already in the log).
    public var term: UInt64
    /// The log's term history, this leadership's term included.
    public var terms: TermHistory
    /// The shared replication secret.
    public var secret: [UInt8]
    /// `SYNC_REPLICAS`.
    public var syncReplicas: Int
    /// `SYNC_STRICT`.
    public var strict: Bool
    /// `SYNC_TIMEOUT`, nanoseconds.
    public var syncTimeout: UInt64
    /// How often an idle stream carries a heartbeat, nanoseconds.
    public var heartbeatInterval: UInt64 = 250_000_000
    /// A follower silent this long is closed, nanoseconds.
    public var idleTimeout: UInt64 = 5_000_000_000
    /// Frames kept in memory for streaming followers, bytes.
    public var memoryBudget: Int = 64 << 20
    /// `REPLICATION_MAX_RETAINED_BYTES`: WAL kept on disk for followers at most (past it, a
    /// follower catches up by snapshot).
    public var maximumRetainedBytes: Int = 1 << 30
    /// Automatic failover: every write waits for the leader's confirmation gate (even with
    /// `syncReplicas` 0) and the leader starts fenced, confirming nothing until `setFenced(false)`
    /// says its lease is sure.
    public var fenced = false

    /// A configuration with the defaults above.
    public init(host: String, port: Int, node: String, httpURL: String, term: UInt64, terms: TermHistory, secret: [UInt8],
                syncReplicas: Int, strict: Bool, syncTimeout: UInt64) {
        self.host = host
        self.port = port
        self.node = node
        self.httpURL = httpURL
        self.term = term
        self.terms = terms
        self.secret = secret
        self.syncReplicas = syncReplicas
        self.strict = strict
        self.syncTimeout = syncTimeout
    }
}
