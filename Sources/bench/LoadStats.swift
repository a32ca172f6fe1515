import Histogram

/// Everything counted during one run, per endpoint. One instance lives on each
/// event loop (mutated only there, without locks) and the instances are merged
/// once the run is over.
struct LoadStats: Sendable {
    /// Endpoint labels (e.g. "me", "refresh"), indexed by endpoint id.
    let endpoints: [String]
    /// Latency (µs) of every request due inside the measured window, per endpoint.
    var histograms: [Histogram<UInt64>]
    /// Answers completed inside the measured window, per endpoint (throughput).
    var completed: [Int]
    /// Failures by kind (inside the measured window).
    var errors: [Int]
    /// Unexpected statuses seen inside the window: status -> count.
    var unexpectedStatuses: [Int: Int]
    /// Named checks (inside the window).
    var checks: CheckTally
    /// Open loop: requests due inside the window that could not be sent before it
    /// ended because their connection was still waiting (the server fell behind).
    var unsent: Int
    /// Every answer received in any phase (setup, warmup, window): for progress.
    var answersAllPhases: Int
    /// Requests sent during setup (register/login before the load).
    var setupRequests: Int

    init(endpoints: [String], checkNames: [String]) {
        self.endpoints = endpoints
        histograms = endpoints.map { _ in LatencySummary.makeHistogram() }
        completed = Array(repeating: 0, count: endpoints.count)
        errors = Array(repeating: 0, count: ErrorKind.allCases.count)
        unexpectedStatuses = [:]
        checks = CheckTally(names: checkNames)
        unsent = 0
        answersAllPhases = 0
        setupRequests = 0
    }

    /// Records the latency of one answer to a request of endpoint `endpoint`.
    mutating func recordLatency(endpoint: Int, microseconds: UInt64) {
        if !histograms[endpoint].record(Swift.min(microseconds, 3_600_000_000)) {
            _ = histograms[endpoint].record(3_600_000_000)
        }
    }

    mutating func recordError(_ kind: ErrorKind) { errors[kind.rawValue] += 1 }

    /// Adds `other` (from another event loop) into this one.
    mutating func merge(_ other: LoadStats) {
        for i in endpoints.indices {
            histograms[i].add(other.histograms[i])
            completed[i] += other.completed[i]
        }
        for i in errors.indices { errors[i] += other.errors[i] }
        unexpectedStatuses.merge(other.unexpectedStatuses, uniquingKeysWith: +)
        checks.merge(other.checks)
        unsent += other.unsent
        answersAllPhases += other.answersAllPhases
        setupRequests += other.setupRequests
    }

    /// All endpoints' latencies in one histogram.
    var combinedHistogram: Histogram<UInt64> {
        var h = LatencySummary.makeHistogram()
        for e in histograms { h.add(e) }
        return h
    }

    var totalCompleted: Int { completed.reduce(0, +) }
    var totalErrors: Int { errors.reduce(0, +) }
}
