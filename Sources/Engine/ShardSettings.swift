/// The per-shard share of the configuration, fixed at start.
struct ShardSettings: Sendable {
    let codec: TokenCodec
    let accessTTL: Int64
    let refreshTTL: Int64
    let leeway: Int64
    let reuseIntervalMilliseconds: Int64
    let maxSessionsPerUser: Int
    let accessKey: [UInt8]
    let refreshKey: [UInt8]
    let loginLockout: LoginLockoutPolicy?
    let limiterEntries: Int
    /// When sessions end and how long ended ones are kept.
    let lifetime: SessionLifetime

    init(_ configuration: EngineConfiguration) {
        codec = TokenCodec(issuer: configuration.issuer, audience: configuration.audience)
        accessTTL = configuration.accessTokenTTLSeconds
        refreshTTL = configuration.refreshTokenTTLSeconds
        leeway = configuration.leewaySeconds
        reuseIntervalMilliseconds = Int64(configuration.refreshReuseIntervalSeconds * 1000)
        maxSessionsPerUser = configuration.maxSessionsPerUser
        accessKey = configuration.accessTokenSecret
        refreshKey = configuration.refreshTokenSecret
        loginLockout = configuration.loginLockout
        limiterEntries = configuration.limiterEntriesPerShard
        lifetime = SessionLifetime(refreshTTLSeconds: configuration.refreshTokenTTLSeconds, leewaySeconds: configuration.leewaySeconds,
                                   retentionMilliseconds: configuration.sessionRetentionMilliseconds)
    }
}
