import Foundation

/// A session as the API shows it; `isCurrent` marks the one the caller's token belongs to.
public struct SessionView: Sendable, Equatable {
    public let id: UUID
    public let status: SessionStatus
    public let createdAt: Timestamp
    public let lastSeenAt: Timestamp
    public let userAgent: String?
    public let ipAddress: String?
    public let revokedAt: Timestamp?
    public let revokeReason: String?
    public let isCurrent: Bool
}
