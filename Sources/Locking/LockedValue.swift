#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex: the shared mutable state that lives outside actors (the WAL's
/// queue between callers and its writer thread, the hash pool, clocks, small registries).
///
/// authd uses this instead of the standard library's `Synchronization.Mutex` because
/// ThreadSanitizer does not model that lock's futex: every access made under it is reported as a
/// race, which buries the real ones (docs/reliability.md, `make check-races`). TSan intercepts
/// `pthread_mutex_lock`, so accesses under this lock are ordered in its eyes as they are in fact.
/// The API mirrors `Mutex.withLock`, and, like `Mutex`, the value only enters and leaves the lock
/// as a `sending` value, so a non-`Sendable` value cannot be shared by accident.
public final class LockedValue<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// Places `initialValue` behind a new lock.
    public init(_ initialValue: consuming sending Value) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        value = initialValue
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value and returns what it returns.
    ///
    /// `body` must not block for long or call back into the same lock (it is not recursive).
    public func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
