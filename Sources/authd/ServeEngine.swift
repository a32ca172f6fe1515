import Engine
import HTTPFront
import Logging
import NIOCore
import WAL

/// The engine as `authd serve` holds it: the service the HTTP front calls,
/// and how to flush it on shutdown.
struct ServeEngine: Sendable {
    let service: any AuthService
    /// The engine itself (replication wires its log and replica apply path).
    let engine: AuthEngine
    /// The operator socket, when it could be bound (others add their commands to it).
    let admin: AdminChannel?
    let shutdown: @Sendable () async -> Void

    /// The engine's configuration from the server's settings and the resolved secrets.
    ///
    /// Settings left unset keep the engine's defaults (Argon2 parameters,
    /// hash threads and queue, snapshot cadence, WAL segment size). Secrets
    /// are used as their UTF-8 bytes, as the seed's `jsonwebtoken` uses its
    /// secret strings, so a seed's tokens verify with the same secrets.
    static func engineConfiguration(_ settings: ServerConfiguration, secrets: SecretsFile.Secrets) -> EngineConfiguration {
        var configuration = EngineConfiguration(
            dataDirectory: settings.dataDirectory, accessTokenSecret: Array(secrets.accessTokenSecret.utf8),
            refreshTokenSecret: Array(secrets.refreshTokenSecret.utf8))
        configuration.previousAccessTokenSecrets = settings.accessTokenSecretPrevious.map { [Array($0.utf8)] } ?? []
        configuration.previousRefreshTokenSecrets = settings.refreshTokenSecretPrevious.map { [Array($0.utf8)] } ?? []
        configuration.accessTokenAlgorithm = settings.accessTokenAlgorithm
        configuration.jwksMaxAgeSeconds = settings.jwksMaxAgeSeconds
        configuration.signingKeyRotationIntervalSeconds = settings.signingKeyRotationIntervalSeconds
        configuration.accessTokenTTLSeconds = settings.accessTokenTTLSeconds
        configuration.refreshTokenTTLSeconds = settings.refreshTokenTTLSeconds
        configuration.issuer = settings.issuer
        configuration.audience = settings.audience
        configuration.leewaySeconds = settings.jwtLeewaySeconds
        configuration.shardCount = settings.shards
        switch settings.walFsync {
        case .always: configuration.durability = .always
        case .interval(let milliseconds): configuration.durability = .interval(milliseconds: milliseconds)
        case .none: configuration.durability = Durability.none
        }
        configuration.refreshReuseIntervalSeconds = settings.refreshReuseIntervalSeconds
        configuration.maxSessionsPerUser = settings.maxSessionsPerUser
        configuration.accessCacheEntries = settings.accessCacheEntries
        configuration.sessionRetentionMilliseconds = settings.sessionRetentionMilliseconds
        configuration.sessionSweepIntervalMilliseconds = settings.sessionSweepIntervalMilliseconds
        // A follower, or any node of an etcd cluster (it leads only once elected), appends nothing
        // of its own (the sweep included) until it leads.
        configuration.startsFollowing = settings.replication.leader != nil || settings.replication.isAutomatic
        configuration.loginLockout = settings.loginLockout
        configuration.argon2 = Argon2Parameters(
            memoryKiB: settings.argon2MemoryKiB ?? configuration.argon2.memoryKiB,
            iterations: settings.argon2Iterations ?? configuration.argon2.iterations,
            parallelism: settings.argon2Parallelism ?? configuration.argon2.parallelism)
        if let threads = settings.hashThreads { configuration.hashThreads = threads }
        if let limit = settings.hashQueueLimit { configuration.hashQueueLimit = limit }
        if let bytes = settings.snapshotEveryBytes { configuration.snapshotEveryBytes = bytes }
        if let keep = settings.snapshotKeep { configuration.snapshotKeep = keep }
        if let size = settings.walSegmentBytes { configuration.walSegmentSize = size }
        if let segments = settings.walRetainSegments { configuration.walRetainSegments = segments }
        return configuration
    }

    /// Recovers the data directory (snapshot + WAL tail) and returns the running engine.
    static func open(_ configuration: EngineConfiguration, eventLoops: [any EventLoop], logger: Logger) async throws -> ServeEngine {
        // Each shard lives on one of the server's event loops: a request arriving on its
        // shard's loop is answered without a thread hop, others with exactly one.
        let executors = eventLoops.map { loop in
            ShardExecutor(executor: loop.executor, run: { loop.execute($0) }, isCurrent: { loop.inEventLoop })
        }
        let engine = try await AuthEngine.open(configuration, executors: executors)
        engine.observe { event in EngineEventLog.write(event, logger: logger) }
        if let report = engine.walRecoveryReport {
            StartupLog.walOpened(report, logger: logger)
        }
        if let summary = engine.recoverySummary {
            StartupLog.recovered(summary, logger: logger)
        }
        let keys = engine.signingKeyListing()
        logger.notice("access tokens signed with \(engine.accessTokenAlgorithm.rawValue)", metadata: [
            "event": "signing_keys", "algorithm": .string(engine.accessTokenAlgorithm.rawValue),
            "active": .string(keys.first { $0.state == "active" }?.kid ?? "none"),
            "keys": .string(keys.map { "\($0.kid):\($0.state)" }.joined(separator: ",")),
        ])
        let admin: AdminChannel?
        do {
            admin = try AdminChannel(dataDirectory: configuration.dataDirectory, engine: engine, logger: logger)
        } catch {
            logger.warning("operator socket unavailable; `authd snapshot` will not reach this server", metadata: ["reason": .string(String(describing: error))])
            admin = nil
        }
        return ServeEngine(service: engine, engine: engine, admin: admin, shutdown: {
            admin?.stop()
            await engine.shutdown()
        })
    }
}
