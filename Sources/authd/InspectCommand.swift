import ArgumentParser
import Engine
import Foundation
import WAL

/// `authd inspect`: what a data directory holds (snapshot, LSNs, users, sessions by status),
/// read-only and without the lock, so it also works beside a running server.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show LSNs, sizes, users and sessions by status of a data directory."
    )

    @Option(name: .customLong("data-dir"), help: "The data directory.")
    var dataDirectory = "./data"

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let recovery: EngineRecovery
        do {
            recovery = try EngineRecovery.read(dataDirectory: dataDirectory)
        } catch {
            FileHandle.standardError.write(Data("inspect: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let summary = recovery.summary
        let counts = recovery.counts
        let walBytes = directorySize(dataDirectory + "/wal")
        let snapshotBytes = directorySize(dataDirectory + "/snapshots")
        if json {
            let object: [String: Any] = [
                "dataDirectory": dataDirectory,
                "snapshot": summary.snapshotPath ?? NSNull(),
                "snapshotLSN": summary.snapshotLSN,
                "lastLSN": summary.lastLSN,
                "replayedRecords": summary.replayedRecords,
                "skippedSnapshots": summary.skippedSnapshots,
                "walNotes": summary.walNotes,
                "walBytes": walBytes,
                "snapshotBytes": snapshotBytes,
                "users": counts.users,
                "sessions": ["ACTIVE": counts.active, "REVOKED": counts.revoked, "COMPROMISED": counts.compromised],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("data directory   \(dataDirectory)")
            print("snapshot         \(summary.snapshotPath ?? "none") (covers LSN \(summary.snapshotLSN))")
            for skipped in summary.skippedSnapshots { print("skipped snapshot \(skipped)") }
            for note in summary.walNotes { print("WAL note         \(note)") }
            print("last LSN         \(summary.lastLSN) (\(summary.replayedRecords) records replayed after the snapshot)")
            print("WAL size         \(walBytes) bytes")
            print("snapshots size   \(snapshotBytes) bytes")
            print("users            \(counts.users)")
            print("sessions         ACTIVE \(counts.active)  REVOKED \(counts.revoked)  COMPROMISED \(counts.compromised)")
        }
    }
}

/// Total size of the regular files directly inside `path` (0 if it does not exist).
func directorySize(_ path: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.reduce(0) { total, name in
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0
        return total + size
    }
}
