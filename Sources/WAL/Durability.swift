/// When `WriteAheadLog.waitUntilDurable(_:)` returns, and so what a crash can lose.
public enum Durability: Sendable, Equatable {
    /// Acknowledge after write + `fdatasync`: an acknowledged record survives a crash of the
    /// process or the machine. The default.
    case always
    /// Acknowledge after `write`; `fdatasync` runs every `milliseconds`. A process crash loses
    /// nothing acknowledged; a machine crash or power loss can lose up to the last interval.
    case interval(milliseconds: Int)
    /// Acknowledge on enqueue (no wait for write), never `fdatasync` except on `flush()`/`close()`.
    /// For tests and benchmarks only.
    case none
}
