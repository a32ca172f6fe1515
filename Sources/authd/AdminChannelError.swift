import Foundation

/// Why the admin channel could not be opened or reached, or gave no answer.
enum AdminChannelError: Error, CustomStringConvertible {
    case system(String, Int32)
    case pathTooLong(String)
    case refused(String)
    /// No answer within the client's timeout (`timeout` as the operator wrote it).
    case timedOut(path: String, timeout: String)

    var description: String {
        switch self {
        case .system(let what, let code): "\(what) failed: \(String(cString: strerror(code)))"
        case .pathTooLong(let path): "socket path too long: \(path)"
        case .refused(let message): message
        case .timedOut(let path, let timeout):
            "no answer from the server on \(path) within \(timeout) (--timeout); it may still be working on the command"
        }
    }
}
