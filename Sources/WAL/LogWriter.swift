import Glibc

/// The group-commit writer: owns the current segment and runs on its dedicated thread.
///
/// Loop: take everything appended since the last batch, encode + lz4 it into one frame, write it,
/// `fdatasync` (mode `always`), then resume the batch's waiters outside the lock. When nothing is
/// pending it parks on `LogCore.wake` (a condition variable; in mode `interval` with a timeout for
/// the next periodic sync). While idle it zero-fills the rest of the current segment.
///
/// Only the writer thread touches this object once `start()` ran (before that, only `init`).
final class LogWriter: @unchecked Sendable {
    let core: LogCore
    let fileSystem: WALFileSystem
    let walDirectory: String
    let segmentSize: Int
    let durability: Durability
    let preallocate: Bool

    private(set) var fd: Int32 = -1
    private(set) var segmentPath = ""
    private var head = 0
    private var lastCRC: UInt32 = 0
    private var nextLSN: UInt64 = 1
    /// The point after which everything must be redone if a write or sync fails: the end of the
    /// last synced frame (mode `none`: the last written one). Always inside the current segment.
    private var stable = (offset: 0, crc: UInt32(0), nextLSN: UInt64(1))
    /// Batches written since `stable` (mode `interval`; in `always` at most the current one).
    private var unsynced: [EncodedBatch] = []
    /// Written since the last fdatasync.
    private var dirty = false
    /// Bytes of the current file that exist (frames or preallocated zeros).
    private var filledTo = 0
    private var prefillDone = false
    private var lastSyncNanos = WallClock.monotonicNanoseconds()
    /// Set when the writer gave up on a failed batch during close: nothing more may be written.
    private var abandoned = false
    /// Told about every frame written (a replication leader ships them); read from the shared
    /// state once per loop turn so that it can be set while the log runs.
    private var frameObserver: (@Sendable (WrittenFrames) -> Void)?

    static let prefillChunk = 1 << 20
    private static let zeros = [UInt8](repeating: 0, count: prefillChunk)

    init(core: LogCore, configuration: WALConfiguration) {
        self.core = core
        fileSystem = configuration.fileSystem
        walDirectory = configuration.walDirectory
        segmentSize = configuration.segmentSize
        durability = configuration.durability
        preallocate = configuration.preallocate
    }

    // MARK: - Setup (called from WriteAheadLog.init)

    /// Continues the last existing segment after its last valid frame.
    func openExisting(_ segment: ScannedSegment) throws(WALError) {
        do {
            fd = try fileSystem.open(segment.path, O_RDWR, 0o600)
            filledTo = Int(try fileSystem.size(fd))
        } catch {
            throw WALError.io(operation: "open", path: segment.path, errno: error.code)
        }
        segmentPath = segment.path
        head = segment.validEnd
        lastCRC = segment.lastCRC
        nextLSN = segment.nextLSN
        stable = (head, lastCRC, nextLSN)
        prefillDone = filledTo >= segmentSize
        setChain(lsn: nextLSN - 1, crc: lastCRC)
    }

    /// Records where the last written frame ends (for `appendFrames` and handshakes).
    private func setChain(lsn: UInt64, crc: UInt32) {
        core.state.withLock { s in
            s.writtenChainLSN = lsn
            s.writtenChainCRC = crc
        }
    }

    /// Starts a log with no segment: creates the first one, chaining from `baseCRC` (0 for a new
    /// log; another log's chain CRC when continuing its frames after a snapshot).
    func createFirst(firstLSN: UInt64, baseCRC: UInt32 = 0) throws(WALError) {
        do {
            try createSegment(firstLSN: firstLSN, baseCRC: baseCRC)
        } catch {
            throw WALError.io(operation: error.operation, path: walDirectory + "/" + SegmentName.make(firstLSN), errno: error.code)
        }
        setChain(lsn: firstLSN - 1, crc: baseCRC)
    }

