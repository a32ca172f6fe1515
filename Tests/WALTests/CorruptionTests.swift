import Glibc
import Testing
import WAL

@Suite struct CorruptionTests {
    func writeLog(_ dir: TestDirectory, frames count: Int, segmentSize: Int = 1 << 20) async throws {
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: segmentSize))
        log.start()
        for i in 1...count {
            try await log.waitUntilDurable(log.append(randomBytes(300, seed: UInt64(i))))
        }
        await log.close()
    }

    @Test func bitFlipInAMiddleFrameFailsOpenAndRepairCutsThere() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeLog(dir, frames: 5)
        let found = try frames(dir)
        let segment = dir.segments()[0]
        var bytes = Files.read(segment)
        let damaged = found[2].offset
        bytes[damaged + 100] ^= 0x10
        Files.write(segment, bytes)

        #expect(throws: WALError.corruption(segment: segment, offset: damaged, reason: "frame checksum mismatch (valid frames follow)")) {
            _ = try WriteAheadLog(configuration: dir.configuration())
        }
        // Opening failed cleanly: the lock was released and nothing was cut.
        #expect(Files.read(segment) == bytes)
        #expect(!Files.exists(segment + ".broken"))

        let verification = try WALVerifier.verify(directory: dir.path)
        #expect(!verification.isHealthy)
        let problem = try #require(verification.problems.first)
        #expect(problem.kind == .corruption)
        #expect(problem.segment == segment)
        #expect(problem.offset == damaged)

        let repair = try WALRepair.repair(directory: dir.path)
        #expect(repair.problem?.offset == damaged)
        #expect(repair.copyPath == segment + ".broken")
        #expect(repair.lastLSN == 2)
        #expect(Files.read(segment + ".broken") == Array(bytes[damaged...]))

        let records = try await replayAll(dir.configuration())
        #expect(records.map(\.lsn) == [1, 2])
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
        // Repairing a healthy log does nothing.
        #expect(try WALRepair.repair(directory: dir.path).problem == nil)
    }

    @Test func damageInANonLastSegmentFailsOpen() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeLog(dir, frames: 30, segmentSize: 4096)
        let segments = dir.segments()
        #expect(segments.count >= 3)
        // Truncating the end of the first segment is not a torn tail: later segments exist.
        let first = segments[0]
        let bytes = Files.read(first)
        Files.write(first, Array(bytes.dropLast(10)))
        do {
            _ = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
            Issue.record("open should fail")
        } catch {
            guard case .corruption(let segment, let offset, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(segment == first)
            #expect(offset > 0 && offset < bytes.count)
        }
        // Repair cuts the first segment and moves the later ones aside.
        let repair = try WALRepair.repair(directory: dir.path)
        #expect(repair.problem?.segment == first)
        #expect(repair.movedSegments.count == segments.count - 1)
        #expect(repair.movedSegments.allSatisfy { $0.to.hasSuffix(".broken") })
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        #expect(log.lastAppendedLSN == repair.lastLSN)
        #expect(log.lastAppendedLSN > 0)
        await log.close()
    }

    @Test func missingMiddleSegmentIsAnLSNGap() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeLog(dir, frames: 30, segmentSize: 4096)
        let segments = dir.segments()
        try #require(segments.count >= 3)
        Files.write(segments[1] + ".moved", Files.read(segments[1]))
        _ = unlink(segments[1])
        do {
            _ = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
            Issue.record("open should fail")
        } catch {
            guard case .corruption(let segment, let offset, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(segment == segments[2])
            #expect(offset == 0)
            #expect(reason.contains("LSN"))
        }
    }

    @Test func segmentHeaderDamageInTheMiddleFailsOpen() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeLog(dir, frames: 30, segmentSize: 4096)
        let segments = dir.segments()
        var bytes = Files.read(segments[1])
        bytes[10] ^= 1
        Files.write(segments[1], bytes)
        #expect(throws: WALError.corruption(segment: segments[1], offset: 0, reason: "segment header checksum mismatch")) {
            _ = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        }
        let verification = try WALVerifier.verify(directory: dir.path)
        #expect(verification.problems.contains { $0.segment == segments[1] && $0.offset == 0 })
    }

    @Test func readerStopsAtDamageAndReportsIt() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeLog(dir, frames: 4)
        let segment = dir.segments()[0]
        var bytes = Files.read(segment)
        let found = try frames(dir)
        bytes[found[1].offset + 60] ^= 0xFF
        Files.write(segment, bytes)
        var lsns: [UInt64] = []
        let problems = try WALReader(directory: dir.path).forEachRecord(after: 0) { lsns.append($0.lsn) }
        #expect(lsns == [1])
        #expect(problems.first?.offset == found[1].offset)
    }
}
