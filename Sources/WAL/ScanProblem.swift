/// A problem found while scanning segments, with the file and byte offset where it starts.
public struct ScanProblem: Sendable, Equatable, CustomStringConvertible {
    /// How bad it is.
    public enum Kind: String, Sendable, Equatable {
        /// The end of the last segment is a partial / damaged write: recovery cuts it.
        case tornTail
        /// Damage before the tail (followed by valid frames, or in a non-last segment, or a broken
        /// LSN / CRC chain between segments): opening fails; `WALRepair` cuts it.
        case corruption
        /// Bytes after the last frame a non-last segment needs (a write the writer abandoned when it
        /// moved to a new segment after an I/O error). Harmless; reported for information.
        case abandonedTail
    }

    public var kind: Kind
    /// Full path of the segment file.
    public var segment: String
    /// Byte offset in that file where the problem starts.
    public var offset: Int
    /// Bytes from `offset` to the last non-zero byte of the file.
    public var length: Int
    /// What was wrong.
    public var reason: String

    public var description: String { "\(kind.rawValue): \(segment) at byte \(offset) (\(length) bytes): \(reason)" }
}
