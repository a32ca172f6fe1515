/// The one place that says what each metric means: its `# HELP` text, and the buckets of the
/// histograms whose default buckets do not fit.
///
/// `CatalogMetricsFactory` looks every swift-metrics label up here, so a metric created
/// anywhere in the process (this module, `authd`'s cluster code through `MetricsSystem`)
/// gets its help text by name. To add a metric: add its name and help line here, then create
/// it through the factory. A metric missing from the table is exported without `# HELP`,
/// which the tests catch (`HTTPFrontTests.MetricCatalogTests` and the observability
/// end-to-end test). `deploy/observability` and `docs/observability.md` use these names.
public enum MetricCatalog {
    /// `# HELP` text by metric name (histograms by their base name).
    public static let help: [String: String] = [
        // HTTP front
        "authd_http_requests_total": "HTTP requests answered, by route template and status code (route \"unmatched\" for unknown paths).",
        "authd_http_request_duration_seconds": "Server time of HTTP requests by route template, from the first byte read to the answer handed to the socket.",
        "authd_http_connections_refused_total": "Client connections refused with 503 because MAX_CONNECTIONS were open.",
        "authd_ready": "1 while /ready answers 200; 0 while it answers 503 (the WAL cannot write, or recovery has not finished).",
        "authd_login_total": "Login attempts by outcome: success or the error code answered (INVALID_CREDENTIALS, TOO_MANY_REQUESTS, ...).",
        "authd_refresh_total": "Refresh-token rotations by outcome: success or the error code answered (REFRESH_TOKEN_REUSED, ...).",
        "authd_refresh_replay_detected_total": "Refresh tokens presented again after rotation (replay): each compromised its session. Possible token theft.",
        "authd_rate_limit_hits_total": "Requests refused with 429 by a limiter: bucket ip (RATE_LIMIT_MAX_REQUESTS) or account (login lockout).",
        "authd_data_directory_free_bytes": "Bytes available to authd on the file system of DATA_DIR.",
        "authd_data_directory_size_bytes": "Total bytes of the file system of DATA_DIR.",

        // Engine
        "authd_users": "Users held in memory.",
        "authd_sessions": "Sessions held in memory, by status (ACTIVE, EXPIRED, REVOKED, COMPROMISED).",
        "authd_sessions_purged_total": "Ended sessions purged from memory by the session sweep (or by the leader's records on a follower).",
        "authd_password_hash_queue_depth": "Password hashes (login, register) waiting for a hash thread.",
        "authd_password_hash_queue_limit": "HASH_QUEUE_LIMIT: hashes that may wait before login and register answer 503.",
        "authd_password_hash_rejected": "Password hashes refused since start because the queue was full (answered 503 with Retry-After).",
        "authd_rate_limit_buckets": "Rate-limit buckets held (per client IP and per account).",
        "authd_login_lockout_entries": "Login lockout entries held (accounts with failures counted, locked, or a check in flight).",
        "authd_login_lockouts_total": "Accounts locked by the login lockout (LOGIN_MAX_ATTEMPTS failed passwords within the window), each lock counted once.",
        "authd_limiter_evictions": "Limiter entries dropped since start to stay within their table's bound while they still counted something.",
        "authd_access_cache_hits": "GET /me answers given by an event loop's access cache without a hop to the owning shard, since start.",
        "authd_access_cache_misses": "GET /me lookups of an event loop's access cache that went to the owning shard, since start.",
        "authd_access_cache_entries": "Entries held by the event loops' access caches.",

        // WAL and snapshots
        "authd_wal_fsyncs": "WAL fdatasync calls that made batches durable, since start.",
        "authd_wal_fsync_duration_seconds": "Duration of the WAL's batch fdatasync calls.",
        "authd_wal_last_fsync_seconds": "Duration of the most recent WAL batch fdatasync.",
        "authd_wal_batches": "WAL frames (group-commit batches) written since start.",
        "authd_wal_records": "WAL records written since start.",
        "authd_wal_average_batch_records": "Mean records per WAL frame since start.",
        "authd_wal_bytes_uncompressed": "WAL payload bytes before compression, since start.",
        "authd_wal_bytes_compressed": "Bytes written to WAL segments for frames (after lz4), since start.",
        "authd_wal_compression_ratio": "Uncompressed / compressed WAL bytes since start (1 when nothing was written).",
        "authd_wal_failed_batches_total": "WAL batches whose write or fdatasync failed (ENOSPC, EIO); their requests were answered 503.",
        "authd_wal_bytes_since_snapshot": "WAL payload bytes appended since this process's last snapshot (since start before the first one).",
        "authd_snapshots": "Snapshots written since start.",
        "authd_snapshot_failures_total": "Snapshots that could not be taken or written (the previous ones are untouched).",
        "authd_snapshot_duration_seconds": "Duration of the most recent successful snapshot.",
        "authd_snapshot_every_bytes": "SNAPSHOT_EVERY_BYTES: WAL bytes between automatic snapshots (0: only on demand).",
        "authd_snapshot_last_success_timestamp_seconds": "Unix time of the newest snapshot (written by this process or loaded at start-up); 0 when there is none.",

        // Cluster: replication and failover (exported only by nodes with cluster settings)
        "authd_cluster_role": "1 for this node's current role (label role: leader or follower), 0 for the other.",
        "authd_cluster_term": "The leadership term this node is in.",
        "authd_cluster_writable": "1 while this node is a leader allowed to acknowledge writes.",
        "authd_cluster_leader_present": "1 while a leader key exists in etcd, as this node sees it.",
        "authd_cluster_failovers_total": "Leader changes this node saw.",
        "authd_cluster_lease_renewals_total": "Leader lease renewals by outcome (ok, failed).",
        "authd_cluster_lease_renewal_seconds": "Duration of leader lease renewals in etcd.",
        "authd_cluster_sync_set_size": "Members in the etcd sync set (followers allowed to take over).",
        "authd_replication_lag_records": "On the leader: records a follower has not acknowledged yet, by follower.",
        "authd_replication_lag_seconds": "On the leader: age of the oldest record a follower has not acknowledged, by follower.",
        "authd_replication_follower_synchronous": "On the leader: 1 when a follower counts toward SYNC_REPLICAS, by follower.",
        "authd_replication_sync_followers": "On the leader: followers counting toward SYNC_REPLICAS now.",
        "authd_replication_degraded": "On the leader: 1 while it acknowledges writes without enough synchronous followers.",
        "authd_replication_records_shipped_total": "On the leader: WAL records shipped to followers (in their frames).",
        "authd_replication_bytes_shipped_total": "On the leader: WAL bytes shipped to followers.",
        "authd_replication_snapshot_catchups_total": "On the leader: followers brought up to date with a snapshot instead of WAL frames.",
        "authd_replication_streaming": "On a follower: 1 while it streams from its leader.",
        "authd_replication_replica_lag_seconds": "On a follower: how far its applied state is behind the leader.",
    ]

    /// Buckets of request latency: 25 us to 5 s, bracketing DESIGN.md's p99 targets
    /// (`me` <= 1 ms, refresh <= 2 ms) and an Argon2id login (about 24 ms).
    public static let requestDurationBuckets: [Duration] = [
        .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Buckets by histogram name, where `requestDurationBuckets` does not fit.
    public static let durationBuckets: [String: [Duration]] = [
        "authd_cluster_lease_renewal_seconds": [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
    ]
}
