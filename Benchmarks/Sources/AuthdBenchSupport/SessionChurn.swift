#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Synchronization
import WAL

/// What the session-churn scenario measured: resident sessions and RSS at its baseline (users
/// registered, no session), after every user logged in and out `cycles` times, and after the
/// retention sweep purged the ended sessions.
public struct SessionChurnReport: Sendable {
    /// Resident memory at one point: all of it (RSS), and its anonymous part (RssAnon).
    public struct Memory: Sendable {
        public var resident: Int
        public var anonymous: Int
        static func now() -> Memory { Memory(resident: ProcessMemory.residentBytes(), anonymous: ProcessMemory.anonymousResidentBytes()) }
    }

    public var users: Int
    public var cycles: Int
    public var directory: String
    public var churnSeconds: Double
    public var baselineSessions: Int
    public var baselineMemory: Memory
    public var churnedSessions: Int
    public var churnedMemory: Memory
    public var sweptSessions: Int
    public var sweptMemory: Memory
    /// After `malloc_trim(0)`: without what the allocator still held for reuse after the sweep.
    public var trimmedMemory: Memory
    public var purged: Int
    /// From the engine clock passing the retention to the last ended session purged.
    public var sweepSeconds: Double
    public var walBytes: Int
}

/// The retention scenario (issue 8.3): on a durable engine (durability .none for set-up speed)
/// whose clock is a `ManualClock`, `users` users each log in and log out `cycles` times, with
/// the clock standing still (so nothing ends past the retention meanwhile). Then the clock
/// moves past the retention, and the engine's own periodic sweep (every 200 ms) purges the
/// ended sessions: nothing here calls `sweepSessions()`. The engine is shut down without a
/// snapshot, so a restart must replay every login, logout and purge record.
public func runSessionChurn(users: Int, cycles: Int, progress: (@Sendable (String) -> Void)? = nil) async throws -> SessionChurnReport {
    let directory = Fixtures.temporaryDirectory("churn")
    let clock = ManualClock()
    var configuration = SessionChurn.configuration(directory: directory)
    configuration.sessionSweepIntervalMilliseconds = 200
    let engine = try await AuthEngine.open(configuration, clock: clock)
    try await Fixtures.populate(engine, count: users, tag: "churn", withSessions: false)
    let baseline = await engine.statistics()
    let baselineMemory = SessionChurnReport.Memory.now()

    let start = ContinuousClock.now
    let workers = min(64, users)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<workers {
            group.addTask {
                for cycle in 0..<cycles {
                    var user = worker
                    while user < users {
                        let grant = try await Fixtures.login(engine, user, tag: "churn")
                        try await engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
                        user += workers
                    }
                    if worker == 0, cycle % 20 == 19, let progress { progress("cycle \(cycle + 1) of \(cycles)") }
                }
            }
        }
        try await group.waitForAll()
    }
    let churnSeconds = seconds(ContinuousClock.now - start)
    let churned = await engine.statistics()
    let churnedMemory = SessionChurnReport.Memory.now()

    clock.advance(milliseconds: configuration.sessionRetentionMilliseconds)
    let sweepStart = ContinuousClock.now
    while await engine.statistics().sessionsResident > baseline.sessionsResident {
        try await Task.sleep(for: .milliseconds(20))
    }
    let sweepSeconds = seconds(ContinuousClock.now - sweepStart)
    let swept = await engine.statistics()
    let sweptMemory = SessionChurnReport.Memory.now()
    ProcessMemory.trimAllocator()
    let trimmedMemory = SessionChurnReport.Memory.now()
    await engine.shutdown()
    return SessionChurnReport(
        users: users, cycles: cycles, directory: directory, churnSeconds: churnSeconds,
        baselineSessions: baseline.sessionsResident, baselineMemory: baselineMemory,
        churnedSessions: churned.sessionsResident, churnedMemory: churnedMemory,
        sweptSessions: swept.sessionsResident, sweptMemory: sweptMemory, trimmedMemory: trimmedMemory,
        purged: swept.sessionsPurged, sweepSeconds: sweepSeconds, walBytes: Fixtures.bytes(at: directory + "/wal"))
}

extension ProcessMemory {
    /// glibc's `malloc_trim(0)`: returns the free memory the allocator holds to the system
    /// (looked up at run time: the Glibc module does not export `<malloc.h>`).
    public static func trimAllocator() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
}

/// The restart half of the scenario, run in a fresh process: open the churned directory (WAL
/// replay, or the snapshot the previous reopen wrote), read resident sessions and RSS, and
/// optionally write a snapshot for the next reopen.
public enum SessionChurn {
    /// Retention 60 s of engine time; the reopen does not sweep (nothing has ended since).
    /// Callers apply `ProcessAllocator.keepLargeBlocksReturnable()` first, as `authd serve` does.
    public static func configuration(directory: String) -> EngineConfiguration {
        var configuration = Fixtures.configuration(directory: directory, durability: .none)
        configuration.sessionRetentionMilliseconds = 60_000
        configuration.sessionSweepIntervalMilliseconds = 0
        return configuration
    }

    /// What one reopen found.
    public struct Reopened: Sendable {
        public var sessions: Int
        public var users: Int
        public var resident: Int
        public var anonymous: Int
        public var openSeconds: Double
        public var replayedRecords: Int
        public var fromSnapshot: Bool
    }

    public static func reopen(directory: String, snapshot: Bool) async throws -> Reopened {
        let start = ContinuousClock.now
        let engine = try await AuthEngine.open(configuration(directory: directory))
        let openSeconds = seconds(ContinuousClock.now - start)
        let stats = await engine.statistics()
        let resident = ProcessMemory.residentBytes()
        let anonymous = ProcessMemory.anonymousResidentBytes()
        let summary = engine.recoverySummary
        if snapshot { _ = try await engine.snapshot() }
        await engine.shutdown()
        return Reopened(sessions: stats.sessionsResident, users: stats.users, resident: resident, anonymous: anonymous, openSeconds: openSeconds,
                        replayedRecords: summary?.replayedRecords ?? 0, fromSnapshot: summary?.snapshotPath != nil)
    }
}
