import CoreMetrics
import Engine
import Metrics

/// Gauges mirroring the engine's statistics, set at scrape time, and the counters the engine
/// keeps since start (advanced at scrape time by what they grew).
struct EngineGauges: Sendable {
    let users: Gauge
    let sessionsActive: Gauge
    let sessionsExpired: Gauge
    let sessionsRevoked: Gauge
    let sessionsCompromised: Gauge
    let hashQueueDepth: Gauge
    let walFsyncs: Gauge
    let walLastFsyncSeconds: Gauge
    let walAverageBatchRecords: Gauge
    let walBatches: Gauge
    let walRecords: Gauge
    let walBytesCompressed: Gauge
    let hashRejected: Gauge
    let snapshots: Gauge
    let walBytesWritten: Gauge
    let walCompressionRatio: Gauge
    let snapshotDurationSeconds: Gauge
    let rateLimitBuckets: Gauge
    let loginLockoutEntries: Gauge
    let limiterEvictions: Gauge
    let accessCacheHits: Gauge
    let accessCacheMisses: Gauge
    let accessCacheEntries: Gauge
    let hashQueueLimit: Gauge
    let lastSnapshotTimestamp: Gauge
    let walBytesSinceSnapshot: Gauge
    let snapshotEveryBytes: Gauge
    /// `authd_sessions_purged_total`: ended sessions the sweep removed from memory.
    let sessionsPurged: ScrapedCounter
    let loginLockouts: ScrapedCounter
    let walFailedBatches: ScrapedCounter
    let snapshotFailures: ScrapedCounter

    init(factory: any MetricsFactory) {
        users = Gauge(label: "authd_users", factory: factory)
        sessionsActive = Gauge(label: "authd_sessions", dimensions: [("status", "ACTIVE")], factory: factory)
        sessionsExpired = Gauge(label: "authd_sessions", dimensions: [("status", "EXPIRED")], factory: factory)
        sessionsRevoked = Gauge(label: "authd_sessions", dimensions: [("status", "REVOKED")], factory: factory)
        sessionsCompromised = Gauge(label: "authd_sessions", dimensions: [("status", "COMPROMISED")], factory: factory)
        hashQueueDepth = Gauge(label: "authd_password_hash_queue_depth", factory: factory)
        walFsyncs = Gauge(label: "authd_wal_fsyncs", factory: factory)
        walLastFsyncSeconds = Gauge(label: "authd_wal_last_fsync_seconds", factory: factory)
        walAverageBatchRecords = Gauge(label: "authd_wal_average_batch_records", factory: factory)
        walBatches = Gauge(label: "authd_wal_batches", factory: factory)
        walRecords = Gauge(label: "authd_wal_records", factory: factory)
        walBytesCompressed = Gauge(label: "authd_wal_bytes_compressed", factory: factory)
        hashRejected = Gauge(label: "authd_password_hash_rejected", factory: factory)
        snapshots = Gauge(label: "authd_snapshots", factory: factory)
        walBytesWritten = Gauge(label: "authd_wal_bytes_uncompressed", factory: factory)
        walCompressionRatio = Gauge(label: "authd_wal_compression_ratio", factory: factory)
        snapshotDurationSeconds = Gauge(label: "authd_snapshot_duration_seconds", factory: factory)
        rateLimitBuckets = Gauge(label: "authd_rate_limit_buckets", factory: factory)
        loginLockoutEntries = Gauge(label: "authd_login_lockout_entries", factory: factory)
        limiterEvictions = Gauge(label: "authd_limiter_evictions", factory: factory)
        accessCacheHits = Gauge(label: "authd_access_cache_hits", factory: factory)
        accessCacheMisses = Gauge(label: "authd_access_cache_misses", factory: factory)
        accessCacheEntries = Gauge(label: "authd_access_cache_entries", factory: factory)
        hashQueueLimit = Gauge(label: "authd_password_hash_queue_limit", factory: factory)
        lastSnapshotTimestamp = Gauge(label: "authd_snapshot_last_success_timestamp_seconds", factory: factory)
        walBytesSinceSnapshot = Gauge(label: "authd_wal_bytes_since_snapshot", factory: factory)
        snapshotEveryBytes = Gauge(label: "authd_snapshot_every_bytes", factory: factory)
        sessionsPurged = ScrapedCounter(label: "authd_sessions_purged_total", factory: factory)
        loginLockouts = ScrapedCounter(label: "authd_login_lockouts_total", factory: factory)
        walFailedBatches = ScrapedCounter(label: "authd_wal_failed_batches_total", factory: factory)
        snapshotFailures = ScrapedCounter(label: "authd_snapshot_failures_total", factory: factory)
    }

    func update(_ statistics: EngineStatistics) {
        users.record(statistics.users)
        sessionsActive.record(statistics.sessionsActive)
        sessionsExpired.record(statistics.sessionsExpired)
        sessionsRevoked.record(statistics.sessionsRevoked)
        sessionsCompromised.record(statistics.sessionsCompromised)
        hashQueueDepth.record(statistics.hashQueueDepth)
        walFsyncs.record(Double(statistics.walFsyncs))
        walLastFsyncSeconds.record(Double(statistics.walLastFsyncMicros) / 1_000_000)
        walAverageBatchRecords.record(statistics.walAverageRecordsPerBatch)
        walBytesWritten.record(Double(statistics.walBytesUncompressed))
        walBytesCompressed.record(Double(statistics.walBytesCompressed))
        walBatches.record(Double(statistics.walBatches))
        walRecords.record(Double(statistics.walRecords))
        hashRejected.record(statistics.hashRejected)
        snapshots.record(statistics.snapshots)
        walCompressionRatio.record(statistics.walCompressionRatio)
        snapshotDurationSeconds.record(statistics.lastSnapshotMillis / 1000)
        rateLimitBuckets.record(statistics.rateLimitBuckets)
        loginLockoutEntries.record(statistics.loginLockoutEntries)
        limiterEvictions.record(statistics.limiterEvictions)
        accessCacheHits.record(statistics.accessCacheHits)
        accessCacheMisses.record(statistics.accessCacheMisses)
        accessCacheEntries.record(statistics.accessCacheEntries)
        hashQueueLimit.record(statistics.hashQueueLimit)
        lastSnapshotTimestamp.record(Double(statistics.lastSnapshotTimestampMillis) / 1000)
        walBytesSinceSnapshot.record(Double(statistics.walBytesSinceSnapshot))
        snapshotEveryBytes.record(statistics.snapshotEveryBytes)
        sessionsPurged.advance(to: Int64(statistics.sessionsPurged))
        loginLockouts.advance(to: Int64(statistics.loginLockouts))
        walFailedBatches.advance(to: Int64(clamping: statistics.walFailedBatches))
        snapshotFailures.advance(to: Int64(statistics.snapshotFailures))
    }
}
