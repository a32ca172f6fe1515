import ArgumentParser
import Foundation
import WAL

/// `authd wal dump`: prints records (LSN, time, length, description) from a data directory without
/// taking the lock. `--json` prints one JSON object per line.
struct WALDumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print WAL records human-readably (or as JSON lines)."
    )

    @OptionGroup var options: WALDataDirectoryOptions

    @Option(help: "First LSN to print.")
    var from: UInt64 = 1

    @Flag(help: "One JSON object per record: {lsn, timestamp, time, length, description}.")
    var json = false

    func run() async throws {
        let describe = WALCommand.describeRecord
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let reader = WALReader(directory: options.dataDirectory)
        let problems: [ScanProblem]
        do {
            problems = try reader.forEachRecord(after: from > 0 ? from - 1 : 0) { record in
                let time = formatter.string(from: Date(timeIntervalSince1970: Double(record.timestamp) / 1000))
                let text = describe(record.bytes)
                if json {
                    print("{\"lsn\":\(record.lsn),\"timestamp\":\(record.timestamp),\"time\":\"\(time)\",\"length\":\(record.bytes.count),\"description\":\(jsonString(text))}")
                } else {
                    print("\(record.lsn)\t\(time)\t\(record.bytes.count)\t\(text)")
                }
            }
        } catch {
            printError("wal dump: \(error)")
            throw ExitCode(2)
        }
        let serious = problems.filter { $0.kind != .abandonedTail }
        for p in serious { printError("wal dump: stopped: \(p)") }
        if !serious.isEmpty { throw ExitCode(1) }
    }
}

/// A JSON string literal for `text`.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
