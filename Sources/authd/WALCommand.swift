import ArgumentParser
import Locking
import WAL

/// `authd wal ...`: operator commands for the write-ahead log and snapshots of a data directory.
struct WALCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Inspect, verify, repair and benchmark the write-ahead log.",
        subcommands: [WALVerifyCommand.self, WALDumpCommand.self, WALRepairCommand.self, WALBenchCommand.self]
    )

    private static let describeHook = LockedValue<@Sendable ([UInt8]) -> String>(WALCommand.hexPrefix)

    /// Turns a record's bytes into a one-line description for `wal dump`. The Engine sets this to
    /// its record decoder; the default prints the hex of the first 32 bytes.
    static var describeRecord: @Sendable ([UInt8]) -> String {
        get { describeHook.withLock { $0 } }
        set { describeHook.withLock { $0 = newValue } }
    }

    /// Hex of the first 32 bytes ("..." when longer).
    static let hexPrefix: @Sendable ([UInt8]) -> String = { bytes in
        let digits = Array("0123456789abcdef")
        var out = ""
        for b in bytes.prefix(32) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return bytes.count > 32 ? out + "..." : out
    }
}

/// The `--data-dir` option shared by the wal subcommands.
struct WALDataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory (holds wal/ and snapshots/).")
    var dataDirectory: String = "./data"
}
