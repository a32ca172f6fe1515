import Foundation

/// The single-line progress indicator written to stderr while a run is going
/// (rewritten in place with `\r`, so it never scrolls the terminal).
enum ProgressLine {
    /// True when stderr is a terminal (the default for showing progress).
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    static func show(scenario: String, elapsed: Double, total: Double?, answers: Int, perSecond: Int) {
        let time = total.map { String(format: "%.1f/%.1f s", elapsed, $0) } ?? String(format: "%.1f s", elapsed)
        write("\r\u{1B}[K[\(scenario)] \(time)  \(answers) answers  \(perSecond) req/s")
    }

    static func clear() { write("\r\u{1B}[K") }

    fileprivate static func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}

extension ProgressLine {
    /// A whole line of status on stderr.
    static func message(_ s: String) { write(s + "\n") }
}
