import Foundation
import Testing
import WAL
@testable import Engine

/// Start-up and the read-only tools must never return a state other than the acknowledged one
/// without saying so: each test reproduces a way records used to be lost or a later state
/// returned silently.
@Suite struct RecoveryRefusalTests {
    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "authd-recovery-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    private func configuration(_ directory: String, segmentSize: Int = 64 << 10,
                               durability: Durability = .always) -> EngineConfiguration {
        var c = testConfiguration(shards: 3)
        c.dataDirectory = directory
        c.durability = durability
        c.snapshotEveryBytes = 0
        c.snapshotKeep = 2
        c.walSegmentSize = segmentSize
        return c
    }

    /// Registers users `range` (one record each: user n is at LSN n when the log started empty).
    private func register(_ engine: AuthEngine, _ range: ClosedRange<Int>) async throws {
        for i in range { try await engine.registerUser("u\(i)@example.com") }
    }

    private func frames(_ dir: String) throws -> [WALReader.FrameInfo] {
        var out: [WALReader.FrameInfo] = []
        try WALReader(directory: dir).forEachFrame(after: 0) { info, _ in out.append(info) }
        return out
    }

    /// Flips one payload byte of the frame holding `lsn`.
    private func damageFrame(holding lsn: UInt64, in dir: String) throws {
        let frame = try #require(try frames(dir).first { $0.firstLSN <= lsn && lsn < $0.firstLSN + UInt64($0.recordCount) })
        var bytes = [UInt8](FileManager.default.contents(atPath: frame.segment)!)
        bytes[frame.offset + 40] ^= 0x5A
        FileManager.default.createFile(atPath: frame.segment, contents: Data(bytes))
    }

    @Test func logCutBelowTheSnapshotStartsOverAfterIt() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            try await register(engine, 1...30)
            _ = try await engine.snapshot()
            try await register(engine, 31...40)
            await engine.shutdown()

            // The documented remedy for damage: `wal repair` cuts the log at a frame below the
            // snapshot. Everything the snapshot holds must stay; new records must not reuse its LSNs.
            try damageFrame(holding: 25, in: dir)
            let repair = try WALRepair.repair(directory: dir)
            #expect(repair.lastLSN == 24)

            let reopened = try await AuthEngine.open(configuration(dir))
            let restart = try #require(reopened.recoverySummary?.logRestart)
            #expect(restart.logEndLSN == 24)
            #expect(restart.snapshotLSN >= 30)
            #expect(await reopened.statistics().users == 30)
            try await register(reopened, 41...50)
            await reopened.shutdown()

            let again = try await AuthEngine.open(configuration(dir))
            #expect(again.recoverySummary?.logRestart == nil)
            #expect(await again.statistics().users == 40)
            for i in [1, 30, 41, 50] { _ = try await again.loginUser("u\(i)@example.com") }
            await again.shutdown()
            let verified = try WALVerifier.verify(directory: dir)
            #expect(verified.problems.isEmpty)
            #expect(verified.otherProblems.isEmpty)
        }
    }

    @Test func aFollowerWhoseLogIsBehindItsSnapshotRefusesToStartItOver() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            try await register(engine, 1...30)
            _ = try await engine.snapshot()
            await engine.shutdown()
            try damageFrame(holding: 25, in: dir)
            #expect(try WALRepair.repair(directory: dir).lastLSN == 24)

            // A follower's log is its leader's: starting it over would break the shared chain.
            var following = configuration(dir)
            following.startsFollowing = true
            await #expect {
                _ = try await AuthEngine.open(following)
            } throws: { error in
                guard case EngineOpenError.followerLogBehindSnapshot(let end, let lsn)? = error as? EngineOpenError else { return false }
                return end == 24 && lsn >= 30
            }
            // Nothing was moved: the same directory still opens as a single node (which starts over).
            let single = try await AuthEngine.open(configuration(dir))
            #expect(single.recoverySummary?.logRestart?.logEndLSN == 24)
            #expect(await single.statistics().users == 30)
            await single.shutdown()
        }
    }

    @Test func snapshotInIntervalModeClaimsOnlySyncedRecords() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir, durability: .interval(milliseconds: 600_000)))
            try await register(engine, 1...5)
            let log = try #require(engine.journal.log)
            _ = try await engine.snapshot()
            let snapshotLSN = try #require(try SnapshotStore(directory: dir).list().last?.lsn)
            #expect(snapshotLSN == 5)
            #expect(log.syncedLSN >= snapshotLSN)
            await engine.shutdown()
        }
    }

    @Test func missingFirstSegmentRefusesToOpen() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir, segmentSize: 4096))
            try await register(engine, 1...40)
            await engine.shutdown()
            let wal = dir + "/wal"
            let segments = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.hasSuffix(".wal") }.sorted()
            #expect(segments.count >= 3)
            try FileManager.default.removeItem(atPath: wal + "/" + segments[0])
            do {
                _ = try await AuthEngine.open(configuration(dir, segmentSize: 4096))
                Issue.record("opened a log whose first segment is missing")
            } catch {
                guard case EngineOpenError.storage(.missingRecords(let from, _, _))? = error as? EngineOpenError else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(from == 1)
            }
            // inspect and restore refuse the same directory.
            #expect(throws: EngineOpenError.self) { _ = try EngineRecovery.read(dataDirectory: dir) }
        }
    }

    @Test func readUntilStartsFromTheNewestSnapshotAtOrBeforeTheBound() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            try await register(engine, 1...10)
            _ = try await engine.snapshot()
            try await register(engine, 11...20)
            _ = try await engine.snapshot()
            try await register(engine, 21...30)
            await engine.shutdown()
            #expect(try SnapshotStore(directory: dir).list().map(\.lsn) == [10, 20])

            let at15 = try EngineRecovery.read(dataDirectory: dir, until: .lsn(15))
            #expect(at15.counts.users == 15)
            #expect(at15.summary.lastLSN == 15)
            #expect(at15.summary.snapshotLSN == 10)
            #expect(at15.summary.skippedSnapshots.count == 1)

            let at5 = try EngineRecovery.read(dataDirectory: dir, until: .lsn(5))
            #expect(at5.counts.users == 5)
            #expect(at5.summary.snapshotPath == nil)

            let all = try EngineRecovery.read(dataDirectory: dir)
            #expect(all.counts.users == 30)

            // An explicit snapshot past the bound is refused rather than restored.
            let newest = try #require(try SnapshotStore(directory: dir).list().last?.path)
            #expect(throws: EngineOpenError.self) {
                _ = try EngineRecovery.read(dataDirectory: dir, snapshotPath: newest, until: .lsn(15))
            }
        }
    }

    @Test func readRefusesDamageBeforeTheBound() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            try await register(engine, 1...30)
            await engine.shutdown()
            try damageFrame(holding: 20, in: dir)
            do {
                _ = try EngineRecovery.read(dataDirectory: dir)
                Issue.record("read a damaged log without an error")
            } catch {
                guard case EngineOpenError.storage(.corruption(_, _, let reason))? = error as? EngineOpenError else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(reason.contains("up to LSN 19"))
            }
            #expect(throws: EngineOpenError.self) { _ = try EngineRecovery.read(dataDirectory: dir, until: .lsn(25)) }
            // Up to a bound before the damage, the log is whole: that restore is fine.
            let before = try EngineRecovery.read(dataDirectory: dir, until: .lsn(18))
            #expect(before.counts.users == 18)
        }
    }
}
