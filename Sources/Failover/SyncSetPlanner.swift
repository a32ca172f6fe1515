/// How a leader changes its sync set, one member at a time, in the order that keeps "every
/// member holds every acknowledged write" true: a member that stopped acknowledging is removed
/// in etcd *before* the leader acknowledges anything without it; a caught-up follower is first
/// required by the acknowledgement rule and only then published as a member.
public enum SyncSetPlanner {
    /// A connected follower as the leader sees it.
    public struct Follower: Sendable, Hashable {
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

    /// The next change.
    public enum Change: Sendable, Hashable {
        case none
        /// Publish `members` in etcd, then hand them to the rule (a member is dropped).
        case shrink(to: Set<String>, dropped: String)
        /// Hand `members` to the rule, then publish them (a member is added).
        case grow(to: Set<String>, added: String)
    }

    /// The next change for a leader requiring `syncReplicas` members, now publishing `members`,
    /// with everything through `confirmedLSN` acknowledged to clients.
    public static func next(members: Set<String>, followers: [Follower], confirmedLSN: UInt64, syncReplicas: Int) -> Change {
        let byName = Dictionary(followers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if let dead = members.sorted().first(where: { byName[$0]?.live != true }) {
            return .shrink(to: members.subtracting([dead]), dropped: dead)
        }
        if members.count > syncReplicas, let extra = members.sorted().last {
            return .shrink(to: members.subtracting([extra]), dropped: extra)
        }
        guard members.count < syncReplicas else { return .none }
        // A follower that holds everything acknowledged so far, the most advanced first.
        let candidate = followers
            .filter { !members.contains($0.name) && $0.live && $0.acknowledgedLSN >= confirmedLSN }
            .max { ($0.acknowledgedLSN, $1.name) < ($1.acknowledgedLSN, $0.name) }
        guard let candidate else { return .none }
        return .grow(to: members.union([candidate.name]), added: candidate.name)
    }
}
