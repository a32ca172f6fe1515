import Engine
import Foundation
import Testing
@testable import HTTPFront

@Suite struct ServerConfigurationTests {
    let secret = String(repeating: "s", count: 32)
    let otherSecret = String(repeating: "t", count: 32)

    func parse(_ values: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfiguration.parse(values, cores: 2)
    }

    func problems(_ values: [String: String]) -> [String] {
        do {
            _ = try parse(values)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func signingKeySettings() throws {
        let defaults = try parse([:])
        #expect(defaults.accessTokenAlgorithm == .hs256 && defaults.jwksMaxAgeSeconds == 300 && defaults.signingKeyRotationIntervalSeconds == 0)
        #expect(defaults.accessTokenSecretPrevious == nil && defaults.refreshTokenSecretPrevious == nil)
        let config = try parse(["ACCESS_TOKEN_ALGORITHM": "eddsa", "JWKS_MAX_AGE": "10m", "SIGNING_KEY_ROTATION_INTERVAL": "30d",
                                "ACCESS_TOKEN_SECRET": secret, "ACCESS_TOKEN_SECRET_PREVIOUS": otherSecret])
        #expect(config.accessTokenAlgorithm == .edDSA && config.jwksMaxAgeSeconds == 600)
        #expect(config.signingKeyRotationIntervalSeconds == 30 * 86_400 && config.accessTokenSecretPrevious == otherSecret)
        #expect(try parse(["ACCESS_TOKEN_ALGORITHM": "ES256"]).accessTokenAlgorithm == .es256)
        let found = problems(["ACCESS_TOKEN_ALGORITHM": "RS256", "JWKS_MAX_AGE": "2d", "REFRESH_TOKEN_SECRET_PREVIOUS": "short",
                              "ACCESS_TOKEN_SECRET": secret, "ACCESS_TOKEN_SECRET_PREVIOUS": secret])
        for name in ["ACCESS_TOKEN_ALGORITHM", "JWKS_MAX_AGE", "REFRESH_TOKEN_SECRET_PREVIOUS", "ACCESS_TOKEN_SECRET_PREVIOUS"] {
            #expect(found.contains { $0.hasPrefix(name + ":") }, "\(name): \(found)")
        }
        #expect(!problems(["SIGNING_KEY_ROTATION_INTERVAL": "1d"]).isEmpty)   // HS256 keys do not rotate by schedule
        #expect(!problems(["ACCESS_TOKEN_ALGORITHM": "EdDSA", "SIGNING_KEY_ROTATION_INTERVAL": "1m"]).isEmpty)   // < JWKS_MAX_AGE
        #expect(!found.joined().contains(secret))
    }

    @Test func defaults() throws {
        let config = try parse([:])
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 3000)
        #expect(config.dataDirectory == "./data")
        #expect(config.accessTokenTTLSeconds == 900)
        #expect(config.refreshTokenTTLSeconds == 604_800)
        #expect(config.issuer == "auth-api")
        #expect(config.audience == "auth-api-clients")
        #expect(config.jwtLeewaySeconds == 0)
        #expect(config.rateLimitWindowMilliseconds == 60_000)
        #expect(config.rateLimitMaxRequests == 100)
        #expect(config.loginMaxAttempts == 10)
        #expect(config.loginLockoutWindowMilliseconds == nil)
        #expect(config.loginLockout == LoginLockoutPolicy(maxFailures: 10, windowMilliseconds: 60_000))
        #expect(config.logLevel == .level(.info))
        #expect(config.trustProxy == 0)
        #expect(config.docsEnabled)
        #expect(!config.metricsEnabled)
        #expect(config.metricsAuthToken == nil)
        #expect(config.shards == 4)
        #expect(config.walFsync == .always)
        #expect(config.refreshReuseIntervalSeconds == 0)
        #expect(config.maxSessionsPerUser == 100)
        #expect(config.requestReadTimeoutSeconds == 30 && config.shutdownTimeoutSeconds == 10 && config.maxConnections == 10_000)
        #expect(config.sessionRetentionMilliseconds == 7 * 86_400_000)
        #expect(config.sessionSweepIntervalMilliseconds == 60_000)
        #expect(config.environment == .development)
        #expect(config.accessTokenSecret == nil)
        #expect(config.snapshotEveryBytes == nil && config.argon2MemoryKiB == nil && config.hashThreads == nil)
    }

    @Test func everyVariableIsRead() throws {
        let config = try parse([
            "HOST": "0.0.0.0", "PORT": "8080", "DATA_DIR": "/var/lib/authd", "AUTHD_ENV": "production",
            "ACCESS_TOKEN_SECRET": secret, "REFRESH_TOKEN_SECRET": otherSecret, "ACCESS_TOKEN_EXPIRES_IN": "5m",
            "REFRESH_TOKEN_EXPIRES_IN": "30d", "JWT_ISSUER": "iss", "JWT_AUDIENCE": "aud", "JWT_LEEWAY": "30s", "RATE_LIMIT_WINDOW_MS": "1000",
            "RATE_LIMIT_MAX_REQUESTS": "0", "LOGIN_MAX_ATTEMPTS": "3", "LOGIN_LOCKOUT_WINDOW_MS": "900000", "LOG_LEVEL": "warn", "TRUST_PROXY": "2",
            "DOCS_ENABLED": "false", "METRICS_ENABLED": "yes", "METRICS_AUTH_TOKEN": "m-token", "SHARDS": "16",
            "WAL_FSYNC": "interval:250", "WAL_SEGMENT_BYTES": "67108864", "SNAPSHOT_EVERY_BYTES": "1048576", "SNAPSHOT_KEEP": "3",
            "ARGON2_MEMORY_KIB": "8192", "ARGON2_ITERATIONS": "1", "ARGON2_PARALLELISM": "1", "HASH_THREADS": "2",
            "HASH_QUEUE_LIMIT": "64", "REFRESH_REUSE_INTERVAL": "10s", "MAX_SESSIONS_PER_USER": "5",
            "REQUEST_READ_TIMEOUT": "5s", "SHUTDOWN_TIMEOUT": "1500ms", "MAX_CONNECTIONS": "500",
            "SESSION_RETENTION": "36h", "SESSION_SWEEP_INTERVAL": "250ms",
            "DATABASE_URL": "postgres://x", "REDIS_URL": "redis://y", "BCRYPT_ROUNDS": "10",
        ])
        #expect(config.host == "0.0.0.0" && config.port == 8080 && config.dataDirectory == "/var/lib/authd")
        #expect(config.environment == .production)
        #expect(config.accessTokenSecret == secret && config.refreshTokenSecret == otherSecret)
        #expect(config.accessTokenTTLSeconds == 300 && config.refreshTokenTTLSeconds == 2_592_000)
        #expect(config.issuer == "iss" && config.audience == "aud" && config.jwtLeewaySeconds == 30)
        #expect(config.rateLimitWindowMilliseconds == 1000 && config.rateLimitMaxRequests == 0 && config.loginMaxAttempts == 3)
        #expect(config.loginLockout == LoginLockoutPolicy(maxFailures: 3, windowMilliseconds: 900_000))
        #expect(config.logLevel == .level(.warning))
        #expect(config.trustProxy == 2)
        #expect(!config.docsEnabled && config.metricsEnabled && config.metricsAuthToken == "m-token")
        #expect(config.shards == 16)
        #expect(config.walFsync == .interval(milliseconds: 250))
        #expect(config.walSegmentBytes == 67_108_864 && config.snapshotEveryBytes == 1_048_576 && config.snapshotKeep == 3)
        #expect(config.argon2MemoryKiB == 8192 && config.argon2Iterations == 1 && config.argon2Parallelism == 1)
        #expect(config.hashThreads == 2 && config.hashQueueLimit == 64)
        #expect(config.refreshReuseIntervalSeconds == 10)
        #expect(config.maxSessionsPerUser == 5)
        #expect(config.sessionRetentionMilliseconds == 36 * 3_600_000 && config.sessionSweepIntervalMilliseconds == 250)
        #expect(config.ignoredVariables == ["DATABASE_URL", "REDIS_URL", "BCRYPT_ROUNDS"])
        let http = config.http
        #expect(http.host == "0.0.0.0" && http.port == 8080 && http.trustedProxyHops == 2)
        #expect(http.rateLimitMaxRequests == 0 && http.rateLimitWindowMilliseconds == 1000)
        #expect(!http.docsEnabled && http.metricsEnabled && http.metricsAuthToken == "m-token")
        #expect(http.requestReadTimeout == .seconds(5) && http.shutdownTimeout == .milliseconds(1500) && http.maxConnections == 500)
    }

    @Test func connectionCapFollowsTheOpenFileLimit() throws {
        #expect(ServerConfiguration.defaultMaxConnections(openFileLimit: 1024) == 896)
        #expect(ServerConfiguration.defaultMaxConnections(openFileLimit: 100) == 32)
        #expect(ServerConfiguration.defaultMaxConnections(openFileLimit: 1 << 20) == 10_000)
        #expect(ServerConfiguration.defaultMaxConnections(openFileLimit: nil) == 10_000)
        #expect(try ServerConfiguration.parse([:], cores: 2, openFileLimit: 1024).maxConnections == 896)
        #expect(try ServerConfiguration.parse(["MAX_CONNECTIONS": "5000"], cores: 2, openFileLimit: 1024).maxConnections == 5000)
    }

    @Test func zeroTurnsTheRequestReadTimeoutOff() throws {
        #expect(try parse(["REQUEST_READ_TIMEOUT": "0"]).http.requestReadTimeout == .zero)
        #expect(try parse(["SHUTDOWN_TIMEOUT": "0"]).http.shutdownTimeout == .zero)
    }

    @Test func seedEnvExampleParses() throws {
        let values = DotEnv.parse("""
            DATABASE_URL="postgresql://auth_user:auth_password@localhost:5432/auth_api"
            ACCESS_TOKEN_SECRET="replace-this-with-a-strong-access-secret-123456"
            REFRESH_TOKEN_SECRET="replace-this-with-a-strong-refresh-secret-12345"
            ACCESS_TOKEN_EXPIRES_IN="15m"
            REFRESH_TOKEN_EXPIRES_IN="7d"
            JWT_ISSUER="auth-api"
            JWT_AUDIENCE="auth-api-clients"
            PORT=3000
            REDIS_URL="redis://localhost:6379"
            RATE_LIMIT_WINDOW_MS=60000
            RATE_LIMIT_MAX_REQUESTS=100
            LOG_LEVEL="info"
            TRUST_PROXY=0
            DOCS_ENABLED=true
            METRICS_ENABLED=false
            METRICS_AUTH_TOKEN=""
            BCRYPT_ROUNDS=10
            """)
        let config = try parse(values)
        #expect(config.accessTokenTTLSeconds == 900 && config.refreshTokenTTLSeconds == 604_800)
        #expect(config.metricsAuthToken == nil)
        #expect(config.ignoredVariables.count == 3)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "65536"), ("PORT", "-1"), ("PORT", "80.5"), ("AUTHD_ENV", "staging"),
        ("ACCESS_TOKEN_SECRET", "short"), ("REFRESH_TOKEN_SECRET", "short"), ("ACCESS_TOKEN_EXPIRES_IN", "15x"),
        ("ACCESS_TOKEN_EXPIRES_IN", "0"), ("ACCESS_TOKEN_EXPIRES_IN", "500ms"), ("REFRESH_TOKEN_EXPIRES_IN", "-7d"),
        ("REFRESH_TOKEN_EXPIRES_IN", "11y"), ("RATE_LIMIT_WINDOW_MS", "0"), ("RATE_LIMIT_WINDOW_MS", "1m"),
        ("RATE_LIMIT_MAX_REQUESTS", "-5"), ("LOGIN_MAX_ATTEMPTS", "many"), ("LOGIN_LOCKOUT_WINDOW_MS", "0"),
        ("LOGIN_LOCKOUT_WINDOW_MS", "604800001"), ("LOG_LEVEL", "loud"), ("TRUST_PROXY", "true"),
        ("TRUST_PROXY", "65"), ("DOCS_ENABLED", "maybe"), ("METRICS_ENABLED", "2"), ("SHARDS", "0"), ("SHARDS", "1025"),
        ("WAL_FSYNC", "sometimes"), ("WAL_FSYNC", "interval"), ("WAL_FSYNC", "interval:0"), ("WAL_FSYNC", "interval:x"),
        ("WAL_SEGMENT_BYTES", "100"), ("SNAPSHOT_EVERY_BYTES", "-1"), ("SNAPSHOT_KEEP", "0"), ("ARGON2_MEMORY_KIB", "4"),
        ("ARGON2_ITERATIONS", "0"), ("ARGON2_PARALLELISM", "256"), ("ARGON2_PARALLELISM", "2"), ("ARGON2_PARALLELISM", "0"), ("HASH_THREADS", "0"), ("HASH_QUEUE_LIMIT", "0"),
        ("REFRESH_REUSE_INTERVAL", "soon"), ("REFRESH_REUSE_INTERVAL", "2d"), ("MAX_SESSIONS_PER_USER", "0"),
        ("REQUEST_READ_TIMEOUT", "2h"), ("REQUEST_READ_TIMEOUT", "soon"), ("SHUTDOWN_TIMEOUT", "11m"), ("SHUTDOWN_TIMEOUT", "-1s"),
        ("MAX_CONNECTIONS", "0"), ("MAX_CONNECTIONS", "many"), ("MAX_CONNECTIONS", "2000000"),
        ("JWT_LEEWAY", "61"), ("JWT_LEEWAY", "2m"), ("JWT_LEEWAY", "1.5"), ("JWT_LEEWAY", "-1"), ("JWT_LEEWAY", "soon"),
        ("SESSION_RETENTION", "forever"), ("SESSION_RETENTION", "-1d"), ("SESSION_RETENTION", "11y"),
        ("SESSION_SWEEP_INTERVAL", "often"), ("SESSION_SWEEP_INTERVAL", "2d"), ("SESSION_SWEEP_INTERVAL", "1.5.0s"),
    ])
    func eachInvalidValueIsReportedByName(name: String, value: String) {
        let found = problems([name: value])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix(name + ":") == true, "\(found)")
    }

    @Test func zeroRetentionPurgesAtOnceAndAZeroIntervalTurnsTheSweepOff() throws {
        let config = try parse(["SESSION_RETENTION": "0", "SESSION_SWEEP_INTERVAL": "0"])
        #expect(config.sessionRetentionMilliseconds == 0 && config.sessionSweepIntervalMilliseconds == 0)
        #expect(try parse(["SESSION_RETENTION": "10y"]).sessionRetentionMilliseconds == 10 * 31_557_600_000)
        #expect(try parse(["SESSION_SWEEP_INTERVAL": "90"]).sessionSweepIntervalMilliseconds == 90_000)   // bare numbers are seconds
    }

    @Test func theLockoutWindowDefaultsToTheRateLimitWindowAndZeroDisablesIt() throws {
        #expect(try parse(["RATE_LIMIT_WINDOW_MS": "5000"]).loginLockout == LoginLockoutPolicy(maxFailures: 10, windowMilliseconds: 5_000))
        #expect(try parse(["LOGIN_MAX_ATTEMPTS": "0", "LOGIN_LOCKOUT_WINDOW_MS": "900000"]).loginLockout == nil)
    }

    @Test func argon2ParallelismAboveOneIsRefusedWithTheReason() throws {
        #expect(try parse(["ARGON2_PARALLELISM": "1"]).argon2Parallelism == 1)
        let found = problems(["ARGON2_PARALLELISM": "4"])
        #expect(found == ["ARGON2_PARALLELISM: invalid value \"4\": must be 1: new hashes use one lane (libsodium's Argon2id); hashes stored with p > 1 still verify and are rehashed at p = 1 on the next login"])
    }

    @Test func allProblemsAreReportedAtOnce() {
        let found = problems(["PORT": "x", "SHARDS": "0", "WAL_FSYNC": "nope", "LOG_LEVEL": "loud", "DOCS_ENABLED": "?"])
        #expect(found.count == 5)
        #expect(ConfigurationError(problems: found).description.split(separator: "\n").count == 5)
    }

    @Test func secretsAreNeverEchoed() {
        let found = problems(["ACCESS_TOKEN_SECRET": "tooShortSecret"])
        #expect(!found.joined().contains("tooShortSecret"))
    }

    @Test func productionRequiresSecrets() {
        let found = problems(["AUTHD_ENV": "production"])
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.contains("required") })
        #expect(problems(["NODE_ENV": "production"]).count == 2)
        #expect(problems(["AUTHD_ENV": "production", "ACCESS_TOKEN_SECRET": secret, "REFRESH_TOKEN_SECRET": otherSecret]).isEmpty)
        // Short and missing in production: one line per variable, not two.
        #expect(problems(["AUTHD_ENV": "production", "ACCESS_TOKEN_SECRET": "x", "REFRESH_TOKEN_SECRET": otherSecret]).count == 1)
    }

    @Test func secretsMustDiffer() {
        #expect(problems(["ACCESS_TOKEN_SECRET": secret, "REFRESH_TOKEN_SECRET": secret]).count == 1)
    }

    @Test func emptyValuesCountAsUnset() throws {
        let config = try parse(["PORT": "", "METRICS_AUTH_TOKEN": "  ", "LOG_LEVEL": ""])
        #expect(config.port == 3000 && config.metricsAuthToken == nil && config.logLevel == .level(.info))
    }

    @Test(arguments: [
        ("silent", ServerConfiguration.LogLevel.silent), ("fatal", .level(.critical)), ("error", .level(.error)),
        ("warn", .level(.warning)), ("info", .level(.info)), ("debug", .level(.debug)), ("trace", .level(.trace)),
        ("WARNING", .level(.warning)), ("notice", .level(.notice)),
    ])
    func logLevels(text: String, level: ServerConfiguration.LogLevel) throws {
        #expect(try parse(["LOG_LEVEL": text]).logLevel == level)
    }

    @Test(arguments: [("1", true), ("true", true), ("YES", true), ("on", true), ("0", false), ("False", false), ("no", false), ("off", false)])
    func booleans(text: String, value: Bool) throws {
        #expect(try parse(["DOCS_ENABLED": text]).docsEnabled == value)
    }

    @Test(arguments: [("0", Int64(0)), ("5", 5), ("5s", 5), ("1m", 60), ("60", 60), ("1000ms", 1)])
    func jwtLeeway(text: String, seconds: Int64) throws {
        #expect(try parse(["JWT_LEEWAY": text]).jwtLeewaySeconds == seconds)
    }

    @Test func fsyncModes() throws {
        #expect(try parse(["WAL_FSYNC": "always"]).walFsync == .always)
        #expect(try parse(["WAL_FSYNC": "NONE"]).walFsync == ServerConfiguration.WALFsync.none)
        #expect(try parse(["WAL_FSYNC": "interval:1000"]).walFsync == .interval(milliseconds: 1000))
    }
}

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("15m", 900.0), ("7d", 604_800), ("60s", 60), ("1000", 1000), ("500ms", 0.5), ("1.5h", 5400), ("2 days", 172_800),
        ("10 minutes", 600), ("1w", 604_800), ("1y", 31_557_600), ("3 HRS", 10_800), (" 5s ", 5), ("0", 0), ("1 sec", 1),
    ])
    func parses(text: String, seconds: Double) {
        #expect(DurationParser.seconds(text) == seconds)
    }

    @Test(arguments: ["", "m", "15x", "-5m", "1..5h", ".5h", "5.h", "1e3", "15 m s", "abc", "0x10", "1,5h"])
    func rejects(text: String) {
        #expect(DurationParser.seconds(text) == nil)
    }
}

