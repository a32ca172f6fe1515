/// A snapshot `SnapshotStore.loadLatest()` passed over because it did not verify.
public struct SkippedSnapshot: Sendable, Equatable {
    /// The file that was skipped.
    public var path: String
    /// Why it did not verify.
    public var reason: String
}
