import ArgumentParser
import Engine
import Foundation
import HTTPFront
import Logging
import NIOCore
import NIOPosix
import Replication
import ServiceLifecycle

/// `authd serve`: configure, recover the engine, bind, serve until SIGTERM/SIGINT.
///
/// Settings come from flags, then the environment, then `./.env` (first
/// wins), all checked at once: any invalid value is printed (one per line)
/// and the command exits with status 2 before binding. Shutdown is
/// graceful: stop accepting, finish in-flight requests, flush the WAL, exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the authd HTTP server.",
        discussion: "Every option is also an environment variable (see docs/configuration.md); flags override the environment, which overrides .env.")

    @Option(help: "HOST: address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "PORT: port to bind (default 3000).") var port: String?
    @Option(name: .customLong("data-dir"), help: "DATA_DIR: data directory (default ./data).") var dataDir: String?
    @Option(name: .customLong("env"), help: "AUTHD_ENV: development or production.") var authdEnv: String?
    @Option(help: "ACCESS_TOKEN_SECRET (prefer the environment: flags show in ps).") var accessTokenSecret: String?
    @Option(help: "REFRESH_TOKEN_SECRET (prefer the environment: flags show in ps).") var refreshTokenSecret: String?
    @Option(help: "ACCESS_TOKEN_ALGORITHM: HS256 (default), EdDSA or ES256 (refresh tokens stay HS256).") var accessTokenAlgorithm: String?
    @Option(help: "JWKS_MAX_AGE: the JWKS max-age, and how long a new key is published before it signs (default 5m).") var jwksMaxAge: String?
    @Option(help: "SIGNING_KEY_ROTATION_INTERVAL: rotate EdDSA/ES256 keys this often, e.g. 30d; 0 is off (default 0).")
    var signingKeyRotationInterval: String?
    @Option(help: "ACCESS_TOKEN_EXPIRES_IN: e.g. 15m.") var accessTokenExpiresIn: String?
    @Option(help: "REFRESH_TOKEN_EXPIRES_IN: e.g. 7d.") var refreshTokenExpiresIn: String?
    @Option(help: "JWT_ISSUER (default auth-api).") var jwtIssuer: String?
    @Option(help: "JWT_AUDIENCE (default auth-api-clients).") var jwtAudience: String?
    @Option(help: "JWT_LEEWAY: clock skew tolerated on iat/exp, 0 to 60 seconds (default 0).") var jwtLeeway: String?
    @Option(help: "RATE_LIMIT_WINDOW_MS (default 60000).") var rateLimitWindowMs: String?
    @Option(help: "RATE_LIMIT_MAX_REQUESTS per IP per window on mutation routes; 0 disables (default 100).") var rateLimitMaxRequests: String?
    @Option(help: "LOGIN_MAX_ATTEMPTS: failed password checks per account per lockout window before the account is locked for a window; 0 disables (default 10).") var loginMaxAttempts: String?
    @Option(help: "LOGIN_LOCKOUT_WINDOW_MS: lockout window, and how long a lock lasts (default RATE_LIMIT_WINDOW_MS).") var loginLockoutWindowMs: String?
    @Option(help: "LOG_LEVEL: silent, fatal, error, warn, info, debug, trace.") var logLevel: String?
    @Option(help: "TRUST_PROXY: proxy hops of X-Forwarded-For to trust (default 0).") var trustProxy: String?
    @Option(help: "DOCS_ENABLED (default true).") var docsEnabled: String?
    @Option(help: "METRICS_ENABLED (default false).") var metricsEnabled: String?
    @Option(help: "METRICS_AUTH_TOKEN: bearer token required by /metrics.") var metricsAuthToken: String?
    @Option(help: "SHARDS: engine shard actors (default 2x cores).") var shards: String?
    @Option(help: "WAL_FSYNC: always, interval:<ms> or none.") var walFsync: String?
    @Option(help: "WAL_SEGMENT_BYTES: WAL segment size.") var walSegmentBytes: String?
    @Option(help: "WAL_RETAIN_SEGMENTS: extra WAL segments kept beyond the oldest snapshot's needs.") var walRetainSegments: String?
    @Option(help: "REPLICATION_LISTEN: host:port to accept followers on.") var replicationListen: String?
    @Option(help: "REPLICATION_ADVERTISE: host:port followers use to reach this node (default: the listen address).") var replicationAdvertise: String?
    @Option(help: "REPLICATE_FROM: host:port of the leader to follow.") var replicateFrom: String?
    @Option(help: "REPLICATION_SECRET: shared secret of the cluster's replication streams (>= 32 bytes).") var replicationSecret: String?
    @Option(help: "SYNC_REPLICAS: followers that must hold a write before it is acknowledged.") var syncReplicas: String?
    @Option(help: "SYNC_STRICT: refuse writes rather than acknowledge with fewer followers.") var syncStrict: String?
    @Option(help: "SYNC_TIMEOUT: how long writes wait for followers (e.g. 2s).") var syncTimeout: String?
    @Option(help: "REPLICA_MAX_LAG: lag above which /cluster/replica fails (e.g. 1s).") var replicaMaxLag: String?
    @Option(help: "REPLICATION_MAX_RETAINED_BYTES: WAL kept for connected followers at most.") var replicationMaxRetainedBytes: String?
    @Option(help: "NODE_NAME: this node's name in the cluster (default: the host name).") var nodeName: String?
    @Option(help: "HTTP_ADVERTISE: this node's URL for clients (default http://HOST:PORT).") var httpAdvertise: String?
    @Option(help: "CLUSTER_ETCD_ENDPOINTS: automatic failover on these etcd members (comma-separated http://host:port).")
    var clusterEtcdEndpoints: String?
    @Option(help: "CLUSTER_NAME: keys under /authd/<name>/ in etcd (default authd).") var clusterName: String?
    @Option(help: "CLUSTER_LEASE_TTL: the leader lease (default 5s, at least 2s).") var clusterLeaseTtl: String?
    @Option(help: "SNAPSHOT_EVERY_BYTES: snapshot after this much WAL.") var snapshotEveryBytes: String?
    @Option(help: "SNAPSHOT_KEEP: snapshots kept.") var snapshotKeep: String?
    @Option(name: .customLong("argon2-memory-kib"), help: "ARGON2_MEMORY_KIB (default 19456).") var argon2MemoryKib: String?
    @Option(name: .customLong("argon2-iterations"), help: "ARGON2_ITERATIONS (default 2).") var argon2Iterations: String?
    @Option(name: .customLong("argon2-parallelism"), help: "ARGON2_PARALLELISM (must be 1).") var argon2Parallelism: String?
    @Option(help: "HASH_THREADS: password-hash threads.") var hashThreads: String?
    @Option(help: "HASH_QUEUE_LIMIT: queued hashes before 503.") var hashQueueLimit: String?
    @Option(help: "REFRESH_REUSE_INTERVAL: grace for a just-rotated refresh token, e.g. 10s (default 0).") var refreshReuseInterval: String?
    @Option(help: "MAX_SESSIONS_PER_USER (default 100).") var maxSessionsPerUser: String?
    @Option(help: "ACCESS_CACHE_ENTRIES: GET /me answers cached per event loop (default 16384; 0 = off).") var accessCacheEntries: String?
    @Option(help: "REQUEST_READ_TIMEOUT: time a request may take to arrive, head and body, e.g. 30s; 0 is off (default 30s).")
    var requestReadTimeout: String?
    @Option(help: "SHUTDOWN_TIMEOUT: how long SIGTERM waits for in-flight requests (default 10s).") var shutdownTimeout: String?
    @Option(help: "MAX_CONNECTIONS: open client connections; past it 503 and close (default: open-file limit - 128, at most 10000).")
    var maxConnections: String?
    @Option(help: "SESSION_RETENTION: how long ended sessions are kept before they are purged (default 7d).") var sessionRetention: String?
    @Option(help: "SESSION_SWEEP_INTERVAL: how often ended sessions are swept; 0 turns the sweep off (default 60s).") var sessionSweepInterval: String?
    @Option(name: .customLong("env-file"), help: "The dotenv file to read (default ./.env; missing is fine).") var envFile: String = ".env"

    /// The flags given, keyed by their environment variable.
    var flagValues: [String: String] {
        let pairs: [(String, String?)] = [
            ("HOST", host), ("PORT", port), ("DATA_DIR", dataDir), ("AUTHD_ENV", authdEnv),
            ("ACCESS_TOKEN_SECRET", accessTokenSecret), ("REFRESH_TOKEN_SECRET", refreshTokenSecret),
            ("ACCESS_TOKEN_ALGORITHM", accessTokenAlgorithm), ("JWKS_MAX_AGE", jwksMaxAge),
            ("SIGNING_KEY_ROTATION_INTERVAL", signingKeyRotationInterval),
            ("ACCESS_TOKEN_EXPIRES_IN", accessTokenExpiresIn), ("REFRESH_TOKEN_EXPIRES_IN", refreshTokenExpiresIn),
            ("JWT_ISSUER", jwtIssuer), ("JWT_AUDIENCE", jwtAudience), ("JWT_LEEWAY", jwtLeeway),
            ("RATE_LIMIT_WINDOW_MS", rateLimitWindowMs),
            ("RATE_LIMIT_MAX_REQUESTS", rateLimitMaxRequests), ("LOGIN_MAX_ATTEMPTS", loginMaxAttempts),
            ("LOGIN_LOCKOUT_WINDOW_MS", loginLockoutWindowMs), ("LOG_LEVEL", logLevel),
            ("TRUST_PROXY", trustProxy), ("DOCS_ENABLED", docsEnabled), ("METRICS_ENABLED", metricsEnabled),
            ("METRICS_AUTH_TOKEN", metricsAuthToken), ("SHARDS", shards), ("WAL_FSYNC", walFsync), ("WAL_SEGMENT_BYTES", walSegmentBytes),
            ("WAL_RETAIN_SEGMENTS", walRetainSegments), ("REPLICATION_LISTEN", replicationListen),
            ("REPLICATION_ADVERTISE", replicationAdvertise), ("REPLICATE_FROM", replicateFrom), ("REPLICATION_SECRET", replicationSecret),
            ("SYNC_REPLICAS", syncReplicas), ("SYNC_STRICT", syncStrict), ("SYNC_TIMEOUT", syncTimeout), ("REPLICA_MAX_LAG", replicaMaxLag),
            ("REPLICATION_MAX_RETAINED_BYTES", replicationMaxRetainedBytes), ("NODE_NAME", nodeName), ("HTTP_ADVERTISE", httpAdvertise),
            ("CLUSTER_ETCD_ENDPOINTS", clusterEtcdEndpoints), ("CLUSTER_NAME", clusterName), ("CLUSTER_LEASE_TTL", clusterLeaseTtl),
            ("SNAPSHOT_EVERY_BYTES", snapshotEveryBytes), ("SNAPSHOT_KEEP", snapshotKeep), ("ARGON2_MEMORY_KIB", argon2MemoryKib),
            ("ARGON2_ITERATIONS", argon2Iterations), ("ARGON2_PARALLELISM", argon2Parallelism), ("HASH_THREADS", hashThreads),
            ("HASH_QUEUE_LIMIT", hashQueueLimit), ("REFRESH_REUSE_INTERVAL", refreshReuseInterval),
            ("MAX_SESSIONS_PER_USER", maxSessionsPerUser), ("REQUEST_READ_TIMEOUT", requestReadTimeout),
            ("SHUTDOWN_TIMEOUT", shutdownTimeout), ("MAX_CONNECTIONS", maxConnections), ("ACCESS_CACHE_ENTRIES", accessCacheEntries),
            ("MAX_SESSIONS_PER_USER", maxSessionsPerUser), ("SESSION_RETENTION", sessionRetention),
            ("SESSION_SWEEP_INTERVAL", sessionSweepInterval),
        ]
        var values: [String: String] = [:]
        for case let (name, value?) in pairs { values[name] = value }
        return values
    }

    /// The soft `RLIMIT_NOFILE`, when there is one.
    static func openFileLimit() -> Int? {
        var limit = rlimit()
        #if os(Linux)
        let read = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let read = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard read == 0, limit.rlim_cur < rlim_t(Int.max) else { return nil }   // RLIM_INFINITY is all ones
        return Int(clamping: limit.rlim_cur)
    }

    func run() async throws {
        // Before anything large is allocated: memory the session sweep frees must be able to leave.
        ProcessAllocator.keepLargeBlocksReturnable()
        // Flags over environment over .env (dotenv never overrides the environment).
        var values: [String: String] = [:]
        if let contents = try? String(contentsOfFile: envFile, encoding: .utf8) {
            values = DotEnv.parse(contents)
        }
        values.merge(ProcessInfo.processInfo.environment) { _, environment in environment }
        values.merge(flagValues) { _, flag in flag }

        let settings: ServerConfiguration
        do {
            settings = try ServerConfiguration.parse(values, cores: NIOCore.System.coreCount, openFileLimit: Self.openFileLimit())
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data(("authd: " + problem + "\n").utf8)) }
            throw ExitCode(2)
        }

        ServeLogging.bootstrap(settings.logLevel)
        let logger = Logger(label: "authd")
        if let limit = Self.openFileLimit(), settings.maxConnections > limit - ServerConfiguration.reservedDescriptors {
            logger.warning(
                "MAX_CONNECTIONS is close to or above the open-file limit: connections may fail with EMFILE instead of a 503",
                metadata: ["maxConnections": "\(settings.maxConnections)", "openFileLimit": "\(limit)"])
        }
        if !settings.ignoredVariables.isEmpty {
            logger.notice(
                "ignoring seed settings authd does not use (state lives in DATA_DIR, passwords use Argon2id)",
                metadata: ["variables": .array(settings.ignoredVariables.map { .string($0) })])
        }

        let secrets: SecretsFile.Secrets
        do {
            secrets = try SecretsFile(dataDirectory: settings.dataDirectory)
                .resolve(accessTokenSecret: settings.accessTokenSecret, refreshTokenSecret: settings.refreshTokenSecret)
        } catch {
            logger.critical("cannot load or create development secrets", metadata: StartupLog.fields(of: error))
            throw ExitCode(2)
        }
        if secrets.generated {
            logger.warning(
                "generated development token secrets; set ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET in production",
                metadata: ["path": .string(SecretsFile(dataDirectory: settings.dataDirectory).path)])
        } else if settings.accessTokenSecret == nil || settings.refreshTokenSecret == nil {
            logger.notice("using development token secrets from DATA_DIR/secrets.env")
        }

        let metrics = settings.metricsEnabled ? ServerMetrics(dataDirectory: settings.dataDirectory) : nil
        metrics?.bootstrapMetricsSystem()

        let engineConfiguration = ServeEngine.engineConfiguration(settings, secrets: secrets)
        let engineProblems = engineConfiguration.problems()
        if !engineProblems.isEmpty {
            for problem in engineProblems { FileHandle.standardError.write(Data(("authd: " + problem + "\n").utf8)) }
            throw ExitCode(2)
        }

        // With automatic failover a step-down restarts the roles: the engine closes and opens
        // again, so that start-up cuts an unacknowledged tail as for a node restarted by hand.
        while true {
            // Replication: a follower first settles its log with the leader (nothing open yet).
            let replication = settings.replication
            let nodeName = replication.nodeName ?? ProcessInfo.processInfo.hostName
            var terms: TermStore?
            if replication.isEnabled {
                do {
                    terms = try await ClusterNode.prepare(settings: replication, node: nodeName, directory: settings.dataDirectory, logger: logger)
                } catch {
                    logger.critical("cannot prepare replication", metadata: ["reason": "\(error)"])
                    throw ExitCode(1)
                }
            }

            let engine: ServeEngine
            do {
                engine = try await ServeEngine.open(
                    engineConfiguration, eventLoops: Array(MultiThreadedEventLoopGroup.singleton.makeIterator()), logger: logger)
            } catch {
                logger.critical("cannot open the engine", metadata: StartupLog.fields(of: error).merging(
                    ["dataDirectory": .string(settings.dataDirectory)]) { old, _ in old })
                throw ExitCode(1)
            }

            var http = settings.http
            var cluster: ClusterNode?
            if let terms {
                do {
                    let httpURL = replication.httpAdvertise ?? "http://\(settings.host):\(settings.port)"
                    let node = try ClusterNode(settings: replication, node: nodeName, httpURL: httpURL, engine: engine.engine,
                                               directory: settings.dataDirectory, terms: terms,
                                               group: MultiThreadedEventLoopGroup.singleton, logger: logger)
                    try await node.start()
                    cluster = node
                    http.cluster = node.gate
                    engine.admin?.addCommands { line in
                        switch line {
                        case "promote": await node.promote(force: false)
                        case "promote force": await node.promote(force: true)
                        case "cluster status": "ok " + String(decoding: node.statusJSON(), as: UTF8.self)
                        default: nil
                        }
                    }
                } catch {
                    logger.critical("cannot start replication", metadata: ["reason": "\(error)"])
                    await engine.shutdown()
                    throw ExitCode(1)
                }
            }

            let server = HTTPServer(
                configuration: http, service: engine.service, metrics: metrics, logger: logger,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let address: SocketAddress
            do {
                address = try await server.start()
            } catch {
                logger.critical("cannot bind", metadata: [
                    "host": .string(settings.host), "port": .stringConvertible(settings.port), "reason": .string(String(describing: error)),
                ])
                await engine.shutdown()
                throw ExitCode(1)
            }
            ServeLogging.announce(host: settings.host, port: address.port ?? settings.port)

            let service = ServeService(server: server, engine: engine, cluster: cluster, logger: logger)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [ServiceGroupConfiguration.ServiceConfiguration(
                        service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            if let reason = cluster?.restartReason.withLock({ $0 }) {
                logger.warning("restarting this node's roles", metadata: ["reason": .string(reason)])
                continue
            }
            logger.notice("stopped")
            return
        }
    }
}
