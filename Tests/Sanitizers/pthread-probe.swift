import Foundation

// The same counter behind a pthread mutex (what NIO's NIOLock wraps): TSan sees this lock.
final class Box: @unchecked Sendable {
    var mutex = pthread_mutex_t()
    var value = 0
    init() { pthread_mutex_init(&mutex, nil) }
    func add() { pthread_mutex_lock(&mutex); value += 1; pthread_mutex_unlock(&mutex) }
}
let box = Box()
let done = DispatchSemaphore(value: 0)
for _ in 0..<2 {
    Thread.detachNewThread {
        for _ in 0..<100_000 { box.add() }
        done.signal()
    }
}
done.wait(); done.wait()
box.add()
print("total", box.value - 1)
