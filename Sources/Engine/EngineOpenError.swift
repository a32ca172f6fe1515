import WAL

/// Why a durable engine could not start. Each case names what an operator must look at.
public enum EngineOpenError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration([String])
    case storage(WALError)
    /// A snapshot's payload does not decode (its checksum passed: a format mismatch).
    case snapshotUnreadable(path: String, EngineDecodingError)
    /// A WAL record does not decode or does not fit the state: the log is not authd's or is damaged.
    case recordUnreadable(lsn: UInt64, reason: String)
    /// A follower's log ends below what its newest snapshot reflects (a snapshot from the leader
    /// whose following frames never arrived, or a cut log): starting the log over would break
    /// the chain it shares with the leader.
    case followerLogBehindSnapshot(logEnd: UInt64, snapshotLSN: UInt64)

    public var description: String {
        switch self {
        case .invalidConfiguration(let problems): "invalid configuration: " + problems.joined(separator: "; ")
        case .storage(let error): "storage: \(error)"
        case .snapshotUnreadable(let path, let error): "snapshot \(path) does not decode: \(error)"
        case .recordUnreadable(let lsn, let reason): "WAL record at LSN \(lsn) cannot be replayed: \(reason)"
        case .followerLogBehindSnapshot(let end, let lsn):
            "this follower's log ends at LSN \(end), below its snapshot's LSN \(lsn): start it again while its leader is "
                + "reachable (it then receives the missing frames), or empty its data directory to copy the leader afresh"
        }
    }
}
