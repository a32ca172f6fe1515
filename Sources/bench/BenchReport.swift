import Foundation

/// The `--json` file: the command line, the machine, every run and, with
/// `--compare`, the comparison with the ceiling.
struct BenchReport: Codable, Sendable {
    var command: [String]
    var generatedAt: String
    var cores: Int
    var runs: [RunResult]
    var comparison: Comparison?

    init(runs: [RunResult], comparison: Comparison? = nil) {
        command = CommandLine.arguments
        generatedAt = ISO8601DateFormatter().string(from: Date())
        cores = ProcessInfo.processInfo.activeProcessorCount
        self.runs = runs
        self.comparison = comparison
    }

    /// Writes the report as pretty-printed JSON.
    func write(to path: String) throws(BenchError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(self).write(to: URL(fileURLWithPath: path)) }
        catch { throw .outputFailed("\(path): \(error)") }
    }
}
