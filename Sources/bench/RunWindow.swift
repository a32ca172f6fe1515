/// The time frame of a load phase, on the monotonic clock (nanoseconds).
///
/// Requests are sent from `loadStart`; those due before `measureStart` are
/// warmup and not counted. Nothing new is sent from `stop` on; answers to
/// requests due inside the window that arrive after `stop` still count for
/// latency (so slow answers are not cut off), but only answers completed before
/// `stop` count for throughput.
struct RunWindow: Sendable, Equatable {
    var loadStart: UInt64
    var measureStart: UInt64
    var stop: UInt64
    /// Constant-rate schedule for an open-loop run; nil for closed loop.
    var schedule: OpenLoopSchedule?
}
