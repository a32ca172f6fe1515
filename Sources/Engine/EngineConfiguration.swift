import Foundation
import WAL

/// Everything the engine needs to know at start. The HTTP front maps environment
/// variables and flags onto it; tests build it directly.
public struct EngineConfiguration: Sendable {
    /// The data directory holding the WAL, snapshots and the lock.
    public var dataDirectory: String
    public var accessTokenSecret: [UInt8]
    public var refreshTokenSecret: [UInt8]
    /// Secrets that no longer sign but still verify tokens (matched by `kid`): what an
    /// operator keeps while replacing a secret, until the last token it signed has expired.
    public var previousAccessTokenSecrets: [[UInt8]] = []
    public var previousRefreshTokenSecrets: [[UInt8]] = []
    /// How access tokens are signed (refresh tokens are always HS256): HS256 with
    /// `accessTokenSecret`, or EdDSA / ES256 with keys the engine generates and rotates.
    public var accessTokenAlgorithm: SigningAlgorithm = .hs256
    /// How long verifiers may cache the JWKS (its `max-age`), and so how long a new key is
    /// published before it signs.
    public var jwksMaxAgeSeconds: Int64 = 300
    /// Rotate the signing key automatically this often (0: only `authd keys rotate`).
    public var signingKeyRotationIntervalSeconds: Int64 = 0
    public var accessTokenTTLSeconds: Int64 = 900
    public var refreshTokenTTLSeconds: Int64 = 604_800
    public var issuer = "auth-api"
    public var audience = "auth-api-clients"
    /// Seconds of clock skew tolerated on `iat`/`exp` (0...`maximumLeewaySeconds`): a token issued
    /// up to this far in the future, or expired up to this long ago, still verifies.
    public var leewaySeconds: Int64 = 0
    /// The largest leeway accepted.
    public static let maximumLeewaySeconds: Int64 = 60
    /// Shard actors; default twice the cores.
    public var shardCount: Int = 2 * System.coreCount
    public var durability: Durability = .always
    /// Grace during which the immediate parent of a refresh chain returns the current pair (0 = strict).
    public var refreshReuseIntervalSeconds: Double = 0
    /// Active sessions per user before the oldest is revoked.
    public var maxSessionsPerUser = 100
    public var argon2 = Argon2Parameters()
    public var hashThreads: Int = System.coreCount
    /// Hash jobs that may wait before logins are shed with 503.
    public var hashQueueLimit: Int = 64
    /// Take a snapshot after this many WAL bytes (0 = only on demand).
    public var snapshotEveryBytes: Int = 256 << 20
    public var snapshotKeep: Int = 2
    /// WAL segments kept beyond what the oldest kept snapshot needs (for point-in-time restore).
    public var walRetainSegments: Int = 0
    public var walSegmentSize: Int = 64 << 20
    /// Login lockout per account: failed password checks per window before every login of
    /// the account is refused for a window; nil disables it.
    public var loginLockout: LoginLockoutPolicy? = LoginLockoutPolicy(maxFailures: 10, windowMilliseconds: 60_000)
    /// The most entries each shard keeps in each limiter table (rate-limit buckets, login
    /// lockouts), whatever the client sent; at the default cap a table's storage is about
    /// 10.5 MB (entries, digest keys and their index).
    public var limiterEntriesPerShard: Int = 100_000
    /// The most `GET /me` answers each event loop keeps for access tokens whose session lives on
    /// another loop's shard (`AccessCache`), so that a repeated token is answered without a
    /// hop; 0 turns the cache off. An entry is about 600 bytes.
    public var accessCacheEntries: Int = 16_384
    /// How long a session that has ended (revoked, compromised, or past its last refresh
    /// token's lifetime) is kept, visible in the list, before the sweep purges it.
    public var sessionRetentionMilliseconds: Int64 = 7 * 86_400_000
    /// How often each shard's sessions are swept (0: never; `sweepSessions()` still works).
    public var sessionSweepIntervalMilliseconds: Int64 = 60_000
    /// Start with every shard following a replication leader: it applies the leader's records
    /// (`applyReplicated`) and appends none of its own, the session sweep's included, until
    /// `stopFollowing()`. A node that replicates from a leader opens with this set, so that
    /// nothing runs between the open and its first replicated batch.
    public var startsFollowing = false
    /// The file system under the WAL (tests inject faults through it).
    var walFileSystem: WALFileSystem = .posix

