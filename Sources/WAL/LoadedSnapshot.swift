/// A verified snapshot and its decompressed payload.
public struct LoadedSnapshot: Sendable {
    /// The snapshot that was loaded.
    public var info: SnapshotInfo
    /// The payload given to `SnapshotStore.write`.
    public var payload: [UInt8]
    /// Newer snapshots that were corrupt and skipped (newest first).
    public var skipped: [SkippedSnapshot]
}
