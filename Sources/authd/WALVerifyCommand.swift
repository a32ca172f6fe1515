import ArgumentParser
import WAL

/// `authd wal verify`: checks every segment frame, LSN continuity, the CRC chain and every snapshot.
/// Read-only and lock-free. Exit code 1 when anything needs attention.
struct WALVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify WAL segments (frames, LSN continuity, CRC chain) and snapshots."
    )

    @OptionGroup var options: WALDataDirectoryOptions

    func run() async throws {
        let report: VerificationReport
        do {
            report = try WALVerifier.verify(directory: options.dataDirectory)
        } catch {
            printError("wal verify: \(error)")
            throw ExitCode(2)
        }
        for s in report.segments {
            let range = s.lastLSN >= s.firstLSN ? "LSN \(s.firstLSN)...\(s.lastLSN)" : "no records"
            print("segment \(s.path): \(range), \(s.frames) frames, \(s.records) records, \(s.validEnd)/\(s.fileSize) bytes used")
        }
        for s in report.snapshots {
            print("snapshot \(s.path): LSN \(s.lsn), \(s.payloadSize) bytes" + (s.problem.map { ", CORRUPT: \($0)" } ?? ", ok"))
        }
        for p in report.problems {
            print("\(p.kind == .abandonedTail ? "note" : "PROBLEM"): \(p)")
        }
        for p in report.otherProblems {
            print("PROBLEM: \(p)")
        }
        if report.segments.isEmpty && report.snapshots.isEmpty {
            print("no WAL segments or snapshots in \(options.dataDirectory)")
        }
        if !report.isHealthy {
            print("verify: FAILED")
            throw ExitCode(1)
        }
        print("verify: ok")
    }
}
