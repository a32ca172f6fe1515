import Engine
import HTTPFront
import Logging
import WAL

/// The start-up lines about the data directory, as structured JSON fields (numbers as numbers,
/// lists as arrays) so log pipelines can query them. Anything that changed or dropped bytes on
/// disk is a warning, visible at the recommended `LOG_LEVEL=warning`.
enum StartupLog {
    static func walOpened(_ report: RecoveryReport, logger: Logger) {
        for cut in report.cuts {
            logger.warning("cut a torn tail off the write-ahead log", metadata: [
                "segment": .string(cut.segment), "offset": .stringConvertible(cut.offset),
                "bytes": .stringConvertible(cut.bytes), "lastKeptLSN": .stringConvertible(cut.lastKeptLSN),
                "cutFromLSN": .stringConvertible(cut.lastKeptLSN + 1),
                "copy": cut.copyPath.map { .string($0) } ?? .string(""), "reason": .string(cut.reason),
            ])
        }
        if !report.permissionChanges.isEmpty {
            logger.warning("data directory was readable by other users; permissions tightened", metadata: [
                "changes": .array(report.permissionChanges.map { .string($0) }),
            ])
        }
        for note in report.notes {
            logger.notice("write-ahead log note", metadata: ["note": .string(note)])
        }
        logger.notice("write-ahead log opened", metadata: [
            "segments": .stringConvertible(report.segments), "frames": .stringConvertible(report.frames),
            "records": .stringConvertible(report.records), "firstLSN": .stringConvertible(report.firstLSN),
            "lastLSN": .stringConvertible(report.lastLSN), "cuts": .stringConvertible(report.cuts.count),
        ])
    }

    /// The fields of a start-up failure: `reason` (one line of text) and, where the error
    /// names them, what an operator looks at as JSON values (an LSN or offset as a number, the
    /// configuration problems as an array), never a Swift debug description.
    static func fields(of error: any Error) -> Logger.Metadata {
        var fields: Logger.Metadata = ["reason": .string(String(describing: error))]
        switch error {
        case let error as EngineOpenError:
            switch error {
            case .invalidConfiguration(let problems):
                fields["problems"] = .array(problems.map { .string($0) })
            case .storage(let storage):
                fields.merge(walFields(storage)) { _, new in new }
            case .snapshotUnreadable(let path, _):
                fields["snapshot"] = .string(path)
            case .recordUnreadable(let lsn, _):
                fields["lsn"] = .stringConvertible(lsn)
            case .followerLogBehindSnapshot(let end, let lsn):
                fields["logEndLSN"] = .stringConvertible(end)
                fields["snapshotLSN"] = .stringConvertible(lsn)
            }
        case let error as WALError:
            fields.merge(walFields(error)) { _, new in new }
        case let error as SecretsFile.Failure:
            switch error {
            case .unreadable(let path, _), .unwritable(let path, _), .invalid(let path, _): fields["path"] = .string(path)
            }
        default:
            break
        }
        return fields
    }

    private static func walFields(_ error: WALError) -> Logger.Metadata {
        switch error {
        case .locked(let path): ["path": .string(path)]
        case .io(let operation, let path, let code): ["operation": .string(operation), "path": .string(path), "errno": .stringConvertible(Int(code))]
        case .corruption(let segment, let offset, _): ["segment": .string(segment), "offset": .stringConvertible(offset)]
        case .snapshotCorrupt(let path, _): ["snapshot": .string(path)]
        case .missingRecords(let from, let through, _): ["fromLSN": .stringConvertible(from), "throughLSN": .stringConvertible(through)]
        default: [:]
        }
    }

    static func recovered(_ summary: EngineRecovery.Summary, logger: Logger) {
        if !summary.skippedSnapshots.isEmpty {
            logger.warning("skipped snapshots that do not verify", metadata: [
                "skippedSnapshots": .array(summary.skippedSnapshots.map { .string($0) }),
            ])
        }
        if let restart = summary.logRestart {
            logger.warning("the write-ahead log ended below the snapshot; it was started over after the snapshot", metadata: [
                "logEndLSN": .stringConvertible(restart.logEndLSN), "snapshotLSN": .stringConvertible(restart.snapshotLSN),
                "snapshot": .string(restart.snapshotPath),
                "movedSegments": .array(restart.movedSegments.map { .string($0) }),
            ])
        }
        logger.notice("recovered data directory", metadata: [
            "snapshot": .string(summary.snapshotPath ?? "none"), "snapshotLSN": .stringConvertible(summary.snapshotLSN),
            "replayedRecords": .stringConvertible(summary.replayedRecords), "lastLSN": .stringConvertible(summary.lastLSN),
            "seconds": .dictionary([
                "walOpen": .stringConvertible(summary.walOpenSeconds), "snapshot": .stringConvertible(summary.snapshotSeconds),
                "replay": .stringConvertible(summary.replaySeconds), "shardLoad": .stringConvertible(summary.shardLoadSeconds),
            ]),
        ])
    }
}
