/// The leader key's value: who leads and how to reach it.
public struct LeaderRecord: Sendable, Hashable, Codable {
    /// The leader's node name.
    public var node: String
    /// Its HTTP URL (`HTTP_ADVERTISE`), given to clients in `X-Authd-Leader`.
    public var http: String
    /// Its replication address (`REPLICATION_ADVERTISE`, `host:port`).
    public var replication: String

    public init(node: String, http: String, replication: String) {
        self.node = node
        self.http = http
        self.replication = replication
    }
}
