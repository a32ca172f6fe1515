/// What the HTTP front asks of the cluster layer, wired by `authd` (the front holds no rule of
/// its own about roles): whether this node may take a write now, and the cluster endpoints.
public struct ClusterGate: Sendable {
    /// nil when this node may take a mutation now; otherwise the answer to give instead. Called
    /// once per mutation request, on the event loop: must be quick and must not block.
    public var refusal: @Sendable () -> ClusterRefusal?
    /// The `GET /cluster` document, a JSON object.
    public var status: @Sendable () -> [UInt8]
    /// `GET /cluster/leader` answers 200 only when this is a leader that may acknowledge writes.
    public var acceptsWrites: @Sendable () -> Bool
    /// `GET /cluster/replica` answers 200 only on a follower that streams with a small lag.
    public var isHealthyReplica: @Sendable () -> Bool
    /// The figures `/metrics` shows (role, term, lag, shipping, failover).
    public var figures: @Sendable () -> ClusterFigures

    /// A gate from its answers.
    public init(refusal: @escaping @Sendable () -> ClusterRefusal?, status: @escaping @Sendable () -> [UInt8],
                acceptsWrites: @escaping @Sendable () -> Bool, isHealthyReplica: @escaping @Sendable () -> Bool,
                figures: @escaping @Sendable () -> ClusterFigures) {
        self.refusal = refusal
        self.status = status
        self.acceptsWrites = acceptsWrites
        self.isHealthyReplica = isHealthyReplica
        self.figures = figures
    }
}

/// Why a cluster node does not take a write.
public enum ClusterRefusal: Sendable, Equatable {
    /// A follower: writes go to the leader at this URL (nil while none is known).
    case notLeader(leaderURL: String?)
    /// A leader that may not acknowledge writes now (too few replicas under `SYNC_STRICT`, or its
    /// lease is not sure).
    case writesUnavailable(reason: String)
}
