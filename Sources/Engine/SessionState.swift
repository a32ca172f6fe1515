import Foundation

/// A session as the shard stores it (kept compact: a million of them are resident).
struct SessionState: Sendable, Equatable {
    let id: UUID
    let userID: UUID
    let createdAt: Timestamp
    var lastSeenAt: Timestamp
    var userAgent: String?
    var ipAddress: String?
    var chain: RefreshChain
    private var revokedAtMilliseconds: Int64 = .min
    var status: SessionStatus
    var revokeReason: RevokeReason?

    init(id: UUID, userID: UUID, status: SessionStatus, createdAt: Timestamp, lastSeenAt: Timestamp, userAgent: String?,
         ipAddress: String?, revokedAt: Timestamp?, revokeReason: RevokeReason?, chain: RefreshChain) {
        self.id = id
        self.userID = userID
        self.status = status
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.userAgent = userAgent
        self.ipAddress = ipAddress
        self.revokeReason = revokeReason
        self.chain = chain
        self.revokedAt = revokedAt
    }

    /// When the session ended, if it did.
    var revokedAt: Timestamp? {
        get { revokedAtMilliseconds == .min ? nil : Timestamp(milliseconds: revokedAtMilliseconds) }
        set { revokedAtMilliseconds = newValue?.milliseconds ?? .min }
    }

    /// The session as the API shows it, with the status `SessionLifetime` derives at the time asked.
    func view(current: UUID?, status: SessionStatus) -> SessionView {
        SessionView(id: id, status: status, createdAt: createdAt, lastSeenAt: lastSeenAt, userAgent: userAgent,
                    ipAddress: ipAddress, revokedAt: revokedAt, revokeReason: revokeReason?.rawValue, isCurrent: id == current)
    }
}
