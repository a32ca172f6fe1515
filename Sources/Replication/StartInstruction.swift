/// What the leader tells a follower once the handshake has succeeded: the leadership it follows
/// and how its log joins the leader's.
///
/// The follower keeps its log up to `commonLSN`, where the frame chain CRC must be `commonCRC`,
/// and receives frames from `commonLSN + 1`. With `.snapshotFirst` the follower's log is replaced:
/// `commonLSN` and `commonCRC` are 0 and the join point comes with `snapshotDone`.
public struct StartInstruction: Sendable, Hashable {
    /// How the follower's log joins the leader's.
    public enum Mode: UInt8, Sendable, Hashable, CaseIterable {
        /// The follower's log is a prefix of the leader's (`commonLSN` is its end).
        case stream = 1
        /// The follower holds a tail the leader never had: cut back to `commonLSN`, then stream.
        case truncateThenStream = 2
        /// The follower needs LSNs the leader no longer retains: install a snapshot, then stream.
        case snapshotFirst = 3
    }

    /// The leader's term.
    public var term: UInt64
    /// The leader's node name.
    public var leaderNode: String
    /// The leader's HTTP URL (`HTTP_ADVERTISE`), for `X-Authd-Leader` on the follower.
    public var leaderHTTP: String
    /// How the follower's log joins the leader's.
    public var mode: Mode
    /// The last LSN the follower keeps.
    public var commonLSN: UInt64
    /// The chain CRC at `commonLSN` (the `crc` of the frame ending there; 0 at LSN 0).
    public var commonCRC: UInt32

    /// Creates an instruction.
    public init(term: UInt64, leaderNode: String, leaderHTTP: String, mode: Mode, commonLSN: UInt64, commonCRC: UInt32) {
        self.term = term
        self.leaderNode = leaderNode
        self.leaderHTTP = leaderHTTP
        self.mode = mode
        self.commonLSN = commonLSN
        self.commonCRC = commonCRC
    }
}
