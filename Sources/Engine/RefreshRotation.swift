/// The refresh-rotation rule as a pure state machine: given a session (its status as
/// `SessionLifetime` shows it) and the `jti` of a refresh token whose signature is valid for
/// it, what must happen.
///
/// Only the current link rotates. The immediate parent, presented again within the reuse
/// interval (0 = strict, the default), yields the current pair again so that two tabs
/// converge; any other earlier link is replay and compromises the session.
/// (django-oauth-toolkit#1617 accepted older generations; this does not.)
enum RefreshRotation {
    enum Action: Equatable {
        /// Issue a new link; the presented one becomes the parent.
        case rotate
        /// Re-issue the current pair unchanged (grace for the immediate parent).
        case reissueCurrent
        /// Mark the session compromised, then refuse with `.refreshTokenReused`.
        case compromise
        /// Refuse without changing state.
        case refuse(AuthError)
    }

    static func decide(chain: RefreshChain, status: SessionStatus, presented: TokenID, now: Timestamp,
                       reuseIntervalMilliseconds: Int64) -> Action {
        switch status {
        case .revoked: return .refuse(.sessionRevoked)
        case .compromised: return .refuse(.sessionCompromised)
        case .expired: return .refuse(.refreshTokenExpired)
        case .active: break
        }
        if presented == chain.current { return .rotate }
        if reuseIntervalMilliseconds > 0, presented == chain.parent, let rotatedAt = chain.rotatedAt,
           now.milliseconds - rotatedAt.milliseconds <= reuseIntervalMilliseconds {
            return .reissueCurrent
        }
        return .compromise
    }
}
