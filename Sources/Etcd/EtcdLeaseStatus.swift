/// What etcd says about a live lease: the seconds it has left and the TTL it was granted with.
///
/// Returned by ``EtcdClient/timeToLive(_:)``; a lease etcd no longer knows is an
/// ``EtcdError/leaseNotFound(id:)`` instead.
public struct EtcdLeaseStatus: Sendable, Hashable {
    /// The lease id.
    public let id: Int64
    /// Seconds left before the lease expires (etcd rounds down; 0 while it is about to expire).
    public let remainingSeconds: Int64
    /// The TTL the lease was granted with.
    public let grantedSeconds: Int64

    public init(id: Int64, remainingSeconds: Int64, grantedSeconds: Int64) {
        self.id = id
        self.remainingSeconds = remainingSeconds
        self.grantedSeconds = grantedSeconds
    }
}
