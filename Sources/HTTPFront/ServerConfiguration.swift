import Engine
import Logging

/// Everything `authd serve` is told, parsed and checked in one pass.
///
/// The seed's variables keep their names and meanings (PORT, the token
/// secrets and lifetimes, JWT_ISSUER/AUDIENCE, RATE_LIMIT_*, LOG_LEVEL,
/// TRUST_PROXY, DOCS_ENABLED, METRICS_*); DATABASE_URL, REDIS_URL and
/// BCRYPT_ROUNDS are accepted and ignored with one notice, so a seed `.env`
/// works. authd's own settings size the engine and the WAL. `parse` is
/// pure: it reads a dictionary (flags over environment over `.env`, merged
/// by the caller) and reports every invalid value at once.
public struct ServerConfiguration: Sendable, Equatable {
    /// `AUTHD_ENV`: production requires real secrets.
    public enum Environment: String, Sendable, Equatable { case development, production }

    /// `WAL_FSYNC`: when a WAL batch is made durable.
    public enum WALFsync: Sendable, Equatable {
        /// fsync before acknowledging (default).
        case always
        /// fsync every N milliseconds; a crash may lose that window.
        case interval(milliseconds: Int)
        /// never fsync (tests and benchmarks only).
        case none
    }

    /// `LOG_LEVEL`: the seed's pino levels, plus swift-log's names.
    public enum LogLevel: Sendable, Equatable {
        /// No log output at all.
        case silent
        /// This level and more severe.
        case level(Logger.Level)
    }

    public var host = "127.0.0.1"
    public var port = 3000
    public var dataDirectory = "./data"
    public var accessTokenSecret: String?
    public var refreshTokenSecret: String?
    /// `ACCESS_TOKEN_SECRET_PREVIOUS` / `REFRESH_TOKEN_SECRET_PREVIOUS`: a replaced secret that still
    /// verifies (never signs) tokens, matched by `kid`, until the operator drops it.
    public var accessTokenSecretPrevious: String?
    public var refreshTokenSecretPrevious: String?
    /// `ACCESS_TOKEN_ALGORITHM`: HS256 (default), EdDSA or ES256; refresh tokens are always HS256.
    public var accessTokenAlgorithm = SigningAlgorithm.hs256
    /// `JWKS_MAX_AGE`: the JWKS's `max-age`, and how long a new key is published before it signs.
    public var jwksMaxAgeSeconds: Int64 = 300
    /// `SIGNING_KEY_ROTATION_INTERVAL`: automatic rotation of EdDSA/ES256 keys; 0 (default) is off.
    public var signingKeyRotationIntervalSeconds: Int64 = 0
    public var accessTokenTTLSeconds: Int64 = 900
    public var refreshTokenTTLSeconds: Int64 = 604_800
    public var issuer = "auth-api"
    public var audience = "auth-api-clients"
    /// `JWT_LEEWAY`: seconds of clock skew tolerated on a token's `iat` and `exp` (0 to 60).
    public var jwtLeewaySeconds: Int64 = 0
    public var rateLimitWindowMilliseconds = 60_000
    public var rateLimitMaxRequests = 100
    /// `LOGIN_MAX_ATTEMPTS`: failed password checks per account per lockout window; 0 disables.
    public var loginMaxAttempts = 10
    /// `LOGIN_LOCKOUT_WINDOW_MS`; nil means `RATE_LIMIT_WINDOW_MS`.
    public var loginLockoutWindowMilliseconds: Int?
    public var logLevel = LogLevel.level(.info)
    public var trustProxy = 0
    public var docsEnabled = true
    public var metricsEnabled = false
    public var metricsAuthToken: String?
    public var shards: Int
    public var walFsync = WALFsync.always
    public var snapshotEveryBytes: Int?
    public var snapshotKeep: Int?
    public var walSegmentBytes: Int?
    /// Extra WAL segments kept beyond what the oldest kept snapshot needs (point-in-time restore).
    public var walRetainSegments: Int?
    public var argon2MemoryKiB: Int?
    public var argon2Iterations: Int?
    public var argon2Parallelism: Int?
    public var hashThreads: Int?
    public var hashQueueLimit: Int?
    public var refreshReuseIntervalSeconds: Double = 0
    public var maxSessionsPerUser = 100
    /// `ACCESS_CACHE_ENTRIES`: `me` answers each event loop keeps for sessions another loop owns (0 = off).
    public var accessCacheEntries = 16_384
    /// `REQUEST_READ_TIMEOUT`: seconds a request may take to arrive, first byte to last (0 = off).
    public var requestReadTimeoutSeconds: Double = 30
    /// `SHUTDOWN_TIMEOUT`: seconds SIGTERM waits for in-flight requests before closing what is left.
    public var shutdownTimeoutSeconds: Double = 10
    /// `MAX_CONNECTIONS`: open client connections; past it a new one gets 503 and is closed.
    public var maxConnections: Int
    /// `SESSION_RETENTION`: how long an ended session is kept (and listed) before it is purged.
    public var sessionRetentionMilliseconds: Int64 = 7 * 86_400_000
    /// `SESSION_SWEEP_INTERVAL`: how often each shard sweeps ended sessions; 0 turns the sweep off.
    public var sessionSweepIntervalMilliseconds: Int64 = 60_000
    public var environment = Environment.development
    /// Replication (log shipping); all off for a single node.
    public var replication = ReplicationSettings()
    /// Seed variables that were set and are ignored (for the one notice).
    public var ignoredVariables: [String] = []

