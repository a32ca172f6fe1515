import Dispatch

/// Where a shard actor runs: a serial executor, a way to run a plain closure there, and a
/// check for "the caller is already there".
///
/// `authd serve` places each shard on one of the server's event loops, so a request that
/// arrives on the loop owning its shard is served without any thread hop, and one that
/// arrives elsewhere costs a single hop to that loop — no Swift-concurrency pool on the hot
/// path. Without a placement (tests, tools), each shard gets a serial dispatch queue.
public struct ShardExecutor: Sendable {
    /// The actor's executor.
    public let executor: any SerialExecutor
    /// Runs a closure on that executor (for a NIO event loop: `execute`).
    public let run: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// Whether the calling thread is that executor's right now (for a loop: `inEventLoop`).
    public let isCurrent: @Sendable () -> Bool

    public init(executor: any SerialExecutor, run: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
                isCurrent: @escaping @Sendable () -> Bool) {
        self.executor = executor
        self.run = run
        self.isCurrent = isCurrent
    }

    /// A shard executor on a private serial dispatch queue.
    public static func queue(label: String) -> ShardExecutor {
        let executor = QueueExecutor(label: label)
        return ShardExecutor(executor: executor, run: { executor.queue.async(execute: $0) }, isCurrent: { executor.isCurrent })
    }
}

/// A `SerialExecutor` over a serial `DispatchQueue`.
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    let queue: DispatchQueue
    private let key = DispatchSpecificKey<ObjectIdentifier>()

    init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: key, value: ObjectIdentifier(self))
    }

    var isCurrent: Bool { DispatchQueue.getSpecific(key: key) == ObjectIdentifier(self) }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
