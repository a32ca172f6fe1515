/// The life of a session: ACTIVE until revoked by its user (or the session cap), or
/// COMPROMISED when a refresh token of its chain was replayed. Both ends are final.
///
/// EXPIRED is never stored: it is how an ACTIVE session whose last refresh token's lifetime
/// has passed is shown and counted (`SessionLifetime`). Like the other two ends it is final.
public enum SessionStatus: String, Sendable {
    case active = "ACTIVE"
    case revoked = "REVOKED"
    case compromised = "COMPROMISED"
    /// ACTIVE in the records, but its refresh token can no longer be used.
    case expired = "EXPIRED"
}
