import ArgumentParser
import Foundation
import HTTPFront

/// `authd snapshot`: asks the running server on this data directory to take a snapshot now.
///
/// Waits at most `--timeout` for the answer (connecting included), then fails with a
/// clear message and status 1; the server may still finish a snapshot it had started.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take a snapshot on the running server (through DATA_DIR/admin.sock)."
    )

    @Option(name: .customLong("data-dir"), help: "The server's data directory.")
    var dataDirectory = "./data"

    @Option(help: "How long to wait for the server's answer, e.g. 30s or 5m.")
    var timeout = "60s"

    func validate() throws {
        guard let seconds = DurationParser.seconds(timeout), seconds > 0, seconds <= 86_400 else {
            throw ValidationError("--timeout must be a duration from 1ms to 1d such as 30s or 5m")
        }
    }

    func run() throws {
        let seconds = DurationParser.seconds(timeout) ?? 60
        let answer: String
        do {
            answer = try AdminClient.send(
                "snapshot", dataDirectory: dataDirectory, timeout: .milliseconds(Int64((seconds * 1000).rounded(.up))), timeoutText: timeout)
        } catch {
            FileHandle.standardError.write(Data("authd snapshot: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard answer.hasPrefix("ok ") else {
            FileHandle.standardError.write(Data("authd snapshot: the server refused: \(answer)\n".utf8))
            throw ExitCode(1)
        }
        print("snapshot written: \(answer.dropFirst(3))")
    }
}
