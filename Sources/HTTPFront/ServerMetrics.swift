import CoreMetrics
import Engine
import Locking
import Metrics
import NIOCore
import Prometheus

/// The server's Prometheus metrics, through swift-metrics.
///
/// Request counts by route and status, latency histograms by route, login
/// and refresh outcomes, replay detections and rate-limit hits are recorded
/// as requests finish. Engine state (users, sessions by status, hash queue
/// depth, WAL and snapshot figures) is copied into gauges from
/// `statistics()` at scrape time, so the hot path never pays for it.
/// Each server owns its registry (tests run several servers in one process);
/// `authd serve` also bootstraps `MetricsSystem` with the same factory. Help texts and
/// buckets come from `MetricCatalog`.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory writing into `registry`.
    public let factory: CatalogMetricsFactory

    private let requestCounters = LockedValue<[Int: CoreMetrics.Counter]>([:])
    private let outcomeCounters = LockedValue<[String: CoreMetrics.Counter]>([:])
    private let latency: [Route: Metrics.Timer]
    private let replayDetections: CoreMetrics.Counter
    private let connectionsRefused: CoreMetrics.Counter
    private let ready: CoreMetrics.Gauge
    private let gauges: EngineGauges
    private let clusterGauges: ClusterGauges
    private let dataDirectory: DataDirectorySpace?

    /// Metrics in a fresh registry; `dataDirectory` (when given) is the directory whose file
    /// system's free space is exported.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), dataDirectory: String? = nil) {
        self.registry = registry
        let factory = CatalogMetricsFactory(registry: registry)
        self.factory = factory
        var latency: [Route: Metrics.Timer] = [:]
        for route in Route.allCases {
            latency[route] = Metrics.Timer(
                label: "authd_http_request_duration_seconds", dimensions: [("route", route.pathTemplate)],
                preferredDisplayUnit: .seconds, factory: factory)
        }
        self.latency = latency
        self.replayDetections = CoreMetrics.Counter(label: "authd_refresh_replay_detected_total", factory: factory)
        self.connectionsRefused = CoreMetrics.Counter(label: "authd_http_connections_refused_total", factory: factory)
        self.ready = CoreMetrics.Gauge(label: "authd_ready", factory: factory)
        self.gauges = EngineGauges(factory: factory)
        self.clusterGauges = ClusterGauges(factory: factory)
        self.dataDirectory = dataDirectory.map { DataDirectorySpace(path: $0, factory: factory) }
        // Series that alerts take increase() or ratios of exist from the start, at 0.
        for outcome in ["success", "INVALID_CREDENTIALS"] { _ = outcomeCounter(label: "authd_login_total", value: outcome) }
        for outcome in ["success", "REFRESH_TOKEN_REUSED"] { _ = outcomeCounter(label: "authd_refresh_total", value: outcome) }
        for bucket in ["ip", "account"] { _ = outcomeCounter(label: "authd_rate_limit_hits_total", value: bucket, dimension: "bucket") }
    }

    /// Makes this registry the process-wide swift-metrics backend, so metrics
    /// recorded by other libraries land in `/metrics` too. Call once per process.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// One finished request.
    public func recordRequest(route: Route?, status: Int, durationNanoseconds: Int64) {
        let routeIndex = route.map { Route.allCases.firstIndex(of: $0)! } ?? -1
        let key = (routeIndex + 1) * 1000 + status
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "authd_http_requests_total",
                dimensions: [("route", route?.pathTemplate ?? "unmatched"), ("status", String(status))], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        if let route { latency[route]?.recordNanoseconds(durationNanoseconds) }
    }

    /// A login's outcome: `success` or the error code.
    public func recordLogin(outcome: String) {
        outcomeCounter(label: "authd_login_total", value: outcome).increment()
    }

    /// A refresh's outcome: `success` or the error code.
    public func recordRefresh(outcome: String) {
        outcomeCounter(label: "authd_refresh_total", value: outcome).increment()
        if outcome == "REFRESH_TOKEN_REUSED" { replayDetections.increment() }
    }

    /// A connection refused because `MAX_CONNECTIONS` were open.
    public func recordConnectionRefused() {
        connectionsRefused.increment()
    }

    /// A request refused by a limiter; `bucket` is `ip` or `account`.
    public func recordRateLimitHit(bucket: String) {
        outcomeCounter(label: "authd_rate_limit_hits_total", value: bucket, dimension: "bucket").increment()
    }

    private func outcomeCounter(label: String, value: String, dimension: String = "outcome") -> CoreMetrics.Counter {
        let key = label + "\u{0}" + value
        return outcomeCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: [(dimension, value)], factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// Prometheus text for a scrape, engine gauges refreshed from `statistics`; `isReady` is
    /// what `/ready` answers now; the cluster's gauges from `cluster`, on a cluster node. A single
    /// node is a leader of one, writable while it is ready, so its role series say what it is
    /// (all zeros would read as "no leader" to the alert rules and the dashboard).
    public func render(statistics: EngineStatistics, isReady: Bool, cluster: ClusterFigures? = nil, into buffer: inout ByteBuffer) {
        gauges.update(statistics)
        clusterGauges.update(cluster ?? ClusterFigures(role: "leader", term: 0, writable: isReady))
        ready.record(isReady ? 1 : 0)
        dataDirectory?.update()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 * 1024)
        registry.emit(into: &bytes)
        FsyncHistogramText.append(statistics, to: &bytes)
        buffer.writeBytes(bytes)
    }
}
