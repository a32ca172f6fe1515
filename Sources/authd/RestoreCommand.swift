import ArgumentParser
import Engine
import Foundation
import WAL

/// `authd restore`: builds a fresh data directory from a snapshot plus the retained WAL of
/// the source directory, optionally only up to an LSN or a point in time. The result is a
/// single snapshot in `--into`, which `authd serve --data-dir` then starts from.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a snapshot (plus WAL up to --until) into a new data directory."
    )

    @Option(help: "Snapshot file to start from (default: the newest valid one of --from).")
    var snapshot: String?

    @Option(name: .customLong("from"), help: "Data directory whose WAL is replayed after the snapshot.")
    var source = "./data"

    @Option(help: "Stop after this LSN, or at this RFC 3339 time (e.g. 2026-11-27T12:00:00Z), inclusive.")
    var until: String?

    @Option(help: "The new data directory (must not exist or be empty).")
    var into: String

    func run() throws {
        let bound: EngineRecovery.Bound?
        if let until {
            if let lsn = UInt64(until) {
                bound = .lsn(lsn)
            } else if let date = Self.parseTime(until) {
                bound = .time(Int64(date.timeIntervalSince1970 * 1000))
            } else {
                throw ValidationError("--until must be an LSN or an RFC 3339 time, got '\(until)'")
            }
        } else {
            bound = nil
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: into)) ?? []
        guard existing.isEmpty else { throw ValidationError("--into \(into) is not empty") }

        let recovery: EngineRecovery
        do {
            recovery = try EngineRecovery.read(dataDirectory: source, snapshotPath: snapshot, until: bound)
        } catch {
            FileHandle.standardError.write(Data("restore: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let summary = recovery.summary
        for skipped in summary.skippedSnapshots { print("skipped snapshot \(skipped)") }
        for note in summary.walNotes { print("note: \(note)") }
        do {
            try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // An existing (empty) directory keeps its mode otherwise; it will hold password hashes.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: into)
            let info = try SnapshotStore(directory: into).write(lsn: summary.lastLSN, timestamp: summary.lastTimestamp,
                                                               payload: recovery.snapshotPayload(lsn: summary.lastLSN))
            let counts = recovery.counts
            print("restored to LSN \(summary.lastLSN) (\(summary.replayedRecords) WAL records after \(summary.snapshotPath ?? "an empty state"))")
            print("users \(counts.users), sessions ACTIVE \(counts.active) REVOKED \(counts.revoked) COMPROMISED \(counts.compromised)")
            print("wrote \(info.path)")
        } catch {
            FileHandle.standardError.write(Data("restore: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