    /// The defaults; `shards` defaults to twice the cores, `maxConnections` follows the open-file limit.
    public init(cores: Int, openFileLimit: Int? = nil) {
        self.shards = max(1, 2 * cores)
        self.maxConnections = Self.defaultMaxConnections(openFileLimit: openFileLimit)
    }

    /// Descriptors kept back from `MAX_CONNECTIONS`'s default for everything else the server
    /// opens (WAL segments, snapshots, the admin socket, event loops, refused connections).
    public static let reservedDescriptors = 128

    /// The default `MAX_CONNECTIONS`: the open-file limit less `reservedDescriptors`, at least
    /// 32 and at most 10,000 (10,000 when the limit is unknown), so that the server refuses a
    /// connection with a clear answer before it runs out of descriptors.
    public static func defaultMaxConnections(openFileLimit: Int?) -> Int {
        guard let openFileLimit else { return 10_000 }
        return min(10_000, max(32, openFileLimit - reservedDescriptors))
    }

    /// The variables `parse` reads, in documentation order.
    public static let variableNames: [String] = [
        "HOST", "PORT", "DATA_DIR", "AUTHD_ENV", "ACCESS_TOKEN_SECRET", "REFRESH_TOKEN_SECRET",
        "ACCESS_TOKEN_SECRET_PREVIOUS", "REFRESH_TOKEN_SECRET_PREVIOUS", "ACCESS_TOKEN_ALGORITHM", "JWKS_MAX_AGE", "SIGNING_KEY_ROTATION_INTERVAL",
        "ACCESS_TOKEN_EXPIRES_IN",
        "REFRESH_TOKEN_EXPIRES_IN", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_LEEWAY", "RATE_LIMIT_WINDOW_MS", "RATE_LIMIT_MAX_REQUESTS",
        "LOGIN_MAX_ATTEMPTS", "LOGIN_LOCKOUT_WINDOW_MS", "LOG_LEVEL", "TRUST_PROXY", "DOCS_ENABLED", "METRICS_ENABLED", "METRICS_AUTH_TOKEN", "SHARDS",
        "WAL_FSYNC", "WAL_SEGMENT_BYTES", "WAL_RETAIN_SEGMENTS", "SNAPSHOT_EVERY_BYTES", "SNAPSHOT_KEEP", "ARGON2_MEMORY_KIB", "ARGON2_ITERATIONS",
        "ARGON2_PARALLELISM", "HASH_THREADS", "HASH_QUEUE_LIMIT", "REFRESH_REUSE_INTERVAL", "MAX_SESSIONS_PER_USER",
        "REQUEST_READ_TIMEOUT", "SHUTDOWN_TIMEOUT", "MAX_CONNECTIONS", "ACCESS_CACHE_ENTRIES",
        "SESSION_RETENTION", "SESSION_SWEEP_INTERVAL",
    ] + ReplicationSettings.variableNames

