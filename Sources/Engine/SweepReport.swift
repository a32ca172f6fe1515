/// What one session sweep pass over every shard did.
public struct SweepReport: Sendable, Equatable {
    /// Ended sessions purged (named in `sessionsPurged` records).
    public var purgedSessions = 0
    /// Bounded steps taken (each one shard turn).
    public var steps = 0
    /// Shards skipped because they follow a leader (whose purges reach them as records).
    public var followingShards = 0
    /// Wall time of the pass.
    public var milliseconds: Double = 0

    public init() {}
}
