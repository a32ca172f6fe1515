/// Alternating ceiling and target runs (ceiling, target, ceiling, target, ...)
/// and their medians: the target's throughput as a ratio of the machine's HTTP
/// ceiling measured in the same run, which cancels much of the noise of a shared
/// machine.
struct Comparison: Codable, Sendable {
    var ceilingRuns: [RunResult]
    var targetRuns: [RunResult]

    var medianCeilingRequestsPerSecond: Double { Self.median(ceilingRuns.map(\.requestsPerSecond)) }
    var medianTargetRequestsPerSecond: Double { Self.median(targetRuns.map(\.requestsPerSecond)) }
    var medianTargetP99Ms: Double { Self.median(targetRuns.map(\.latency.p99Ms)) }
    var medianCeilingP99Ms: Double { Self.median(ceilingRuns.map(\.latency.p99Ms)) }
    /// Median target throughput over median ceiling throughput.
    var ratio: Double {
        let c = medianCeilingRequestsPerSecond
        return c > 0 ? medianTargetRequestsPerSecond / c : 0
    }

    /// The median (mean of the two middle values for an even count; 0 when empty).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private enum CodingKeys: String, CodingKey {
        case ceilingRuns, targetRuns, medianCeilingRequestsPerSecond, medianTargetRequestsPerSecond,
             medianCeilingP99Ms, medianTargetP99Ms, ratio
    }

    init(ceilingRuns: [RunResult], targetRuns: [RunResult]) {
        self.ceilingRuns = ceilingRuns
        self.targetRuns = targetRuns
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ceilingRuns = try c.decode([RunResult].self, forKey: .ceilingRuns)
        targetRuns = try c.decode([RunResult].self, forKey: .targetRuns)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ceilingRuns, forKey: .ceilingRuns)
        try c.encode(targetRuns, forKey: .targetRuns)
        try c.encode(medianCeilingRequestsPerSecond, forKey: .medianCeilingRequestsPerSecond)
        try c.encode(medianTargetRequestsPerSecond, forKey: .medianTargetRequestsPerSecond)
        try c.encode(medianCeilingP99Ms, forKey: .medianCeilingP99Ms)
        try c.encode(medianTargetP99Ms, forKey: .medianTargetP99Ms)
        try c.encode(ratio, forKey: .ratio)
    }
}
