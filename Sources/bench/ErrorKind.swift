/// The kinds of per-request failure a run counts (k6 and wrk report the same split).
enum ErrorKind: Int, CaseIterable, Codable, Sendable {
    /// A TCP connection could not be opened.
    case connect
    /// No answer within `--timeout`; the connection is closed and reopened.
    case timeout
    /// An answer arrived with a status other than the one expected.
    case status
    /// The server closed the connection while a request was in flight.
    case closed
    /// The bytes received were not a valid HTTP/1.1 response.
    case protocolError

    /// The name used in the table and the JSON report.
    var label: String {
        switch self {
        case .connect: "connect"
        case .timeout: "timeout"
        case .status: "status"
        case .closed: "closed"
        case .protocolError: "protocol"
        }
    }
}
