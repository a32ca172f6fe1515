import Foundation
import Testing
import WAL
@testable import Engine

/// The engine over a real data directory: restart, snapshots, re-sharding.
@Suite struct DurableEngineTests {
    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "authd-engine-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    private func configuration(_ directory: String, shards: Int = 4) -> EngineConfiguration {
        var c = testConfiguration(shards: shards)
        c.dataDirectory = directory
        c.durability = .always
        c.snapshotEveryBytes = 0
        c.walSegmentSize = 64 << 10
        return c
    }

    /// A little history: users, sessions, a rotation, a replay, a revocation.
    private func makeHistory(_ engine: AuthEngine) async throws -> (rotated: TokenGrant, parent: String, revoked: TokenGrant) {
        for i in 0..<20 { try await engine.registerUser("u\(i)@example.com") }
        let a = try await engine.loginUser("u1@example.com")
        let rotated = try await engine.rotate(a.refreshToken)
        let b = try await engine.loginUser("u2@example.com")
        let c = try await engine.loginUser("u2@example.com")
        try await engine.revokeSession(accessToken: b.accessToken, sessionID: c.session.id.lowercased)
        let d = try await engine.loginUser("u3@example.com")
        _ = try await engine.rotate(d.refreshToken)
        #expect(await authError { try await engine.rotate(d.refreshToken) } == .refreshTokenReused)   // replay: compromised
        return (rotated, a.refreshToken, c)
    }

    private func checkHistory(_ engine: AuthEngine, _ history: (rotated: TokenGrant, parent: String, revoked: TokenGrant), extraUsers: Int = 0) async throws {
        let stats = await engine.statistics()
        #expect(stats.users == 20 + extraUsers)
        #expect(stats.sessionsActive == 2)
        #expect(stats.sessionsRevoked == 1)
        #expect(stats.sessionsCompromised == 1)
        _ = try await engine.me(accessToken: history.rotated.accessToken)
        #expect(await authError { try await engine.me(accessToken: history.revoked.accessToken) } == .sessionNotActive)
        #expect(await authError { try await engine.registerUser("u7@example.com") } == .userAlreadyExists)
        _ = try await engine.loginUser("u19@example.com")
    }

    @Test func restartReplaysTheLog() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            let history = try await makeHistory(engine)
            await engine.shutdown()

            let reopened = try await AuthEngine.open(configuration(dir))
            try await checkHistory(reopened, history)
            // The latest refresh token still rotates; its parent is detected as replay.
            #expect(await authError { try await reopened.rotate(history.parent) } == .refreshTokenReused)
            await reopened.shutdown()
        }
    }

    @Test func snapshotPlusTailEqualsFullReplay() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            let history = try await makeHistory(engine)
            let path = try await engine.snapshot()
            #expect(FileManager.default.fileExists(atPath: path))
            // Tail after the snapshot.
            let late = try await engine.registerUser("late@example.com")
            let lateGrant = try await engine.loginUser("late@example.com")
            await engine.shutdown()

            let reopened = try await AuthEngine.open(configuration(dir))
            #expect(reopened.recoverySummary?.snapshotPath == path)
            _ = try await reopened.me(accessToken: lateGrant.accessToken)
            #expect(try await reopened.loginUser("late@example.com").user.id == late.id)
            #expect(await authError { try await reopened.rotate(history.parent) } == .refreshTokenReused)
            await reopened.shutdown()
        }
    }

    @Test func snapshotDropsTheSegmentsItCovers() async throws {
        try await withDirectory { dir in
            var small = configuration(dir)
            small.walSegmentSize = 4096
            let engine = try await AuthEngine.open(small)
            for i in 0..<300 { try await engine.registerUser("seg\(i)@example.com") }
            let segments = { try FileManager.default.contentsOfDirectory(atPath: dir + "/wal").filter { $0.hasSuffix(".wal") } }
            let before = try segments().count
            #expect(before > 2)
            try await engine.snapshot()
            #expect(try segments().count == 1)
            await engine.shutdown()
            let reopened = try await AuthEngine.open(small)
            #expect(await reopened.statistics().users == 300)
            await reopened.shutdown()
        }
    }

    @Test(arguments: [1, 3, 7]) func reshardingKeepsTheState(_ shards: Int) async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir, shards: 4))
            let history = try await makeHistory(engine)
            try await engine.snapshot()
            _ = try await engine.registerUser("after@example.com")
            await engine.shutdown()

            let reopened = try await AuthEngine.open(configuration(dir, shards: shards))
            try await checkHistory(reopened, history, extraUsers: 1)
            _ = try await reopened.loginUser("after@example.com")
            await reopened.shutdown()
        }
    }

    @Test func secondServerOnTheSameDirectoryIsRefused() async throws {
        try await withDirectory { dir in
            let engine = try await AuthEngine.open(configuration(dir))
            await #expect(throws: EngineOpenError.self) { _ = try await AuthEngine.open(configuration(dir)) }
            await engine.shutdown()
        }
    }

    @Test func invalidConfigurationIsRefusedBeforeTouchingTheDisk() async throws {
        var c = configuration("/nonexistent/never")
        c.accessTokenSecret = Array(repeating: 1, count: 8)
        c.refreshTokenSecret = c.accessTokenSecret
        do {
            _ = try await AuthEngine.open(c)
            Issue.record("expected a configuration error")
        } catch {
            guard case .invalidConfiguration(let problems) = error else { Issue.record("wrong error \(error)"); return }
            #expect(problems.count == 3)
        }
    }
}
