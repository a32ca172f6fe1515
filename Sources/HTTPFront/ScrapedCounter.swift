import CoreMetrics
import Locking

/// A Prometheus counter for a total the engine keeps since start: each scrape advances it by
/// what the total grew since the last one (never backwards).
struct ScrapedCounter: Sendable {
    private let counter: CoreMetrics.Counter
    private let reported = LockedValue<Int64>(0)

    init(label: String, factory: any MetricsFactory) {
        counter = CoreMetrics.Counter(label: label, factory: factory)
    }

    /// Advances the counter to `total`.
    func advance(to total: Int64) {
        let grown = reported.withLock { reported -> Int64 in
            let grown = max(0, total - reported)
            reported = max(reported, total)
            return grown
        }
        if grown > 0 { counter.increment(by: grown) }
    }
}