    /// Seed variables accepted and ignored.
    public static let ignoredVariableNames = ["DATABASE_URL", "REDIS_URL", "BCRYPT_ROUNDS"]

    /// The smallest secret accepted, in bytes.
    public static let minimumSecretBytes = 32

    /// The largest `JWT_LEEWAY` accepted: more skew than a minute is a broken clock, not a tolerance.
    public static let maximumJWTLeewaySeconds: Int64 = 60

    /// Parses `values` (merged flags, environment and `.env`).
    ///
    /// Empty values count as unset, as the seed's optional settings do.
    /// Secrets may be missing outside production (the caller then loads or
    /// generates `DATA_DIR/secrets.env`); see `SecretsFile`. `openFileLimit`
    /// (the process's soft `RLIMIT_NOFILE`) sets the default `MAX_CONNECTIONS`.
    public static func parse(
        _ values: [String: String], cores: Int, openFileLimit: Int? = nil
    ) throws(ConfigurationError) -> ServerConfiguration {
        var reader = Reader(values: values)
        var config = ServerConfiguration(cores: cores, openFileLimit: openFileLimit)

        config.host = reader.string("HOST") ?? config.host
        config.port = reader.integer("PORT", in: 0...65_535) ?? config.port
        config.dataDirectory = reader.string("DATA_DIR") ?? config.dataDirectory
        if let name = reader.string("AUTHD_ENV") {
            if let environment = Environment(rawValue: name.lowercased()) {
                config.environment = environment
            } else {
                reader.fail("AUTHD_ENV", name, "must be development or production")
            }
        } else if reader.string("NODE_ENV")?.lowercased() == "production" {
            config.environment = .production
        }
        config.accessTokenSecret = reader.secret("ACCESS_TOKEN_SECRET")
        config.refreshTokenSecret = reader.secret("REFRESH_TOKEN_SECRET")
        if config.environment == .production {
            for (name, secret) in [("ACCESS_TOKEN_SECRET", config.accessTokenSecret), ("REFRESH_TOKEN_SECRET", config.refreshTokenSecret)]
            where secret == nil && !reader.failed(name) {
                reader.problems.append("\(name): is required when AUTHD_ENV=production (at least \(minimumSecretBytes) bytes)")
            }
        }
        if let secret = config.accessTokenSecret, secret == config.refreshTokenSecret {
            reader.problems.append("REFRESH_TOKEN_SECRET: must differ from ACCESS_TOKEN_SECRET")
        }
        config.accessTokenSecretPrevious = reader.secret("ACCESS_TOKEN_SECRET_PREVIOUS")
        config.refreshTokenSecretPrevious = reader.secret("REFRESH_TOKEN_SECRET_PREVIOUS")
        for (name, previous, current) in [("ACCESS_TOKEN_SECRET_PREVIOUS", config.accessTokenSecretPrevious, config.accessTokenSecret),
                                          ("REFRESH_TOKEN_SECRET_PREVIOUS", config.refreshTokenSecretPrevious, config.refreshTokenSecret)]
        where previous != nil && previous == current {
            reader.problems.append("\(name): must differ from the current secret (it only verifies tokens the old secret signed)")
        }
        if let name = reader.string("ACCESS_TOKEN_ALGORITHM") {
            if let algorithm = SigningAlgorithm(name: name) {
                config.accessTokenAlgorithm = algorithm
            } else {
                reader.fail("ACCESS_TOKEN_ALGORITHM", name, "must be HS256, EdDSA or ES256")
            }
        }
        if let seconds = reader.wholeSeconds("JWKS_MAX_AGE", upTo: 86_400, rule: "must be whole seconds from 0 to 1d such as 5m, 300 or 0") {
            config.jwksMaxAgeSeconds = seconds
        }
        if let seconds = reader.wholeSeconds("SIGNING_KEY_ROTATION_INTERVAL", upTo: 10 * 31_557_600,
                                             rule: "must be whole seconds from 0 (off) to 10y such as 30d, 12h or 0") {
            config.signingKeyRotationIntervalSeconds = seconds
        }
        if config.signingKeyRotationIntervalSeconds > 0 {
            if config.accessTokenAlgorithm == .hs256 {
                reader.problems.append("SIGNING_KEY_ROTATION_INTERVAL: needs ACCESS_TOKEN_ALGORITHM=EdDSA or ES256 (HS256 keys are configured secrets)")
            } else if config.signingKeyRotationIntervalSeconds < config.jwksMaxAgeSeconds {
                reader.problems.append("SIGNING_KEY_ROTATION_INTERVAL: must be at least JWKS_MAX_AGE (a new key is published that long before it signs)")
            }
        }
        config.accessTokenTTLSeconds = reader.lifetime("ACCESS_TOKEN_EXPIRES_IN") ?? config.accessTokenTTLSeconds
        config.refreshTokenTTLSeconds = reader.lifetime("REFRESH_TOKEN_EXPIRES_IN") ?? config.refreshTokenTTLSeconds
        config.issuer = reader.string("JWT_ISSUER") ?? config.issuer
        config.audience = reader.string("JWT_AUDIENCE") ?? config.audience
        if let text = reader.string("JWT_LEEWAY") {
            if let seconds = DurationParser.seconds(text), seconds == seconds.rounded(), seconds <= Double(maximumJWTLeewaySeconds) {
                config.jwtLeewaySeconds = Int64(seconds)
            } else {
                reader.fail("JWT_LEEWAY", text, "must be whole seconds from 0 to \(maximumJWTLeewaySeconds) such as 0, 5s or 1m")
            }
        }
        config.rateLimitWindowMilliseconds = reader.integer("RATE_LIMIT_WINDOW_MS", in: 1...86_400_000) ?? config.rateLimitWindowMilliseconds
        config.rateLimitMaxRequests = reader.integer("RATE_LIMIT_MAX_REQUESTS", in: 0...Int(Int32.max)) ?? config.rateLimitMaxRequests
        config.loginMaxAttempts = reader.integer("LOGIN_MAX_ATTEMPTS", in: 0...Int(Int32.max)) ?? config.loginMaxAttempts
        config.loginLockoutWindowMilliseconds = reader.integer("LOGIN_LOCKOUT_WINDOW_MS", in: 1...604_800_000)
        if let level = reader.string("LOG_LEVEL") {
            if let parsed = parseLogLevel(level) {
                config.logLevel = parsed
            } else {
                reader.fail("LOG_LEVEL", level, "must be one of silent, fatal, error, warn, info, debug, trace")
            }
        }
        config.trustProxy = reader.integer("TRUST_PROXY", in: 0...64) ?? config.trustProxy
        config.docsEnabled = reader.boolean("DOCS_ENABLED") ?? config.docsEnabled
        config.metricsEnabled = reader.boolean("METRICS_ENABLED") ?? config.metricsEnabled
        config.metricsAuthToken = reader.string("METRICS_AUTH_TOKEN")
        config.shards = reader.integer("SHARDS", in: 1...1024) ?? config.shards
        if let mode = reader.string("WAL_FSYNC") {
            if let parsed = parseFsync(mode) {
                config.walFsync = parsed
            } else {
                reader.fail("WAL_FSYNC", mode, "must be always, none or interval:<milliseconds> (e.g. interval:1000)")
            }
        }
        config.walSegmentBytes = reader.integer("WAL_SEGMENT_BYTES", in: 4096...(1 << 40))
        config.walRetainSegments = reader.integer("WAL_RETAIN_SEGMENTS", in: 0...1_000_000)
        // 0: no automatic snapshot, only `authd snapshot`.
        config.snapshotEveryBytes = reader.integer("SNAPSHOT_EVERY_BYTES", in: 0...(1 << 50))
        config.snapshotKeep = reader.integer("SNAPSHOT_KEEP", in: 1...1000)
        config.argon2MemoryKiB = reader.integer("ARGON2_MEMORY_KIB", in: 8...(4 << 20))
        config.argon2Iterations = reader.integer("ARGON2_ITERATIONS", in: 1...100)
        // libsodium's Argon2id hashes with one lane; hashes stored with more still verify.
        if let text = reader.string("ARGON2_PARALLELISM") {
            if Int(text) == Argon2Parameters.supportedParallelism, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                config.argon2Parallelism = Argon2Parameters.supportedParallelism
            } else {
                reader.fail("ARGON2_PARALLELISM", text,
                            "must be 1: new hashes use one lane (libsodium's Argon2id); hashes stored with p > 1 still verify and are rehashed at p = 1 on the next login")
            }
        }
        config.hashThreads = reader.integer("HASH_THREADS", in: 1...1024)
        config.hashQueueLimit = reader.integer("HASH_QUEUE_LIMIT", in: 1...1_000_000)
        if let text = reader.string("REFRESH_REUSE_INTERVAL") {
            if let seconds = DurationParser.seconds(text), seconds <= 86_400 {
                config.refreshReuseIntervalSeconds = seconds
            } else {
                reader.fail("REFRESH_REUSE_INTERVAL", text, "must be a duration of at most 1d such as 0, 10s or 500ms")
            }
        }
        config.maxSessionsPerUser = reader.integer("MAX_SESSIONS_PER_USER", in: 1...100_000) ?? config.maxSessionsPerUser
        config.accessCacheEntries = reader.integer("ACCESS_CACHE_ENTRIES", in: 0...10_000_000) ?? config.accessCacheEntries
        config.requestReadTimeoutSeconds =
            reader.duration("REQUEST_READ_TIMEOUT", atMost: 3600, rule: "must be a duration of at most 1h such as 30s or 10s (0 turns it off)")
            ?? config.requestReadTimeoutSeconds
        config.shutdownTimeoutSeconds =
            reader.duration("SHUTDOWN_TIMEOUT", atMost: 600, rule: "must be a duration of at most 10m such as 10s or 30s")
            ?? config.shutdownTimeoutSeconds
        config.maxConnections = reader.integer("MAX_CONNECTIONS", in: 1...1_000_000) ?? config.maxConnections
        config.sessionRetentionMilliseconds = reader.milliseconds(
            "SESSION_RETENTION", upTo: 10 * 31_557_600, rule: "must be a duration from 0 to 10y such as 7d, 12h or 0 (purge as soon as ended)")
            ?? config.sessionRetentionMilliseconds
        config.sessionSweepIntervalMilliseconds = reader.milliseconds(
            "SESSION_SWEEP_INTERVAL", upTo: 86_400, rule: "must be a duration from 0 (off) to 1d such as 60s or 500ms")
            ?? config.sessionSweepIntervalMilliseconds
        config.replication = ReplicationSettings.parse(&reader)
        config.ignoredVariables = ignoredVariableNames.filter { values[$0] != nil }

        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
        return config
    }

    static func parseLogLevel(_ text: String) -> LogLevel? {
        switch text.lowercased() {
        case "silent", "off", "none": .silent
        case "fatal", "critical": .level(.critical)
        case "error": .level(.error)
        case "warn", "warning": .level(.warning)
        case "notice": .level(.notice)
        case "info": .level(.info)
        case "debug": .level(.debug)
        case "trace": .level(.trace)
        default: nil
        }
    }

    static func parseFsync(_ text: String) -> WALFsync? {
        switch text.lowercased() {
        case "always": return .always
        case "none": return WALFsync.none
        default:
            let parts = text.lowercased().split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "interval", let milliseconds = Int(parts[1]), (1...60_000).contains(milliseconds) else {
                return nil
            }
            return .interval(milliseconds: milliseconds)
        }
    }

    /// The engine's login lockout: `LOGIN_MAX_ATTEMPTS` failed password checks per
    /// `LOGIN_LOCKOUT_WINDOW_MS` (default `RATE_LIMIT_WINDOW_MS`); nil when disabled (0).
    public var loginLockout: LoginLockoutPolicy? {
        guard loginMaxAttempts > 0 else { return nil }
        return LoginLockoutPolicy(maxFailures: loginMaxAttempts, windowMilliseconds: loginLockoutWindowMilliseconds ?? rateLimitWindowMilliseconds)
    }

    /// The HTTP front's part of the configuration.
    public var http: HTTPServerConfiguration {
        var http = HTTPServerConfiguration()
        http.host = host
        http.port = port
        http.trustedProxyHops = trustProxy
        http.rateLimitMaxRequests = rateLimitMaxRequests
        http.rateLimitWindowMilliseconds = rateLimitWindowMilliseconds
        http.docsEnabled = docsEnabled
        http.metricsEnabled = metricsEnabled
        http.metricsAuthToken = metricsAuthToken
        http.requestReadTimeout = .nanoseconds(Int64(requestReadTimeoutSeconds * 1e9))
        http.shutdownTimeout = .nanoseconds(Int64(shutdownTimeoutSeconds * 1e9))
        http.maxConnections = maxConnections
        return http
    }
}

