import Testing
@testable import Replication

/// The retention floor keeps what the followers need, within the retained-bytes bound.
@Suite struct RetentionFloorTests {
    let segments: [UInt64] = [1, 101, 201, 301, 401]   // five segments of 1 MiB

    @Test func theOldestNeedIsKeptWhenItFits() {
        #expect(RetentionFloor.choose(needed: [250, 150], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 8 << 20) == 150)
    }

    @Test func aFollowerNeedingMoreThanTheBoundIsLeftToASnapshot() {
        // Three segments fit (201...): the follower at 150 would need four.
        #expect(RetentionFloor.choose(needed: [150, 350], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 3 << 20) == 350)
        #expect(RetentionFloor.choose(needed: [150, 201], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 3 << 20) == 201)
    }

    @Test func noNeedThatFitsMeansNoFloor() {
        #expect(RetentionFloor.choose(needed: [50], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 2 << 20) == nil)
        #expect(RetentionFloor.choose(needed: [], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 8 << 20) == nil)
    }

    @Test func theNewestSegmentIsAlwaysKeptForAFollowerInIt() {
        // A bound below one segment still keeps the segment being written.
        #expect(RetentionFloor.choose(needed: [420], segmentFirstLSNs: segments, segmentBytes: 1 << 20,
                                      maximumBytes: 1000) == 420)
    }
}
