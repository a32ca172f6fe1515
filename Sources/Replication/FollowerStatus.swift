/// A follower's view of its stream, for `/cluster`.
public struct FollowerStatus: Sendable {
    /// The leadership it follows (nil before the first handshake).
    public var leader: FollowerSession.Leader?
    /// Whether a stream is open and past its handshake.
    public var streaming: Bool
    /// Received frames written to this node's log, durable, applied.
    public var appendedLSN: UInt64
    public var durableLSN: UInt64
    public var appliedLSN: UInt64
    /// The leader's durable LSN from its last heartbeat.
    public var leaderDurableLSN: UInt64
    /// How far behind the leader it is.
    public var lag: ReplicationLag
    /// Set when it stopped following and must be restarted (it needs a rewind or a snapshot).
    public var needsRestart: String?
}
