import Glibc
import Locking

/// A durable, append-only log of byte records with group commit.
///
/// Callers `append` records (a short locked enqueue that never does I/O and returns the
/// record's LSN), then `await waitUntilDurable(lsn)`. One dedicated writer thread takes everything
/// enqueued while the previous write + `fdatasync` ran, compresses it with lz4, writes it as one
/// CRC32C-checked frame and syncs once for all of it, then resumes the waiters of that batch.
///
/// Lifecycle: `init` (lock, recover) -> `replay(after:)` -> `start()` -> appends -> `close()`.
/// The writer keeps the log alive until `close()` is called.
public final class WriteAheadLog: Sendable {
    /// The configuration it was opened with.
    public let configuration: WALConfiguration
    /// What opening found and cut (and, after `supersede(through:)`, what it moved aside).
    public var recoveryReport: RecoveryReport { report.withLock { $0 } }
    private let report: LockedValue<RecoveryReport>
    private let retentionFloor = LockedValue<UInt64?>(nil)

    let core: LogCore
    private let writer: LogWriter
    private let lock: DirectoryLock

    /// Opens the log: takes an exclusive flock on `<dir>/LOCK` (a second opener gets
    /// `WALError.locked`), scans the segments, cuts a torn tail of the last segment (copied to
    /// `<segment>.broken`, reported in `recoveryReport`) and throws `.corruption` naming segment and
    /// offset for damage anywhere else. Does not start the writer. When there is no segment at all
    /// but there are snapshots (a directory restored from a snapshot), LSNs continue after the
    /// newest snapshot's LSN.
    public init(configuration: WALConfiguration) throws(WALError) {
        guard configuration.segmentSize >= 4096 else {
            throw WALError.invalidArgument("segmentSize must be at least 4096 bytes")
        }
        if case .interval(let ms) = configuration.durability, ms <= 0 {
            throw WALError.invalidArgument("interval durability needs a positive number of milliseconds")
        }
        let fs = configuration.fileSystem
        for path in [configuration.directory, configuration.walDirectory] {
            do { try fs.makeDirectory(path) } catch {
                throw WALError.io(operation: "mkdir", path: path, errno: error.code)
            }
        }
        // The new `wal/` entry must itself survive a power loss, not only the files inside it.
        do { try fs.syncDirectory(configuration.directory) } catch {
            throw WALError.io(operation: "fsync directory", path: configuration.directory, errno: error.code)
        }
        let lock = try DirectoryLock(directory: configuration.directory)
        do {
            let permissionChanges = try DataDirectoryPermissions.enforce(directory: configuration.directory)
            var outcome = try Recovery.run(walDirectory: configuration.walDirectory, fileSystem: fs)
            outcome.report.permissionChanges = permissionChanges
            if outcome.lastSegment == nil,
               let newest = try SnapshotStore(directory: configuration.directory, fileSystem: fs).candidates().last {
                // A data directory restored from a snapshot alone: continue the LSNs after it.
                outcome.nextLSN = max(outcome.nextLSN, newest.lsn + 1)
            }
            let core = LogCore(durability: configuration.durability, lastLSN: outcome.nextLSN - 1)
            let writer = LogWriter(core: core, configuration: configuration)
            if let last = outcome.lastSegment {
                try writer.openExisting(last)
            } else {
                try writer.createFirst(firstLSN: outcome.nextLSN)
            }
            self.configuration = configuration
            self.report = LockedValue(outcome.report)
            self.core = core
            self.writer = writer
            self.lock = lock
        } catch {
            lock.release()
            throw error
        }
    }

    /// Calls `body` for each record with `lsn > after`, in log order (used after loading a
    /// snapshot, before `start()`). Throws what `body` throws, `WALError.corruption`, or
    /// `WALError.missingRecords` when the log does not hold every record after `after` (its first
    /// segment starts later: a deleted segment, or a snapshot older than the log's start).
    public func replay(after lsn: UInt64, _ body: (WALRecord) throws -> Void) throws {
        let last = lastAppendedLSN
        try WALReader(directory: configuration.directory, fileSystem: configuration.fileSystem)
            .forEachRecord(after: lsn, continuous: true) { record in
                if record.lsn <= last { try body(record) }
            }
    }

