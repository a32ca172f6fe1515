/// What a rate-limit bucket counts: requests from one client IP, or calls on one account.
///
/// The engine files buckets under a fixed-size digest of the text (`LimiterKey`), never the
/// text itself, so a bucket costs the same whatever the client sent. The login lockout is
/// not one of these buckets: it is part of `AuthEngine.login` and counts failed password
/// checks only.
public enum RateLimitKey: Sendable, Hashable {
    case ip(String)
    /// An email; the engine normalises it so case and spaces cannot multiply buckets.
    case account(String)
}
