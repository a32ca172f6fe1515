/// What `SnapshotStore.prune(keep:)` kept, deleted and moved aside.
public struct SnapshotPruneReport: Sendable, Equatable {
    /// The snapshots kept, every one verified, oldest first. The WAL must keep what the oldest
    /// of them needs.
    public var kept: [SnapshotInfo] = []
    /// Deleted paths: verified snapshots older than the kept ones, and leftover temp files.
    public var removed: [String] = []
    /// Snapshots that did not verify, moved aside to `<name>.corrupt` (never counted, never
    /// loaded again, kept for the operator).
    public var quarantined: [String] = []

    /// Creates an empty report.
    public init() {}
}
