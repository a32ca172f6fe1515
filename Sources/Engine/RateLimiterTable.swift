/// One shard's rate-limit buckets, with idle eviction so a spray of IPs cannot grow memory
/// without bound: full buckets are equivalent to absent ones and are swept; past
/// `maximumBuckets` the oldest are dropped (failing open for them, which is logged by count).
struct RateLimiterTable: Sendable {
    private var buckets: [RateLimitKey: TokenBucket] = [:]
    private var sweepThreshold = 1024
    let maximumBuckets: Int
    private(set) var evictedCount = 0

    init(maximumBuckets: Int = 200_000) {
        self.maximumBuckets = maximumBuckets
    }

    var count: Int { buckets.count }

    mutating func consume(_ key: RateLimitKey, now: Int64, capacity: Int, windowMilliseconds: Int) -> RateLimitDecision {
        if buckets.count >= sweepThreshold { sweep(now: now, capacity: capacity, windowMilliseconds: windowMilliseconds) }
        var bucket = buckets[key] ?? TokenBucket(capacity: capacity, now: now)
        let decision = bucket.consume(now: now, capacity: capacity, windowMilliseconds: windowMilliseconds)
        buckets[key] = bucket
        return decision
    }

    /// Drops buckets that have refilled completely, then the stalest if still over the cap.
    mutating func sweep(now: Int64, capacity: Int, windowMilliseconds: Int) {
        let before = buckets.count
        buckets = buckets.filter { $0.value.level(now: now, capacity: capacity, windowMilliseconds: windowMilliseconds) < Double(capacity) }
        if buckets.count > maximumBuckets {
            let stale = buckets.sorted { $0.value.updatedAt < $1.value.updatedAt }.prefix(buckets.count - maximumBuckets / 2)
            for (key, _) in stale { buckets[key] = nil }
        }
        evictedCount += before - buckets.count
        sweepThreshold = max(1024, buckets.count * 2)
    }
}