    /// Creates `<firstLSN>.wal` with its header, syncs it and the directory, and makes it current.
    private func createSegment(firstLSN: UInt64, baseCRC: UInt32) throws(IOFailure) {
        let path = walDirectory + "/" + SegmentName.make(firstLSN)
        let newFD: Int32
        do { newFD = try fileSystem.open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600) } catch {
            throw IOFailure(operation: "open", code: error.code)
        }
        let header = SegmentHeader(firstLSN: firstLSN, createdAt: WallClock.nowMilliseconds(), baseCRC: baseCRC)
        do {
            try fileSystem.write(newFD, header.encoded(), 0)
            try fileSystem.fdatasync(newFD)
            try fileSystem.syncDirectory(walDirectory)
        } catch {
            fileSystem.close(newFD)
            try? fileSystem.unlink(path)
            throw IOFailure(operation: "create segment", code: error.code)
        }
        if fd >= 0 { fileSystem.close(fd) }
        fd = newFD
        segmentPath = path
        head = SegmentHeader.size
        lastCRC = baseCRC
        nextLSN = firstLSN
        stable = (head, baseCRC, firstLSN)
        filledTo = head
        prefillDone = false
        core.state.withLock { $0.statistics.segmentsCreated += 1 }
    }

    /// Closes the current segment (at shutdown or when start() never ran).
    func closeFile() {
        if fd >= 0 {
            fileSystem.close(fd)
            fd = -1
        }
    }

    // MARK: - The loop

    func run() {
        while true {
            let (batch, frames, wantSync, stopping, observer) = core.state.withLock {
                s -> ((UInt64, [[UInt8]])?, [EncodedBatch], Bool, Bool, (@Sendable (WrittenFrames) -> Void)?) in
                var batch: (UInt64, [[UInt8]])?
                var frames: [EncodedBatch] = []
                if !s.pending.isEmpty {
                    batch = (s.pendingFirstLSN, s.pending)
                    s.pending = []
                } else if !s.pendingFrames.isEmpty {
                    frames = s.pendingFrames
                    s.pendingFrames = []
                }
                let wantSync = !s.syncWaiters.isEmpty && s.syncedLSN < s.writtenLSN
                return (batch, frames, wantSync, s.stopping, s.frameObserver)
            }
            frameObserver = observer
            if let (first, records) = batch {
                commit(EncodedBatch(firstLSN: first, records: records, timestamp: WallClock.nowMilliseconds()))
                continue
            }
            if let merged = EncodedBatch(merging: frames) {
                commit(merged)
                continue
            }
            if wantSync || (stopping && dirty) {
                syncAndPublish()
                continue
            }
            var timeout: UInt64?
            if case .interval(let ms) = durability, dirty {
                let due = lastSyncNanos + UInt64(max(ms, 0)) * 1_000_000
                let now = WallClock.monotonicNanoseconds()
                if now >= due {
                    syncAndPublish()
                    continue
                }
                timeout = due - now
            }
            if stopping { break }
            if prefillStep() { continue }
            core.wake.wait(timeoutNanoseconds: timeout)
        }
        finish()
    }

    /// Writes one batch (and syncs it in mode `always`), then publishes it.
    private func commit(_ batch: EncodedBatch) {
        if abandoned {
            fail(from: batch.firstLSN, through: batch.lastLSN, error: .closed)
            return
        }
        var fsyncMicros: UInt64?
        do {
            try write(batch)
        } catch {
            recover(from: error, redo: unsynced + [batch])
            return
        }
        switch durability {
        case .always:
            unsynced.append(batch)
            do { fsyncMicros = try sync() } catch {
                recover(from: error, redo: unsynced)
                return
            }
        case .interval:
            unsynced.append(batch)
        case .none:
            stable = (head, lastCRC, nextLSN)
        }
        publish(batch: batch, fsyncMicros: fsyncMicros)
    }

    /// Frames and writes a batch at `head`, rotating first if it would overflow the segment.
    private func write(_ batch: EncodedBatch) throws(IOFailure) {
        if head + batch.frameLength > segmentSize && head > SegmentHeader.size {
            try rotate(firstLSN: batch.firstLSN)
        }
        let (bytes, crc) = batch.frame(prevCRC: lastCRC)
        do { try fileSystem.write(fd, bytes, Int64(head)) } catch {
            throw IOFailure(operation: "write", code: error.code)
        }
        head += bytes.count
        filledTo = max(filledTo, head)
        lastCRC = crc
        nextLSN = batch.lastLSN + 1
        dirty = true
        setChain(lsn: batch.lastLSN, crc: crc)
        frameObserver?(WrittenFrames(bytes: bytes, firstLSN: batch.firstLSN, lastLSN: batch.lastLSN, lastCRC: crc))
    }

    /// Moves to a new segment. In mode `interval` the old one is synced first, so a crash can never
    /// keep a newer segment and lose the end of an older one.
    private func rotate(firstLSN: UInt64) throws(IOFailure) {
        if case .interval = durability, dirty {
            let micros = try sync()
            publishSync(micros: micros)
        }
        try createSegment(firstLSN: firstLSN, baseCRC: lastCRC)
    }

    /// fdatasync of the current segment; on success the synced point becomes the stable point.
    private func sync() throws(IOFailure) -> UInt64 {
        let t0 = WallClock.monotonicNanoseconds()
        do { try fileSystem.fdatasync(fd) } catch {
            throw IOFailure(operation: "fdatasync", code: error.code)
        }
        let t1 = WallClock.monotonicNanoseconds()
        lastSyncNanos = t1
        stable = (head, lastCRC, nextLSN)
        unsynced = []
        dirty = false
        return (t1 - t0) / 1000
    }

    /// A sync not tied to a new batch (flush, interval timer, close).
    private func syncAndPublish() {
        let redo = unsynced
        do {
            let micros = try sync()
            publishSync(micros: micros)
        } catch {
            if redo.isEmpty {
                // Mode none: nothing is kept for redo; fail the flush waiters.
                let written = nextLSN - 1
                fail(from: 0, through: written, error: error.walError)
                dirty = false
            } else {
                recover(from: error, redo: redo)
            }
        }
    }

    // MARK: - Publishing

    private func publish(batch: EncodedBatch, fsyncMicros: UInt64?) {
        let ready = core.state.withLock { s -> [LogCore.Continuation] in
            s.writtenLSN = batch.lastLSN
            if let fsyncMicros {
                s.syncedLSN = batch.lastLSN
                s.statistics.recordFsync(micros: fsyncMicros)
            }
            s.statistics.batches += 1
            s.statistics.records += UInt64(batch.recordCount)
            s.statistics.bytesIn += UInt64(batch.rawLength)
            s.statistics.bytesOut += UInt64(batch.frameLength)
            s.statistics.lastRecordsPerBatch = batch.recordCount
            return LogCore.takeSatisfied(&s, durability)
        }
        for c in ready { c(.success(())) }
    }

    private func publishSync(micros: UInt64) {
        let synced = nextLSN - 1
        let ready = core.state.withLock { s -> [LogCore.Continuation] in
            s.syncedLSN = max(s.syncedLSN, synced)
            s.statistics.recordFsync(micros: micros)
            return LogCore.takeSatisfied(&s, durability)
        }
        for c in ready { c(.success(())) }
    }

    /// Fails durable waiters in `from...through` and sync waiters up to `through`.
    private func fail(from: UInt64, through: UInt64, error: WALError) {
        let failed = core.state.withLock { s -> [LogCore.Continuation] in
            var out: [LogCore.Continuation] = []
            s.durableWaiters.removeAll { w in
                if w.lsn >= from && w.lsn <= through { out.append(w.continuation); return true }
                return false
            }
            s.syncWaiters.removeAll { w in
                if w.lsn <= through { out.append(w.continuation); return true }
                return false
            }
            return out
        }
        for c in failed { c(.failure(error)) }
    }

    // MARK: - Failure and retry

    /// A write or sync failed: fail the waiters of every batch since the stable point, mark the log
    /// unwritable, then redo those batches on a new segment with backoff (50 ms doubling to 1 s)
    /// until it works, before anything appended later. Gives up only when the log is closing.
    private func recover(from failure: IOFailure, redo: [EncodedBatch]) {
        unsynced = []
        guard let first = redo.first, let last = redo.last else { return }
        let error = failure.walError
        core.state.withLock { s in
            s.writable = false
            s.failure = error
            s.failedFrom = first.firstLSN
            s.failedThrough = last.lastLSN
            s.statistics.failedBatches += 1
        }
        fail(from: first.firstLSN, through: last.lastLSN, error: error)

        var backoff: UInt64 = 50_000_000
        while true {
            if core.state.withLock({ $0.stopping }) {
                abandoned = true
                core.state.withLock { $0.failure = .closed }
                return
            }
            core.stopWake.wait(timeoutNanoseconds: backoff)
            core.state.withLock { $0.statistics.retries += 1 }
            do {
                try reopenAtStablePoint()
                for batch in redo { try write(batch) }
                let micros = try sync()
                let ready = core.state.withLock { s -> [LogCore.Continuation] in
                    s.writable = true
                    s.failure = nil
                    s.failedFrom = 0
                    s.failedThrough = 0
                    s.writtenLSN = max(s.writtenLSN, last.lastLSN)
                    s.syncedLSN = last.lastLSN
                    s.statistics.recordFsync(micros: micros)
                    for b in redo {
                        s.statistics.batches += 1
                        s.statistics.records += UInt64(b.recordCount)
                        s.statistics.bytesIn += UInt64(b.rawLength)
                        s.statistics.bytesOut += UInt64(b.frameLength)
                    }
                    return LogCore.takeSatisfied(&s, durability)
                }
                for c in ready { c(.success(())) }
                return
            } catch {
                backoff = min(backoff * 2, 1_000_000_000)
            }
        }
    }

    /// Drops whatever was written after the stable point (best effort: truncate, or unlink a segment
    /// that holds nothing stable) and starts a new segment there. If the truncate fails the old
    /// bytes stay as an "abandoned tail", which recovery recognises because the new segment's first
    /// LSN says where the log continues.
    private func reopenAtStablePoint() throws(IOFailure) {
        if fd >= 0 {
            try? fileSystem.truncate(fd, Int64(stable.offset))
            if stable.offset <= SegmentHeader.size {
                try? fileSystem.unlink(segmentPath)
            }
        }
        head = stable.offset
        lastCRC = stable.crc
        nextLSN = stable.nextLSN
        dirty = false
        try createSegment(firstLSN: stable.nextLSN, baseCRC: stable.crc)
    }

    // MARK: - Preallocation

    /// Zero-fills the next 1 MiB of the current segment (and syncs it). Returns false when there is
    /// nothing to do.
    ///
    /// Never while frames are written but not yet synced (mode `interval` between its syncs): the
    /// pre-fill's fdatasync would then be the one that covers them, and Linux reports a failed
    /// writeback only once, so a failure swallowed here would let the next sync "succeed" over
    /// lost pages. With nothing unsynced, a failed pre-fill sync concerns only zeros.
    private func prefillStep() -> Bool {
        guard preallocate, !prefillDone, !abandoned, fd >= 0 else { return false }
        guard !dirty || durability == .none else { return false }
        let n = min(Self.prefillChunk, segmentSize - filledTo)
        if n <= 0 {
            prefillDone = true
            return false
        }
        let chunk = n == Self.prefillChunk ? Self.zeros : [UInt8](repeating: 0, count: n)
        do {
            try fileSystem.write(fd, chunk, Int64(filledTo))
            try fileSystem.fdatasync(fd)
        } catch {
            // Not worth retrying; frames still go to a growing file. Nothing unsynced was pending
            // (see the guard above), so no acknowledged record depends on this sync.
            prefillDone = true
            core.state.withLock { $0.statistics.prefillFailures += 1 }
            return false
        }
        filledTo += n
        core.state.withLock { $0.statistics.preallocatedBytes += UInt64(n) }
        return true
    }

    // MARK: - Shutdown

    private func finish() {
        closeFile()
        let (waiters, stopWaiters) = core.state.withLock { s -> ([LogCore.Continuation], [CheckedContinuation<Void, Never>]) in
            s.stopped = true
            let w = s.durableWaiters.map(\.continuation) + s.syncWaiters.map(\.continuation)
            s.durableWaiters = []
            s.syncWaiters = []
            let stop = s.stopWaiters
            s.stopWaiters = []
            return (w, stop)
        }
        for c in waiters { c(.failure(.closed)) }
        for c in stopWaiters { c.resume() }
    }
}
