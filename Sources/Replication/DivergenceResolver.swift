/// Decides how a follower's log joins the leader's, from term histories alone (Raft's log
/// matching, applied to term histories instead of per-entry terms).
///
/// The rule, in order:
/// 1. The follower's newest term is newer than the leader's current term: refuse
///    `followerAhead` (this leader is stale; it must not overwrite a newer leadership).
/// 2. The common point: 0 for an empty follower log; otherwise walk the follower's terms newest
///    to oldest and take the first one the leader's history also has *with the same first LSN*;
///    the common point is the smaller of that term's end in the two logs. No such term: refuse
///    `unrelatedLog` (the logs share no leadership, so nothing proves a common prefix; an
///    operator must move one data directory aside).
/// 3. The leader no longer retains the frame after the common point: `.snapshot`.
/// 4. The common point is the follower's end: `.stream(from: end + 1)`; otherwise the follower
///    holds a tail the leader never had: `.truncate(to: common)`.
///
/// Term histories prove the prefix only up to a shared term; the chain CRC at the common point is
/// compared afterwards (`LeaderSession` asks for its own CRC there), which also catches two
/// unrelated logs that both have no term record.
public enum DivergenceResolver {
    /// What the leader knows about its own log.
    public struct LeaderLog: Sendable, Hashable {
        /// The leader's term history.
        public var terms: TermHistory
        /// The last LSN of the leader's log that may be shipped.
        public var logEnd: UInt64
        /// The leader's current term (normally `terms.lastTerm`).
        public var currentTerm: UInt64
        /// The first LSN the leader can still read frames for (its oldest retained segment's
        /// first LSN; 1 when it has everything).
        public var oldestRetainedLSN: UInt64

        /// Creates a description of the leader's log.
        public init(terms: TermHistory, logEnd: UInt64, currentTerm: UInt64, oldestRetainedLSN: UInt64) {
            self.terms = terms
            self.logEnd = logEnd
            self.currentTerm = currentTerm
            self.oldestRetainedLSN = oldestRetainedLSN
        }
    }

    /// The outcome.
    public enum Decision: Sendable, Hashable {
        /// The follower's log is a prefix of the leader's: send frames from `from`.
        case stream(from: UInt64)
        /// The follower keeps its log up to `to` (the common point), cuts the rest, then
        /// receives frames from `to + 1`.
        case truncate(to: UInt64)
        /// The follower needs frames the leader no longer retains: send a snapshot first.
        case snapshot
        /// The follower cannot follow this leader.
        case refuse(RefusalCode)
    }

    /// Decides how `follower` joins `leader`.
    public static func resolve(leader: LeaderLog, follower: LogPosition) -> Decision {
        guard follower.terms.lastTerm <= leader.currentTerm else { return .refuse(.followerAhead) }
        guard let common = commonPoint(leader: leader, follower: follower) else { return .refuse(.unrelatedLog) }
        if common < UInt64.max, common + 1 < leader.oldestRetainedLSN { return .snapshot }
        return common == follower.durableLSN ? .stream(from: common + 1) : .truncate(to: common)
    }

    /// The last LSN both logs provably share, or nil when no common term exists.
    public static func commonPoint(leader: LeaderLog, follower: LogPosition) -> UInt64? {
        guard follower.durableLSN > 0 else { return 0 }
        for entry in follower.terms.entries.reversed() {
            guard leader.terms.firstLSN(of: entry.term) == entry.firstLSN,
                  let followerEnd = follower.terms.end(of: entry.term, logEnd: follower.durableLSN),
                  let leaderEnd = leader.terms.end(of: entry.term, logEnd: leader.logEnd)
            else { continue }
            return min(followerEnd, leaderEnd)
        }
        return nil
    }
}