    public init(dataDirectory: String, accessTokenSecret: [UInt8], refreshTokenSecret: [UInt8]) {
        self.dataDirectory = dataDirectory
        self.accessTokenSecret = accessTokenSecret
        self.refreshTokenSecret = refreshTokenSecret
    }

    /// Every rule the values must meet, as messages; empty when valid.
    public func problems() -> [String] {
        var out: [String] = []
        if accessTokenSecret.count < 32 { out.append("access token secret must be at least 32 bytes") }
        if refreshTokenSecret.count < 32 { out.append("refresh token secret must be at least 32 bytes") }
        if accessTokenSecret == refreshTokenSecret { out.append("access and refresh token secrets must differ") }
        for (name, previous, current) in [("access", previousAccessTokenSecrets, accessTokenSecret),
                                          ("refresh", previousRefreshTokenSecrets, refreshTokenSecret)] {
            if previous.contains(where: { $0.count < 32 }) { out.append("previous \(name) token secrets must be at least 32 bytes") }
            if previous.contains(current) { out.append("a previous \(name) token secret must differ from the current one") }
        }
        if jwksMaxAgeSeconds < 0 || jwksMaxAgeSeconds > 86_400 { out.append("JWKS max age must be 0 to 1 day") }
        if signingKeyRotationIntervalSeconds < 0 { out.append("signing key rotation interval must not be negative") }
        if signingKeyRotationIntervalSeconds > 0, signingKeyRotationIntervalSeconds < jwksMaxAgeSeconds {
            out.append("signing key rotation interval must be at least the JWKS max age (a key is published that long before it signs)")
        }
        if accessTokenTTLSeconds <= 0 { out.append("access token lifetime must be positive") }
        if refreshTokenTTLSeconds <= 0 { out.append("refresh token lifetime must be positive") }
        if leewaySeconds < 0 || leewaySeconds > Self.maximumLeewaySeconds {
            out.append("token leeway must be 0...\(Self.maximumLeewaySeconds) seconds")
        }
        if shardCount < 1 || shardCount > 1024 { out.append("shard count must be 1...1024") }
        if maxSessionsPerUser < 1 { out.append("max sessions per user must be at least 1") }
        if argon2.memoryKiB < 8 * argon2.parallelism || argon2.iterations < 1 || argon2.parallelism < 1 {
            out.append("argon2 parameters are out of range")
        }
        if hashThreads < 1 { out.append("hash threads must be at least 1") }
        if refreshReuseIntervalSeconds < 0 { out.append("refresh reuse interval must not be negative") }
        if let lockout = loginLockout {
            if lockout.maxFailures < 1 || lockout.maxFailures > Int(Int32.max) { out.append("login lockout failures must be 1...\(Int32.max)") }
            if lockout.windowMilliseconds < 1 || lockout.windowMilliseconds > 31 * 86_400_000 {
                out.append("login lockout window must be 1 ms to 31 days")
            }
        }
        if sessionRetentionMilliseconds < 0 || sessionRetentionMilliseconds > 10 * 366 * 86_400_000 {
            out.append("session retention must be 0 to 10 years")
        }
        if sessionSweepIntervalMilliseconds < 0 || sessionSweepIntervalMilliseconds > 86_400_000 {
            out.append("session sweep interval must be 0 (off) to 1 day")
        }
        if limiterEntriesPerShard < 1 || limiterEntriesPerShard > Int(Int32.max) { out.append("limiter entries per shard must be at least 1") }
        if accessCacheEntries < 0 || accessCacheEntries > 10_000_000 { out.append("access cache entries must be 0 to 10,000,000") }
        return out
    }
}

/// Facts about the host.
public enum System {
    /// Online processor count.
    public static let coreCount: Int = ProcessInfo.processInfo.activeProcessorCount
}
