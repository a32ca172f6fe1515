import Glibc
import Testing
import WAL

@Suite struct FaultInjectionTests {
    @Test func enospcOnFdatasyncFailsTheBatchThenRetrySucceeds() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(fileSystem: faults.fileSystem)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        let first = log.append(record(1))
        try await log.waitUntilDurable(first)
        #expect(log.isWritable)

        faults.failAlways(.fdatasync, errno: ENOSPC)
        let second = log.append(record(2))
        await #expect(throws: WALError.writeFailed(operation: "fdatasync", errno: ENOSPC)) {
            try await log.waitUntilDurable(second)
        }
        #expect(!log.isWritable)
        #expect(log.durableLSN == first)
        // A late waiter for the failed batch gets the same error.
        await #expect(throws: WALError.writeFailed(operation: "fdatasync", errno: ENOSPC)) {
            try await log.waitUntilDurable(second)
        }
        // Later appends wait for the retry instead of failing.
        let third = log.append(record(3))
        let waiter = Task { try await log.waitUntilDurable(third) }
        #expect(log.durableLSN == first)

        faults.clear(.fdatasync)  // space freed
        try await waiter.value
        #expect(log.isWritable)
        #expect(log.durableLSN == third)
        try await log.waitUntilDurable(second)  // the failed batch was retried and is durable now
        let fourth = log.append(record(4))
        try await log.waitUntilDurable(fourth)
        let stats = log.statistics
        #expect(stats.failedBatches >= 1)
        #expect(stats.retries >= 1)
        await log.close()

        // The retry went to a new segment; the log reads back whole.
        #expect(dir.segments().count == 2)
        let records = try await replayAll(dir.configuration())
        #expect(records.map(\.bytes) == (1...4).map { record($0) })
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
    }

    @Test func eioOnWriteFailsTheBatchAndIsRetriedBeforeLaterRecords() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(fileSystem: faults.fileSystem)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        try await log.waitUntilDurable(log.append(record(1)))
        faults.failAlways(.write, errno: EIO)
        let second = log.append(contentsOf: [record(2), record(3)])
        await #expect(throws: WALError.writeFailed(operation: "write", errno: EIO)) {
            try await log.waitUntilDurable(second)
        }
        #expect(!log.isWritable)
        let fourth = log.append(record(4))
        faults.clear(.write)
        try await log.waitUntilDurable(fourth)
        #expect(log.isWritable)
        await log.close()
        #expect(try await replayAll(dir.configuration()).map(\.bytes) == (1...4).map { record($0) })
    }

    @Test func failureWhileCreatingARotatedSegmentIsRetried() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(segmentSize: 4096, fileSystem: faults.fileSystem)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        for i in 1...11 { try await log.waitUntilDurable(log.append(randomBytes(300, seed: UInt64(i)))) }
        #expect(dir.segments().count == 1)
        faults.failNext(.open, errno: ENOSPC)  // the next frame needs a new segment
        let twelfth = log.append(randomBytes(300, seed: 12))
        await #expect(throws: WALError.writeFailed(operation: "open", errno: ENOSPC)) {
            try await log.waitUntilDurable(twelfth)
        }
        let thirteenth = log.append(randomBytes(300, seed: 13))
        try await log.waitUntilDurable(thirteenth)
        #expect(log.isWritable)
        await log.close()
        let records = try await replayAll(dir.configuration(segmentSize: 4096))
        #expect(records.map(\.bytes) == (1...13).map { randomBytes(300, seed: UInt64($0)) })
    }

    @Test func abandonedTailAfterAFailedTruncateIsHarmless() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(fileSystem: faults.fileSystem)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        try await log.waitUntilDurable(log.append(record(1)))
        // The frame is written but its fdatasync fails and the cleanup truncate fails too: the
        // failed frame stays in the old segment and the retry goes to a new one.
        faults.failNext(.fdatasync, errno: EIO)
        faults.failNext(.truncate, errno: EIO)
        let second = log.append(record(2))
        await #expect(throws: WALError.self) { try await log.waitUntilDurable(second) }
        let third = log.append(record(3))
        try await log.waitUntilDurable(third)
        await log.close()

        let verification = try WALVerifier.verify(directory: dir.path)
        #expect(verification.isHealthy)
        #expect(verification.problems.map(\.kind) == [.abandonedTail])
        let reopened = try WriteAheadLog(configuration: dir.configuration())
        #expect(reopened.recoveryReport.notes.count == 1)
        var records: [WALRecord] = []
        try reopened.replay(after: 0) { records.append($0) }
        #expect(records.map(\.bytes) == [record(1), record(2), record(3)])
        await reopened.close()
    }

    @Test func closeWhileTheDiskStaysBrokenFailsWaiters() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try WriteAheadLog(configuration: dir.configuration(fileSystem: faults.fileSystem))
        log.start()
        try await log.waitUntilDurable(log.append(record(1)))
        faults.failAlways(.fdatasync, errno: EIO)
        let second = log.append(record(2))
        await #expect(throws: WALError.writeFailed(operation: "fdatasync", errno: EIO)) {
            try await log.waitUntilDurable(second)
        }
        let third = log.append(record(3))
        let waiter = Task { () -> WALError? in
            do throws(WALError) { try await log.waitUntilDurable(third) } catch { return error }
            return nil
        }
        await log.close()
        #expect(await waiter.value == .closed)
        await #expect(throws: WALError.closed) { try await log.waitUntilDurable(third) }
        faults.clear(.fdatasync)
        // Only what was acknowledged is guaranteed; the log reopens cleanly.
        let records = try await replayAll(dir.configuration())
        #expect(records.first?.bytes == record(1))
    }

    @Test func openFailsWithIOErrorsNamingThePath() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let file = dir.path + "/not-a-directory"
        Files.write(file, [1])
        #expect(throws: WALError.io(operation: "mkdir", path: file + "/wal", errno: ENOTDIR)) {
            _ = try WriteAheadLog(configuration: WALConfiguration(directory: file))
        }
        let faults = FaultInjector()
        faults.failNext(.open, errno: EACCES)
        #expect(throws: WALError.io(operation: "open", path: dir.walDirectory + "/00000000000000000001.wal", errno: EACCES)) {
            _ = try WriteAheadLog(configuration: dir.configuration(fileSystem: faults.fileSystem))
        }
        // The failed open released the lock.
        let log = try WriteAheadLog(configuration: dir.configuration())
        await log.close()
    }
}
