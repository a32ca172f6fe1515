/// Every figure of one run, with its parameters: what the table prints and what
/// `--json` writes.
struct RunResult: Codable, Sendable {
    var scenario: String
    var target: String
    var plan: LoadPlan
    /// `closed` or `open`.
    var mode: String
    /// Seconds the throughput is divided by (the measured window).
    var measuredSeconds: Double
    /// Wall-clock seconds of the load phase, warmup and drain included.
    var wallSeconds: Double
    var requests: Int
    var requestsPerSecond: Double
    var latency: LatencySummary
    var endpoints: [EndpointResult]
    var errors: [String: Int]
    var unexpectedStatuses: [String: Int]
    var checks: [CheckResult]
    var checksPassRate: Double
    /// Open loop: requests due in the window that never went out (server behind).
    var unsent: Int
    var setupRequests: Int
    /// Answers received over the whole load phase (warmup, window and drain): the requests
    /// ``generatorCPUSeconds`` paid for.
    var loadAnswers: Int
    /// CPU seconds used by the generator's event-loop threads during the load phase.
    var generatorCPUSeconds: Double
    /// Generator CPU as a share of one core over the wall time (100 = one core busy).
    var generatorCPUPercent: Double
    /// Generator CPU as a share of all its threads (near 100 = generator-bound).
    var generatorSaturationPercent: Double
    /// CPU seconds of the whole bench process (includes an in-process ceiling server).
    var processCPUSeconds: Double
    var cores: Int

    var totalErrors: Int { errors.values.reduce(0, +) }

    /// The generator's CPU seconds per answer over the load phase. Divided by the answers of
    /// the same span the CPU was measured over (not by the window's ``requests``, which would
    /// charge the warmup's CPU to the window's requests), so it compares with wrk's
    /// getrusage over its requests.
    var generatorCPUPerRequest: Double? {
        loadAnswers > 0 ? generatorCPUSeconds / Double(loadAnswers) : nil
    }
}