    /// Starts the log over after `lsn`, before `start()`: every segment is moved aside (renamed
    /// `<name>.superseded`, kept for audit, never read again) and a new first segment begins at
    /// `lsn + 1`, chaining from `chainCRC` (0 for a log of its own; a replication leader's chain
    /// CRC at `lsn` when its frames follow). Returns the new paths of the moved segments.
    ///
    /// For a log that ends below what a snapshot reflects (its end was cut or lost under a newer
    /// snapshot). Continuing it would hand out LSNs the snapshot already claims, and the next start
    /// would skip those records on replay. The caller first writes (and syncs) a snapshot that
    /// reflects every record up to `lsn`, so that the moved segments are no longer needed; a crash
    /// between the two steps leaves a directory in which the same situation is found again.
    @discardableResult
    public func supersede(through lsn: UInt64, chainCRC: UInt32 = 0) throws(WALError) -> [String] {
        let (started, last) = core.state.withLock { ($0.started, $0.nextLSN - 1) }
        guard !started else { throw WALError.invalidArgument("supersede(through:) is only possible before start()") }
        guard lsn >= last else {
            throw WALError.invalidArgument("supersede(through: \(lsn)) would drop records up to LSN \(last)")
        }
        let fs = configuration.fileSystem
        let scanner = LogScanner(walDirectory: configuration.walDirectory, fileSystem: fs)
        writer.closeFile()
        var moved: [String] = []
        for entry in try scanner.segmentNames() {
            let path = configuration.walDirectory + "/" + entry.name
            let target = try WALRepair.freeName(for: path, suffix: ".superseded", fileSystem: fs)
            do { try fs.rename(path, target) } catch {
                throw WALError.io(operation: "rename", path: path, errno: error.code)
            }
            moved.append(target)
        }
        do { try fs.syncDirectory(configuration.walDirectory) } catch {
            throw WALError.io(operation: "fsync directory", path: configuration.walDirectory, errno: error.code)
        }
        try writer.createFirst(firstLSN: lsn + 1, baseCRC: chainCRC)
        core.state.withLock { s in
            s.nextLSN = lsn + 1
            s.writtenLSN = lsn
            s.syncedLSN = lsn
        }
        report.withLock { r in
            r.superseded = moved
            r.firstLSN = 0
            r.lastLSN = 0
            r.segments = 1
            r.frames = 0
            r.records = 0
        }
        return moved
    }

    /// Keeps every segment holding records at or after `lsn` when old segments are removed
    /// (nil: no floor). A replication leader sets it to what its followers still need.
    public func setRetentionFloor(_ lsn: UInt64?) {
        retentionFloor.withLock { $0 = lsn }
    }

    /// Starts the dedicated group-commit writer thread. Calling it again does nothing.
    public func start() {
        let first = core.state.withLock { s -> Bool in
            if s.started || s.stopping { return false }
            s.started = true
            return true
        }
        guard first else { return }
        let writer = self.writer
        WriterThread.start { writer.run() }
    }

    /// Enqueues one record and returns its LSN. Never blocks on I/O. LSNs are assigned in call
    /// order, dense, starting at 1.
    @discardableResult
    public func append(_ record: [UInt8]) -> UInt64 {
        let lsn = core.state.withLock { s -> UInt64 in
            let lsn = s.nextLSN
            s.nextLSN += 1
            if s.pending.isEmpty { s.pendingFirstLSN = lsn }
            s.pending.append(record)
            return lsn
        }
        core.wake.signal()
        return lsn
    }

