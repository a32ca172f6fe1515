import Foundation
import Glibc
import Locking
import Testing
import WAL

/// What a replication layer needs from the log: see every frame written, append another log's
/// frames byte for byte, read the backlog as frames, and hold acknowledgements until confirmed.
@Suite struct ReplicationHookTests {
    /// A leader log that reports its frames; returns them in order.
    func leaderFrames(_ dir: TestDirectory, count: Int, segmentSize: Int = 1 << 20) async throws -> [WrittenFrames] {
        let seen = LockedValue<[WrittenFrames]>([])
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: segmentSize))
        log.setFrameObserver { frames in seen.withLock { $0.append(frames) } }
        log.start()
        for i in 1...count {
            try await log.waitUntilDurable(log.append(record(i, size: 200)))
        }
        await log.close()
        return seen.withLock { $0 }
    }

    @Test func observerSeesEveryFrameAsOnDisk() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let frames = try await leaderFrames(dir, count: 10)
        #expect(frames.map(\.firstLSN) == Array(1...10))
        var fromDisk: [WrittenFrames] = []
        try WALReader(directory: dir.path).forEachWrittenFrame(after: 0, chunkBytes: 1) { fromDisk.append($0); return true }
        #expect(fromDisk.map(\.bytes) == frames.map(\.bytes))
        #expect(fromDisk.map(\.lastCRC) == frames.map(\.lastCRC))
        #expect(try WALReader(directory: dir.path).chainCRC(at: 4) == frames[3].lastCRC)
        #expect(try WALReader(directory: dir.path).chainCRC(at: 0) == 0)
        #expect(try WALReader(directory: dir.path).chainCRC(at: 99) == nil)
    }

    @Test func followerLogIsTheSameLog() async throws {
        let leader = TestDirectory()
        let follower = TestDirectory()
        defer { leader.remove(); follower.remove() }
        // Small segments on both sides, rotated at different points: the frames stay the same.
        let frames = try await leaderFrames(leader, count: 60, segmentSize: 4096)
        let log = try WriteAheadLog(configuration: follower.configuration(segmentSize: 8192))
        log.start()
        var last: UInt64 = 0
        for chunk in frames { last = try log.appendFrames(chunk.bytes) }
        #expect(last == 60)
        try await log.waitUntilDurable(last)
        #expect(log.lastWrittenFrame.lsn == 60)
        #expect(log.lastWrittenFrame.crc == frames.last?.lastCRC)
        await log.close()
        let leaderRecords = try await replayAll(leader.configuration(segmentSize: 4096))
        let followerRecords = try await replayAll(follower.configuration(segmentSize: 8192))
        #expect(followerRecords == leaderRecords)
        let report = try WALVerifier.verify(directory: follower.path)
        #expect(report.problems.isEmpty)
        #expect(report.otherProblems.isEmpty)
        // A follower reopened later keeps taking frames where it stopped.
        let reopened = try WriteAheadLog(configuration: follower.configuration(segmentSize: 8192))
        #expect(reopened.lastWrittenFrame.lsn == 60)
        await reopened.close()
    }

    @Test func appendFramesRefusesWhatDoesNotContinueTheLog() async throws {
        let leader = TestDirectory()
        let follower = TestDirectory()
        defer { leader.remove(); follower.remove() }
        let frames = try await leaderFrames(leader, count: 4)
        let log = try WriteAheadLog(configuration: follower.configuration())
        log.start()
        // A gap: frame 2 before frame 1.
        #expect(throws: WALError.self) { try log.appendFrames(frames[1].bytes) }
        _ = try log.appendFrames(frames[0].bytes)
        // Damaged bytes.
        var damaged = frames[1].bytes
        damaged[60] ^= 0x01
        #expect(throws: WALError.self) { try log.appendFrames(damaged) }
        // Not a whole frame.
        #expect(throws: WALError.self) { try log.appendFrames(Array(frames[1].bytes.dropLast(8))) }
        // A frame of another log at the right LSN does not chain.
        let other = TestDirectory()
        defer { other.remove() }
        let foreign = try await leaderFrames(other, count: 2)
        #expect(throws: WALError.self) { try log.appendFrames(foreign[1].bytes) }
        // The right one still goes in.
        let lsn = try log.appendFrames(frames[1].bytes)
        try await log.waitUntilDurable(lsn)
        #expect(lsn == 2)
        await log.close()
    }

    @Test func appendFramesWaitsForAppendedRecordsToBeWritten() async throws {
        let leader = TestDirectory()
        let follower = TestDirectory()
        defer { leader.remove(); follower.remove() }
        let frames = try await leaderFrames(leader, count: 2)
        let log = try WriteAheadLog(configuration: follower.configuration())
        _ = log.append(record(1, size: 200))   // not written: the writer has not started
        #expect(throws: WALError.self) { try log.appendFrames(frames[1].bytes) }
        await log.close()
    }

    @Test func confirmationHoldsAcknowledgementsUntilConfirmed() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        log.requireConfirmation(true)
        let first = log.append(record(1))
        let second = log.append(record(2))
        let outcomes = LockedValue<[UInt64: Result<Void, WALError>]>([:])
        for lsn in [first, second] {
            log.whenDurable(lsn) { result in outcomes.withLock { $0[lsn] = result } }
        }
        try await log.flush()   // on disk locally, not confirmed
        #expect(log.syncedLSN == second)
        #expect(log.durableLSN == 0)
        #expect(outcomes.withLock { $0.isEmpty })
        log.confirm(upTo: first)
        #expect(await eventually { outcomes.withLock { $0[first] != nil } })
        #expect(outcomes.withLock { $0[second] == nil })
        #expect(log.failUnconfirmed(through: second, error: .closed) == 1)
        let failed = outcomes.withLock { $0[second] }
        guard case .failure(.closed)? = failed else {
            Issue.record("second waiter: \(String(describing: failed))")
            return
        }
        // Turning confirmation off: durability is the local mode's again.
        let third = log.append(record(3))
        log.requireConfirmation(false)
        try await log.waitUntilDurable(third)
        await log.close()
    }

    @Test func controlRecordsAreMarked() {
        #expect(WALRecord(lsn: 1, timestamp: 0, bytes: [0xFF, 1, 2]).isControl)
        #expect(!WALRecord(lsn: 1, timestamp: 0, bytes: [1, 0xFF]).isControl)
        #expect(!WALRecord(lsn: 1, timestamp: 0, bytes: []).isControl)
    }
}

