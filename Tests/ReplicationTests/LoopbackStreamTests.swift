import Foundation
import Locking
import NIOPosix
import Testing
import WAL
@testable import Replication

/// The replication endpoints over real sockets and real logs: a write is answered only once a
/// follower holds it, the follower's log is the leader's, a wrong secret is refused, and a leader
/// without followers degrades after SYNC_TIMEOUT.
@Suite(.timeLimit(.minutes(2))) struct LoopbackStreamTests {
    let secret = Array("loopback-replication-secret-0123456789abcdef".utf8)

    func directory() -> String {
        let path = NSTemporaryDirectory() + "authd-repl-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func record(_ n: Int) -> [UInt8] { Array("record-\(n)-".utf8) + [UInt8](repeating: UInt8(n % 251), count: 100) }

    func leader(_ log: WriteAheadLog, _ dir: String, syncTimeout: UInt64 = 5_000_000_000,
                events: @escaping @Sendable (ReplicationEvent) -> Void = { _ in }) throws -> ReplicationLeader {
        let configuration = LeaderConfiguration(
            host: "127.0.0.1", port: 0, node: "leader", httpURL: "http://127.0.0.1:1", term: 1, terms: TermHistory(),
            secret: secret, syncReplicas: 1, strict: false, syncTimeout: syncTimeout)
        // The shared pool: a pool per test, never shut down, is what LeakSanitizer reported here.
        return try ReplicationLeader(configuration: configuration, log: log, directory: dir,
                                     group: MultiThreadedEventLoopGroup.singleton, threadPool: .singleton, events: events)
    }

    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }

    @Test func aWriteIsAnsweredOnlyOnceTheFollowerHoldsIt() async throws {
        let leaderDir = directory(), followerDir = directory()
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        let leaderLog = try WriteAheadLog(configuration: WALConfiguration(directory: leaderDir, segmentSize: 16 << 10, preallocate: false))
        leaderLog.start()
        // A long SYNC_TIMEOUT: this test asserts the synchronous rule, so a follower slowed past the
        // default 5 s (a loaded machine, a sanitizer build) must not switch the leader to degraded mode.
        let endpoint = try leader(leaderLog, leaderDir, syncTimeout: 60_000_000_000)
        let address = try await endpoint.start()

        // With no follower yet, a write waits (synchronous mode, before SYNC_TIMEOUT).
        let early = leaderLog.append(record(1))
        let answered = LockedValue(false)
        leaderLog.whenDurable(early) { _ in answered.withLock { $0 = true } }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(!answered.withLock { $0 })

        let followerLog = try WriteAheadLog(configuration: WALConfiguration(directory: followerDir, segmentSize: 8 << 10, preallocate: false))
        followerLog.start()
        let applied = LockedValue<[WALRecord]>([])
        let follower = ReplicationFollower(
            configuration: FollowerConfiguration(leaderHost: "127.0.0.1", leaderPort: address.port!, node: "follower", secret: secret),
            log: followerLog, directory: followerDir, terms: try TermStore(dataDirectory: followerDir),
            group: MultiThreadedEventLoopGroup.singleton, appliedLSN: 0,
            apply: { records in applied.withLock { $0 += records }; return records.last?.lsn ?? 0 }, events: { _ in })
        follower.start()
        #expect(await eventually { answered.withLock { $0 } })
        for i in 2...60 { try await leaderLog.waitUntilDurable(leaderLog.append(record(i))) }
        #expect(await eventually { follower.appliedLSN == 60 })
        #expect(followerLog.syncedLSN >= 60)
        let status = endpoint.status()
        #expect(status.followers.map(\.name) == ["follower"])
        #expect(status.followers.first?.acknowledgedLSN ?? 0 >= 60)
        #expect(applied.withLock { $0.map(\.lsn) } == Array(1...60))

        await follower.stop()
        await endpoint.stop()
        await followerLog.close()
        await leaderLog.close()
        var leaderRecords: [WALRecord] = []
        try WALReader(directory: leaderDir).forEachRecord(after: 0) { leaderRecords.append($0) }
        var followerRecords: [WALRecord] = []
        try WALReader(directory: followerDir).forEachRecord(after: 0) { followerRecords.append($0) }
        #expect(followerRecords == leaderRecords)
        #expect(try WALVerifier.verify(directory: followerDir).problems.isEmpty)
    }

    @Test func aWrongSecretIsRefusedAndTheLeaderDegrades() async throws {
        let leaderDir = directory(), followerDir = directory()
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        let leaderLog = try WriteAheadLog(configuration: WALConfiguration(directory: leaderDir, preallocate: false))
        leaderLog.start()
        let seen = LockedValue<[ReplicationEvent]>([])
        let endpoint = try leader(leaderLog, leaderDir, syncTimeout: 300_000_000) { event in seen.withLock { $0.append(event) } }
        let address = try await endpoint.start()
        let followerLog = try WriteAheadLog(configuration: WALConfiguration(directory: followerDir, preallocate: false))
        followerLog.start()
        let followerEvents = LockedValue<[ReplicationEvent]>([])
        let follower = ReplicationFollower(
            configuration: FollowerConfiguration(leaderHost: "127.0.0.1", leaderPort: address.port!, node: "impostor",
                                                 secret: Array("a-different-replication-secret-0123456789".utf8)),
            log: followerLog, directory: followerDir, terms: try TermStore(dataDirectory: followerDir),
            group: MultiThreadedEventLoopGroup.singleton, appliedLSN: 0, apply: { $0.last?.lsn ?? 0 },
            events: { event in followerEvents.withLock { $0.append(event) } })
        follower.start()
        // The follower checks the leader's proof first: the impostor never sees a frame.
        #expect(await eventually { followerEvents.withLock { $0.contains { if case .refused = $0 { true } else { false } } } })
        #expect(!follower.status().streaming)
        // No follower acknowledges: after SYNC_TIMEOUT the leader answers on its own durability.
        try await leaderLog.waitUntilDurable(leaderLog.append(record(1)))
        #expect(seen.withLock { $0.contains(.enteredDegraded) })
        #expect(endpoint.status().modeName == "degraded")
        #expect(followerLog.lastAppendedLSN == 0)
        await follower.stop()
        await endpoint.stop()
        await followerLog.close()
        await leaderLog.close()
    }
}
