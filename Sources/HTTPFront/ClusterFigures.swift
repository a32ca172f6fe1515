/// A cluster node's figures for `/metrics`, taken at scrape time from the cluster layer (the
/// front renders them and knows nothing else about roles).
public struct ClusterFigures: Sendable, Equatable {
    /// `leader` or `follower` (anything else, e.g. while promoting, sets neither role to 1).
    public var role: String
    public var term: UInt64
    /// A leader that may acknowledge writes now.
    public var writable: Bool

    /// One follower as its leader sees it.
    public struct Follower: Sendable, Equatable {
        public var name: String
        public var lagRecords: UInt64
        public var lagSeconds: Double
        public var synchronous: Bool

        public init(name: String, lagRecords: UInt64, lagSeconds: Double, synchronous: Bool) {
            self.name = name
            self.lagRecords = lagRecords
            self.lagSeconds = lagSeconds
            self.synchronous = synchronous
        }
    }

    /// On a leader: its followers, and how it acknowledges.
    public var followers: [Follower] = []
    public var degraded = false
    public var recordsShipped: UInt64 = 0
    public var bytesShipped: UInt64 = 0
    public var snapshotsShipped: UInt64 = 0

    /// On a follower: whether it streams, and its lag behind the leader.
    public var streaming = false
    public var replicaLagSeconds: Double = 0

    /// With automatic failover (etcd): leader changes seen, whether a leader key exists, lease
    /// renewals by outcome and the members of the sync set (nil without etcd).
    public struct Failover: Sendable, Equatable {
        public var failovers: UInt64
        public var leaderPresent: Bool
        public var renewalsSucceeded: UInt64
        public var renewalsFailed: UInt64
        public var syncSetSize: Int

        public init(failovers: UInt64, leaderPresent: Bool, renewalsSucceeded: UInt64, renewalsFailed: UInt64, syncSetSize: Int) {
            self.failovers = failovers
            self.leaderPresent = leaderPresent
            self.renewalsSucceeded = renewalsSucceeded
            self.renewalsFailed = renewalsFailed
            self.syncSetSize = syncSetSize
        }
    }
    public var failover: Failover?

    public init(role: String, term: UInt64, writable: Bool) {
        self.role = role
        self.term = term
        self.writable = writable
    }
}
