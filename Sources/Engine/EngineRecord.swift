import Foundation

/// One state change of the engine: the unit the WAL persists and recovery replays.
///
/// Shards build records from their current state and apply them through
/// `ShardState.apply`, the same code path recovery uses, so replay cannot diverge.
public enum EngineRecord: Sendable, Equatable {
    case userRegistered(userID: UUID, name: String, email: String, passwordHash: String, at: Timestamp)
    case passwordRehashed(userID: UUID, passwordHash: String)
    case sessionOpened(userID: UUID, sessionID: UUID, at: Timestamp, userAgent: String?, ipAddress: String?, tokenID: TokenID, issuedAt: Int64)
    /// A refresh rotation: the lineage parent -> child, kept for audit.
    case sessionRotated(userID: UUID, sessionID: UUID, parent: TokenID, child: TokenID, issuedAt: Int64, at: Timestamp, ipAddress: String?)
    case sessionRevoked(userID: UUID, sessionID: UUID, at: Timestamp, reason: RevokeReason)
    /// Replay detected: `replayed` was an earlier link of the session's chain.
    case sessionCompromised(userID: UUID, sessionID: UUID, at: Timestamp, replayed: TokenID)
    /// The session sweep removed ended sessions of one user, kept past the retention, from
    /// memory and from the user's list (`SessionSweep`; at most `SessionSweep.sessionsPerRecord`).
    case sessionsPurged(userID: UUID, sessionIDs: [UUID], at: Timestamp)
    /// An access-token signing key was generated: published from now, signing from its
    /// `activatesAt` (`SigningKeyLifecycle`). Owned by `SigningKey.ownerID`'s shard.
    case signingKeyCreated(SigningKey)
    /// A retired signing key left the key set: no token it signed can still be live (or the
    /// configured algorithm changed). Owned by `SigningKey.ownerID`'s shard.
    case signingKeyDropped(kid: String, at: Timestamp)

    /// Whether this record changes the signing keys rather than a user's state.
    public var isSigningKeyRecord: Bool {
        switch self {
        case .signingKeyCreated, .signingKeyDropped: true
        default: false
        }
    }

    /// The user whose shard owns this record (`SigningKey.ownerID` for key records).
    public var userID: UUID {
        switch self {
        case .signingKeyCreated, .signingKeyDropped:
            return SigningKey.ownerID
        case .userRegistered(let id, _, _, _, _), .passwordRehashed(let id, _), .sessionOpened(let id, _, _, _, _, _, _),
             .sessionRotated(let id, _, _, _, _, _, _), .sessionRevoked(let id, _, _, _), .sessionCompromised(let id, _, _, _),
             .sessionsPurged(let id, _, _):
            return id
        }
    }
}
