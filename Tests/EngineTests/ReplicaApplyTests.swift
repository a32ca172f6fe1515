import Foundation
import Locking
import Testing
import WAL
@testable import Engine

/// A follower engine fed with a leader's frames reaches the leader's state, and keeps it across
/// a snapshot and a restart.
@Suite struct ReplicaApplyTests {
    private func configuration(_ directory: String) -> EngineConfiguration {
        var c = testConfiguration(shards: 3)
        c.dataDirectory = directory
        c.snapshotEveryBytes = 0
        c.walSegmentSize = 16 << 10
        return c
    }

    @Test func followerReachesTheLeadersState() async throws {
        let leaderDir = NSTemporaryDirectory() + "authd-leader-\(UUID().uuidString)"
        let followerDir = NSTemporaryDirectory() + "authd-follower-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        let leader = try await AuthEngine.open(configuration(leaderDir))
        let shipped = LockedValue<[WrittenFrames]>([])
        leader.writeAheadLog?.setFrameObserver { frames in shipped.withLock { $0.append(frames) } }
        for i in 0..<30 { try await leader.registerUser("r\(i)@example.com") }
        let a = try await leader.loginUser("r1@example.com")
        let rotated = try await leader.rotate(a.refreshToken)
        let b = try await leader.loginUser("r2@example.com")
        try await leader.revokeSession(accessToken: b.accessToken, sessionID: b.session.id.lowercased)
        let c = try await leader.loginUser("r3@example.com")
        _ = try await leader.rotate(c.refreshToken)
        _ = await authError { try await leader.rotate(c.refreshToken) }   // replay: compromised
        let leaderStats = await leader.statistics()
        await leader.shutdown()

        let follower = try await AuthEngine.open(configuration(followerDir))
        let log = try #require(follower.writeAheadLog)
        var applied: UInt64 = 0
        for frames in shipped.withLock({ $0 }) {
            let lsn = try log.appendFrames(frames.bytes)
            try await log.waitUntilDurable(lsn)
            applied = try await follower.applyReplicated(try frames.records())
        }
        #expect(applied == leaderStats.walAppendedLSN)
        let stats = await follower.statistics()
        #expect(stats.users == leaderStats.users)
        #expect(stats.sessionsActive == leaderStats.sessionsActive)
        #expect(stats.sessionsRevoked == leaderStats.sessionsRevoked)
        #expect(stats.sessionsCompromised == leaderStats.sessionsCompromised)
        // The leader's tokens are valid on the follower (same keys, same sessions).
        _ = try await follower.me(accessToken: rotated.accessToken)
        #expect(await authError { try await follower.me(accessToken: b.accessToken) } == .sessionNotActive)
        // A follower snapshot claims only what it applied; a restart gives the same state.
        _ = try await follower.snapshot()
        await follower.shutdown()
        let reopened = try await AuthEngine.open(configuration(followerDir))
        #expect(await reopened.statistics().users == leaderStats.users)
        _ = try await reopened.me(accessToken: rotated.accessToken)
        await reopened.shutdown()
        let verified = try WALVerifier.verify(directory: followerDir)
        #expect(verified.problems.isEmpty)
    }

    @Test func recordsThatDoNotFitAreRefused() async throws {
        let engine = makeEngine()
        // A session opened for a user this engine never saw.
        let record = EngineRecord.sessionRevoked(userID: UUID(), sessionID: UUID(), at: Timestamp(milliseconds: 1), reason: .userRevoked)
        do {
            try await engine.applyReplicated([WALRecord(lsn: 1, timestamp: 1, bytes: record.encoded())])
            Issue.record("applied a record that does not fit")
        } catch {
            guard case .recordUnreadable(let lsn, _) = error else { Issue.record("\(error)"); return }
            #expect(lsn == 1)
        }
        do {
            try await engine.applyReplicated([WALRecord(lsn: 2, timestamp: 1, bytes: [0x7E, 1, 2])])
            Issue.record("applied bytes that are not a record")
        } catch {
            guard case .recordUnreadable(let lsn, _) = error else { Issue.record("\(error)"); return }
            #expect(lsn == 2)
        }
        // Control records are skipped.
        #expect(try await engine.applyReplicated([WALRecord(lsn: 3, timestamp: 1, bytes: [0xFF, 1])]) == 3)
    }
}