    /// Enqueues several records as one atomic group: they go into the same frame, so a crash keeps
    /// all or none of them. Returns the last LSN (the current last LSN when `records` is empty).
    @discardableResult
    public func append(contentsOf records: [[UInt8]]) -> UInt64 {
        let lsn = core.state.withLock { s -> UInt64 in
            if records.isEmpty { return s.nextLSN - 1 }
            if s.pending.isEmpty { s.pendingFirstLSN = s.nextLSN }
            s.pending.append(contentsOf: records)
            s.nextLSN += UInt64(records.count)
            return s.nextLSN - 1
        }
        if !records.isEmpty { core.wake.signal() }
        return lsn
    }

    /// Enqueues whole frames received from another log (a replication leader) to be written byte
    /// for byte, so both logs hold the same frames and CRC chain; returns their last LSN. They are
    /// durable like appended records (`waitUntilDurable`, `whenDurable`). Every frame is verified on
    /// its own and must continue the chain exactly: its first LSN follows the last one enqueued,
    /// its `prevCRC` is the previous frame's CRC. Throws `.invalidArgument` for bytes that are not
    /// whole verified frames or do not continue the log, and while records appended with `append`
    /// are still unwritten (a log takes frames or records, not both at once).
    @discardableResult
    public func appendFrames(_ bytes: [UInt8]) throws(WALError) -> UInt64 {
        var headers: [FrameHeader] = []
        var offset = 0
        while offset < bytes.count {
            switch FrameHeader.decodeVerified(bytes, at: offset) {
            case .failure(let f): throw WALError.invalidArgument("received bytes at \(offset) are not a whole frame: \(f.reason)")
            case .success(let h):
                headers.append(h)
                offset += h.frameLength
            }
        }
        guard let first = headers.first, let last = headers.last else { return lastAppendedLSN }
        let batch = EncodedBatch(frames: bytes, firstLSN: first.firstLSN, lastLSN: last.lastLSN, lastCRC: last.crc,
                                 rawLength: headers.reduce(0) { $0 + Int($1.rawLength) }, timestamp: last.timestamp)
        let outcome = core.state.withLock { s -> Result<UInt64, WALError> in
            if s.framesChainLSN != s.nextLSN - 1 {
                guard s.pending.isEmpty, s.pendingFrames.isEmpty, s.writtenChainLSN == s.nextLSN - 1 else {
                    return .failure(.invalidArgument("records appended to this log are not written yet"))
                }
                s.framesChainLSN = s.writtenChainLSN
                s.framesChainCRC = s.writtenChainCRC
            }
            var chainLSN = s.framesChainLSN
            var chainCRC = s.framesChainCRC
            for h in headers {
                guard h.firstLSN == chainLSN + 1 else {
                    return .failure(.invalidArgument("frame starts at LSN \(h.firstLSN), the log continues at \(chainLSN + 1)"))
                }
                guard h.prevCRC == chainCRC else {
                    return .failure(.invalidArgument("frame at LSN \(h.firstLSN) does not chain from the log's last frame"))
                }
                chainLSN = h.lastLSN
                chainCRC = h.crc
            }
            s.framesChainLSN = chainLSN
            s.framesChainCRC = chainCRC
            s.nextLSN = chainLSN + 1
            s.pendingFrames.append(batch)
            return .success(chainLSN)
        }
        let lsn = try outcome.get()
        core.wake.signal()
        return lsn
    }

    /// The LSN and CRC of the last frame written (what the next received frame must chain from);
    /// (0, 0) for an empty log. A follower reports it in its handshake.
    public var lastWrittenFrame: (lsn: UInt64, crc: UInt32) {
        core.state.withLock { ($0.writtenChainLSN, $0.writtenChainCRC) }
    }

    /// Calls `observer` on the writer thread with the bytes of every frame it writes, right after
    /// the write and before its fdatasync (a replication leader ships them meanwhile); nil stops.
    /// The observer must be quick and must not block. A frame rewritten after a failed sync is
    /// reported again with the same LSNs.
    public func setFrameObserver(_ observer: (@Sendable (WrittenFrames) -> Void)?) {
        core.state.withLock { $0.frameObserver = observer }
        core.wake.signal()
    }

