/// A token bucket as a value: `capacity` tokens, refilled continuously at
/// `capacity / window`. `consume` is the whole rule; the owner serialises calls.
struct TokenBucket: Sendable, Equatable {
    private(set) var tokens: Double
    private(set) var updatedAt: Int64

    init(capacity: Int, now: Int64) {
        tokens = Double(capacity)
        updatedAt = now
    }

    /// The level at `now` without consuming.
    func level(now: Int64, capacity: Int, windowMilliseconds: Int) -> Double {
        let elapsed = Double(max(0, now - updatedAt))
        return min(Double(capacity), tokens + elapsed * Double(capacity) / Double(max(1, windowMilliseconds)))
    }

    /// Takes one token if there is one.
    mutating func consume(now: Int64, capacity: Int, windowMilliseconds: Int) -> RateLimitDecision {
        let current = level(now: now, capacity: capacity, windowMilliseconds: windowMilliseconds)
        updatedAt = max(updatedAt, now)
        if current >= 1 {
            tokens = current - 1
            return RateLimitDecision(allowed: true, retryAfterSeconds: 0, remaining: Int(tokens))
        }
        tokens = current
        let perToken = Double(max(1, windowMilliseconds)) / Double(capacity)
        let waitMilliseconds = (1 - current) * perToken
        return RateLimitDecision(allowed: false, retryAfterSeconds: max(1, Int((waitMilliseconds / 1000).rounded(.up))), remaining: 0)
    }
}
