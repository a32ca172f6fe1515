import Testing
@testable import WAL

@Suite struct FsyncLatencyBucketsTests {
    @Test func aSyncCountsInTheFirstBucketThatHoldsIt() {
        var buckets = FsyncLatencyBuckets()
        let bounds = FsyncLatencyBuckets.upperBoundsMicros
        buckets.record(micros: 0)
        buckets.record(micros: bounds[0])
        buckets.record(micros: bounds[0] + 1)
        buckets.record(micros: bounds[bounds.count - 1] + 1)
        #expect(buckets.counts.count == bounds.count + 1)
        #expect(buckets.counts[0] == 2)
        #expect(buckets.counts[1] == 1)
        #expect(buckets.counts[bounds.count] == 1, "above every bound")
        #expect(buckets.counts.reduce(0, +) == 4)
    }

    @Test func theBoundsBracketTheMeasuredSyncTimes() {
        // DESIGN.md: a pre-written 4 KiB fdatasync takes 95-180 us at p50.
        let bounds = FsyncLatencyBuckets.upperBoundsMicros
        #expect(bounds == bounds.sorted())
        #expect(bounds.contains { $0 < 95 } && bounds.contains { $0 > 180 && $0 <= 250 })
    }

    @Test func statisticsCountEverySyncOnce() {
        var statistics = WALStatistics()
        statistics.recordFsync(micros: 120)
        statistics.recordFsync(micros: 30_000)
        #expect(statistics.fsyncs == 2)
        #expect(statistics.lastFsyncMicros == 30_000)
        #expect(statistics.totalFsyncMicros == 30_120)
        #expect(statistics.fsyncLatency.counts.reduce(0, +) == 2)
    }
}