extension ServerConfiguration {
    /// Reads typed values and collects problems, one line per variable.
    struct Reader {
        let values: [String: String]
        var problems: [String] = []
        private var failedNames: Set<String> = []

        init(values: [String: String]) {
            self.values = values
        }

        func failed(_ name: String) -> Bool { failedNames.contains(name) }

        mutating func fail(_ name: String, _ value: String, _ rule: String) {
            failedNames.insert(name)
            problems.append("\(name): invalid value \"\(Self.printable(value))\": \(rule)")
        }

        /// The trimmed value; empty counts as unset.
        func string(_ name: String) -> String? {
            guard let raw = values[name] else { return nil }
            let trimmed = String(Substring(raw).trimmingSpaces())
            return trimmed.isEmpty ? nil : trimmed
        }

        mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
            guard let text = string(name) else { return nil }
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), range.contains(value) else {
                fail(name, text, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return value
        }

        mutating func boolean(_ name: String) -> Bool? {
            guard let text = string(name) else { return nil }
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                fail(name, text, "must be true or false (also 1/0, yes/no, on/off)")
                return nil
            }
        }

        /// A duration in seconds from 0 to `maximum`.
        mutating func duration(_ name: String, atMost maximum: Double, rule: String) -> Double? {
            guard let text = string(name) else { return nil }
            guard let seconds = DurationParser.seconds(text), seconds <= maximum else {
                fail(name, text, rule)
                return nil
            }
            return seconds
        }

