/// What the replication endpoints tell their owner, for logs and metrics (the module logs
/// nothing itself).
public enum ReplicationEvent: Sendable, Equatable {
    /// A follower authenticated and started streaming (leader side).
    case followerJoined(name: String, durableLSN: UInt64)
    /// A follower's stream ended (leader side).
    case followerLeft(name: String)
    /// Writes are now acknowledged on the leader's durability alone.
    case enteredDegraded
    /// Enough followers caught up: writes wait for them again.
    case leftDegraded
    /// `SYNC_STRICT`: too few followers; writes are refused.
    case enteredRefusing
    /// `SYNC_STRICT`: enough followers again.
    case leftRefusing
    /// Waiting writes were failed after `SYNC_TIMEOUT` (strict).
    case failedWaiters(count: Int)
    /// A connection was refused or closed with a reason (either side).
    case refused(peer: String, code: RefusalCode, message: String)
    /// A follower connected to its leader and streams (follower side).
    case streaming(leader: String, term: UInt64)
    /// The follower lost its leader and will reconnect.
    case disconnected(reason: String)
    /// The follower cannot continue without a rewind or a snapshot: it needs a restart.
    case needsRestart(reason: String)
    /// The follower adopted a newer term.
    case adoptedTerm(UInt64)
    /// A follower older than the retained log was sent the newest snapshot (leader side).
    case snapshotSent(follower: String, lsn: UInt64, bytes: UInt64)
    /// This node installed its leader's snapshot at `lsn` and receives the frames after it up to
    /// `catchUpTo` before its engine opens (follower side).
    case snapshotInstalled(lsn: UInt64, bytes: UInt64, catchUpTo: UInt64)
}
