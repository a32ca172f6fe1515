/// A point-in-time view of the engine for `/metrics`, `/ready` and `authd inspect`.
public struct EngineStatistics: Sendable {
    public var users = 0
    /// Sessions whose refresh token can still be used.
    public var sessionsActive = 0
    /// Sessions past their last refresh token's lifetime, retained until the sweep purges them.
    public var sessionsExpired = 0
    public var sessionsRevoked = 0
    public var sessionsCompromised = 0
    /// Ended sessions purged from memory since start (by this node's sweep, or by a leader's
    /// records on a follower).
    public var sessionsPurged = 0
    /// Rate-limit buckets held (per IP, per account), across shards.
    public var rateLimitBuckets = 0
    /// Login lockout entries held (accounts with failures counted, locked, or a check in flight).
    public var loginLockoutEntries = 0
    /// Limiter entries dropped to stay within `limiterEntriesPerShard` while they still
    /// counted something (they failed open), since start.
    public var limiterEvictions = 0
    public var hashQueueDepth = 0
    public var hashRejected = 0
    public var walAppendedLSN: UInt64 = 0
    public var walDurableLSN: UInt64 = 0
    public var walFsyncs: UInt64 = 0
    public var walBatches: UInt64 = 0
    public var walRecords: UInt64 = 0
    public var walBytesUncompressed: UInt64 = 0
    public var walBytesCompressed: UInt64 = 0
    public var walLastFsyncMicros: UInt64 = 0
    public var walAverageRecordsPerBatch: Double = 0
    public var snapshots = 0
    public var lastSnapshotMillis: Double = 0
    public var lastSnapshotLSN: UInt64 = 0

    public init() {}

    /// Every session held in memory, whatever its status.
    public var sessionsResident: Int { sessionsActive + sessionsExpired + sessionsRevoked + sessionsCompromised }

    /// Uncompressed / compressed WAL bytes (1 when nothing was written).
    public var walCompressionRatio: Double {
        walBytesCompressed == 0 ? 1 : Double(walBytesUncompressed) / Double(walBytesCompressed)
    }
}
