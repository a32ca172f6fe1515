import Foundation
import Locking
import NIOPosix
import Testing
import WAL
@testable import Replication

/// A follower older than the leader's retained log: at start-up it receives the leader's newest
/// snapshot, installs it, takes the frames after it until its log holds everything the snapshot
/// reflects, and then follows like any other follower; its log verifies and holds the leader's
/// frames from the snapshot on.
@Suite(.timeLimit(.minutes(2))) struct SnapshotCatchUpTests {
    let secret = Array("snapshot-catch-up-secret-0123456789abcdef".utf8)

    func directory() -> String {
        let path = NSTemporaryDirectory() + "authd-snapcatch-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func record(_ n: Int) -> [UInt8] { Array("record-\(n)-".utf8) + [UInt8](repeating: UInt8(n % 251), count: 200) }

    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }

    func records(_ dir: String) throws -> [WALRecord] {
        var out: [WALRecord] = []
        try WALReader(directory: dir).forEachRecord(after: 0) { out.append($0) }
        return out
    }

    @Test func aFollowerTooFarBehindInstallsTheSnapshotThenFollows() async throws {
        let leaderDir = directory(), followerDir = directory()
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        let leaderLog = try WriteAheadLog(configuration: WALConfiguration(directory: leaderDir, segmentSize: 8 << 10, preallocate: false))
        leaderLog.start()
        for i in 1...200 { try await leaderLog.waitUntilDurable(leaderLog.append(record(i))) }
        // A snapshot whose parts reflect up to 150 (oldest) and 180 (newest), then the segments
        // it covers are removed: LSN 1 is gone from the leader's log.
        let payload = Array("snapshot payload".utf8) + [UInt8](repeating: 7, count: 50_000)
        try SnapshotStore(directory: leaderDir).write(lsn: 150, highLSN: 180, timestamp: 1, payload: payload)
        #expect(!(try leaderLog.removeSegments(coveredBy: 150, retainSegments: 0)).isEmpty)
        let oldest = try #require(try WALReader(directory: leaderDir).segmentFirstLSNs().first)
        #expect(oldest > 1)

        let configuration = LeaderConfiguration(
            host: "127.0.0.1", port: 0, node: "leader", httpURL: "http://127.0.0.1:1", term: 1, terms: TermHistory(),
            secret: secret, syncReplicas: 1, strict: false, syncTimeout: 5_000_000_000)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let leaderEvents = LockedValue<[ReplicationEvent]>([])
        let endpoint = try ReplicationLeader(configuration: configuration, log: leaderLog, directory: leaderDir,
                                             group: MultiThreadedEventLoopGroup.singleton, threadPool: pool,
                                             events: { event in leaderEvents.withLock { $0.append(event) } })
        let address = try await endpoint.start()

        let followerConfiguration = FollowerConfiguration(leaderHost: "127.0.0.1", leaderPort: address.port!, node: "new", secret: secret)
        let terms = try TermStore(dataDirectory: followerDir)
        let followerEvents = LockedValue<[ReplicationEvent]>([])
        let result = await ReplicationFollower.bootstrap(
            configuration: followerConfiguration, directory: followerDir, terms: terms, group: MultiThreadedEventLoopGroup.singleton,
            events: { event in followerEvents.withLock { $0.append(event) } })
        guard case .ready = result else {
            Issue.record("bootstrap ended with \(result)")
            return
        }
        #expect(followerEvents.withLock { $0.contains { if case .snapshotInstalled(150, _, 180) = $0 { true } else { false } } })
        #expect(leaderEvents.withLock { $0.contains { if case .snapshotSent("new", 150, _) = $0 { true } else { false } } })
        #expect(endpoint.status().snapshotsShipped == 1)

        // The snapshot is the leader's, byte for byte; the install is no longer pending.
        let installed = try SnapshotStore(directory: followerDir).loadLatest()
        #expect(installed?.info.lsn == 150)
        #expect(installed?.info.highLSN == 180)
        #expect(installed?.payload == payload)
        #expect(SnapshotInstaller(directory: followerDir).pendingTarget() == nil)
        #expect(!FileManager.default.fileExists(atPath: followerDir + "/replication/incoming.snap"))

        // The log starts at the leader's next frame after the snapshot and holds at least up to
        // what the snapshot reflects, each record the leader's.
        let followerRecords = try records(followerDir)
        let first = try #require(followerRecords.first?.lsn)
        #expect(first <= 151 && first >= oldest)
        #expect((followerRecords.last?.lsn ?? 0) >= 180)
        let leaderRecords = try records(leaderDir)
        #expect(followerRecords == Array(leaderRecords.filter { $0.lsn >= first }.prefix(followerRecords.count)))
        #expect(try WALVerifier.verify(directory: followerDir).problems.isEmpty)

        // From there it follows like any follower.
        let followerLog = try WriteAheadLog(configuration: WALConfiguration(directory: followerDir, segmentSize: 8 << 10, preallocate: false))
        followerLog.start()
        let follower = ReplicationFollower(
            configuration: followerConfiguration, log: followerLog, directory: followerDir, terms: terms,
            group: MultiThreadedEventLoopGroup.singleton, appliedLSN: followerLog.lastAppendedLSN,
            apply: { $0.last?.lsn ?? 0 }, events: { _ in })
        follower.start()
        for i in 201...260 { try await leaderLog.waitUntilDurable(leaderLog.append(record(i))) }
        #expect(await eventually { followerLog.syncedLSN >= 260 })
        await follower.stop()
        await endpoint.stop()
        await followerLog.close()
        await leaderLog.close()
        try await pool.shutdownGracefully()
        #expect(try records(followerDir) == leaderRecords.filter { $0.lsn >= first } + (try records(leaderDir)).filter { $0.lsn > 200 })
        #expect(try WALVerifier.verify(directory: followerDir).problems.isEmpty)
    }

    @Test func anUnfinishedInstallKeepsTheEngineClosedUntilTheLogCatchesUp() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let installer = SnapshotInstaller(directory: dir)
        #expect(installer.pendingTarget() == nil)
        try SnapshotStore(directory: dir).write(lsn: 40, highLSN: 55, timestamp: 1, payload: [1, 2, 3])
        try FileManager.default.createDirectory(atPath: dir + "/replication", withIntermediateDirectories: true)
        try Data("snapshot 40\n".utf8).write(to: URL(fileURLWithPath: installer.markerPath))
        // While the marker is there the target is the snapshot's newest LSN.
        #expect(installer.pendingTarget() == 55)
        installer.finish()
        #expect(installer.pendingTarget() == nil)
    }

    @Test func aLogAheadOfTheLeadersNextFrameIsNotThrownAway() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try WriteAheadLog(configuration: WALConfiguration(directory: dir, preallocate: false))
        log.start()
        for i in 1...20 { try await log.waitUntilDurable(log.append(record(i))) }
        await log.close()
        let installation = FollowerSession.SnapshotInstallation(lsn: 12, totalBytes: 3, chainCRC: 0, nextFrameLSN: 10, terms: TermHistory())
        let terms = try TermStore(dataDirectory: dir)
        await #expect(throws: SnapshotInstaller.Failure.self) {
            _ = try await SnapshotInstaller(directory: dir).install(installation, incoming: dir + "/nothing", terms: terms)
        }
        #expect(try records(dir).count == 20)
        #expect(SnapshotInstaller(directory: dir).pendingTarget() == nil)
    }
}
