/// One message of the replication stream, in either direction.
///
/// On the wire every message is a `u32` little-endian length (of the type byte and the body), a
/// `u8` type and the body; the byte layout of each body is in docs/replication.md ("Stream byte
/// layout"). `encoded()` writes one message, `ReplicationMessageDecoder` reads them back from a
/// byte stream. Both enforce the same rules, so whatever encodes decodes to an equal value.
public enum ReplicationMessage: Sendable, Equatable {
    /// Follower → leader, first: the protocol version it speaks, its node name and a fresh
    /// 32-byte nonce the leader must prove the secret against.
    case hello(version: UInt16, node: String, nonce: [UInt8])
    /// Leader → follower: the leader's 32-byte nonce and its proof of the secret
    /// (`ReplicationAuthenticator.leaderProof`).
    case challenge(nonce: [UInt8], proof: [UInt8])
    /// Follower → leader: its proof of the secret (`ReplicationAuthenticator.followerProof`) and
    /// where its log ends.
    case proof(proof: [UInt8], position: LogPosition)
    /// Leader → follower: the leadership to follow and how the follower's log joins the leader's.
    case start(StartInstruction)
    /// Leader → follower: one or more whole WAL frames back to back, exactly as on disk.
    case frames(bytes: [UInt8])
    /// Leader → follower: `bytes` of the snapshot file for `lsn` (the file exactly as on disk,
    /// `totalBytes` long) starting at `offset`.
    case snapshotChunk(lsn: UInt64, totalBytes: UInt64, offset: UInt64, bytes: [UInt8])
    /// Leader → follower: the snapshot file is complete. Frames follow from `nextFrameLSN`
    /// (`<= lsn + 1`: the frame holding `lsn + 1` may start earlier) and chain from `chainCRC`;
    /// `terms` is the leader's term history below `nextFrameLSN`.
    case snapshotDone(lsn: UInt64, chainCRC: UInt32, nextFrameLSN: UInt64, terms: TermHistory)
    /// Follower → leader: how far its log is durable and its engine applied.
    case ack(durableLSN: UInt64, appliedLSN: UInt64)
    /// Leader → follower, every heartbeat interval: how far the leader's log is durable and the
    /// leader's wall clock (ms since the Unix epoch).
    case heartbeat(leaderDurableLSN: UInt64, leaderTimeMillis: Int64)
    /// Either way, last: why the sender closes the connection.
    case refuse(code: RefusalCode, message: String)

    /// The message types and their type bytes.
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case hello = 1
        case challenge = 2
        case proof = 3
        case start = 4
        case frames = 5
        case snapshotChunk = 6
        case snapshotDone = 7
        case ack = 8
        case heartbeat = 9
        case refuse = 10

        public var description: String {
            switch self {
            case .hello: "hello"
            case .challenge: "challenge"
            case .proof: "proof"
            case .start: "start"
            case .frames: "frames"
            case .snapshotChunk: "snapshotChunk"
            case .snapshotDone: "snapshotDone"
            case .ack: "ack"
            case .heartbeat: "heartbeat"
            case .refuse: "refuse"
            }
        }
    }

    /// The protocol version this module speaks (sent in `hello`).
    public static let protocolVersion: UInt16 = 1
    /// Bytes of a nonce (`hello`, `challenge`).
    public static let nonceLength = 32
    /// Bytes of a proof (an HMAC-SHA256).
    public static let proofLength = 32
    /// The longest text field (node names, URLs, refusal messages), in UTF-8 bytes.
    public static let maximumTextLength = 1024
    /// Bytes in front of every body: the `u32` length and the `u8` type.
    public static let headerLength = 5

    /// This message's type.
    public var kind: Kind {
        switch self {
        case .hello: .hello
        case .challenge: .challenge
        case .proof: .proof
        case .start: .start
        case .frames: .frames
        case .snapshotChunk: .snapshotChunk
        case .snapshotDone: .snapshotDone
        case .ack: .ack
        case .heartbeat: .heartbeat
        case .refuse: .refuse
        }
    }
}
