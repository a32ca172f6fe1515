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
    /// Accounts locked by the login lockout since start (each lock counted once, when it begins).
    public var loginLockouts = 0
    /// Limiter entries dropped to stay within `limiterEntriesPerShard` while they still
    /// counted something (they failed open), since start.
    public var limiterEvictions = 0
    /// `GET /me` answers the event loops' access caches gave without a hop to the owning shard,
    /// the lookups they could not answer (then asked the shard), and the entries they hold.
    public var accessCacheHits = 0
    public var accessCacheMisses = 0
    public var accessCacheEntries = 0
    public var hashQueueDepth = 0
    /// `hashQueueLimit` of the configuration: hashes that may wait before logins are shed.
    public var hashQueueLimit = 0
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
    /// Upper bounds (microseconds) of the batch `fdatasync` latency buckets.
    public var walFsyncBucketBoundsMicros: [UInt64] = []
    /// Batch `fdatasync`s per bucket (not cumulative): one more element than the bounds, the
    /// last counting the syncs above every bound.
    public var walFsyncBucketCounts: [UInt64] = []
    /// Sum of batch `fdatasync` durations since start, microseconds.
    public var walTotalFsyncMicros: UInt64 = 0
    /// WAL batches whose write or sync failed since start (each failure counted once).
    public var walFailedBatches: UInt64 = 0
    /// Snapshots written since start.
    public var snapshots = 0
    /// Snapshots that could not be taken or written since start.
    public var snapshotFailures = 0
    public var lastSnapshotMillis: Double = 0
    public var lastSnapshotLSN: UInt64 = 0
    /// When the newest snapshot was taken (written by this process, or loaded at start-up),
    /// ms since the epoch; 0 when there is none.
    public var lastSnapshotTimestampMillis: Int64 = 0
    /// WAL payload bytes appended since the last snapshot of this process (since start
    /// before the first one): the automatic schedule snapshots past `snapshotEveryBytes`.
    public var walBytesSinceSnapshot: UInt64 = 0
    /// `snapshotEveryBytes` of the configuration (0: snapshots only on demand).
    public var snapshotEveryBytes = 0

    public init() {}

    /// Every session held in memory, whatever its status.
    public var sessionsResident: Int { sessionsActive + sessionsExpired + sessionsRevoked + sessionsCompromised }

    /// Uncompressed / compressed WAL bytes (1 when nothing was written).
    public var walCompressionRatio: Double {
        walBytesCompressed == 0 ? 1 : Double(walBytesUncompressed) / Double(walBytesCompressed)
    }
}
