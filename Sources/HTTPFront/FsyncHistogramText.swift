import Engine

/// `authd_wal_fsync_duration_seconds` in Prometheus text: the WAL counts its batch
/// `fdatasync`s in fixed buckets (it knows nothing of metrics), and the registry cannot take
/// bucket counts from outside, so this histogram is written next to the registry's output
/// with its help text from `MetricCatalog`.
enum FsyncHistogramText {
    static let name = "authd_wal_fsync_duration_seconds"

    /// Appends the histogram (HELP, TYPE, cumulative buckets, sum, count) to `bytes`.
    static func append(_ statistics: EngineStatistics, to bytes: inout [UInt8]) {
        let bounds = statistics.walFsyncBucketBoundsMicros
        let counts = statistics.walFsyncBucketCounts
        guard counts.count == bounds.count + 1 else { return }
        var text = "# HELP \(name) \(MetricCatalog.help[name] ?? "")\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += counts[index]
            text += "\(name)_bucket{le=\"\(Double(bound) / 1_000_000)\"} \(cumulative)\n"
        }
        cumulative += counts[bounds.count]
        text += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        text += "\(name)_sum \(Double(statistics.walTotalFsyncMicros) / 1_000_000)\n"
        text += "\(name)_count \(cumulative)\n"
        bytes.append(contentsOf: text.utf8)
    }
}
