/// A snapshot file on disk, as described by its (verified) header.
public struct SnapshotInfo: Sendable, Equatable {
    /// Full path of the `.snap` file.
    public var path: String
    /// The snapshot reflects every record with `lsn <=` this.
    public var lsn: UInt64
    /// No record above this LSN is reflected (>= `lsn`; above it when the snapshot reflects some
    /// but not all records between, such as shard parts taken at different LSNs).
    public var highLSN: UInt64
    /// When it was taken, ms since the epoch (the caller's value).
    public var timestamp: Int64
    /// Uncompressed payload size in bytes.
    public var payloadSize: Int
    /// File size in bytes.
    public var fileSize: Int
}
