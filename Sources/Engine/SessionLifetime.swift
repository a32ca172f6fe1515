/// When a session has ended and when an ended session may be purged: a pure rule over a
/// session's stored state and the time, no I/O.
///
/// A session has ended once its refresh token can no longer be used: it was revoked or
/// compromised (at `revokedAt`), or its current refresh token's lifetime (`iat` +
/// `REFRESH_TOKEN_EXPIRES_IN`, plus the leeway the verifier allows) has passed. An ACTIVE
/// session past that point is shown as `EXPIRED`. Ended sessions stay for the retention,
/// then the sweep purges them (`SessionSweep`).
///
/// The expiry is computed with the lifetime configured now; tokens issued under a longer
/// lifetime before a restart still verify until their own `exp`, but their session counts as
/// ended (and is purged) by the new, shorter one.
struct SessionLifetime: Sendable, Equatable {
    /// Refresh-token lifetime, seconds.
    let refreshTTLSeconds: Int64
    /// Clock skew the verifier tolerates on `exp`, seconds.
    let leewaySeconds: Int64
    /// How long an ended session is kept before it may be purged, milliseconds.
    let retentionMilliseconds: Int64

    /// The millisecond at which the session ended or, while it is ACTIVE, will end by expiry.
    func endsAt(_ session: SessionState) -> Int64 {
        switch session.status {
        case .active, .expired:
            return (session.chain.issuedAt + refreshTTLSeconds + leewaySeconds) * 1000
        case .revoked, .compromised:
            return (session.revokedAt ?? session.lastSeenAt).milliseconds
        }
    }

    /// Whether the session's refresh token can still be used at `now` (ACTIVE and not expired).
    func isLive(_ session: SessionState, at now: Timestamp) -> Bool {
        session.status == .active && now.milliseconds < endsAt(session)
    }

    /// The status to show and count: the stored one, or `EXPIRED` for an ACTIVE session past its expiry.
    func status(of session: SessionState, at now: Timestamp) -> SessionStatus {
        session.status == .active && !isLive(session, at: now) ? .expired : session.status
    }

    /// Whether the session ended at least the retention before `now`.
    func isPurgeable(_ session: SessionState, at now: Timestamp) -> Bool {
        !isLive(session, at: now) && endsAt(session) <= now.milliseconds - retentionMilliseconds
    }
}
