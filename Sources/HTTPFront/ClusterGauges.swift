import CoreMetrics
import Locking
import Metrics

/// The cluster's figures as Prometheus series, set at scrape time from `ClusterFigures`.
/// Counters kept by the cluster layer since start are advanced by what they grew.
final class ClusterGauges: Sendable {
    private let factory: any MetricsFactory
    private let leaderRole: Gauge
    private let followerRole: Gauge
    private let term: Gauge
    private let writable: Gauge
    private let syncFollowers: Gauge
    private let degraded: Gauge
    private let streaming: Gauge
    private let replicaLag: Gauge
    private let recordsShipped: CoreMetrics.Counter
    private let bytesShipped: CoreMetrics.Counter
    private let snapshotsShipped: CoreMetrics.Counter
    /// Made on the first figures that carry them (a node without etcd shows none).
    private let failoverSeries = LockedValue<FailoverSeries?>(nil)
    private let reported = LockedValue(Reported())
    private let perFollower = LockedValue<[String: (records: Gauge, seconds: Gauge, synchronous: Gauge)]>([:])

    private struct FailoverSeries: Sendable {
        let leaderPresent: Gauge
        let syncSetSize: Gauge
        let failovers: CoreMetrics.Counter
        let renewalsSucceeded: CoreMetrics.Counter
        let renewalsFailed: CoreMetrics.Counter
    }

    private struct Reported {
        var records: UInt64 = 0, bytes: UInt64 = 0, snapshots: UInt64 = 0
        var failovers: UInt64 = 0, renewalsSucceeded: UInt64 = 0, renewalsFailed: UInt64 = 0
    }

    init(factory: any MetricsFactory) {
        self.factory = factory
        leaderRole = Gauge(label: "authd_cluster_role", dimensions: [("role", "leader")], factory: factory)
        followerRole = Gauge(label: "authd_cluster_role", dimensions: [("role", "follower")], factory: factory)
        term = Gauge(label: "authd_cluster_term", factory: factory)
        writable = Gauge(label: "authd_cluster_writable", factory: factory)
        syncFollowers = Gauge(label: "authd_replication_sync_followers", factory: factory)
        degraded = Gauge(label: "authd_replication_degraded", factory: factory)
        streaming = Gauge(label: "authd_replication_streaming", factory: factory)
        replicaLag = Gauge(label: "authd_replication_replica_lag_seconds", factory: factory)
        recordsShipped = CoreMetrics.Counter(label: "authd_replication_records_shipped_total", factory: factory)
        bytesShipped = CoreMetrics.Counter(label: "authd_replication_bytes_shipped_total", factory: factory)
        snapshotsShipped = CoreMetrics.Counter(label: "authd_replication_snapshot_catchups_total", factory: factory)
    }

    private func failover() -> FailoverSeries {
        failoverSeries.withLock { series in
            if let series { return series }
            let made = FailoverSeries(
                leaderPresent: Gauge(label: "authd_cluster_leader_present", factory: factory),
                syncSetSize: Gauge(label: "authd_cluster_sync_set_size", factory: factory),
                failovers: CoreMetrics.Counter(label: "authd_cluster_failovers_total", factory: factory),
                renewalsSucceeded: CoreMetrics.Counter(label: "authd_cluster_lease_renewals_total", dimensions: [("outcome", "ok")],
                                                       factory: factory),
                renewalsFailed: CoreMetrics.Counter(label: "authd_cluster_lease_renewals_total", dimensions: [("outcome", "failed")],
                                                    factory: factory))
            series = made
            return made
        }
    }

    func update(_ figures: ClusterFigures) {
        leaderRole.record(figures.role == "leader" ? 1 : 0)
        followerRole.record(figures.role == "follower" ? 1 : 0)
        term.record(Double(figures.term))
        writable.record(figures.writable ? 1 : 0)
        syncFollowers.record(figures.followers.filter(\.synchronous).count)
        degraded.record(figures.degraded ? 1 : 0)
        streaming.record(figures.streaming ? 1 : 0)
        replicaLag.record(figures.replicaLagSeconds)
        // A follower no longer listed (a new leadership, or this node stepped down) shows no lag.
        let listed = Set(figures.followers.map(\.name))
        for (name, gauges) in perFollower.withLock({ $0 }) where !listed.contains(name) {
            gauges.records.record(0)
            gauges.seconds.record(0)
            gauges.synchronous.record(0)
        }
        for follower in figures.followers {
            let gauges = perFollower.withLock { all in
                if let existing = all[follower.name] { return existing }
                let dimensions = [("follower", follower.name)]
                let made = (Gauge(label: "authd_replication_lag_records", dimensions: dimensions, factory: factory),
                            Gauge(label: "authd_replication_lag_seconds", dimensions: dimensions, factory: factory),
                            Gauge(label: "authd_replication_follower_synchronous", dimensions: dimensions, factory: factory))
                all[follower.name] = made
                return made
            }
            gauges.records.record(Double(follower.lagRecords))
            gauges.seconds.record(follower.lagSeconds)
            gauges.synchronous.record(follower.synchronous ? 1 : 0)
        }
        let series = figures.failover.map { failover in
            let series = self.failover()
            series.leaderPresent.record(failover.leaderPresent ? 1 : 0)
            series.syncSetSize.record(failover.syncSetSize)
            return series
        }
        let grown = reported.withLock { r -> [UInt64] in
            let now = [figures.recordsShipped, figures.bytesShipped, figures.snapshotsShipped,
                       figures.failover?.failovers ?? r.failovers, figures.failover?.renewalsSucceeded ?? r.renewalsSucceeded,
                       figures.failover?.renewalsFailed ?? r.renewalsFailed]
            let before = [r.records, r.bytes, r.snapshots, r.failovers, r.renewalsSucceeded, r.renewalsFailed]
            // A new leadership starts its shipping counts at 0: only growth is added.
            let grown = zip(now, before).map { $0 > $1 ? $0 - $1 : 0 }
            r = Reported(records: now[0], bytes: now[1], snapshots: now[2], failovers: now[3],
                         renewalsSucceeded: now[4], renewalsFailed: now[5])
            return grown
        }
        var counters = [recordsShipped, bytesShipped, snapshotsShipped]
        if let series { counters += [series.failovers, series.renewalsSucceeded, series.renewalsFailed] }
        for (counter, by) in zip(counters, grown) where by > 0 {
            counter.increment(by: Int64(by))
        }
    }
}