        mutating func lifetime(_ name: String) -> Int64? {
            guard let text = string(name) else { return nil }
            guard let seconds = DurationParser.seconds(text), seconds >= 1, seconds <= 10 * 31_557_600 else {
                fail(name, text, "must be a duration from 1s to 10y such as 15m, 7d, 60s or 900 (seconds)")
                return nil
            }
            return Int64(seconds)
        }

        /// A duration from 0 to `upTo` seconds, in whole milliseconds (`rule` says what is expected).
        mutating func milliseconds(_ name: String, upTo maximumSeconds: Double, rule: String) -> Int64? {
            guard let text = string(name) else { return nil }
            guard let seconds = DurationParser.seconds(text), seconds <= maximumSeconds else {
                fail(name, text, rule)
                return nil
            }
            return Int64((seconds * 1000).rounded())
        }

        /// A duration in whole seconds from 0 to `upTo`.
        mutating func wholeSeconds(_ name: String, upTo maximum: Double, rule: String) -> Int64? {
            guard let text = string(name) else { return nil }
            guard let seconds = DurationParser.seconds(text), seconds == seconds.rounded(), seconds <= maximum else {
                fail(name, text, rule)
                return nil
            }
            return Int64(seconds)
        }

        mutating func secret(_ name: String) -> String? {
            guard let secret = string(name) else { return nil }
            guard secret.utf8.count >= ServerConfiguration.minimumSecretBytes else {
                failedNames.insert(name)
                problems.append("\(name): must be at least \(ServerConfiguration.minimumSecretBytes) bytes (got \(secret.utf8.count))")
                return nil
            }
            return secret
        }

        /// A value safe to echo in an error line (never used for secrets).
        static func printable(_ value: String) -> String {
            let clipped = value.count > 64 ? String(value.prefix(64)) + "..." : value
            return String(clipped.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " ") ? $0 : "?" })
        }
    }
}
