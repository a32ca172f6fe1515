import Foundation

/// A session as the shard stores it.
struct SessionState: Sendable, Equatable {
    let id: UUID
    let userID: UUID
    var status: SessionStatus
    let createdAt: Timestamp
    var lastSeenAt: Timestamp
    var userAgent: String?
    var ipAddress: String?
    var revokedAt: Timestamp?
    var revokeReason: String?
    var chain: RefreshChain

    func view(current: UUID?) -> SessionView {
        SessionView(id: id, status: status, createdAt: createdAt, lastSeenAt: lastSeenAt, userAgent: userAgent,
                    ipAddress: ipAddress, revokedAt: revokedAt, revokeReason: revokeReason, isCurrent: id == current)
    }
}
