/// Users, and sessions by the status they are shown with (`SessionLifetime.status`).
public struct SessionCounts: Sendable, Equatable {
    public var users = 0
    /// Sessions whose refresh token can still be used.
    public var active = 0
    /// ACTIVE in the records, but past the last refresh token's lifetime (ended, retained).
    public var expired = 0
    public var revoked = 0
    public var compromised = 0

    public init(users: Int = 0) {
        self.users = users
    }

    /// The sum of two counts (shards, parts).
    public static func + (lhs: SessionCounts, rhs: SessionCounts) -> SessionCounts {
        var sum = lhs
        sum.users += rhs.users
        sum.active += rhs.active
        sum.expired += rhs.expired
        sum.revoked += rhs.revoked
        sum.compromised += rhs.compromised
        return sum
    }
}
