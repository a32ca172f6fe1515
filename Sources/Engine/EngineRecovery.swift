import Foundation
import WAL

/// Rebuilds shard states from the newest valid snapshot plus the WAL records after it.
/// Used by `AuthEngine.open` and by the operator's point-in-time restore and inspect.
public struct EngineRecovery: Sendable {
    /// What recovery found, for the start-up log and `authd inspect`.
    public struct Summary: Sendable {
        public var snapshotPath: String?
        public var snapshotLSN: UInt64 = 0
        public var skippedSnapshots: [String] = []
        public var replayedRecords = 0
        public var lastLSN: UInt64 = 0
        public var lastTimestamp: Int64 = 0
        /// Where start-up time went (seconds): opening and checking the WAL, reading and
        /// decoding the snapshot, replaying the tail, handing the state to the shards.
        public var walOpenSeconds = 0.0
        public var snapshotSeconds = 0.0
        public var replaySeconds = 0.0
        public var shardLoadSeconds = 0.0
        /// Set when the log ended below what the snapshot reflects and was started over after it.
        public var logRestart: LogRestart?
        /// Problems the read-only reader met at the end of the log (a torn tail of a log being
        /// written, for example); damage that would lose records is an error instead.
        public var walNotes: [String] = []
    }

    /// A log that ended below the snapshot, started over (see `AuthEngine.open`).
    public struct LogRestart: Sendable {
        /// Where the log ended.
        public var logEndLSN: UInt64
        /// What the snapshot reflects; the log continues after it.
        public var snapshotLSN: UInt64
        /// The snapshot written of the recovered state at `snapshotLSN`.
        public var snapshotPath: String
        /// The old segments, moved aside (`.superseded`).
        public var movedSegments: [String]
    }

    /// Where replay stops: at an LSN or at a wall-clock time (milliseconds), both inclusive.
    public enum Bound: Sendable {
        case lsn(UInt64)
        case time(Int64)
    }

    let snapshot: EngineSnapshot
    var states: [ShardState]
    public internal(set) var summary = Summary()

    /// Starts from a snapshot payload (or empty state) partitioned for `shardCount` shards.
    init(snapshotPayload: [UInt8]?, path: String?, shardCount: Int) throws(EngineOpenError) {
        if let snapshotPayload {
            do { snapshot = try EngineSnapshot(decoding: snapshotPayload) } catch { throw .snapshotUnreadable(path: path ?? "-", error) }
        } else {
            snapshot = EngineSnapshot(parts: [])
        }
        do { states = try snapshot.redistributed(into: shardCount) } catch {
            throw .snapshotUnreadable(path: path ?? "-", .invalidTag(offset: 0))
        }
        summary.snapshotPath = path
        summary.snapshotLSN = snapshot.coveredLSN
        summary.lastLSN = snapshot.newestLSN
    }

    /// Loads the newest valid snapshot of `directory` (nil when there is none).
    static func loadLatestSnapshot(directory: String) throws(EngineOpenError) -> (payload: [UInt8], info: SnapshotInfo, skipped: [String])? {
        do {
            guard let loaded = try SnapshotStore(directory: directory).loadLatest() else { return nil }
            return (loaded.payload, loaded.info, loaded.skipped.map { "\($0.path): \($0.reason)" })
        } catch {
            throw .storage(error)
        }
    }

    /// The LSN after which WAL records are needed.
    var replayStart: UInt64 { snapshot.coveredLSN }

    /// The highest LSN some part of the snapshot reflects: new records must come after it.
    var snapshotNewestLSN: UInt64 { snapshot.newestLSN }

    /// When the loaded snapshot was written (0 without one).
    var snapshotTimestamp: Int64 = 0

    /// Whether replay met a record past its bound (so the log holds everything up to it).
    var reachedBound = false

    /// Applies one WAL record unless the snapshot already reflects it. Returns false once
    /// `bound` is passed (the record is then not applied).
    mutating func apply(_ record: WALRecord, until bound: Bound? = nil) throws(EngineOpenError) -> Bool {
        switch bound {
        case .lsn(let last)? where record.lsn > last:
            reachedBound = true
            return false
        case .time(let last)? where record.timestamp > last:
            reachedBound = true
            return false
        default: break
        }
        if record.isControl {
            // The log's own records (replication terms): nothing for the engine to apply.
            summary.lastLSN = max(summary.lastLSN, record.lsn)
            summary.lastTimestamp = record.timestamp
            return true
        }
        let decoded: EngineRecord
        do { decoded = try EngineRecord(decoding: record.bytes) } catch {
            throw .recordUnreadable(lsn: record.lsn, reason: "\(error)")
        }
        summary.lastLSN = max(summary.lastLSN, record.lsn)
        summary.lastTimestamp = record.timestamp
        if snapshot.reflects(lsn: record.lsn, userID: decoded.userID) { return true }
        let index = ShardRoute.shard(route: ShardRoute.route(userID: decoded.userID), count: states.count)
        do { try states[index].apply(decoded) } catch {
            throw .recordUnreadable(lsn: record.lsn, reason: "\(error)")
        }
        summary.replayedRecords += 1
        return true
    }

