import Testing
import WAL

@Suite struct AppendReplayTests {
    @Test func roundTripAcrossSegmentRotations() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(segmentSize: 4096)
        let log = try WriteAheadLog(configuration: config)
        #expect(log.recoveryReport.cuts.isEmpty)
        log.start()
        var expected: [[UInt8]] = []
        for i in 1...300 {
            let bytes = randomBytes(30 + i % 50, seed: UInt64(i))  // incompressible: fills segments
            expected.append(bytes)
            let lsn = log.append(bytes)
            #expect(lsn == UInt64(i))
            if i % 7 == 0 { try await log.waitUntilDurable(lsn) }
        }
        try await log.flush()
        #expect(log.durableLSN == 300)
        #expect(log.lastAppendedLSN == 300)
        await log.close()
        #expect(dir.segments().count >= 4)

        let records = try await replayAll(config)
        #expect(records.map(\.lsn) == Array(1...300))
        #expect(records.map(\.bytes) == expected)
        #expect(records.allSatisfy { $0.timestamp > 1_600_000_000_000 })

        // Replay after an LSN skips what a snapshot covers.
        let tail = try await replayAll(config, after: 250)
        #expect(tail.map(\.lsn) == Array(251...300))

        // Reopen and continue: LSNs stay dense across restarts and segments.
        let again = try WriteAheadLog(configuration: config)
        #expect(again.recoveryReport.lastLSN == 300)
        #expect(again.recoveryReport.records == 300)
        #expect(again.recoveryReport.cuts.isEmpty)
        again.start()
        let next = again.append(record(301))
        #expect(next == 301)
        try await again.waitUntilDurable(next)
        await again.close()
        #expect(try await replayAll(config).count == 301)
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
    }

    @Test func atomicGroupLandsInOneFrame() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration()
        let log = try WriteAheadLog(configuration: config)
        log.start()
        let first = log.append(record(1))
        try await log.waitUntilDurable(first)
        let group = (2...11).map { record($0) }
        let last = log.append(contentsOf: group)
        #expect(last == 11)
        #expect(log.append(contentsOf: []) == 11)
        try await log.waitUntilDurable(last)
        await log.close()

        let found = try frames(dir)
        #expect(found.count == 2)
        #expect(found[1].firstLSN == 2)
        #expect(found[1].recordCount == 10)
        let records = try await replayAll(config)
        #expect(records.map(\.bytes) == [record(1)] + group)
    }

    @Test func compressesWhenItHelpsAndStoresRawOtherwise() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration()
        let log = try WriteAheadLog(configuration: config)
        log.start()
        let a = log.append(contentsOf: (0..<50).map { _ in Array(repeating: UInt8(7), count: 100) })
        try await log.waitUntilDurable(a)
        let b = log.append(randomBytes(200, seed: 9))
        try await log.waitUntilDurable(b)
        let stats = log.statistics
        await log.close()
        let found = try frames(dir)
        #expect(found.map(\.compressed) == [true, false])
        #expect(found[0].storedLength < found[0].rawLength)
        #expect(stats.batches == 2)
        #expect(stats.records == 51)
        #expect(stats.fsyncs == 2)
        #expect(stats.compressionRatio > 1)
        #expect(try await replayAll(config).count == 51)
    }

    @Test func appendsBeforeStartAreWrittenOnStart() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        let lsn = log.append(record(1))
        #expect(log.durableLSN == 0)
        log.start()
        log.start()  // idempotent
        try await log.waitUntilDurable(lsn)
        #expect(log.durableLSN == 1)
        await log.close()
        await log.close()  // idempotent
    }

    @Test func emptyRecordsAndLargeRecords() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(segmentSize: 8192)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        let big = randomBytes(50_000, seed: 5)  // larger than a segment: gets one of its own
        _ = log.append([])
        let lsn = log.append(big)
        try await log.waitUntilDurable(lsn)
        _ = log.append(record(3))
        try await log.flush()
        await log.close()
        let records = try await replayAll(config)
        #expect(records.map(\.bytes) == [[], big, record(3)])
    }
}
