/// A token bucket as a value: `capacity` tokens, refilled continuously at
/// `capacity / window`. `consume` is the whole rule; the owner serialises calls.
///
/// The bucket keeps its own capacity and window, so whoever sweeps a table judges each
/// bucket by its own limit: a sweep started by a request of one limit can never mistake
/// another limiter's half-used bucket for a refilled one and hand its allowance back.
struct TokenBucket: Sendable, Equatable {
    private(set) var tokens: Double
    private(set) var updatedAt: Int64
    private(set) var capacity: Int32
    private(set) var windowMilliseconds: Int32

    init(capacity: Int, windowMilliseconds: Int, now: Int64) {
        self.capacity = Int32(clamping: capacity)
        self.windowMilliseconds = Int32(clamping: max(1, windowMilliseconds))
        tokens = Double(self.capacity)
        updatedAt = now
    }

    /// The level at `now` without consuming.
    func level(now: Int64) -> Double {
        let elapsed = Double(max(0, now - updatedAt))
        return min(Double(capacity), tokens + elapsed * Double(capacity) / Double(windowMilliseconds))
    }

    /// Whether the bucket has refilled completely: then it is the same as no bucket at all.
    func isFull(now: Int64) -> Bool { level(now: now) >= Double(capacity) }

    /// Takes one token if there is one.
    mutating func consume(now: Int64) -> RateLimitDecision {
        let current = level(now: now)
        updatedAt = max(updatedAt, now)
        if current >= 1 {
            tokens = current - 1
            return RateLimitDecision(allowed: true, retryAfterSeconds: 0, remaining: Int(tokens))
        }
        tokens = current
        let perToken = Double(windowMilliseconds) / Double(max(1, capacity))
        let waitMilliseconds = (1 - current) * perToken
        return RateLimitDecision(allowed: false, retryAfterSeconds: max(1, Int((waitMilliseconds / 1000).rounded(.up))), remaining: 0)
    }

    /// Takes on another limit for this key (a caller with another policy): the level reached
    /// so far is kept, capped at the new capacity.
    mutating func adopt(capacity: Int, windowMilliseconds: Int, now: Int64) {
        let capacity = Int32(clamping: capacity)
        let window = Int32(clamping: max(1, windowMilliseconds))
        guard capacity != self.capacity || window != self.windowMilliseconds else { return }
        tokens = min(level(now: now), Double(capacity))
        updatedAt = max(updatedAt, now)
        self.capacity = capacity
        self.windowMilliseconds = window
    }
}

extension TokenBucket: BoundedTableEntry {
    func isIdle(now: Int64) -> Bool { isFull(now: now) }

    /// Fuller buckets go first (the least used, or the longest untouched: the level grows
    /// with time); between equally full ones, the older.
    func isMoreEvictable(than other: TokenBucket, now: Int64) -> Bool {
        let mine = level(now: now) / Double(max(1, capacity))
        let theirs = other.level(now: now) / Double(max(1, other.capacity))
        return mine != theirs ? mine > theirs : updatedAt < other.updatedAt
    }
}
