/// How far a follower is behind its leader, as the follower sees it.
public struct ReplicationLag: Sendable, Hashable {
    /// Records the leader has reported durable that the follower has not applied yet.
    public var records: UInt64
    /// How long ago (on the follower's monotonic clock) the follower learnt of the oldest
    /// leader LSN it has not applied yet; 0 when it has applied everything it knows of.
    public var nanoseconds: UInt64

    /// Creates a lag value.
    public init(records: UInt64, nanoseconds: UInt64) {
        self.records = records
        self.nanoseconds = nanoseconds
    }
}
