/// The life of a session: ACTIVE until revoked by its user (or the session cap), or
/// COMPROMISED when a refresh token of its chain was replayed. Both ends are final.
public enum SessionStatus: String, Sendable {
    case active = "ACTIVE"
    case revoked = "REVOKED"
    case compromised = "COMPROMISED"
}
