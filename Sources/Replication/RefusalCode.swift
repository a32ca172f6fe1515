/// Why one side of a replication connection refuses the other (sent in a `refuse` message just
/// before the connection is closed).
public enum RefusalCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The peer does not know the replication secret (its proof did not verify).
    case badSecret = 1
    /// The follower speaks a protocol version the leader does not.
    case unsupportedVersion = 2
    /// The other side's term is older than ours: a deposed leader, or a follower told to follow one.
    case staleTerm = 3
    /// The follower's log holds a newer term than the leader's current term.
    case followerAhead = 4
    /// No common point of the two logs can be proven (no shared term, or the frame chains differ).
    case unrelatedLog = 5
    /// The follower needs frames the leader no longer retains; it reconnects to catch up by snapshot.
    case tooFarBehind = 6
    /// A message out of order, malformed, or contradicting the stream so far.
    case protocolViolation = 7
    /// The node is not (or no longer) the leader.
    case notLeader = 8

    public var description: String {
        switch self {
        case .badSecret: "badSecret"
        case .unsupportedVersion: "unsupportedVersion"
        case .staleTerm: "staleTerm"
        case .followerAhead: "followerAhead"
        case .unrelatedLog: "unrelatedLog"
        case .tooFarBehind: "tooFarBehind"
        case .protocolViolation: "protocolViolation"
        case .notLeader: "notLeader"
        }
    }
}
