import Foundation
import Locking

/// Where the engine reads the current time. Injected so tests move time without sleeping.
public protocol EngineClock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The wall clock of the host.
public struct SystemClock: EngineClock {
    public init() {}

    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}

/// A clock that only moves when told to: tests use it to expire tokens and refill buckets.
public final class ManualClock: EngineClock {
    private let current: LockedValue<Int64>

    public init(_ start: Timestamp = Timestamp(milliseconds: 1_790_000_000_000)) {
        current = LockedValue(start.milliseconds)
    }

    public func now() -> Timestamp { Timestamp(milliseconds: current.withLock { $0 }) }

    /// Moves the clock forward by `milliseconds`.
    public func advance(milliseconds: Int64) {
        current.withLock { $0 += milliseconds }
    }

    /// Moves the clock forward by `seconds`.
    public func advance(seconds: Int64) { advance(milliseconds: seconds * 1000) }
}
