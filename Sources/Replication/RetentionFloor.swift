/// Which WAL segments a leader keeps for its followers: the oldest record a known follower
/// still needs, unless keeping it would hold more than `REPLICATION_MAX_RETAINED_BYTES` of log;
/// a follower needing more than that is left to catch up by snapshot (the leader no longer
/// holds its next frame once the segments are removed behind a snapshot).
public enum RetentionFloor {
    /// The floor to give the log (`WriteAheadLog.setRetentionFloor`): the smallest LSN in
    /// `needed` whose segments (from the one holding it to the newest, `segmentFirstLSNs`
    /// sorted ascending, each `segmentBytes` long) fit in `maximumBytes`; nil when no follower's
    /// need fits (then only snapshots decide what is kept).
    public static func choose(needed: [UInt64], segmentFirstLSNs: [UInt64], segmentBytes: Int,
                              maximumBytes: Int) -> UInt64? {
        guard !segmentFirstLSNs.isEmpty, segmentBytes > 0 else { return needed.min() }
        let fitting = max(1, maximumBytes / segmentBytes)
        // The oldest segment that may be kept: `fitting` segments back from the newest.
        let oldestKept = segmentFirstLSNs[max(0, segmentFirstLSNs.count - fitting)]
        return needed.filter { $0 >= oldestKept }.min()
    }
}
