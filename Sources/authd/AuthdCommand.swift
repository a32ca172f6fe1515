import ArgumentParser
import Engine

/// The `authd` executable: the server (`serve`, the default) and the operator commands.
@main
struct AuthdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "An authentication server with in-memory state made durable by its own write-ahead log.",
        subcommands: [ServeCommand.self, SnapshotCommand.self, KeysCommand.self, InspectCommand.self, RestoreCommand.self, WALCommand.self, ClusterCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() async {
        // `wal dump` describes records with the engine's decoder (the WAL itself knows only bytes).
        WALCommand.describeRecord = { bytes in
            (try? EngineRecord(decoding: bytes))?.summary ?? "undecodable \(bytes.count)-byte record"
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
