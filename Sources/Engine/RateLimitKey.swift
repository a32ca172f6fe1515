/// What a rate-limit bucket counts: requests from one client IP, or attempts on one account.
public enum RateLimitKey: Sendable, Hashable {
    case ip(String)
    /// The raw email; the engine normalises it so case and spaces cannot multiply buckets.
    case account(String)
}
