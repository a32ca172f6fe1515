import HTTPFront
import Logging

/// Process-wide logging for `authd serve`: JSON lines on stdout.
enum ServeLogging {
    /// Installs the JSON-lines handler at `level` (or no output for `silent`).
    static func bootstrap(_ level: ServerConfiguration.LogLevel) {
        switch level {
        case .silent:
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        case .level(let level):
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level, output: .standardOutput) }
        }
    }

    /// The startup line tools wait for; written whatever LOG_LEVEL says.
    static func announce(host: String, port: Int) {
        let handler = JSONLogHandler(label: "authd", level: .info, output: .standardOutput)
        let logger = Logger(label: "authd") { _ in handler }
        logger.notice("listening on http://\(host):\(port)", metadata: ["host": .string(host), "port": .stringConvertible(port)])
    }
}
