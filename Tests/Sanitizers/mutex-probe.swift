import Synchronization
import Foundation

// Two threads increment a counter only inside Mutex.withLock: correct by construction.
final class Box: Sendable { let state = Mutex<Int>(0) }
let box = Box()
let done = DispatchSemaphore(value: 0)
for _ in 0..<2 {
    Thread.detachNewThread {
        for _ in 0..<100_000 { box.state.withLock { $0 += 1 } }
        done.signal()
    }
}
done.wait(); done.wait()
print("total", box.state.withLock { $0 })
