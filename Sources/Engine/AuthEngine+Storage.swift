import Foundation
import Synchronization
import WAL

extension AuthEngine {
    /// Opens the data directory: takes its lock, loads the newest valid snapshot, replays the
    /// WAL after it (cutting a torn tail, refusing mid-log corruption), starts the group-commit
    /// writer and the snapshot schedule, and only then reports ready.
    public static func open(_ configuration: EngineConfiguration, clock: any EngineClock = SystemClock(),
                            executors: [ShardExecutor]? = nil) async throws(EngineOpenError) -> AuthEngine {
        let problems = configuration.problems()
        guard problems.isEmpty else { throw .invalidConfiguration(problems) }
        let directory = configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage(.io(operation: "mkdir", path: directory, errno: 0))
        }
        let clockStart = ContinuousClock.now
        func since(_ start: ContinuousClock.Instant) -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let log: WriteAheadLog
        do {
            log = try WriteAheadLog(configuration: WALConfiguration(directory: directory, segmentSize: configuration.walSegmentSize,
                                                                    durability: configuration.durability,
                                                                    fileSystem: configuration.walFileSystem))
        } catch {
            throw .storage(error)
        }
        let walOpened = since(clockStart)
        var recovery: EngineRecovery
        do {
            recovery = try recover(log: log, configuration: configuration)
        } catch {
            // A refused start leaves nothing held: the directory lock goes with the log.
            await log.close()
            throw error
        }
        recovery.summary.walOpenSeconds = walOpened
        let loadStart = ContinuousClock.now

