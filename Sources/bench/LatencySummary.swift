import Histogram

/// The latency figures printed for a run, in milliseconds, taken from an HDR
/// histogram of microsecond values (3 significant digits, so every percentile is
/// exact to 0.1%).
struct LatencySummary: Codable, Sendable, Equatable {
    var count: Int
    var meanMs: Double
    var p50Ms: Double
    var p90Ms: Double
    var p95Ms: Double
    var p99Ms: Double
    var p999Ms: Double
    var maxMs: Double

    /// An empty histogram for microsecond latencies up to one hour.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    init(_ h: Histogram<UInt64>) {
        count = Int(h.totalCount)
        guard h.totalCount > 0 else {
            meanMs = 0; p50Ms = 0; p90Ms = 0; p95Ms = 0; p99Ms = 0; p999Ms = 0; maxMs = 0
            return
        }
        func ms(_ us: UInt64) -> Double { Double(us) / 1000 }
        meanMs = h.mean / 1000
        p50Ms = ms(h.valueAtPercentile(50))
        p90Ms = ms(h.valueAtPercentile(90))
        p95Ms = ms(h.valueAtPercentile(95))
        p99Ms = ms(h.valueAtPercentile(99))
        p999Ms = ms(h.valueAtPercentile(99.9))
        maxMs = ms(h.max)
    }
}
