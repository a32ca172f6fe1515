import Testing
import WAL

@Suite struct ErrorPathTests {
    @Test func invalidConfigurationIsRejected() {
        let dir = TestDirectory()
        defer { dir.remove() }
        #expect(throws: WALError.invalidArgument("segmentSize must be at least 4096 bytes")) {
            _ = try WriteAheadLog(configuration: dir.configuration(segmentSize: 100))
        }
        #expect(throws: WALError.invalidArgument("interval durability needs a positive number of milliseconds")) {
            _ = try WriteAheadLog(configuration: dir.configuration(durability: .interval(milliseconds: 0)))
        }
    }

    @Test func waitingForAnLSNNeverAppendedFails() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        await #expect(throws: WALError.invalidArgument("LSN 5 was never appended (last is 0)")) {
            try await log.waitUntilDurable(5)
        }
        try await log.waitUntilDurable(0)  // nothing to wait for
        try await log.flush()  // nothing appended: returns
        await log.close()
    }

    @Test func waitingAfterCloseFailsWithClosed() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        let lsn = log.append(record(1))  // never started: never written
        let waiter = Task { () -> WALError? in
            do throws(WALError) { try await log.waitUntilDurable(lsn) } catch { return error }
            return nil
        }
        #expect(await eventually { log.lastAppendedLSN == 1 })
        await log.close()
        #expect(await waiter.value == .closed)
        await #expect(throws: WALError.closed) { try await log.waitUntilDurable(lsn) }
    }

    @Test func errorsDescribeThemselves() {
        #expect(WALError.corruption(segment: "/d/wal/x.wal", offset: 72, reason: "bad").description
            == "WAL corruption in /d/wal/x.wal at byte 72: bad")
        #expect(WALError.writeFailed(operation: "fdatasync", errno: 28).description.contains("No space left on device"))
        #expect(WALError.locked(path: "/d/LOCK").description.contains("/d/LOCK"))
        #expect(WALError.closed.description == "WAL is closed")
    }
}
