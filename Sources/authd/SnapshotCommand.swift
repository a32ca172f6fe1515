import ArgumentParser

/// `authd snapshot`: asks the running server on this data directory to take a snapshot now.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take a snapshot on the running server (through DATA_DIR/admin.sock)."
    )

    @Option(name: .customLong("data-dir"), help: "The server's data directory.")
    var dataDirectory = "./data"

    func run() throws {
        let answer: String
        do {
            answer = try AdminClient.send("snapshot", dataDirectory: dataDirectory)
        } catch {
            throw ValidationError("\(error)")
        }
        guard answer.hasPrefix("ok ") else {
            print("snapshot failed: \(answer)")
            throw ExitCode(1)
        }
        print("snapshot written: \(answer.dropFirst(3))")
    }
}
