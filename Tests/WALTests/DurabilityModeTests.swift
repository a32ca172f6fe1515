import Glibc
let EIO_CODE = EIO

import Testing
import WAL

@Suite struct DurabilityModeTests {
    @Test func intervalModeAcknowledgesAfterWriteAndSyncsPeriodically() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(durability: .interval(milliseconds: 20))
        let log = try WriteAheadLog(configuration: config)
        log.start()
        var last: UInt64 = 0
        for i in 1...20 {
            last = log.append(record(i))
            try await log.waitUntilDurable(last)
            #expect(log.durableLSN >= last)
        }
        // The periodic fdatasync catches up without a flush.
        #expect(await eventually { log.syncedLSN == last })
        #expect(log.statistics.fsyncs >= 1)
        let more = log.append(record(21))
        try await log.flush()
        #expect(log.syncedLSN == more)
        await log.close()
        #expect(try await replayAll(config).count == 21)
    }

    @Test func noneModeAcknowledgesImmediatelyAndFlushSyncs() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(durability: .none)
        let log = try WriteAheadLog(configuration: config)
        let lsn = log.append(record(1))
        try await log.waitUntilDurable(lsn)  // immediate, even before start
        #expect(log.durableLSN == 1)
        #expect(log.syncedLSN == 0)
        log.start()
        for i in 2...50 { _ = log.append(record(i)) }
        try await log.flush()
        #expect(log.syncedLSN == 50)
        let stats = log.statistics
        #expect(stats.records == 50)
        await log.close()
        #expect(try await replayAll(config).count == 50)
    }

    @Test func intervalModeRedoesUnsyncedBatchesAfterAFailedSync() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(durability: .interval(milliseconds: 50), fileSystem: faults.fileSystem)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        faults.failNext(.fdatasync, errno: EIO_CODE)
        for i in 1...5 { try await log.waitUntilDurable(log.append(record(i))) }
        // The first periodic sync fails; the flush waits for the redo on a new segment.
        #expect(await eventually { log.statistics.failedBatches >= 1 })
        try await log.flush()
        #expect(log.isWritable)
        await log.close()
        #expect(try await replayAll(dir.configuration()).map(\.bytes) == (1...5).map { record($0) })
    }
}
