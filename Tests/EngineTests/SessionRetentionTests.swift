import Foundation
import Locking
import Testing
import WAL
@testable import Engine

/// Ended sessions are kept for the retention, then purged by the sweep through records, so
/// restart, point-in-time restore and followers reach the same state. Time is a ManualClock.
@Suite struct SessionRetentionTests {
    /// Refresh tokens live 1 h; ended sessions are kept 1 day; no periodic sweep (the tests sweep).
    private func configure(_ c: inout EngineConfiguration) {
        c.refreshTokenTTLSeconds = 3_600
        c.sessionRetentionMilliseconds = 86_400_000
        c.sessionSweepIntervalMilliseconds = 0
    }

    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "authd-retention-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    /// On disk, refresh tokens live a week, so sessions outlive the retention unless they are ended.
    private func durable(_ directory: String, shards: Int = 3) -> EngineConfiguration {
        var c = testConfiguration(shards: shards)
        configure(&c)
        c.refreshTokenTTLSeconds = 7 * 86_400
        c.dataDirectory = directory
        c.snapshotEveryBytes = 0
        c.walSegmentSize = 16 << 10
        return c
    }

    /// Every shard's state, in shard order.
    private func states(_ engine: AuthEngine) async -> [ShardState] {
        var out: [ShardState] = []
        for shard in engine.shards { out.append(await shard.capture().0) }
        return out
    }

    @Test func anEndedSessionIsPurgedAfterTheRetentionAndNotBefore() async throws {
        let clock = ManualClock()
        let engine = makeEngine(configure, clock: clock)
        try await engine.registerUser("keep@example.com")
        let kept = try await engine.loginUser("keep@example.com")
        let gone = try await engine.loginUser("keep@example.com")
        try await engine.revokeCurrentSession(refreshToken: .value(gone.refreshToken))

        // One millisecond before the retention has passed: kept (and listed).
        clock.advance(milliseconds: 86_400_000 - 1)
        var report = try await engine.sweepSessions()
        #expect(report.purgedSessions == 0)
        let viewer = try await engine.loginUser("keep@example.com")
        var listed = try await engine.listSessions(accessToken: viewer.accessToken)
        #expect(listed.contains { $0.id == gone.session.id && $0.status == .revoked })

        clock.advance(milliseconds: 1)
        report = try await engine.sweepSessions()
        #expect(report.purgedSessions == 1)
        #expect(report.steps >= engine.shards.count)
        listed = try await engine.listSessions(accessToken: viewer.accessToken)
        #expect(!listed.contains { $0.id == gone.session.id })
        // `kept` expired after an hour: it is retained until a day after that.
        #expect(listed.map(\.id) == [viewer.session.id, kept.session.id])
        #expect(listed.map(\.status) == [.active, .expired])
        let stats = await engine.statistics()
        #expect(stats.sessionsPurged == 1 && stats.sessionsRevoked == 0 && stats.sessionsActive == 1 && stats.sessionsExpired == 1)
        // Gone from the session table and the user's list; a second sweep has nothing to do.
        let shard = engine.shard(forUser: gone.user.id)
        let state = await shard.capture().0
        #expect(state.session(gone.session.id) == nil)
        #expect(state.user(gone.user.id)?.sessionIDs == [kept.session.id, viewer.session.id])
        #expect(try await engine.sweepSessions().purgedSessions == 0)
    }

