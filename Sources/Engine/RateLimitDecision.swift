/// The answer of a rate-limit bucket.
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    /// Seconds until a token is available again (0 when allowed).
    public let retryAfterSeconds: Int
    /// Tokens left after this request.
    public let remaining: Int
}
