import Glibc
import Testing
import WAL

@Suite struct SnapshotTests {
    /// A few MB of state-like bytes: partly repetitive, partly random.
    func payload(_ size: Int, seed: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        var i = 0
        while out.count < size {
            out += Array("{\"user\":\(i),\"email\":\"u\(i)@example.com\",\"h\":\"".utf8)
            out += randomBytes(16, seed: seed &+ UInt64(i))
            i += 1
        }
        return Array(out.prefix(size))
    }

    @Test func writeLoadRoundTripOfAMultiMegabytePayload() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let store = SnapshotStore(directory: dir.path)
        #expect(try store.loadLatest() == nil)
        #expect(try store.list().isEmpty)
        let data = payload(9 << 20, seed: 1)  // three chunks
        let info = try store.write(lsn: 1234, timestamp: 1_700_000_000_000, payload: data)
        #expect(info.path == dir.path + "/snapshots/snapshot-00000000000000001234.snap")
        #expect(info.fileSize < data.count)  // compressed
        let loaded = try #require(try store.loadLatest())
        #expect(loaded.info.lsn == 1234)
        #expect(loaded.info.timestamp == 1_700_000_000_000)
        #expect(loaded.payload == data)
        #expect(loaded.skipped.isEmpty)
        #expect(try store.list().map(\.lsn) == [1234])
        #expect(try store.load(path: info.path).payload == data)
        // Empty payloads are valid snapshots too.
        try store.write(lsn: 1235, timestamp: 1, payload: [])
        #expect(try store.loadLatest()?.payload == [])
    }

    @Test func corruptNewestFallsBackToOlderAndReportsIt() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let store = SnapshotStore(directory: dir.path)
        let old = payload(1 << 20, seed: 2)
        try store.write(lsn: 10, timestamp: 1, payload: old)
        let newest = try store.write(lsn: 20, timestamp: 2, payload: payload(1 << 20, seed: 3))
        var bytes = Files.read(newest.path)
        bytes[bytes.count / 2] ^= 0x40
        Files.write(newest.path, bytes)
        let loaded = try #require(try store.loadLatest())
        #expect(loaded.info.lsn == 10)
        #expect(loaded.payload == old)
        #expect(loaded.skipped.map(\.path) == [newest.path])
        #expect(loaded.skipped[0].reason.contains("checksum"))
        #expect(throws: WALError.self) { _ = try store.load(path: newest.path) }
        let verification = try WALVerifier.verify(directory: dir.path)
        #expect(!verification.isHealthy)
        #expect(verification.snapshots.first { $0.lsn == 20 }?.problem != nil)
    }

    @Test func everyKindOfSnapshotDamageIsDetected() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let store = SnapshotStore(directory: dir.path)
        let info = try store.write(lsn: 5, timestamp: 1, payload: payload(100_000, seed: 4))
        let good = Files.read(info.path)
        let damages: [(String, [UInt8])] = [
            ("truncated", Array(good.dropLast(1))),
            ("short", Array(good.prefix(10))),
            ("header", { var b = good; b[9] ^= 1; return b }()),
            ("magic", { var b = good; b[0] = 0; return b }()),
        ]
        for (name, bytes) in damages {
            Files.write(info.path, bytes)
            do {
                _ = try store.load(path: info.path)
                Issue.record("\(name) not detected")
            } catch {
                guard case .snapshotCorrupt(let path, _) = error else {
                    Issue.record("\(name): unexpected \(error)")
                    continue
                }
                #expect(path == info.path)
            }
        }
        // Only corrupt snapshots: loadLatest refuses rather than starting from nothing.
        #expect(throws: WALError.self) { _ = try store.loadLatest() }
        // A file renamed to another LSN is refused.
        Files.write(info.path, good)
        let renamed = dir.path + "/snapshots/snapshot-00000000000000000006.snap"
        Files.write(renamed, good)
        #expect(throws: WALError.snapshotCorrupt(path: renamed, reason: "file name says LSN 6, header says 5")) {
            _ = try store.load(path: renamed)
        }
        #expect(throws: WALError.io(operation: "read", path: dir.path + "/nope.snap", errno: ENOENT)) {
            _ = try store.load(path: dir.path + "/nope.snap")
        }
    }

    @Test func pruneKeepsTheNewestK() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let store = SnapshotStore(directory: dir.path)
        for lsn in [5, 50, 500, 5000] as [UInt64] {
            try store.write(lsn: lsn, timestamp: Int64(lsn), payload: payload(10_000, seed: lsn))
        }
        Files.write(dir.path + "/snapshots/snapshot-00000000000000009999.snap.tmp", [1, 2, 3])
        let pruned = try store.prune(keep: 2)
        #expect(pruned.removed.count == 3)
        #expect(pruned.kept.map(\.lsn) == [500, 5000])
        #expect(try store.list().map(\.lsn) == [500, 5000])
        #expect(!Files.exists(dir.path + "/snapshots/snapshot-00000000000000009999.snap.tmp"))
        #expect(throws: WALError.invalidArgument("prune must keep at least one snapshot")) {
            try store.prune(keep: 0)
        }
    }

    @Test func failedSnapshotWriteLeavesNothingBehind() throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let faults = FaultInjector()
        let store = SnapshotStore(directory: dir.path, fileSystem: faults.fileSystem)
        faults.failNext(.fsync, errno: EIO)
        let temp = dir.path + "/snapshots/snapshot-00000000000000000007.snap.tmp"
        #expect(throws: WALError.io(operation: "write", path: temp, errno: EIO)) {
            try store.write(lsn: 7, timestamp: 1, payload: payload(1000, seed: 7))
        }
        faults.failNext(.rename, errno: ENOSPC)
        #expect(throws: WALError.io(operation: "rename", path: temp, errno: ENOSPC)) {
            try store.write(lsn: 7, timestamp: 1, payload: payload(1000, seed: 7))
        }
        #expect(try store.list().isEmpty)
        #expect(!Files.exists(temp))
        try store.write(lsn: 7, timestamp: 1, payload: payload(1000, seed: 7))
        #expect(try store.list().map(\.lsn) == [7])
    }

    @Test func removeSegmentsDeletesOnlyCoveredSegments() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(segmentSize: 4096)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        for i in 1...60 { _ = log.append(randomBytes(300, seed: UInt64(i))); try await log.flush() }
        let before = dir.segments()
        #expect(before.count >= 5)
        let firstLSNs = before.map { UInt64($0.split(separator: "/").last!.prefix(20))! }
        // Cover everything up to just before the start of the 4th segment.
        let covered = firstLSNs[3] - 1
        let removed = try log.removeSegments(coveredBy: covered, retainSegments: 1)
        #expect(removed == Array(before[0..<2]))  // segments 1-3 are covered, one retained
        #expect(dir.segments() == Array(before[2...]))
        // A covered LSN in the middle of a segment keeps that segment.
        #expect(try log.removeSegments(coveredBy: firstLSNs[3] + 1, retainSegments: 0) == [before[2]])
        // The segment being written is never removed.
        let current = try #require(dir.segments().last)
        _ = try log.removeSegments(coveredBy: 1_000_000, retainSegments: 0)
        #expect(dir.segments() == [current])
        let lsn = log.append(record(61))
        try await log.waitUntilDurable(lsn)
        await log.close()
        let start = UInt64(current.split(separator: "/").last!.prefix(20))!
        let records = try await replayAll(config, after: start - 1)
        #expect(records.map(\.lsn) == Array(start...61))
    }
}

@Suite struct RestoreTests {
    @Test func logRestoredFromASnapshotAloneContinuesAfterIt() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        try SnapshotStore(directory: dir.path).write(lsn: 41, timestamp: 1, payload: [1])
        let log = try WriteAheadLog(configuration: dir.configuration())
        #expect(log.lastAppendedLSN == 41)
        log.start()
        let lsn = log.append(record(42))
        #expect(lsn == 42)
        try await log.waitUntilDurable(lsn)
        await log.close()
        #expect(try await replayAll(dir.configuration(), after: 41).map(\.lsn) == [42])
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
    }

    @Test func verifyFlagsASnapshotAheadOfTheLog() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        try await log.waitUntilDurable(log.append(record(1)))
        await log.close()
        try SnapshotStore(directory: dir.path).write(lsn: 50, timestamp: 1, payload: [1])
        let report = try WALVerifier.verify(directory: dir.path)
        #expect(!report.isHealthy)
        #expect(report.otherProblems.contains { $0.contains("ahead of the end of the log") })
    }
}
