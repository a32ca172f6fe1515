import Foundation

extension AuthEngine {
    /// Users and sessions one shard turn of the sweep looks at, at most (a few hundred
    /// microseconds of dictionary lookups): the shard serves requests between turns.
    static let sweepStepBudget = 2048

    /// Runs one session sweep pass over every shard now (what the schedule does every
    /// `sessionSweepIntervalMilliseconds`): sessions that ended at least the retention ago are
    /// purged through `sessionsPurged` records, a bounded step per shard turn, each step's
    /// records durable before the next step. Shards that follow a leader are skipped. Throws
    /// `.storageUnavailable` when the WAL cannot write (the pass stops there; the next pass
    /// finds what this one left).
    @discardableResult
    public func sweepSessions() async throws(AuthError) -> SweepReport {
        let started = ContinuousClock.now
        var report = SweepReport()
        for shard in shards {
            while true {
                guard let step = await shard.sweepStep(budget: Self.sweepStepBudget) else {
                    report.followingShards += 1
                    break
                }
                report.steps += 1
                report.purgedSessions += step.purged
                try await journal.waitUntilDurable(step.lsn)
                if step.finished { break }
            }
        }
        let elapsed = ContinuousClock.now - started
        report.milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return report
    }

    /// Calls `observer` with every `EngineEvent` from now on (one observer; a later call
    /// replaces it). It runs on whatever task produced the event and must not block.
    public func observe(_ observer: @escaping @Sendable (EngineEvent) -> Void) {
        storage.withLock { $0.observer = observer }
    }

    func emit(_ event: EngineEvent) {
        storage.withLock { $0.observer }?(event)
    }

    /// Sweeps every `sessionSweepIntervalMilliseconds` (0: never) until `shutdown`. Off the
    /// request path: a task of its own that visits each shard for one bounded step at a time.
    func startSessionSweep() {
        let interval = configuration.sessionSweepIntervalMilliseconds
        guard interval > 0 else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval) * 1_000_000)   // the uptime clock: see docs/etcd.md, Tests
                guard let self, !Task.isCancelled else { return }
                if let report = try? await self.sweepSessions(), report.purgedSessions > 0 {
                    self.emit(.sessionsSwept(report))
                }
            }
        }
        storage.withLock { $0.sweeper = task }
    }
}
