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
    let previousAccessKeys: [[UInt8]]
    let previousRefreshKeys: [[UInt8]]
    let accessAlgorithm: SigningAlgorithm
    /// Access-token lifetime plus leeway (ms): how long a retired signing key still verifies.
    let keyOverlapMilliseconds: Int64
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
        previousAccessKeys = configuration.previousAccessTokenSecrets
        previousRefreshKeys = configuration.previousRefreshTokenSecrets
        accessAlgorithm = configuration.accessTokenAlgorithm
        keyOverlapMilliseconds = (configuration.accessTokenTTLSeconds + configuration.leewaySeconds) * 1000
        loginLockout = configuration.loginLockout
        limiterEntries = configuration.limiterEntriesPerShard
        lifetime = SessionLifetime(refreshTTLSeconds: configuration.refreshTokenTTLSeconds, leewaySeconds: configuration.leewaySeconds,
                                   retentionMilliseconds: configuration.sessionRetentionMilliseconds)
    }
}

extension ShardSettings {
    /// A shard's access-token keys: the configured secrets for HS256, else the engine's keys.
    func accessKeyRing(_ keys: [SigningKey]) -> TokenKeyRing {
        accessAlgorithm == .hs256 ? TokenKeyRing(secret: accessKey, previous: previousAccessKeys)
            : TokenKeyRing(algorithm: accessAlgorithm, keys: keys)
    }
}