@Suite struct DotEnvTests {
    @Test func parsesDotenvSyntax() {
        let values = DotEnv.parse("""
            # comment
            PLAIN=value
            SPACED = spaced value  
            export EXPORTED=1
            DOUBLE="a\\nb \\"q"
            SINGLE='raw\\n # not a comment'
            BACKTICK=`tick`
            COMMENTED=value # trailing comment
            EMPTY=
            not an assignment
            HASH=abc#def
            PLAIN=override
            """)
        #expect(values["PLAIN"] == "override")
        #expect(values["SPACED"] == "spaced value")
        #expect(values["EXPORTED"] == "1")
        #expect(values["SINGLE"] == "raw\\n # not a comment")
        #expect(values["BACKTICK"] == "tick")
        #expect(values["COMMENTED"] == "value")
        #expect(values["EMPTY"] == "")
        #expect(values["HASH"] == "abc#def")
        #expect(values["DOUBLE"]?.hasPrefix("a\nb ") == true)
        #expect(values.count == 9)
    }

    @Test func windowsLineEndings() {
        #expect(DotEnv.parse("A=1\r\nB=2\r\n") == ["A": "1", "B": "2"])
    }
}

@Suite struct SecretsFileTests {
    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "authd-secrets-\(UUID().uuidString)/nested"
        return path
    }

    @Test func generatesOnceThenReuses() throws {
        let directory = temporaryDirectory()
        let file = SecretsFile(dataDirectory: directory)
        let first = try file.resolve(accessTokenSecret: nil, refreshTokenSecret: nil)
        #expect(first.generated)
        #expect(first.accessTokenSecret != first.refreshTokenSecret)
        #expect(Data(base64Encoded: first.accessTokenSecret)?.count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try file.resolve(accessTokenSecret: nil, refreshTokenSecret: nil)
        #expect(!second.generated)
        #expect(second.accessTokenSecret == first.accessTokenSecret && second.refreshTokenSecret == first.refreshTokenSecret)
        // An explicit secret wins over the file.
        let explicit = String(repeating: "e", count: 40)
        #expect(try file.resolve(accessTokenSecret: explicit, refreshTokenSecret: nil).accessTokenSecret == explicit)
    }

    @Test func bothGivenNeedsNoFile() throws {
        let directory = temporaryDirectory()
        let result = try SecretsFile(dataDirectory: directory).resolve(accessTokenSecret: "a", refreshTokenSecret: "b")
        #expect(!result.generated)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func corruptFileIsAnError() throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = SecretsFile(dataDirectory: directory)
        try "ACCESS_TOKEN_SECRET=short\n".write(toFile: file.path, atomically: true, encoding: .utf8)
        #expect(throws: SecretsFile.Failure.self) { try file.resolve(accessTokenSecret: nil, refreshTokenSecret: nil) }
    }

    @Test func unwritableDirectoryIsAnError() {
        let file = SecretsFile(dataDirectory: "/proc/authd-cannot-create-here")
        #expect(throws: SecretsFile.Failure.self) { try file.resolve(accessTokenSecret: nil, refreshTokenSecret: nil) }
    }
}
