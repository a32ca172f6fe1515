/// Why a session ended; shown as `revokeReason` and kept in the WAL as its raw text.
public enum RevokeReason: String, Sendable {
    /// The user revoked this session by id.
    case userRevoked = "user_revoked"
    /// The user revoked all of their sessions.
    case userRevokedAll = "user_revoked_all"
    /// Logout with the session's refresh token.
    case userLogout = "user_logout"
    /// A login past `maxSessionsPerUser` revoked the oldest active session.
    case sessionLimit = "session_limit"
    /// An earlier refresh token of the chain was replayed.
    case refreshTokenReuse = "refresh_token_reuse"
}
