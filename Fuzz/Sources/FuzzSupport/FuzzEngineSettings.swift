import Engine

/// The engine every fuzz target runs: fixed secrets (so seed tokens keep verifying), cheap
/// Argon2 (so registration is not the bottleneck), no rate limits or lockout to stall inputs.
public enum FuzzEngineSettings {
    /// The fixed start time of the targets' manual clocks (seed tokens were issued at it).
    public static let start = Timestamp(milliseconds: 1_790_000_000_000)

    /// A configuration for an engine in `directory` (in-memory engines ignore it).
    public static func configuration(directory: String = "/nonexistent") -> EngineConfiguration {
        var c = EngineConfiguration(
            dataDirectory: directory,
            accessTokenSecret: Array("fuzz-access-secret-0123456789abcdef".utf8),
            refreshTokenSecret: Array("fuzz-refresh-secret-0123456789abcdef".utf8))
        c.shardCount = 2
        c.argon2 = Argon2Parameters(memoryKiB: 8, iterations: 1, parallelism: 1)
        c.hashThreads = 1
        c.hashQueueLimit = 10_000
        c.loginLockout = nil
        c.durability = .none
        c.sessionSweepIntervalMilliseconds = 0
        return c
    }
}