    @Test func aSessionPastItsRefreshTokenIsExpiredThenPurged() async throws {
        let clock = ManualClock()
        let engine = makeEngine(configure, clock: clock)
        try await engine.registerUser("idle@example.com")
        let idle = try await engine.loginUser("idle@example.com")
        clock.advance(seconds: 3_600)   // the refresh token's lifetime has passed
        #expect(await authError { try await engine.rotate(idle.refreshToken) } == .refreshTokenExpired)
        let other = try await engine.loginUser("idle@example.com")
        let listed = try await engine.listSessions(accessToken: other.accessToken)
        #expect(listed.map(\.status) == [.active, .expired])
        #expect(listed[1].revokedAt == nil && listed[1].revokeReason == nil)
        var stats = await engine.statistics()
        #expect(stats.sessionsActive == 1 && stats.sessionsExpired == 1)
        // An ended session stays as it ended: revoking it changes nothing.
        try await engine.revokeSession(accessToken: other.accessToken, sessionID: idle.session.id.lowercased)
        #expect(try await engine.listSessions(accessToken: other.accessToken)[1].status == .expired)

        clock.advance(milliseconds: 86_400_000 - 1)
        #expect(try await engine.sweepSessions().purgedSessions == 0)
        clock.advance(milliseconds: 1)
        #expect(try await engine.sweepSessions().purgedSessions == 1)
        stats = await engine.statistics()
        // `other` expired an hour after it was opened: it stays a day after that.
        #expect(stats.sessionsPurged == 1 && stats.sessionsExpired == 1 && stats.sessionsResident == 1)
    }

    @Test func theListShowsActiveSessionsFirst() async throws {
        let clock = ManualClock()
        let engine = makeEngine(configure, clock: clock)
        try await engine.registerUser("order@example.com")
        let oldest = try await engine.loginUser("order@example.com")
        clock.advance(seconds: 1)
        let revoked = try await engine.loginUser("order@example.com")
        clock.advance(seconds: 1)
        let newest = try await engine.loginUser("order@example.com")
        try await engine.revokeSession(accessToken: newest.accessToken, sessionID: revoked.session.id.lowercased)
        let listed = try await engine.listSessions(accessToken: oldest.accessToken)
        #expect(listed.map(\.id) == [newest.session.id, oldest.session.id, revoked.session.id])
        #expect(listed.map(\.status) == [.active, .active, .revoked])
        #expect(listed.map(\.isCurrent) == [false, true, false])
    }

