import Foundation
import Synchronization

/// Runs async work to completion from libFuzzer's synchronous callback.
///
/// The fuzz entry point is a C function called on libFuzzer's thread; the engine's API is
/// async. `Blocking.run` starts a task and parks the calling thread on a semaphore until the
/// task has produced its value (the task runs on the cooperative pool, never on this thread).
public enum Blocking {
    /// The value `body` returns, waited for on the calling thread.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
