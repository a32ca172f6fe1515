/// A raw `errno` value thrown by `WALFileSystem` operations; the WAL adds context and turns it into a
/// `WALError`.
public struct Errno: Error, Sendable, Equatable {
    /// The POSIX error number (e.g. `ENOSPC`, `EIO`).
    public var code: Int32
    /// Wraps an error number.
    public init(_ code: Int32) { self.code = code }
}