    @Test func theSessionCapCountsOnlyLiveSessions() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ configure(&$0); $0.maxSessionsPerUser = 2 }, clock: clock)
        try await engine.registerUser("cap@example.com")
        let expired = [try await engine.loginUser("cap@example.com"), try await engine.loginUser("cap@example.com")]
        clock.advance(seconds: 3_600)
        let a = try await engine.loginUser("cap@example.com")
        let b = try await engine.loginUser("cap@example.com")
        var listed = try await engine.listSessions(accessToken: b.accessToken)
        // Two expired sessions do not push out the two live ones.
        #expect(listed.map(\.status) == [.active, .active, .expired, .expired])
        #expect(listed.allSatisfy { $0.revokeReason == nil })
        let c = try await engine.loginUser("cap@example.com")
        listed = try await engine.listSessions(accessToken: c.accessToken)
        #expect(listed.first { $0.id == a.session.id }?.revokeReason == "session_limit")
        #expect(listed.filter { $0.status == .active }.map(\.id) == [c.session.id, b.session.id])
        #expect(expired.allSatisfy { grant in listed.first { $0.id == grant.session.id }?.status == .expired })
    }

    @Test func revokeAllLeavesEndedSessionsAsTheyEnded() async throws {
        let clock = ManualClock()
        let engine = makeEngine(configure, clock: clock)
        try await engine.registerUser("all@example.com")
        _ = try await engine.loginUser("all@example.com")
        clock.advance(seconds: 3_600)
        let live = try await engine.loginUser("all@example.com")
        #expect(try await engine.revokeAllSessions(accessToken: live.accessToken) == 1)
        let stats = await engine.statistics()
        #expect(stats.sessionsExpired == 1 && stats.sessionsRevoked == 1)
    }

    @Test func purgesSurviveRestartSnapshotAndPointInTimeRestoreExactly() async throws {
        try await withDirectory { dir in
            let clock = ManualClock()
            let engine = try await AuthEngine.open(durable(dir), clock: clock)
            for i in 0..<12 { try await engine.registerUser("p\(i)@example.com") }
            var live: [TokenGrant] = []
            for i in 0..<12 {
                for _ in 0..<3 {
                    let grant = try await engine.loginUser("p\(i)@example.com")
                    try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
                }
                live.append(try await engine.loginUser("p\(i)@example.com"))
            }
            clock.advance(milliseconds: 86_400_000)
            for (i, grant) in live.enumerated() { live[i] = try await engine.rotate(grant.refreshToken) }
            let beforePurge = await states(engine)
            let lsnBeforePurge = try #require(engine.writeAheadLog).lastAppendedLSN
            #expect(try await engine.sweepSessions().purgedSessions == 36)
            let purged = await states(engine)
            #expect(purged.reduce(0) { $0 + $1.sessions.count } == 12)
            #expect(purged.allSatisfy { $0.users.values.allSatisfy { $0.sessionIDs.count == 1 } })
            await engine.shutdown()

            // Point-in-time: up to just before the purge, the ended sessions are all there.
            let restored = try EngineRecovery.read(dataDirectory: dir, shardCount: 3, until: .lsn(lsnBeforePurge))
            #expect(restored.states == beforePurge)
            let latest = try EngineRecovery.read(dataDirectory: dir, shardCount: 3)
            #expect(latest.states == purged)

            // Restart: WAL replay applies the purge records through the same apply.
            let replayed = try await AuthEngine.open(durable(dir), clock: clock)
            #expect(await states(replayed) == purged)
            #expect(await replayed.statistics().sessionsResident == 12)
            for grant in live { _ = try await replayed.me(accessToken: grant.accessToken) }
            // The next snapshot holds no purged session, and a restart from it is the same state.
            _ = try await replayed.snapshot()
            await replayed.shutdown()
            let fromSnapshot = try await AuthEngine.open(durable(dir), clock: clock)
            #expect(fromSnapshot.recoverySummary?.snapshotPath != nil)
            #expect(await states(fromSnapshot) == purged)
            await fromSnapshot.shutdown()
        }
    }

    @Test func aPurgeWithAChangedShardCountReplaysToTheSameSessions() async throws {
        try await withDirectory { dir in
            let clock = ManualClock()
            let engine = try await AuthEngine.open(durable(dir, shards: 3), clock: clock)
            for i in 0..<8 {
                try await engine.registerUser("s\(i)@example.com")
                let grant = try await engine.loginUser("s\(i)@example.com")
                try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
                _ = try await engine.loginUser("s\(i)@example.com")
            }
            _ = try await engine.snapshot()
            clock.advance(milliseconds: 86_400_000)
            #expect(try await engine.sweepSessions().purgedSessions == 8)
            await engine.shutdown()
            let resharded = try await AuthEngine.open(durable(dir, shards: 5), clock: clock)
            let stats = await resharded.statistics()
            #expect(stats.sessionsResident == 8 && stats.sessionsRevoked == 0)
            await resharded.shutdown()
        }
    }

    @Test func aSweepWhoseRecordsCannotBeWrittenFailsAndTheRetryLands() async throws {
        try await withDirectory { dir in
            let clock = ManualClock()
            let faults = FaultInjector()
            var c = durable(dir)
            c.walFileSystem = faults.fileSystem
            let engine = try await AuthEngine.open(c, clock: clock)
            try await engine.registerUser("disk@example.com")
            let grant = try await engine.loginUser("disk@example.com")
            try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
            clock.advance(milliseconds: 86_400_000)
            faults.failAlways(.fdatasync, errno: ENOSPC)
            #expect(await authError { try await engine.sweepSessions() } == .storageUnavailable)
            faults.clear(.fdatasync)
            try await engine.writeAheadLog?.flush()
            await engine.shutdown()
            let reopened = try await AuthEngine.open(durable(dir), clock: clock)
            #expect(await reopened.statistics().sessionsResident == 0)
            await reopened.shutdown()
        }
    }

    @Test func aFollowerNeverSweepsAndReachesTheLeadersPurges() async throws {
        let leaderDir = NSTemporaryDirectory() + "authd-leader-\(UUID().uuidString)"
        let followerDir = NSTemporaryDirectory() + "authd-follower-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        let clock = ManualClock()
        let leader = try await AuthEngine.open(durable(leaderDir), clock: clock)
        let shipped = LockedValue<[WrittenFrames]>([])
        leader.writeAheadLog?.setFrameObserver { frames in shipped.withLock { $0.append(frames) } }
        var followerConfiguration = durable(followerDir)
        followerConfiguration.startsFollowing = true
        let follower = try await AuthEngine.open(followerConfiguration, clock: clock)
        let followerLog = try #require(follower.writeAheadLog)
        func ship() async throws {
            for frames in shipped.withLock({ f in defer { f.removeAll() }; return f }) {
                let lsn = try followerLog.appendFrames(frames.bytes)
                try await followerLog.waitUntilDurable(lsn)
                try await follower.applyReplicated(try frames.records())
            }
        }
        for i in 0..<6 {
            try await leader.registerUser("f\(i)@example.com")
            let grant = try await leader.loginUser("f\(i)@example.com")
            try await leader.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
        }
        try await ship()
        clock.advance(milliseconds: 86_400_000)

        // The follower's own sweep purges nothing and appends nothing.
        let appended = followerLog.lastAppendedLSN
        let report = try await follower.sweepSessions()
        #expect(report.purgedSessions == 0 && report.followingShards == follower.shards.count)
        #expect(followerLog.lastAppendedLSN == appended)
        #expect(await follower.statistics().sessionsRevoked == 6)

        // The leader's purge reaches it as records, through the same apply.
        #expect(try await leader.sweepSessions().purgedSessions == 6)
        try await ship()
        #expect(await states(follower) == states(leader))
        #expect(await follower.statistics().sessionsPurged == 6)
        #expect(followerLog.lastAppendedLSN == leader.writeAheadLog?.lastAppendedLSN)

        // Promoted, it sweeps for itself.
        try await leader.registerUser("late@example.com")
        let late = try await leader.loginUser("late@example.com")
        try await leader.revokeCurrentSession(refreshToken: .value(late.refreshToken))
        try await ship()
        await leader.shutdown()
        await follower.stopFollowing()
        clock.advance(milliseconds: 86_400_000)
        #expect(try await follower.sweepSessions().purgedSessions == 1)
        #expect(followerLog.lastAppendedLSN > appended)
        await follower.shutdown()
    }

    @Test func aLeaderThatStepsDownStopsSweeping() async throws {
        let clock = ManualClock()
        let engine = makeEngine(configure, clock: clock)
        try await engine.registerUser("down@example.com")
        let grant = try await engine.loginUser("down@example.com")
        try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
        clock.advance(milliseconds: 86_400_000)
        await engine.beginFollowing()
        #expect(try await engine.sweepSessions().purgedSessions == 0)
        await engine.stopFollowing()
        #expect(try await engine.sweepSessions().purgedSessions == 1)
    }

    @Test(.timeLimit(.minutes(1))) func theScheduleSweepsOnItsOwnAndReportsItsPurges() async throws {
        try await withDirectory { dir in
            let clock = ManualClock()
            var c = durable(dir)
            c.sessionSweepIntervalMilliseconds = 1   // the schedule's pace is real time; what it purges is judged by `clock`
            let engine = try await AuthEngine.open(c, clock: clock)
            let events = LockedValue<[SweepReport]>([])
            engine.observe { event in if case .sessionsSwept(let report) = event { events.withLock { $0.append(report) } } }
            try await engine.registerUser("auto@example.com")
            let grant = try await engine.loginUser("auto@example.com")
            try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
            clock.advance(milliseconds: 86_400_000)
            while await engine.statistics().sessionsResident > 0 { try await Task.sleep(nanoseconds: 1_000_000) }
            while events.withLock({ $0.isEmpty }) { try await Task.sleep(nanoseconds: 1_000_000) }
            #expect(events.withLock { $0 }.map(\.purgedSessions) == [1])
            await engine.shutdown()
        }
    }
}
