import Testing
@testable import Engine

@Suite struct RefreshRotationTests {
    let a = TokenID(high: 1, low: 1), b = TokenID(high: 2, low: 2), c = TokenID(high: 3, low: 3)
    let t0 = Timestamp(milliseconds: 1_000_000)

    func chain(current: TokenID, parent: TokenID?, rotatedAt: Timestamp?) -> RefreshChain {
        RefreshChain(current: current, issuedAt: 1000, generation: parent == nil ? 0 : 1, parent: parent, rotatedAt: rotatedAt)
    }

    @Test func currentLinkRotates() {
        #expect(RefreshRotation.decide(chain: chain(current: a, parent: nil, rotatedAt: nil), status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .rotate)
    }

    @Test func strictModeTreatsTheParentAsReplay() {
        let ch = chain(current: b, parent: a, rotatedAt: t0)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .compromise)
    }

    @Test func graceCoversOnlyTheImmediateParentWithinTheInterval() {
        let ch = chain(current: c, parent: b, rotatedAt: t0)
        let later = Timestamp(milliseconds: t0.milliseconds + 5_000)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: b, now: later, reuseIntervalMilliseconds: 5_000) == .reissueCurrent)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: b, now: Timestamp(milliseconds: later.milliseconds + 1), reuseIntervalMilliseconds: 5_000) == .compromise)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 5_000) == .compromise)
    }

    @Test func endedSessionsRefuseWithTheirStatus() {
        let ch = chain(current: a, parent: nil, rotatedAt: nil)
        #expect(RefreshRotation.decide(chain: ch, status: .revoked, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .refuse(.sessionRevoked))
        #expect(RefreshRotation.decide(chain: ch, status: .compromised, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .refuse(.sessionCompromised))
    }
}

@Suite struct TokenBucketTests {
    @Test func refillsContinuouslyAndReportsRetryAfter() {
        var bucket = TokenBucket(capacity: 2, now: 0)
        #expect(bucket.consume(now: 0, capacity: 2, windowMilliseconds: 10_000).allowed)
        #expect(bucket.consume(now: 0, capacity: 2, windowMilliseconds: 10_000).allowed)
        let denied = bucket.consume(now: 0, capacity: 2, windowMilliseconds: 10_000)
        #expect(!denied.allowed)
        #expect(denied.retryAfterSeconds == 5)
        #expect(bucket.consume(now: 5_000, capacity: 2, windowMilliseconds: 10_000).allowed)
        #expect(!bucket.consume(now: 5_000, capacity: 2, windowMilliseconds: 10_000).allowed)
    }

    @Test func idleBucketsAreEvicted() {
        var table = RateLimiterTable(maximumBuckets: 5_000)
        for i in 0..<3_000 { _ = table.consume(.ip("10.0.\(i / 256).\(i % 256)"), now: 0, capacity: 5, windowMilliseconds: 1_000) }
        #expect(table.count > 1_000)
        // After a full window every bucket has refilled: the next sweep drops them all.
        table.sweep(now: 10_000, capacity: 5, windowMilliseconds: 1_000)
        #expect(table.count == 0)
        // A spray past the cap stays bounded.
        for i in 0..<20_000 { _ = table.consume(.ip("ip\(i)"), now: 20_000, capacity: 5, windowMilliseconds: 60_000) }
        #expect(table.count <= 10_000)
    }
}