    /// The recovered state as a snapshot payload whose every part reflects `lsn`.
    public func snapshotPayload(lsn: UInt64) -> [UInt8] {
        EngineSnapshot(parts: states.map { EngineSnapshot.Part(state: $0, lsn: lsn) }).encoded()
    }

    /// Users and sessions by stored status over all shards (no token lifetime is known here,
    /// so sessions past their expiry count as the ACTIVE they are stored as).
    public var counts: SessionCounts {
        states.reduce(SessionCounts()) { $0 + $1.counts() }
    }
}

extension EngineRecovery {
    /// Replays the records after the snapshot through `forEach` (the open log's replay or a
    /// read-only reader), mapping every failure to the error an operator can act on.
    mutating func replay(until bound: Bound? = nil, _ forEach: (UInt64, (WALRecord) throws -> Void) throws -> Void) throws(EngineOpenError) {
        var recovery = self
        do {
            try forEach(replayStart) { record in _ = try recovery.apply(record, until: bound) }
        } catch let error as EngineOpenError {
            throw error
        } catch let error as WALError {
            throw .storage(error)
        } catch {
            throw .recordUnreadable(lsn: 0, reason: "\(error)")
        }
        self = recovery
    }

    /// Recovers a data directory read-only (no lock, no writes): `authd inspect` and restore.
    ///
    /// Starts from `snapshotPath`, else from the newest snapshot that verifies and reflects
    /// nothing past `bound` (else from an empty state), and replays the WAL up to `bound`.
    /// Refuses, rather than return a state other than the one asked for: a snapshot past the
    /// bound, records missing between the snapshot and the log's start, and damage in the log
    /// before the bound (the server refuses that directory too). A torn tail (the end of a log
    /// being written) ends the replay and is listed in `summary.walNotes`.
    public static func read(dataDirectory: String, snapshotPath: String? = nil, shardCount: Int = 1,
                            until bound: Bound? = nil) throws(EngineOpenError) -> EngineRecovery {
        let store = SnapshotStore(directory: dataDirectory)
        var recovery: EngineRecovery
        if let snapshotPath {
            let loaded: LoadedSnapshot
            do { loaded = try store.load(path: snapshotPath) } catch { throw .storage(error) }
            recovery = try EngineRecovery(snapshotPayload: loaded.payload, path: snapshotPath, shardCount: shardCount)
            recovery.snapshotTimestamp = loaded.info.timestamp
            if let bound, let reason = recovery.snapshotPasses(bound) {
                throw .invalidConfiguration(["snapshot \(snapshotPath) \(reason)"])
            }
        } else {
            recovery = try newestSnapshot(in: store, fitting: bound, shardCount: shardCount)
        }
        let reader = WALReader(directory: dataDirectory)
        var problems: [ScanProblem] = []
        try recovery.replay(until: bound) { start, body in
            problems = try reader.forEachRecord(after: start, continuous: true, body)
        }
        for problem in problems {
            switch problem.kind {
            case .corruption where !recovery.reachedBound:
                throw .storage(.corruption(
                    segment: problem.segment, offset: problem.offset,
                    reason: problem.reason + "; the log is readable only up to LSN \(recovery.summary.lastLSN)"))
            case .corruption, .tornTail, .abandonedTail:
                recovery.summary.walNotes.append(problem.description)
            }
        }
        return recovery
    }

    /// The newest snapshot of `store` that verifies and reflects nothing past `bound`; an empty
    /// state when there is none. Corrupt snapshots and those past the bound are listed in
    /// `summary.skippedSnapshots`.
    static func newestSnapshot(in store: SnapshotStore, fitting bound: Bound?, shardCount: Int) throws(EngineOpenError) -> EngineRecovery {
        let infos: [SnapshotInfo]
        do { infos = try store.list() } catch { throw .storage(error) }
        var skipped: [String] = []
        for info in infos.reversed() {
            let loaded: LoadedSnapshot
            do { loaded = try store.load(path: info.path) } catch {
                skipped.append("\(info.path): \(error)")
                continue
            }
            var recovery = try EngineRecovery(snapshotPayload: loaded.payload, path: info.path, shardCount: shardCount)
            recovery.snapshotTimestamp = loaded.info.timestamp
            if let bound, let reason = recovery.snapshotPasses(bound) {
                skipped.append("\(info.path): \(reason)")
                continue
            }
            recovery.summary.skippedSnapshots = skipped
            return recovery
        }
        var empty = try EngineRecovery(snapshotPayload: nil, path: nil, shardCount: shardCount)
        empty.summary.skippedSnapshots = skipped
        return empty
    }

    /// Why the loaded snapshot reflects something past `bound`, nil when it does not.
    func snapshotPasses(_ bound: Bound) -> String? {
        switch bound {
        case .lsn(let last):
            return snapshot.newestLSN > last ? "reflects records up to LSN \(snapshot.newestLSN), past LSN \(last)" : nil
        case .time(let last):
            return snapshotTimestamp > last ? "was written at \(snapshotTimestamp) ms, after the bound \(last) ms" : nil
        }
    }
}
