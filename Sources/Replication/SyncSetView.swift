/// What a leader's coordinator needs to choose the sync set: the leader's own position, the
/// members the rule requires now and every connected follower.
public struct SyncSetView: Sendable, Equatable {
    /// One connected follower.
    public struct Follower: Sendable, Equatable {
        public var name: String
        public var acknowledgedLSN: UInt64
        /// Acknowledged within `SYNC_TIMEOUT`.
        public var live: Bool

        public init(name: String, acknowledgedLSN: UInt64, live: Bool) {
            self.name = name
            self.acknowledgedLSN = acknowledgedLSN
            self.live = live
        }
    }

    public var leaderSyncedLSN: UInt64
    public var confirmedLSN: UInt64
    /// The sync set the rule uses now.
    public var members: Set<String>
    public var followers: [Follower]

    public init(leaderSyncedLSN: UInt64, confirmedLSN: UInt64, members: Set<String>, followers: [Follower]) {
        self.leaderSyncedLSN = leaderSyncedLSN
        self.confirmedLSN = confirmedLSN
        self.members = members
        self.followers = followers
    }
}