        let engine = AuthEngine(configuration: configuration, clock: clock, journal: Journal(log: log), executors: executors)
        let lsn = log.lastAppendedLSN
        for (index, shard) in engine.shards.enumerated() {
            await shard.load(recovery.states[index], lsn: lsn)
        }
        recovery.summary.shardLoadSeconds = since(loadStart)
        engine.storage.withLock {
            $0.recovery = recovery.summary
            $0.walReport = log.recoveryReport
            $0.lastSnapshotTimestampMillis = recovery.snapshotTimestamp
        }
        log.start()
        await engine.installSigningKeys()
        do { try await engine.ensureSigningKey() } catch {
            await engine.shutdown()
            throw .invalidConfiguration(["no signing key could be created: \(error)"])
        }
        engine.markReady()
        engine.startSnapshotSchedule()
        engine.startSessionSweep()
        engine.startSigningKeyRotation()
        return engine
    }

    /// Loads the newest snapshot and replays the log after it (the log opened, not started).
    private static func recover(log: WriteAheadLog, configuration: EngineConfiguration) throws(EngineOpenError) -> EngineRecovery {
        func since(_ start: ContinuousClock.Instant) -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let directory = configuration.dataDirectory
        let snapshotStart = ContinuousClock.now
        var recovery: EngineRecovery
        if let latest = try EngineRecovery.loadLatestSnapshot(directory: directory) {
            recovery = try EngineRecovery(snapshotPayload: latest.payload, path: latest.info.path, shardCount: configuration.shardCount)
            recovery.snapshotTimestamp = latest.info.timestamp
            recovery.summary.skippedSnapshots = latest.skipped
        } else {
            recovery = try EngineRecovery(snapshotPayload: nil, path: nil, shardCount: configuration.shardCount)
        }
        recovery.summary.snapshotSeconds = since(snapshotStart)
        let replayStart = ContinuousClock.now
        try recovery.replay { start, body in try log.replay(after: start, body) }
        recovery.summary.replaySeconds = since(replayStart)
        try restartLogIfBehindSnapshot(log: log, recovery: &recovery, directory: directory,
                                       following: configuration.startsFollowing)
        return recovery
    }

    /// A log that ends below what the loaded snapshot reflects (its end was cut by `wal repair`,
    /// or lost in a power loss under a newer snapshot) must not be continued: its next LSNs are
    /// already claimed by the snapshot, and the next start would skip the records written there.
    /// The recovered state is written as a snapshot at the snapshot's newest LSN, the old segments
    /// are moved aside and the log starts over after that LSN. Nothing acknowledged is dropped:
    /// the snapshot holds everything the missing part of the log held.
    ///
    /// A follower refuses instead: its log is its leader's, chain and LSNs, and one started over
    /// could never take the leader's next frame.
    static func restartLogIfBehindSnapshot(log: WriteAheadLog, recovery: inout EngineRecovery,
                                           directory: String, following: Bool) throws(EngineOpenError) {
        let claimed = recovery.snapshotNewestLSN
        let logEnd = log.lastAppendedLSN
        guard claimed > logEnd else { return }
        guard !following else { throw .followerLogBehindSnapshot(logEnd: logEnd, snapshotLSN: claimed) }
        let timestamp = max(recovery.summary.lastTimestamp, recovery.snapshotTimestamp)
        do {
            let info = try SnapshotStore(directory: directory).write(
                lsn: claimed, timestamp: timestamp, payload: recovery.snapshotPayload(lsn: claimed))
            let moved = try log.supersede(through: claimed)
            recovery.summary.logRestart = .init(
                logEndLSN: logEnd, snapshotLSN: claimed, snapshotPath: info.path, movedSegments: moved)
        } catch {
            throw .storage(error)
        }
    }

    /// What start-up recovery found (nil for an in-memory engine).
    public var recoverySummary: EngineRecovery.Summary? { storage.withLock { $0.recovery } }

    /// The WAL's own recovery report (torn tail cut, segments), nil in memory.
    public var walRecoveryReport: RecoveryReport? { storage.withLock { $0.walReport } }

    /// Captures every shard, waits until what they reflect is durable, and writes a snapshot
    /// (temp file, fsync, rename) on a dedicated thread; then prunes old snapshots and the WAL
    /// segments no kept snapshot needs. Returns the snapshot's path. The observer hears
    /// `.snapshotWritten` (or `.snapshotFailed` when the writing failed).
    @discardableResult
    public func snapshot() async throws(EngineOpenError) -> String {
        try await snapshot(trigger: .requested)
    }

    func snapshot(trigger: SnapshotReport.Trigger) async throws(EngineOpenError) -> String {
        guard let log = journal.log else { throw .invalidConfiguration(["snapshots need a data directory"]) }
        let claimed = storage.withLock { s -> Bool in
            if s.snapshotRunning { return false }
            s.snapshotRunning = true
            return true
        }
        guard claimed else { throw .invalidConfiguration(["a snapshot is already being taken"]) }
        defer { storage.withLock { $0.snapshotRunning = false } }

        let started = ContinuousClock.now
        var parts: [EngineSnapshot.Part] = []
        for shard in shards {
            let (state, lsn) = await shard.captureForSnapshot(log: log)
            parts.append(EngineSnapshot.Part(state: state, lsn: lsn))
        }
        let snapshot = EngineSnapshot(parts: parts)
        // Synced, whatever the mode: in mode `interval` "durable" means only written, and a
        // snapshot must never claim records that a power loss can still take out of the log.
        do { try await log.waitUntilSynced(snapshot.newestLSN) } catch {
            snapshotFailed(trigger: trigger, reason: "\(error)")
            throw .storage(error)
        }
        let directory = configuration.dataDirectory
        let keep = max(1, configuration.snapshotKeep)
        let retain = configuration.walRetainSegments
        let now = clock.now().milliseconds
        let bytesAtStart = log.statistics.bytesIn
        let result: Result<SnapshotInfo, WALError> = await DedicatedThread.run { () -> Result<SnapshotInfo, WALError> in
            do throws(WALError) {
                let store = SnapshotStore(directory: directory)
                let info = try store.write(lsn: snapshot.coveredLSN, highLSN: snapshot.newestLSN, timestamp: now,
                                           payload: snapshot.encoded())
                // Only snapshots that verify count: the WAL keeps what the oldest of them needs.
                let pruned = try store.prune(keep: keep)
                if let oldest = pruned.kept.first {
                    _ = try log.removeSegments(coveredBy: oldest.lsn, retainSegments: retain)
                }
                return .success(info)
            } catch {
                return .failure(error)
            }
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        switch result {
        case .success(let info):
            storage.withLock {
                $0.snapshots += 1
                $0.lastSnapshotMillis = milliseconds
                $0.lastSnapshotLSN = snapshot.coveredLSN
                $0.lastSnapshotTimestampMillis = now
                $0.walBytesAtLastSnapshot = bytesAtStart
            }
            emit(.snapshotWritten(SnapshotReport(trigger: trigger, path: info.path, lsn: info.lsn, highLSN: info.highLSN,
                                                 bytes: info.fileSize, milliseconds: milliseconds)))
            return info.path
        case .failure(let error):
            snapshotFailed(trigger: trigger, reason: "\(error)")
            throw .storage(error)
        }
    }

    /// Counts a failed snapshot and tells the observer.
    private func snapshotFailed(trigger: SnapshotReport.Trigger, reason: String) {
        storage.withLock { $0.snapshotFailures += 1 }
        emit(.snapshotFailed(trigger: trigger, reason: reason))
    }

    /// Stops the snapshot schedule, the session sweep and the key rotation schedule, flushes the WAL and stops its writer
    /// and the hash pool.
    public func shutdown() async {
        let tasks = storage.withLock { s -> [Task<Void, Never>] in
            defer { s.scheduler = nil; s.sweeper = nil; s.keyRotator = nil }
            return [s.scheduler, s.sweeper, s.keyRotator].compactMap { $0 }
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        if let log = journal.log {
            try? await log.flush()
            await log.close()
        }
        hashPool.shutdown()
    }

    func startSnapshotSchedule() {
        let every = configuration.snapshotEveryBytes
        guard every > 0, let log = journal.log else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)   // the uptime clock: see docs/etcd.md, Tests
                guard let self, !Task.isCancelled else { return }
                let since = log.statistics.bytesIn - self.storage.withLock { $0.walBytesAtLastSnapshot }
                if since >= UInt64(every) {
                    _ = try? await self.snapshot(trigger: .automatic)
                }
            }
        }
        storage.withLock { $0.scheduler = task }
    }

    func fillStorageStatistics(_ stats: inout EngineStatistics) {
        let bytesAtLastSnapshot = storage.withLock { s -> UInt64 in
            stats.snapshots = s.snapshots
            stats.snapshotFailures = s.snapshotFailures
            stats.lastSnapshotMillis = s.lastSnapshotMillis
            stats.lastSnapshotLSN = s.lastSnapshotLSN
            stats.lastSnapshotTimestampMillis = s.lastSnapshotTimestampMillis
            return s.walBytesAtLastSnapshot
        }
        stats.snapshotEveryBytes = configuration.snapshotEveryBytes
        guard let log = journal.log else { return }
        let s = log.statistics
        stats.walBytesSinceSnapshot = s.bytesIn &- min(s.bytesIn, bytesAtLastSnapshot)
        stats.walFsyncBucketBoundsMicros = FsyncLatencyBuckets.upperBoundsMicros
        stats.walFsyncBucketCounts = s.fsyncLatency.counts
        stats.walTotalFsyncMicros = s.totalFsyncMicros
        stats.walFailedBatches = s.failedBatches
        stats.walAppendedLSN = log.lastAppendedLSN
        stats.walDurableLSN = log.durableLSN
        stats.walFsyncs = s.fsyncs
        stats.walBatches = s.batches
        stats.walRecords = s.records
        stats.walBytesUncompressed = s.bytesIn
        stats.walBytesCompressed = s.bytesOut
        stats.walLastFsyncMicros = s.lastFsyncMicros
        stats.walAverageRecordsPerBatch = s.averageRecordsPerBatch
    }
}

/// Mutable bookkeeping of the durable engine (snapshots, recovery results).
struct StorageState: Sendable {
    var recovery: EngineRecovery.Summary?
    var walReport: RecoveryReport?
    var snapshotRunning = false
    var snapshots = 0
    var snapshotFailures = 0
    var lastSnapshotMillis: Double = 0
    var lastSnapshotTimestampMillis: Int64 = 0
    var lastSnapshotLSN: UInt64 = 0
    var walBytesAtLastSnapshot: UInt64 = 0
    var scheduler: Task<Void, Never>?
    var sweeper: Task<Void, Never>?
    var keyRotator: Task<Void, Never>?
    var keyRotationRunning = false
    /// The signing keys' public halves (`installSigningKeys`), for the JWKS and `keys list`.
    var publishedKeys: [SigningKey] = []
    var observer: (@Sendable (EngineEvent) -> Void)?
}

/// Runs blocking work (file writes, fsync) on a thread of its own, off the cooperative pool.
enum DedicatedThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "authd-io"
            thread.start()
        }
    }
}
