/// One simulated client, bound to one keep-alive connection and driven by it.
///
/// A virtual user is a small state machine confined to its connection's event
/// loop: the connection asks it for the next action, sends the request, and hands
/// back the answer. It never blocks and never touches the network itself, so the
/// same user type runs under closed loop, open loop, and in tests.
protocol VirtualUser: AnyObject {
    /// The next thing to do. `now` is the monotonic clock in nanoseconds.
    func next(now: UInt64) -> VUAction
    /// The answer to the request last returned by ``next(now:)``. Checks are
    /// recorded into `checks` (a scratch tally outside the measured window).
    func receive(_ response: HTTPResponse, checks: inout CheckTally)
    /// The last request got no answer (timeout or the connection closed).
    func transportFailed()
}
