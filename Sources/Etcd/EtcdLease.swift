/// A lease granted by etcd: its id and the TTL etcd actually granted.
///
/// etcd may grant more than asked: it raises a TTL below its minimum (1.5 election timeouts,
/// rounded up to whole seconds) to that minimum, so callers should plan their renewals from
/// ``ttlSeconds`` rather than from the TTL they asked for.
public struct EtcdLease: Sendable, Hashable {
    /// The lease id (never 0; 0 means "no lease" on the wire).
    public let id: Int64
    /// The granted time to live, in seconds.
    public let ttlSeconds: Int64

    public init(id: Int64, ttlSeconds: Int64) {
        self.id = id
        self.ttlSeconds = ttlSeconds
    }
}
