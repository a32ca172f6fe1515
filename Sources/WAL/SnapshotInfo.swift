/// A snapshot file on disk, as described by its (verified) header.
public struct SnapshotInfo: Sendable, Equatable {
    /// Full path of the `.snap` file.
    public var path: String
    /// The snapshot reflects every record with `lsn <=` this.
    public var lsn: UInt64
    /// When it was taken, ms since the epoch (the caller's value).
    public var timestamp: Int64
    /// Uncompressed payload size in bytes.
    public var payloadSize: Int
    /// File size in bytes.
    public var fileSize: Int
}