    /// When `required`, a record counts as durable only once it is also confirmed (`confirm(upTo:)`:
    /// for example held by enough replicas); when turned off, waiters satisfied by the local mode
    /// alone are resumed at once.
    public func requireConfirmation(_ required: Bool) {
        let ready = core.state.withLock { s -> [LogCore.Continuation] in
            s.confirmationRequired = required
            return LogCore.takeSatisfied(&s, core.durability)
        }
        for c in ready { c(.success(())) }
    }

    /// Confirms every record up to `lsn` (monotonic: a lower value is ignored) and resumes the
    /// waiters that are now durable; runs their completions on the calling thread.
    public func confirm(upTo lsn: UInt64) {
        let ready = core.state.withLock { s -> [LogCore.Continuation] in
            guard lsn > s.confirmedLSN else { return [] }
            s.confirmedLSN = min(lsn, s.nextLSN - 1)
            return LogCore.takeSatisfied(&s, core.durability)
        }
        for c in ready { c(.success(())) }
    }

    /// Fails the durable waiters for LSNs up to `lsn` that are still unconfirmed with `error`
    /// (their records stay in the log: the outcome for those callers is unknown, as after an I/O
    /// failure). Returns how many were failed.
    @discardableResult
    public func failUnconfirmed(through lsn: UInt64, error: WALError) -> Int {
        let failed = core.state.withLock { s -> [LogCore.Continuation] in
            var out: [LogCore.Continuation] = []
            s.durableWaiters.removeAll { w in
                if w.lsn <= lsn { out.append(w.continuation); return true }
                return false
            }
            return out
        }
        for c in failed { c(.failure(error)) }
        return failed.count
    }

    /// The highest confirmed LSN (see `requireConfirmation`).
    public var confirmedLSN: UInt64 { core.state.withLock { $0.confirmedLSN } }

    /// Returns when `lsn` is durable per the mode: `.always` after write + fdatasync, `.interval`
    /// after write, `.none` immediately. Throws `.writeFailed` when the batch holding it failed,
    /// `.closed` when the log closed first, `.invalidArgument` for an LSN never appended.
    public func waitUntilDurable(_ lsn: UInt64) async throws(WALError) {
        try await wait(for: lsn, sync: false)
    }

    /// Forces everything appended so far to disk (fdatasync) regardless of mode, then returns.
    /// Needs a started writer.
    public func flush() async throws(WALError) {
        try await wait(for: lastAppendedLSN, sync: true)
    }

    /// Returns when `lsn` is fdatasync'ed, whatever the mode (forcing a sync in `interval` and
    /// `none`). A snapshot waits for this before it claims an LSN: a snapshot must never reflect
    /// records that a power loss can still take out of the log.
    public func waitUntilSynced(_ lsn: UInt64) async throws(WALError) {
        try await wait(for: lsn, sync: true)
    }

    private func wait(for lsn: UInt64, sync: Bool) async throws(WALError) {
        let result: Result<Void, WALError> = await withCheckedContinuation { continuation in
            register(lsn: lsn, sync: sync) { continuation.resume(returning: $0) }
        }
        if case .failure(let error) = result { throw error }
    }

    /// Calls `completion` once `lsn` is durable per the mode (or failed), without Swift
    /// concurrency: on the writer thread when it had to wait, or right here when it did not.
    /// The completion must be quick and must not block (hand the result to an event loop).
    public func whenDurable(_ lsn: UInt64, _ completion: @escaping @Sendable (Result<Void, WALError>) -> Void) {
        register(lsn: lsn, sync: false, completion)
    }

