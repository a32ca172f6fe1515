import Synchronization

/// A value behind a lock, for the little shared mutable state the front has
/// (metric handles by label, open connections, the listening channel).
/// A futex-based `Mutex`; uncontended on the hot path.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        self.mutex = Mutex(value)
    }

    func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { value in try body(&value) }
    }
}
