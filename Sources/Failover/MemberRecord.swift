/// A member key's value, refreshed by each node with every lease renewal (bound to its lease,
/// so a dead node's key disappears): for `authd cluster status --etcd` and operators.
public struct MemberRecord: Sendable, Hashable, Codable {
    public var node: String
    public var http: String
    public var replication: String
    /// `leader`, `follower`, `candidate` or `stepped-down`.
    public var role: String
    /// The newest term this node has seen.
    public var term: Int64
    /// Durable in this node's log through this LSN.
    public var durableLSN: UInt64
    /// Applied by this node's engine through this LSN.
    public var appliedLSN: UInt64
    /// Wall-clock milliseconds since the Unix epoch when this was written.
    public var updatedAt: Int64

    public init(node: String, http: String, replication: String, role: String, term: Int64, durableLSN: UInt64,
                appliedLSN: UInt64, updatedAt: Int64) {
        self.node = node
        self.http = http
        self.replication = replication
        self.role = role
        self.term = term
        self.durableLSN = durableLSN
        self.appliedLSN = appliedLSN
        self.updatedAt = updatedAt
    }
}
