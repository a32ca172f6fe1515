import Foundation
import Glibc
import Testing
import WAL

/// Start-up must refuse what it cannot prove (issue: two ways to lose acknowledged writes
/// silently): each test reproduces one way the log used to drop acknowledged records.
@Suite struct StartupRefusalTests {
    /// Writes `count` single-record frames with small segments, so there are several segments.
    func writeSegments(_ dir: TestDirectory, count: Int) async throws {
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        log.start()
        for i in 1...count {
            try await log.waitUntilDurable(log.append(record(i, size: 300)))
        }
        await log.close()
    }

    @Test func damagedHeaderOfTheNewestSegmentWithFramesIsRefused() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeSegments(dir, count: 40)
        let segments = dir.segments()
        #expect(segments.count >= 3)
        let newest = try #require(segments.last)
        var bytes = Files.read(newest)
        let sizeBefore = bytes.count
        bytes[17] ^= 0x01   // inside createdAt: the header checksum no longer matches
        Files.write(newest, bytes)
        #expect {
            _ = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        } throws: { error in
            guard case WALError.corruption(let segment, let offset, let reason)? = error as? WALError else { return false }
            return segment == newest && offset == 0 && reason.contains("checksum")
        }
        // Nothing was cut or moved: the operator still has every byte.
        #expect(Files.read(newest).count == sizeBefore)
        #expect(!dir.walFiles().contains { $0.contains(".broken") })
        // The verifier names the same damage.
        let report = try WALVerifier.verify(directory: dir.path)
        #expect(report.problems.contains { $0.kind == .corruption && $0.segment == newest && $0.offset == 0 })
    }

    @Test func damagedHeaderWithNothingAfterItIsCut() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeSegments(dir, count: 3)
        let last = try await replayAll(dir.configuration(segmentSize: 4096)).last?.lsn ?? 0
        // A crash while the next segment's header was being written: garbage header, zeros after.
        let next = dir.walDirectory + "/" + String(format: "%020llu.wal", last + 1)
        Files.write(next, [0x57, 0x4C, 0x53, 0x47, 9, 9, 9] + [UInt8](repeating: 0, count: 8192))
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        let cut = try #require(log.recoveryReport.cut)
        #expect(cut.segment == next)
        #expect(cut.offset == 0)
        #expect(cut.lastKeptLSN == last)
        #expect(log.lastAppendedLSN == last)
        await log.close()
    }

    @Test func replayRefusesAGapBeforeTheFirstSegment() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeSegments(dir, count: 40)
        let first = try #require(dir.segments().first)
        let second = try #require(dir.segments().dropFirst().first)
        let secondLSN = UInt64(second.split(separator: "/").last!.dropLast(4))!
        try FileManager.default.removeItem(atPath: first)
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        #expect(throws: WALError.missingRecords(
            from: 1, through: secondLSN - 1,
            reason: "the log starts at LSN \(secondLSN) (\(second.split(separator: "/").last!)) and there is no snapshot")
        ) {
            try log.replay(after: 0) { _ in }
        }
        // After a snapshot that covers the missing part, the same log replays.
        var lsns: [UInt64] = []
        try log.replay(after: secondLSN - 1) { lsns.append($0.lsn) }
        #expect(lsns.first == secondLSN)
        #expect(lsns.last == 40)
        await log.close()
        // The read-only reader refuses the same way when asked for continuity.
        #expect(throws: WALError.self) {
            try WALReader(directory: dir.path).forEachRecord(after: 0, continuous: true) { _ in }
        }
    }

    @Test func supersedeStartsTheLogOverAfterASnapshot() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeSegments(dir, count: 5)
        let old = dir.segments()
        try SnapshotStore(directory: dir.path).write(lsn: 100, timestamp: 1, payload: [1, 2, 3])
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        #expect(log.lastAppendedLSN == 5)
        #expect(throws: WALError.self) { try log.supersede(through: 4) }   // would drop LSN 5
        let moved = try log.supersede(through: 100)
        #expect(moved == old.map { $0 + ".superseded" })
        #expect(log.recoveryReport.superseded == moved)
        #expect(log.lastAppendedLSN == 100)
        log.start()
        #expect(throws: WALError.self) { try log.supersede(through: 200) }   // only before start()
        let lsn = log.append(record(101))
        #expect(lsn == 101)
        try await log.waitUntilDurable(lsn)
        await log.close()
        #expect(try await replayAll(dir.configuration(segmentSize: 4096), after: 100).map(\.lsn) == [101])
        let report = try WALVerifier.verify(directory: dir.path)
        #expect(report.problems.isEmpty)
        #expect(report.otherProblems.isEmpty)
    }

    @Test func preallocationNeverSyncsWhileFramesAreUnsynced() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(
            segmentSize: 8 << 20, durability: .interval(milliseconds: 600_000), fileSystem: faults.fileSystem,
            preallocate: true)
        let log = try WriteAheadLog(configuration: config)
        // Appended before the writer starts, so the first thing it does is write this frame.
        let lsn = log.append(record(1))
        log.start()
        try await log.waitUntilDurable(lsn)   // written, not synced (interval mode)
        let syncsAfterWrite = faults.calls(.fdatasync)
        try await Task.sleep(nanoseconds: 300_000_000)
        // The writer was idle with an unsynced frame: pre-filling now would make its sync the one
        // that covers the frame, and a failure there used to be swallowed.
        #expect(log.statistics.preallocatedBytes == 0)
        #expect(faults.calls(.fdatasync) == syncsAfterWrite)
        #expect(log.syncedLSN < lsn)
        try await log.waitUntilSynced(lsn)
        #expect(log.syncedLSN >= lsn)
        // Once nothing is unsynced, pre-filling resumes.
        #expect(await eventually { log.statistics.preallocatedBytes > 0 })
        await log.close()
    }

    @Test func failedPreallocationSyncIsCountedAndHarmless() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = dir.configuration(segmentSize: 8 << 20, fileSystem: faults.fileSystem, preallocate: true)
        let log = try WriteAheadLog(configuration: config)
        faults.failNext(.fdatasync, errno: EIO)   // the first pre-fill step's sync
        log.start()
        #expect(await eventually { log.statistics.prefillFailures == 1 })
        #expect(log.isWritable)
        let lsn = log.append(record(1))
        try await log.waitUntilDurable(lsn)
        await log.close()
        #expect(try await replayAll(config).map(\.lsn) == [1])
    }

    @Test func pruneMovesCorruptSnapshotsAsideAndKeepsTheGoodOnes() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let store = SnapshotStore(directory: dir.path)
        for lsn in [10, 20, 30] as [UInt64] {
            try store.write(lsn: lsn, timestamp: Int64(lsn), payload: randomBytes(5000, seed: lsn))
        }
        let newest = dir.path + "/snapshots/snapshot-00000000000000000030.snap"
        var bytes = Files.read(newest)
        bytes[bytes.count - 10] ^= 0xFF
        Files.write(newest, bytes)
        let pruned = try store.prune(keep: 2)
        #expect(pruned.kept.map(\.lsn) == [10, 20])
        #expect(pruned.quarantined == [newest + ".corrupt"])
        #expect(pruned.removed.isEmpty)
        #expect(Files.exists(newest + ".corrupt"))
        #expect(try store.loadLatest()?.info.lsn == 20)
    }

    @Test func dataDirectoryBecomesOwnerOnly() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try await writeSegments(dir, count: 3)
        try SnapshotStore(directory: dir.path).write(lsn: 3, timestamp: 1, payload: [1])
        // Files made fresh are owner-only.
        for path in dir.segments() + [dir.path + "/snapshots/snapshot-00000000000000000003.snap", dir.path + "/LOCK"] {
            #expect(mode(path) & 0o077 == 0, "\(path)")
        }
        for path in [dir.path, dir.walDirectory, dir.path + "/snapshots"] {
            #expect(mode(path) & 0o077 == 0, "\(path)")
        }
        // A directory others can read (a mounted volume, an older version) is repaired at open.
        chmod(dir.path, 0o755)
        chmod(dir.walDirectory, 0o755)
        chmod(try #require(dir.segments().first), 0o644)
        chmod(dir.path + "/snapshots/snapshot-00000000000000000003.snap", 0o644)
        let log = try WriteAheadLog(configuration: dir.configuration(segmentSize: 4096))
        let changes = log.recoveryReport.permissionChanges
        #expect(changes.count == 4)
        #expect(changes.contains("\(dir.path): 0755 -> 0700"))
        await log.close()
        for path in [dir.path, dir.walDirectory, try #require(dir.segments().first)] {
            #expect(mode(path) & 0o077 == 0, "\(path)")
        }
    }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = stat(path, &info)
        return info.st_mode & 0o7777
    }
}