    private func register(lsn: UInt64, sync: Bool, _ completion: @escaping @Sendable (Result<Void, WALError>) -> Void) {
        if lsn == 0 { completion(.success(())); return }
        let durability = core.durability
        let immediate = core.state.withLock { s -> Result<Void, WALError>? in
            if lsn >= s.nextLSN {
                return .failure(.invalidArgument("LSN \(lsn) was never appended (last is \(s.nextLSN - 1))"))
            }
            if sync {
                if lsn <= s.syncedLSN { return .success(()) }
            } else {
                if durability == .none || lsn <= LogCore.durableThreshold(s, durability) { return .success(()) }
                if let failure = s.failure, lsn >= s.failedFrom, lsn <= s.failedThrough { return .failure(failure) }
            }
            if s.stopped { return .failure(.closed) }
            let waiter = LogCore.Waiter(lsn: lsn, continuation: completion)
            if sync { s.syncWaiters.append(waiter) } else { s.durableWaiters.append(waiter) }
            return nil
        }
        if let immediate {
            completion(immediate)
        } else if sync {
            core.wake.signal()
        }
    }

    /// False after a failed write or fsync until a retry succeeds (feeds the server's /ready).
    public var isWritable: Bool { core.state.withLock { $0.writable } }

    /// The LSN of the last appended record (0 when none).
    public var lastAppendedLSN: UInt64 { core.state.withLock { $0.nextLSN - 1 } }

    /// The highest LSN that `waitUntilDurable` considers durable in this mode.
    public var durableLSN: UInt64 {
        core.state.withLock { s in
            core.durability == .none ? s.nextLSN - 1 : LogCore.durableThreshold(s, core.durability)
        }
    }

    /// The highest LSN known to be fdatasync'ed.
    public var syncedLSN: UInt64 { core.state.withLock { $0.syncedLSN } }

    /// Writer counters (fsyncs, batches, records, bytes, records per batch, fsync latency).
    public var statistics: WALStatistics { core.state.withLock { $0.statistics } }

    /// Deletes segments every record of which has `lsn <= lsn` (after a snapshot covering them),
    /// keeping the newest `retainSegments` of those and never the segment being written; fsyncs the
    /// directory. Returns the deleted paths.
    @discardableResult
    public func removeSegments(coveredBy requested: UInt64, retainSegments: Int) throws(WALError) -> [String] {
        // Records someone still reads (a replica catching up) are kept whatever the snapshot covers.
        let lsn = retentionFloor.withLock { floor in floor.map { min(requested, $0 &- 1) } ?? requested }
        let fs = configuration.fileSystem
        let scanner = LogScanner(walDirectory: configuration.walDirectory, fileSystem: fs)
        let names = try scanner.segmentNames()
        guard names.count > 1 else { return [] }
        var covered: [String] = []
        for i in 0..<(names.count - 1) where names[i + 1].lsn <= lsn &+ 1 {
            covered.append(names[i].name)
        }
        let doomed = covered.dropLast(max(0, retainSegments))
        var removed: [String] = []
        for name in doomed {
            let path = configuration.walDirectory + "/" + name
            do { try fs.unlink(path) } catch {
                throw WALError.io(operation: "unlink", path: path, errno: error.code)
            }
            removed.append(path)
        }
        if !removed.isEmpty {
            do { try fs.syncDirectory(configuration.walDirectory) } catch {
                throw WALError.io(operation: "fsync directory", path: configuration.walDirectory, errno: error.code)
            }
        }
        return removed
    }

    /// Flushes, stops the writer thread and releases the lock. The writer drains what was appended
    /// and syncs it; if the disk keeps failing it gives up after one more attempt and the waiters
    /// still pending get `.closed`. Safe to call more than once.
    public func close() async {
        let started = core.state.withLock { $0.started && !$0.stopped }
        if started {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let done = core.state.withLock { s -> Bool in
                    s.stopping = true
                    if s.stopped { return true }
                    s.stopWaiters.append(c)
                    return false
                }
                if done { c.resume() }
                core.wake.signal()
                core.stopWake.signal()
            }
        } else {
            let failed = core.state.withLock { s -> [LogCore.Continuation] in
                s.stopping = true
                s.stopped = true
                let w = s.durableWaiters.map(\.continuation) + s.syncWaiters.map(\.continuation)
                s.durableWaiters = []
                s.syncWaiters = []
                return w
            }
            for c in failed { c(.failure(.closed)) }
            writer.closeFile()
        }
        lock.release()
    }
}
