import Locking

/// The state shared between callers (append / wait) and the writer thread, behind one lock, plus
/// the signals that wake the writer.
final class LogCore: Sendable {
    /// Called once with the outcome of the wait; runs on the writer thread or the caller's.
    typealias Continuation = @Sendable (Result<Void, WALError>) -> Void

    struct Waiter {
        var lsn: UInt64
        var continuation: Continuation
    }

    struct State {
        var nextLSN: UInt64
        var pending: [[UInt8]] = []
        var pendingFirstLSN: UInt64 = 0
        /// Waiting for "durable per mode".
        var durableWaiters: [Waiter] = []
        /// Waiting for fdatasync (flush).
        var syncWaiters: [Waiter] = []
        var writtenLSN: UInt64
        var syncedLSN: UInt64
        /// LSN range of the batch(es) whose write/sync failed and is being retried.
        var failedFrom: UInt64 = 0
        var failedThrough: UInt64 = 0
        var failure: WALError?
        var writable = true
        var started = false
        var stopping = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var statistics = WALStatistics()
        /// Frames received from another log, waiting for the writer (never mixed with `pending`).
        var pendingFrames: [EncodedBatch] = []
        /// The LSN and chain CRC that the next received frame must continue from; valid only while
        /// `framesChainLSN == nextLSN - 1` (no record was appended since).
        var framesChainLSN: UInt64 = 0
        var framesChainCRC: UInt32 = 0
        /// Where the last written frame ends and its CRC (kept by the writer).
        var writtenChainLSN: UInt64 = 0
        var writtenChainCRC: UInt32 = 0
        /// When true, "durable" also needs `confirmedLSN` (copies elsewhere, e.g. replicas).
        var confirmationRequired = false
        var confirmedLSN: UInt64 = 0
        /// Called on the writer thread with every frame written (before its sync).
        var frameObserver: (@Sendable (WrittenFrames) -> Void)?
    }

    let durability: Durability
    let state: LockedValue<State>
    /// Wakes the writer: something was appended, a flush was requested, or close was called.
    let wake = ThreadSignal()
    /// Interrupts the writer's retry backoff on close.
    let stopWake = ThreadSignal()

    init(durability: Durability, lastLSN: UInt64) {
        self.durability = durability
        state = LockedValue(State(nextLSN: lastLSN + 1, writtenLSN: lastLSN, syncedLSN: lastLSN))
    }

    /// The LSN up to which `waitUntilDurable` returns, for the configured mode.
    static func durableThreshold(_ s: State, _ durability: Durability) -> UInt64 {
        let local: UInt64
        switch durability {
        case .always: local = s.syncedLSN
        case .interval, .none: local = s.writtenLSN
        }
        return s.confirmationRequired ? min(local, s.confirmedLSN) : local
    }

    /// Removes and returns the waiters satisfied by the current written/synced LSNs.
    static func takeSatisfied(_ s: inout State, _ durability: Durability) -> [Continuation] {
        var ready: [Continuation] = []
        let durable = durableThreshold(s, durability)
        if !s.durableWaiters.isEmpty {
            s.durableWaiters.removeAll { w in
                if w.lsn <= durable { ready.append(w.continuation); return true }
                return false
            }
        }
        let synced = s.syncedLSN
        if !s.syncWaiters.isEmpty {
            s.syncWaiters.removeAll { w in
                if w.lsn <= synced { ready.append(w.continuation); return true }
                return false
            }
        }
        return ready
    }
}
