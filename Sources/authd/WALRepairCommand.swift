import ArgumentParser
import WAL

/// `authd wal repair`: cuts the log at its first damage (copying the cut bytes to
/// `<segment>.broken`, moving later segments aside). Needs the directory lock: stop the server first.
struct WALRepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Cut the WAL at its first corruption (cut bytes are kept in <segment>.broken)."
    )

    @OptionGroup var options: WALDataDirectoryOptions

    func run() async throws {
        let report: RepairReport
        do {
            report = try WALRepair.repair(directory: options.dataDirectory)
        } catch {
            printError("wal repair: \(error)")
            throw ExitCode(error == .locked(path: options.dataDirectory + "/LOCK") ? 3 : 2)
        }
        guard let problem = report.problem else {
            print("repair: nothing to do, the log is whole (last LSN \(report.lastLSN))")
            return
        }
        print("repair: cut \(problem.segment) at byte \(problem.offset): \(problem.reason)")
        if let copy = report.copyPath { print("repair: cut bytes copied to \(copy)") }
        for move in report.movedSegments { print("repair: moved \(move.from) -> \(move.to)") }
        print("repair: the log now ends at LSN \(report.lastLSN)")
    }
}