/// A follower that holds frames its new leader never had cuts them off, keeping them aside.
@Suite struct RewindTests {
    @Test func rewindCutsBackToASharedFrameAndKeepsTheRestAside() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        log.start()
        for i in 1...40 { try await log.waitUntilDurable(log.append(record(i, size: 200))) }
        await log.close()
        try SnapshotStore(directory: dir.path).write(lsn: 10, timestamp: 1, payload: [1])
        try SnapshotStore(directory: dir.path).write(lsn: 20, highLSN: 31, timestamp: 2, payload: [2])
        let crc = try #require(try WALReader(directory: dir.path).chainCRC(at: 30))
        #expect(throws: WALError.self) { try WALRewind.rewind(directory: dir.path, to: 30, expectedCRC: crc ^ 1) }
        let report = try WALRewind.rewind(directory: dir.path, to: 30, expectedCRC: crc)
        #expect(report.lastLSN == 30)
        #expect(report.recordsCut == 10)
        #expect(!report.keptAside.isEmpty)
        #expect(report.snapshotsMoved.count == 1)   // the one reflecting LSN 31
        #expect(try SnapshotStore(directory: dir.path).list().map(\.lsn) == [10])
        #expect(try await replayAll(dir.configuration(segmentSize: 4096)).map(\.lsn) == Array(1...30))
        let reopened = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        #expect(reopened.lastWrittenFrame.lsn == 30)
        #expect(reopened.lastWrittenFrame.crc == crc)
        await reopened.close()
        // Rewinding to where the log already ends does nothing.
        #expect(try WALRewind.rewind(directory: dir.path, to: 30, expectedCRC: crc).recordsCut == 0)
        #expect(throws: WALError.self) { try WALRewind.rewind(directory: dir.path, to: 35, expectedCRC: 0) }
    }

    @Test func rewindRefusesAPointInsideAFrame() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        _ = log.append(contentsOf: [record(1), record(2), record(3)])   // one frame, LSNs 1...3
        try await log.flush()
        await log.close()
        #expect(throws: WALError.self) { try WALRewind.rewind(directory: dir.path, to: 2, expectedCRC: 0) }
        #expect(try WALRewind.rewind(directory: dir.path, to: 0, expectedCRC: 0).recordsCut == 3)
        #expect(try await replayAll(dir.configuration()).isEmpty)
    }
}
