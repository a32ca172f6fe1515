import Foundation

/// A user as the API shows it (never the password hash).
public struct UserView: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let email: String
    public let createdAt: Timestamp
}
