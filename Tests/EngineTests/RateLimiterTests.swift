import Foundation
import Testing
@testable import Engine

@Suite struct TokenBucketTests {
    @Test func refillsContinuouslyAndReportsRetryAfter() {
        var bucket = TokenBucket(capacity: 2, windowMilliseconds: 10_000, now: 0)
        #expect(bucket.consume(now: 0).allowed)
        #expect(bucket.consume(now: 0).allowed)
        let denied = bucket.consume(now: 0)
        #expect(!denied.allowed)
        #expect(denied.retryAfterSeconds == 5)
        #expect(bucket.consume(now: 5_000).allowed)
        #expect(!bucket.consume(now: 5_000).allowed)
    }

    @Test func aBucketKnowsItsOwnCapacityAndWindow() {
        var bucket = TokenBucket(capacity: 100, windowMilliseconds: 60_000, now: 0)
        for _ in 0..<50 { _ = bucket.consume(now: 0) }
        // Half used: not full by its own limit, whatever limit another request has.
        #expect(!bucket.isFull(now: 0))
        #expect(bucket.level(now: 0) == 50)
        #expect(bucket.isFull(now: 30_000))
    }
}

@Suite struct LimiterKeyTests {
    @Test func keysAreFixedSizeDigestsWhateverTheInput() {
        #expect(MemoryLayout<LimiterKey>.size == 16)
        let huge = String(repeating: "a", count: 1_000_000) + "@example.com"
        #expect(LimiterKey(huge, domain: .account) == LimiterKey(huge, domain: .account))
        #expect(LimiterKey(huge, domain: .account) != LimiterKey(huge + "x", domain: .account))
        // The same text under two limiters is two keys.
        #expect(LimiterKey("10.0.0.1", domain: .ip) != LimiterKey("10.0.0.1", domain: .account))
        // A bridged (non-contiguous) string digests like its native twin.
        let bridged = NSString(string: "Straße@example.com") as String
        #expect(LimiterKey(bridged, domain: .ip) == LimiterKey("Straße@example.com", domain: .ip))
    }
}

@Suite struct RateLimiterTableTests {
    static func ip(_ i: Int) -> LimiterKey { LimiterKey("10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)", domain: .ip) }

    @Test func idleBucketsAreSweptAsTheTableIsUsed() {
        var table = RateLimiterTable(maximumBuckets: 5_000)
        for i in 0..<3_000 { _ = table.consume(Self.ip(i), now: 0, capacity: 5, windowMilliseconds: 1_000) }
        #expect(table.count == 3_000)
        // After a full window every bucket has refilled; ordinary traffic on one key sweeps the rest.
        for _ in 0..<1_600 { _ = table.consume(Self.ip(999_999), now: 10_000, capacity: 1_000_000, windowMilliseconds: 1_000) }
        #expect(table.count == 1)
        #expect(table.evictedCount == 0)
    }

    @Test func theTableNeverHoldsMoreThanItsLimit() {
        var table = RateLimiterTable(maximumBuckets: 1_000)
        var largest = 0
        // No time passes: nothing ever refills, so only the cap can bound the table.
        for i in 0..<50_000 {
            _ = table.consume(Self.ip(i), now: 0, capacity: 5, windowMilliseconds: 60_000)
            largest = max(largest, table.count)
        }
        #expect(largest == 1_000)
        #expect(table.evictedCount == 49_000)
    }

    @Test func evictionSparesBucketsInUse() {
        var table = RateLimiterTable(maximumBuckets: 100)
        let attacker = LimiterKey("198.51.100.7", domain: .ip)
        for _ in 0..<5 { _ = table.consume(attacker, now: 0, capacity: 5, windowMilliseconds: 60_000) }
        #expect(!table.consume(attacker, now: 0, capacity: 5, windowMilliseconds: 60_000).allowed)
        // A spray of fresh addresses cannot push out the drained bucket to reset it.
        for i in 0..<10_000 { _ = table.consume(Self.ip(i), now: 0, capacity: 5, windowMilliseconds: 60_000) }
        #expect(table.count == 100)
        #expect(!table.consume(attacker, now: 0, capacity: 5, windowMilliseconds: 60_000).allowed)
    }

    /// Issue 15.4: a sweep started by a request of a small limit (a login's 10) must not
    /// delete a bucket of a larger limit (an IP's 100) that still has 10 or more tokens.
    @Test func aSweepJudgesEachBucketByItsOwnLimit() {
        var table = RateLimiterTable(maximumBuckets: 200_000)
        let victim = LimiterKey("203.0.113.9", domain: .ip)
        for _ in 0..<50 { #expect(table.consume(victim, now: 0, capacity: 100, windowMilliseconds: 3_600_000).allowed) }
        for i in 0..<2_000 { _ = table.consume(Self.ip(i), now: 0, capacity: 100, windowMilliseconds: 3_600_000) }
        for i in 0..<2_000 {
            _ = table.consume(LimiterKey("user\(i)@example.com", domain: .account), now: 0, capacity: 10, windowMilliseconds: 3_600_000)
        }
        table.sweep(now: 0, slots: 100_000)
        var allowed = 0
        for _ in 0..<100 where table.consume(victim, now: 0, capacity: 100, windowMilliseconds: 3_600_000).allowed { allowed += 1 }
        #expect(allowed == 50)
    }

    @Test func storageShrinksOnceTheTableEmpties() {
        var table = BoundedTable<TokenBucket>(limit: 100_000)
        for i in 0..<50_000 {
            _ = table.update(Self.ip(i), now: 0, make: { TokenBucket(capacity: 5, windowMilliseconds: 1_000, now: 0) }) { $0.consume(now: 0) }
        }
        #expect(table.count == 50_000)
        #expect(table.storageCapacity >= 50_000)
        table.sweep(now: 10_000, slots: 60_000)
        #expect(table.count == 0)
        // Fill a little again: the sweep pass that wraps around rebuilds small storage.
        for i in 0..<10 {
            _ = table.update(Self.ip(i), now: 10_000, make: { TokenBucket(capacity: 5, windowMilliseconds: 1_000, now: 10_000) }) {
                $0.consume(now: 10_000)
            }
        }
        #expect(table.count == 10)
        #expect(table.storageCapacity < 4_096)
        #expect(table.entry(Self.ip(3)) != nil)
        #expect(table.entry(Self.ip(30)) == nil)
    }
}
