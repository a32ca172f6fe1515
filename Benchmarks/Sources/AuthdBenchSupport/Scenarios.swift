import Engine
import Foundation
import WAL

/// Seconds of a duration as a Double.
public func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// What the memory scenario measured.
public struct MemoryReport: Sendable {
    public var users: Int
    public var sessions: Int
    public var residentBefore: Int
    public var residentAfter: Int
    public var peakResident: Int
    public var populateSeconds: Double
    public var bytesPerUser: Double { Double(residentAfter - residentBefore) / Double(max(1, users)) }
}

/// Registers `users` users and logs each in once on an in-memory engine with the trivial
/// hasher, then reads resident memory. The engine is returned so the caller can keep it
/// alive while it reads memory again, and shut it down.
public func runMemoryScenario(users: Int, progress: (@Sendable (Int) -> Void)? = nil) async throws -> (MemoryReport, AuthEngine) {
    let before = ProcessMemory.residentBytes()
    let engine = Fixtures.inMemoryEngine()
    let start = ContinuousClock.now
    try await Fixtures.populate(engine, count: users, tag: "m", progress: progress)
    let elapsed = ContinuousClock.now - start
    let stats = await engine.statistics()
    let report = MemoryReport(users: stats.users, sessions: stats.sessionsActive, residentBefore: before,
                              residentAfter: ProcessMemory.residentBytes(), peakResident: ProcessMemory.peakResidentBytes(),
                              populateSeconds: seconds(elapsed))
    return (report, engine)
}

/// What the restart scenario measured.
public struct RestartReport: Sendable {
    public var users: Int
    public var sessions: Int
    public var tailRecords: Int
    public var populateSeconds: Double
    public var snapshotSeconds: Double
    public var snapshotBytes: Int
    public var walBytes: Int
    public var openSeconds: Double
    public var usersAfterOpen: Int
    public var sessionsAfterOpen: Int
}

/// On a durable engine (durability .none for set-up speed): `users` users with one session
/// each, `snapshot()`, then `tail` more registrations as a WAL tail, `shutdown()`, and the
/// time `AuthEngine.open` takes to be ready again (snapshot load + tail replay).
public func runRestartScenario(users: Int, tail: Int = 1000, progress: (@Sendable (Int) -> Void)? = nil) async throws -> RestartReport {
    let directory = Fixtures.temporaryDirectory("restart")
    defer { Fixtures.remove(directory) }
    let configuration = Fixtures.configuration(directory: directory, durability: .none)
    let engine = try await AuthEngine.open(configuration)
    let start = ContinuousClock.now
    try await Fixtures.populate(engine, count: users, tag: "r", progress: progress)
    let populated = ContinuousClock.now
    let snapshotPath = try await engine.snapshot()
    let snapshotElapsed = ContinuousClock.now - populated
    let snapshotBytes = Fixtures.bytes(at: snapshotPath)
    try await Fixtures.populate(engine, first: users, count: tail, tag: "r", withSessions: false)
    await engine.shutdown()
    let walBytes = Fixtures.bytes(at: directory) - snapshotBytes

    let openStart = ContinuousClock.now
    let reopened = try await AuthEngine.open(configuration)
    let openElapsed = ContinuousClock.now - openStart
    if let summary = reopened.recoverySummary {
        print(String(format: "  open phases: WAL open %.3f s, snapshot read + decode %.3f s, tail replay %.3f s (%d records), shard hand-off %.3f s",
                     summary.walOpenSeconds, summary.snapshotSeconds, summary.replaySeconds, summary.replayedRecords, summary.shardLoadSeconds))
    }
    precondition(reopened.isReady, "engine not ready after open")
    let stats = await reopened.statistics()
    await reopened.shutdown()
    return RestartReport(users: users, sessions: users, tailRecords: tail, populateSeconds: seconds(populated - start),
                         snapshotSeconds: seconds(snapshotElapsed), snapshotBytes: snapshotBytes, walBytes: walBytes,
                         openSeconds: seconds(openElapsed), usersAfterOpen: stats.users, sessionsAfterOpen: stats.sessionsActive)
}

/// Rotates refresh chains: each `step` refreshes every chain once (concurrently when there is
/// more than one chain) and keeps the new tokens.
public final class RefreshChains: @unchecked Sendable {
    public let engine: AuthEngine
    public private(set) var tokens: [String]

    public init(engine: AuthEngine, chains: Int, tag: String = "c") async throws {
        self.engine = engine
        var tokens: [String] = []
        for i in 0..<chains { tokens.append(try await Fixtures.registerAndLogin(engine, i, tag: tag).refreshToken) }
        self.tokens = tokens
    }

    /// One refresh of chain 0.
    @inline(__always)
    public func rotateOne() async throws {
        tokens[0] = try await engine.refresh(refreshToken: .value(tokens[0]), client: Fixtures.client).refreshToken
    }

    /// One refresh of every chain, all in flight at once.
    public func rotateAll() async throws {
        let engine = self.engine
        let current = tokens
        tokens = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (i, token) in current.enumerated() {
                group.addTask {
                    (i, try await engine.refresh(refreshToken: .value(token), client: Fixtures.client).refreshToken)
                }
            }
            var next = current
            for try await (i, token) in group { next[i] = token }
            return next
        }
    }
}
