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
    static func loadLatestSnapshot(directory: String) throws(EngineOpenError) -> (payload: [UInt8], path: String, skipped: [String])? {
        do {
            guard let loaded = try SnapshotStore(directory: directory).loadLatest() else { return nil }
            return (loaded.payload, loaded.info.path, loaded.skipped.map { "\($0.path): \($0.reason)" })
        } catch {
            throw .storage(error)
        }
    }

    /// The LSN after which WAL records are needed.
    var replayStart: UInt64 { snapshot.coveredLSN }

    /// Applies one WAL record unless the snapshot already reflects it. Returns false once
    /// `bound` is passed (the record is then not applied).
    mutating func apply(_ record: WALRecord, until bound: Bound? = nil) throws(EngineOpenError) -> Bool {
        switch bound {
        case .lsn(let last)? where record.lsn > last: return false
        case .time(let last)? where record.timestamp > last: return false
        default: break
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

    /// Users and sessions by status over all shards.
    public var counts: (users: Int, active: Int, revoked: Int, compromised: Int) {
        states.reduce(into: (0, 0, 0, 0)) { total, state in
            let c = state.counts()
            total = (total.0 + c.users, total.1 + c.active, total.2 + c.revoked, total.3 + c.compromised)
        }
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
    /// Replays the WAL of `walDirectory` (default: the same data directory) up to `bound`.
    public static func read(dataDirectory: String, snapshotPath: String? = nil, shardCount: Int = 1,
                            until bound: Bound? = nil) throws(EngineOpenError) -> EngineRecovery {
        var recovery: EngineRecovery
        if let snapshotPath {
            let loaded: LoadedSnapshot
            do { loaded = try SnapshotStore(directory: dataDirectory).load(path: snapshotPath) } catch { throw .storage(error) }
            recovery = try EngineRecovery(snapshotPayload: loaded.payload, path: snapshotPath, shardCount: shardCount)
        } else if let latest = try loadLatestSnapshot(directory: dataDirectory) {
            recovery = try EngineRecovery(snapshotPayload: latest.payload, path: latest.path, shardCount: shardCount)
            recovery.summary.skippedSnapshots = latest.skipped
        } else {
            recovery = try EngineRecovery(snapshotPayload: nil, path: nil, shardCount: shardCount)
        }
        let reader = WALReader(directory: dataDirectory)
        try recovery.replay(until: bound) { start, body in _ = try reader.forEachRecord(after: start, body) }
        return recovery
    }
}
