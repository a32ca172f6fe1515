/// A leader's view of its followers, for `/cluster`.
public struct LeaderStatus: Sendable {
    /// One follower as the leader sees it.
    public struct Follower: Sendable {
        public var name: String
        /// The peer address of its connection.
        public var address: String
        /// Durable on the follower through this LSN.
        public var acknowledgedLSN: UInt64
        /// Applied by the follower's engine through this LSN.
        public var appliedLSN: UInt64
        /// Records the leader holds that the follower has not acknowledged.
        public var lagRecords: UInt64
        /// Milliseconds since its last acknowledgement (nil: none yet).
        public var sinceLastAckMilliseconds: Double?
        /// Whether it counts towards `SYNC_REPLICAS` now.
        public var synchronous: Bool
        /// Whether its stream is open.
        public var streaming: Bool
    }

    /// How writes are acknowledged.
    public var mode: AcknowledgementRule.Mode
    /// Records up to this LSN may be answered.
    public var confirmedLSN: UInt64
    /// Every follower seen since this leadership began.
    public var followers: [Follower]
    /// Records, bytes (frames and snapshot files) and snapshots sent to followers since this
    /// leadership began.
    public var recordsShipped: UInt64 = 0
    public var bytesShipped: UInt64 = 0
    public var snapshotsShipped: UInt64 = 0

    /// The mode's name: `asynchronous`, `synchronous`, `degraded` or `refusing`.
    public var modeName: String {
        switch mode {
        case .asynchronous: "asynchronous"
        case .synchronous: "synchronous"
        case .degraded: "degraded"
        case .refusing: "refusing"
        }
    }
}
