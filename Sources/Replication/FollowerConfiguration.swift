/// How a follower reaches and follows its leader.
public struct FollowerConfiguration: Sendable {
    /// The leader's replication address.
    public var leaderHost: String
    public var leaderPort: Int
    /// This node's name (the leader keeps one stream per name).
    public var node: String
    /// The shared replication secret.
    public var secret: [UInt8]
    /// A leader silent this long is given up on (it sends heartbeats), nanoseconds.
    public var idleTimeout: UInt64 = 5_000_000_000
    /// The first pause before reconnecting, doubled up to `maximumReconnectDelay`, nanoseconds.
    public var reconnectDelay: UInt64 = 100_000_000
    public var maximumReconnectDelay: UInt64 = 2_000_000_000
    /// How long one connection attempt may take, nanoseconds.
    public var connectTimeout: UInt64 = 2_000_000_000

    /// A configuration with the defaults above.
    public init(leaderHost: String, leaderPort: Int, node: String, secret: [UInt8]) {
        self.leaderHost = leaderHost
        self.leaderPort = leaderPort
        self.node = node
        self.secret = secret
    }
}
