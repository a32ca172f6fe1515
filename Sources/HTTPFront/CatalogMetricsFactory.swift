import CoreMetrics
import Prometheus

/// A swift-metrics factory writing into a Prometheus registry, like swift-prometheus'
/// `PrometheusMetricsFactory`, but giving every metric its `# HELP` text and buckets from
/// `MetricCatalog` (swift-prometheus' own factory registers every metric without help text,
/// and the registry refuses a second registration of a name with another help text).
public struct CatalogMetricsFactory: Sendable {
    /// The registry the metrics are registered in.
    public let registry: PrometheusCollectorRegistry
    /// Help text by name; unknown names get none.
    public let help: [String: String]
    /// Buckets of `Timer`s by name, else `defaultDurationBuckets`.
    public let durationBuckets: [String: [Duration]]
    public let defaultDurationBuckets: [Duration]
    /// Buckets of aggregating `Recorder`s (value histograms); swift-prometheus' defaults.
    public let valueBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    /// A factory for `registry` with the catalog's help texts and buckets.
    public init(
        registry: PrometheusCollectorRegistry, help: [String: String] = MetricCatalog.help,
        durationBuckets: [String: [Duration]] = MetricCatalog.durationBuckets,
        defaultDurationBuckets: [Duration] = MetricCatalog.requestDurationBuckets
    ) {
        self.registry = registry
        self.help = help
        self.durationBuckets = durationBuckets
        self.defaultDurationBuckets = defaultDurationBuckets
    }

    func helpText(_ label: String) -> String { help[label] ?? "" }
}

extension CatalogMetricsFactory: CoreMetrics.MetricsFactory {
    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CoreMetrics.CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: helpText(label))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: helpText(label))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any CoreMetrics.RecorderHandler {
        guard aggregate else { return registry.makeGauge(name: label, labels: dimensions, help: helpText(label)) }
        return registry.makeValueHistogram(name: label, labels: dimensions, buckets: valueBuckets, help: helpText(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any CoreMetrics.MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: helpText(label))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any CoreMetrics.TimerHandler {
        registry.makeDurationHistogram(
            name: label, labels: dimensions, buckets: durationBuckets[label] ?? defaultDurationBuckets, help: helpText(label))
    }

    public func destroyCounter(_ handler: any CoreMetrics.CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any CoreMetrics.RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? Prometheus.ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any CoreMetrics.MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any CoreMetrics.TimerHandler) {
        if let histogram = handler as? Prometheus.DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
