import Testing
@testable import bench

/// Percentile maths of the HDR histogram summary against known inputs.
@Suite struct PercentileTests {
    /// 1...10_000 µs once each: every percentile is known exactly (within HDR's 0.1%).
    @Test func uniformValuesGiveKnownPercentiles() {
        var h = LatencySummary.makeHistogram()
        for v in 1...10_000 { _ = h.record(UInt64(v)) }
        let s = LatencySummary(h)
        #expect(s.count == 10_000)
        func close(_ actual: Double, _ expected: Double) -> Bool { abs(actual - expected) <= expected * 0.001 + 0.001 }
        #expect(close(s.p50Ms, 5.0))
        #expect(close(s.p90Ms, 9.0))
        #expect(close(s.p95Ms, 9.5))
        #expect(close(s.p99Ms, 9.9))
        #expect(close(s.p999Ms, 9.99))
        #expect(close(s.maxMs, 10.0))
        #expect(close(s.meanMs, 5.0005))
    }

    /// A single slow outlier among fast answers shows in max and p99.9 only.
    @Test func outlierOnlyMovesTheTail() {
        var h = LatencySummary.makeHistogram()
        for _ in 0..<999 { _ = h.record(100) }
        _ = h.record(500_000)
        let s = LatencySummary(h)
        #expect(abs(s.p50Ms - 0.1) < 0.001)
        #expect(abs(s.p99Ms - 0.1) < 0.001)
        #expect(abs(s.maxMs - 500) < 0.5)
        #expect(abs(s.p999Ms - 0.1) < 0.001)
    }

    @Test func emptyHistogramIsAllZero() {
        let s = LatencySummary(LatencySummary.makeHistogram())
        #expect(s == LatencySummary(LatencySummary.makeHistogram()))
        #expect(s.count == 0 && s.p99Ms == 0 && s.maxMs == 0 && s.meanMs == 0)
    }

    /// Statistics of two event loops merge into the sum of both.
    @Test func mergingLoopStatsAddsEverything() {
        var a = LoadStats(endpoints: ["me", "refresh"], checkNames: ["ok"])
        var b = LoadStats(endpoints: ["me", "refresh"], checkNames: ["ok"])
        for v in 1...100 { a.recordLatency(endpoint: 0, microseconds: UInt64(v)) }
        for v in 101...200 { b.recordLatency(endpoint: 0, microseconds: UInt64(v)) }
        b.recordLatency(endpoint: 1, microseconds: 7)
        a.completed[0] = 100; b.completed[0] = 100; b.completed[1] = 1
        a.recordError(.timeout); b.recordError(.timeout); b.recordError(.status)
        b.unexpectedStatuses[503] = 2
        a.checks.record(0, true); b.checks.record(0, false)
        a.merge(b)
        #expect(a.histograms[0].totalCount == 200)
        #expect(a.histograms[1].totalCount == 1)
        #expect(a.totalCompleted == 201)
        #expect(a.errors[ErrorKind.timeout.rawValue] == 2)
        #expect(a.errors[ErrorKind.status.rawValue] == 1)
        #expect(a.unexpectedStatuses == [503: 2])
        #expect(a.checks.passes == [1] && a.checks.fails == [1])
        let all = LatencySummary(a.combinedHistogram)
        #expect(all.count == 201)
        #expect(abs(all.maxMs - 0.2) < 0.001)
    }

    /// Values beyond the histogram's range are clamped, not dropped.
    @Test func hugeLatencyIsClampedNotLost() {
        var s = LoadStats(endpoints: ["x"], checkNames: [])
        s.recordLatency(endpoint: 0, microseconds: UInt64.max / 2)
        #expect(s.histograms[0].totalCount == 1)
    }

    @Test func medianOfOddEvenAndEmpty() {
        #expect(Comparison.median([3, 1, 2]) == 2)
        #expect(Comparison.median([4, 1, 3, 2]) == 2.5)
        #expect(Comparison.median([]) == 0)
    }
}
