import Foundation
import Locking

/// A bounded pool of threads for password hashing, beside the shard actors and event loops.
///
/// Jobs past `queueLimit` are refused at once with `.overloaded` so login latency stays
/// bounded under a flood instead of growing with the queue.
public final class HashPool: Sendable {
    private struct Job: Sendable {
        let work: @Sendable () -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var running = true
        var busy = 0
        var executed = 0
        var rejected = 0
    }

    private let state = LockedValue(State())
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int
    private let queueLimit: Int
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `threads` worker threads; at most `queueLimit` jobs may wait.
    public init(threads: Int, queueLimit: Int) {
        threadCount = max(1, threads)
        self.queueLimit = max(0, queueLimit)
        for index in 0..<threadCount {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "authd-hash-\(index)"
            thread.start()
        }
    }

    /// Jobs waiting (not yet running).
    public var queueDepth: Int { state.withLock { $0.jobs.count - $0.head } }

    /// Jobs refused because the queue was full, since start.
    public var rejectedCount: Int { state.withLock { $0.rejected } }

    /// Runs `body` on a pool thread and returns its result; `.overloaded` if the queue is full.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(AuthError) -> T {
        let result: T? = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            let accepted = state.withLock { s -> Bool in
                guard s.running, s.jobs.count - s.head < queueLimit + threadCount - s.busy else {
                    s.rejected += 1
                    return false
                }
                s.jobs.append(job)
                return true
            }
            if accepted { available.signal() } else { continuation.resume(returning: nil) }
        }
        guard let result else { throw .overloaded(retryAfterSeconds: 1) }
        return result
    }

    /// Stops the threads after the queued jobs have run.
    public func shutdown() {
        let wasRunning = state.withLock { s -> Bool in
            defer { s.running = false }
            return s.running
        }
        guard wasRunning else { return }
        for _ in 0..<threadCount { available.signal() }
        for _ in 0..<threadCount { finished.wait() }
    }

    private func workLoop() {
        while true {
            available.wait()
            let job: Job? = state.withLock { s in
                guard s.head < s.jobs.count else { return nil }
                let job = s.jobs[s.head]
                s.head += 1
                if s.head > 64 && s.head * 2 > s.jobs.count {
                    s.jobs.removeFirst(s.head)
                    s.head = 0
                }
                s.busy += 1
                return job
            }
            guard let job else {
                if state.withLock({ !$0.running }) { finished.signal(); return }
                continue
            }
            job.work()
            state.withLock { s in
                s.busy -= 1
                s.executed += 1
            }
        }
    }
}
