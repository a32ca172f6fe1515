import Glibc

/// A wake-up flag on a pthread condition variable: `signal()` sets it, `wait` sleeps until it is set
/// (or a timeout passes) and clears it. A signal sent before the wait is not lost. Used to park the
/// writer thread when nothing is pending, without spinning or polling.
final class ThreadSignal: @unchecked Sendable {
    // Safety: the pointers are allocated once and only used through pthread calls.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var flag = false  // guarded by mutex

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Sets the flag and wakes the waiter.
    func signal() {
        pthread_mutex_lock(mutex)
        flag = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until signalled; with a timeout, at most that many nanoseconds.
    func wait(timeoutNanoseconds: UInt64? = nil) {
        pthread_mutex_lock(mutex)
        if let timeoutNanoseconds {
            let deadline = WallClock.monotonicNanoseconds() + timeoutNanoseconds
            var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            while !flag {
                if pthread_cond_timedwait(condition, mutex, &ts) == ETIMEDOUT { break }
            }
        } else {
            while !flag { pthread_cond_wait(condition, mutex) }
        }
        flag = false
        pthread_mutex_unlock(mutex)
    }
}
