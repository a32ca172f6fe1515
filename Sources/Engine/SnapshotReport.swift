/// What one written snapshot holds and cost: the fields of its log line.
public struct SnapshotReport: Sendable, Equatable {
    /// Why the snapshot was taken.
    public enum Trigger: String, Sendable {
        /// The schedule: `SNAPSHOT_EVERY_BYTES` of WAL since the last one.
        case automatic
        /// `authd snapshot` (the admin socket) or a direct `snapshot()` call.
        case requested
    }

    public var trigger: Trigger
    /// The snapshot file.
    public var path: String
    /// Every record up to this LSN is reflected (the WAL before it is no longer needed).
    public var lsn: UInt64
    /// No record above this LSN is reflected.
    public var highLSN: UInt64
    /// Size of the file on disk.
    public var bytes: Int
    /// From the first shard captured to the file renamed into place.
    public var milliseconds: Double
}
