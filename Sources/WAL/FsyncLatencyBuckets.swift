/// A fixed-bucket histogram of batch `fdatasync` durations, kept by the writer in
/// `WALStatistics` so a metrics exporter can publish a latency histogram without the WAL
/// knowing anything about metrics. Counts are per bucket (not cumulative); the bounds bracket
/// the measured 95-180 us of a pre-written 4 KiB sync up to a stalled disk.
public struct FsyncLatencyBuckets: Sendable, Equatable {
    /// Upper bounds of the buckets, microseconds (a last, unbounded bucket follows them).
    public static let upperBoundsMicros: [UInt64] = [
        50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 5_000_000,
    ]

    /// Syncs per bucket: `counts[i]` took at most `upperBoundsMicros[i]` (and more than the
    /// bound before it); the last element counts the syncs above every bound.
    public private(set) var counts: [UInt64] = Array(repeating: 0, count: Self.upperBoundsMicros.count + 1)

    /// Empty buckets.
    public init() {}

    /// Counts one sync of `micros`.
    public mutating func record(micros: UInt64) {
        let index = Self.upperBoundsMicros.firstIndex { micros <= $0 } ?? Self.upperBoundsMicros.count
        counts[index] += 1
    }
}
