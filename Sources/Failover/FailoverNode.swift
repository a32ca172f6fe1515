/// What the failover coordinator asks of the node it runs in (wired by `authd`: the
/// replication leader and follower, the engine). Each closure must return promptly; `lead`
/// and `follow` may take as long as starting a stream takes.
public struct FailoverNode: Sendable {
    /// This node's position, for its member key.
    public struct Position: Sendable, Hashable {
        public var term: Int64
        public var durableLSN: UInt64
        public var appliedLSN: UInt64

        public init(term: Int64, durableLSN: UInt64, appliedLSN: UInt64) {
            self.term = term
            self.durableLSN = durableLSN
            self.appliedLSN = appliedLSN
        }
    }

    /// Follow the leader described by `record` at `term` (replacing any current stream).
    public var follow: @Sendable (_ record: LeaderRecord, _ term: Int64) async -> Void
    /// Lead at `term`: write the term record, start the replication endpoint fenced, in
    /// sync-set mode with an empty set. Throws when it cannot.
    public var lead: @Sendable (_ term: Int64) async throws -> Void
    /// Confirm nothing (true) or confirm again (false).
    public var setFenced: @Sendable (_ fenced: Bool) -> Void
    /// Confirm nothing at or after this monotonic instant (`NIODeadline` uptime nanoseconds):
    /// the lease deadline less the safety margin, moved on with every renewal. A process that was
    /// paused past it confirms nothing when it resumes, before any timer of its own has run.
    public var setConfirmDeadline: @Sendable (_ uptimeNanoseconds: UInt64) -> Void
    /// Stop leading and come back as a follower (the node restarts its roles).
    public var stepDown: @Sendable (_ reason: String) async -> Void
    /// The leader's followers and confirmed LSN, for choosing the sync set (nil: not leading).
    public var syncSetInput: @Sendable () -> (followers: [SyncSetPlanner.Follower], confirmedLSN: UInt64)?
    /// Hand the acknowledgement rule a sync set.
    public var setSyncSet: @Sendable (_ members: Set<String>) -> Void
    /// Whether the named follower is streaming and has acknowledged every record this leader
    /// appended (a switchover's target, before the leader steps down).
    public var holdsEverything: @Sendable (_ follower: String) -> Bool
    /// This node's term and LSNs.
    public var position: @Sendable () -> Position
    /// A lease renewal succeeded after this many nanoseconds (for the renewal-latency histogram).
    public var leaseRenewed: @Sendable (_ nanoseconds: UInt64) -> Void

    public init(follow: @escaping @Sendable (LeaderRecord, Int64) async -> Void, lead: @escaping @Sendable (Int64) async throws -> Void,
                setFenced: @escaping @Sendable (Bool) -> Void, setConfirmDeadline: @escaping @Sendable (UInt64) -> Void,
                stepDown: @escaping @Sendable (String) async -> Void,
                syncSetInput: @escaping @Sendable () -> (followers: [SyncSetPlanner.Follower], confirmedLSN: UInt64)?,
                setSyncSet: @escaping @Sendable (Set<String>) -> Void,
                holdsEverything: @escaping @Sendable (String) -> Bool, position: @escaping @Sendable () -> Position,
                leaseRenewed: @escaping @Sendable (UInt64) -> Void) {
        self.follow = follow
        self.lead = lead
        self.setFenced = setFenced
        self.setConfirmDeadline = setConfirmDeadline
        self.stepDown = stepDown
        self.syncSetInput = syncSetInput
        self.setSyncSet = setSyncSet
        self.holdsEverything = holdsEverything
        self.position = position
        self.leaseRenewed = leaseRenewed
    }
}
