import Locking
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LockedValueTests {
    @Test func withLockReturnsWhatTheBodyReturnsAndKeepsItsChanges() {
        let locked = LockedValue([1, 2])
        let count = locked.withLock { values -> Int in
            values.append(3)
            return values.count
        }
        #expect(count == 3)
        #expect(locked.withLock { $0 } == [1, 2, 3])
    }

    @Test func aThrownErrorLeavesTheLockUsable() {
        struct Refused: Error {}
        let locked = LockedValue(0)
        #expect(throws: Refused.self) {
            try locked.withLock { (value: inout Int) throws(Refused) in
                value = 7
                throw Refused()
            }
        }
        // The lock was released on the throw (a second withLock would deadlock otherwise) and
        // the change made before it stays.
        #expect(locked.withLock { $0 } == 7)
    }

    /// Two threads increment one counter 100,000 times each: with mutual exclusion the total is
    /// exact; without it, lost updates make it smaller (and TSan reports the race).
    @Test func incrementsFromTwoThreadsAreNotLost() {
        let counter = LockedValue(0)
        let iterations = 100_000
        let threads = (0..<2).map { _ in
            CountingThread(counter: counter, iterations: iterations)
        }
        threads.forEach { $0.join() }
        #expect(counter.withLock { $0 } == 2 * iterations)
    }
}

/// A pthread running `iterations` locked increments.
private final class CountingThread: @unchecked Sendable {
    private var handle = pthread_t()

    init(counter: LockedValue<Int>, iterations: Int) {
        let context = Unmanaged.passRetained(Work(counter: counter, iterations: iterations)).toOpaque()
        let status = pthread_create(&handle, nil, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            for _ in 0..<work.iterations { work.counter.withLock { $0 += 1 } }
            return nil
        }, context)
        precondition(status == 0)
    }

    func join() { pthread_join(handle, nil) }
}

private final class Work: Sendable {
    let counter: LockedValue<Int>
    let iterations: Int
    init(counter: LockedValue<Int>, iterations: Int) {
        self.counter = counter
        self.iterations = iterations
    }
}
