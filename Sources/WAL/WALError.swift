import Glibc

/// Every error the WAL module throws. Each case names what failed and where, so an operator can act
/// on the message alone.
public enum WALError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (or another `WriteAheadLog` in this one) holds `<dir>/LOCK`.
    case locked(path: String)
    /// A file-system call failed outside the write path (open, read, rename, ...).
    case io(operation: String, path: String, errno: Int32)
    /// The batch holding the awaited record could not be written or synced; nothing of that batch
    /// was acknowledged. The writer retries it on a new segment.
    case writeFailed(operation: String, errno: Int32)
    /// The log is damaged somewhere other than a torn tail; `WALRepair` can cut it there.
    case corruption(segment: String, offset: Int, reason: String)
    /// A snapshot file does not verify.
    case snapshotCorrupt(path: String, reason: String)
    /// Records the caller needs are not in the log (a segment was deleted, or no valid snapshot
    /// covers the LSNs before the log's first segment). Nothing can recover them from this log.
    case missingRecords(from: UInt64, through: UInt64, reason: String)
    /// The log was closed before the awaited record became durable.
    case closed
    /// An argument was out of range (for example waiting for an LSN never appended).
    case invalidArgument(String)

    /// A one-line explanation suitable for logs and operator output.
    public var description: String {
        switch self {
        case .locked(let path):
            return "data directory is locked by another process (\(path))"
        case .io(let operation, let path, let code):
            return "\(operation) \(path): \(Self.errnoText(code))"
        case .writeFailed(let operation, let code):
            return "WAL \(operation) failed: \(Self.errnoText(code))"
        case .corruption(let segment, let offset, let reason):
            return "WAL corruption in \(segment) at byte \(offset): \(reason)"
        case .snapshotCorrupt(let path, let reason):
            return "snapshot \(path) is corrupt: \(reason)"
        case .missingRecords(let from, let through, let reason):
            return "WAL records \(from)...\(through) are missing: \(reason)"
        case .closed:
            return "WAL is closed"
        case .invalidArgument(let text):
            return "invalid argument: \(text)"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
