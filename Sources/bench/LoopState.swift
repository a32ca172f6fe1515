import NIOCore

/// What one event loop of the generator owns: its connections' drivers, its
/// share of the statistics and its timers. Confined to that loop.
final class LoopState {
    let loop: any EventLoop
    var stats: LoadStats
    /// Checks recorded outside the window land here and are thrown away.
    var scratchChecks: CheckTally
    var drivers: [ConnectionDriver] = []
    /// Monotonic time of the last answer counted in the window.
    var lastCompletion: UInt64 = 0
    /// CPU seconds of this loop's thread when the load started.
    var cpuAtStart: Double = 0
    private let timeout: UInt64
    private var watchdog: RepeatedTask?
    private var stopTask: Scheduled<Void>?

    init(loop: any EventLoop, endpoints: [String], checkNames: [String], timeoutNanoseconds: UInt64) {
        self.loop = loop
        stats = LoadStats(endpoints: endpoints, checkNames: checkNames)
        scratchChecks = CheckTally(names: checkNames)
        timeout = timeoutNanoseconds
    }

    /// Checks every connection for an overdue answer, a few times per timeout.
    func startWatchdog() {
        let bound = NIOLoopBound(self, eventLoop: loop)
        let period = TimeAmount.nanoseconds(Int64(Swift.max(10_000_000, Swift.min(timeout / 4, 100_000_000))))
        let timeout = self.timeout
        watchdog = loop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            let now = ConnectionDriver.now()
            for driver in bound.value.drivers { driver.checkTimeout(now: now, timeout: timeout) }
        }
    }

    /// Starts the load phase on every connection of this loop and stops them at
    /// the window's end; the future completes when all have drained.
    func beginLoad(_ window: RunWindow) -> EventLoopFuture<Void> {
        cpuAtStart = CPUClock.thread()
        let futures = drivers.map { $0.beginLoad(window) }
        stopTask = loop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(window.stop)) { [self] in
            for driver in drivers { driver.stopNow() }
        }
        return EventLoopFuture.andAllSucceed(futures, on: loop)
    }

    /// Cancels the timers, closes every connection and lets go of the drivers (each holds its
    /// loop's state, so keeping them would keep both alive for good).
    func shutdown() {
        watchdog?.cancel()
        watchdog = nil
        stopTask?.cancel()
        stopTask = nil
        for driver in drivers { driver.finish() }
        drivers.removeAll()
    }
}
