import Foundation
import Locking
import Testing
import WAL
@testable import Engine

/// A full disk (the fault-injecting file system failing every write and sync with ENOSPC):
/// mutations are refused at once with `.storageUnavailable`, without touching the state, while
/// reads keep working; the engine heals by itself when the space comes back.
///
/// Found by Tests/EndToEnd/diskfull.py: before the fix, the first mutation on a full disk was
/// answered 503, but every later one was queued behind the WAL's retries and hung until the
/// space came back (a client waited forever instead of being told to retry).
@Suite struct DiskFullEngineTests {
    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "authd-diskfull-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    private func durable(_ directory: String, faults: FaultInjector) -> EngineConfiguration {
        var c = testConfiguration(shards: 2)
        c.dataDirectory = directory
        c.snapshotEveryBytes = 0
        c.walFileSystem = faults.fileSystem
        return c
    }

    /// The outcome of `body` if it finishes within `seconds`, else nil (the task is left to finish).
    private func within<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async -> T) async -> T? {
        let result = LockedValue<T?>(nil)
        let task = Task {
            let value = await body()
            result.withLock { $0 = value }
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let value = result.withLock({ $0 }) { return value }
            try? await Task.sleep(for: .milliseconds(5))
        }
        _ = task
        return nil
    }

    @Test func mutationsOnAFullDiskAreRefusedAtOnceAndTheEngineHealsWhenSpaceReturns() async throws {
        try await withDirectory { dir in
            let faults = FaultInjector()
            let engine = try await AuthEngine.open(durable(dir, faults: faults))
            try await engine.registerUser("before@example.com")
            let grant = try await engine.loginUser("before@example.com")

            faults.failAlways(.write, errno: ENOSPC)
            faults.failAlways(.fdatasync, errno: ENOSPC)
            // The first write meets the full disk: its batch fails and the WAL starts retrying.
            #expect(await authError { try await engine.registerUser("first@example.com") } == .storageUnavailable)
            #expect(!engine.isReady)

            // Every later mutation is refused, not queued behind the retries: those go on until
            // space returns (below), so any answer before that is the refusal. The bound only
            // keeps a hang from stalling the suite; it is not a latency goal.
            for email in ["second@example.com", "third@example.com"] {
                let refused = await within(seconds: 30) { await authError { try await engine.registerUser(email) } }
                #expect(refused == .some(.storageUnavailable), "registration of \(email) on a full disk: \(String(describing: refused))")
            }
            let login = await within(seconds: 30) { await authError { try await engine.loginUser("before@example.com") } }
            #expect(login == .some(.storageUnavailable))
            let rotation = await within(seconds: 30) { await authError { try await engine.rotate(grant.refreshToken) } }
            #expect(rotation == .some(.storageUnavailable))

            // Reads need no disk.
            #expect(try await engine.me(accessToken: grant.accessToken).user.email == "before@example.com")
            #expect(try await engine.listSessions(accessToken: grant.accessToken).count == 1)

            // Space comes back: the WAL's retry lands and the engine is ready again by itself.
            faults.clear(.write)
            faults.clear(.fdatasync)
            let deadline = ContinuousClock.now + .seconds(10)
            while !engine.isReady, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(engine.isReady)
            // A refused registration changed nothing: the email is still free.
            try await engine.registerUser("second@example.com")
            // The refused rotation did not spend the refresh token.
            _ = try await engine.rotate(grant.refreshToken)
            await engine.shutdown()

            let reopened = try await AuthEngine.open(durable(dir, faults: FaultInjector()))
            for email in ["before@example.com", "second@example.com"] {
                _ = try await reopened.loginUser(email)
            }
            await reopened.shutdown()
        }
    }
}
