/// One shard's rate-limit buckets (per client IP, and plain per-account buckets), keyed by
/// digest and bounded in memory (see `BoundedTable`): refilled buckets are swept, and past
/// the table's limit the fullest or stalest are dropped (failing open for them, counted in
/// `evictedCount`). Each bucket carries its own capacity and window.
struct RateLimiterTable: Sendable {
    private var table: BoundedTable<TokenBucket>

    init(maximumBuckets: Int = 100_000) {
        table = BoundedTable(limit: maximumBuckets)
    }

    var count: Int { table.count }

    var evictedCount: Int { table.evictedCount }

    var maximumBuckets: Int { table.limit }

    /// Takes one token from the bucket of `key` (`capacity` per `windowMilliseconds`).
    mutating func consume(_ key: LimiterKey, now: Int64, capacity: Int, windowMilliseconds: Int) -> RateLimitDecision {
        table.update(key, now: now, make: { TokenBucket(capacity: capacity, windowMilliseconds: windowMilliseconds, now: now) }) { bucket in
            bucket.adopt(capacity: capacity, windowMilliseconds: windowMilliseconds, now: now)
            return bucket.consume(now: now)
        }
    }

    /// Runs `slots` sweep steps at once (tests; requests sweep as they go).
    mutating func sweep(now: Int64, slots: Int) {
        table.sweep(now: now, slots: slots)
    }
}
