import Foundation

/// Renders results as the plain-text tables printed on stdout.
enum ReportPrinter {
    private static func f(_ v: Double, _ decimals: Int = 3) -> String { String(format: "%.\(decimals)f", v) }
    private static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        s.count >= width ? s : (left ? s + String(repeating: " ", count: width - s.count) : String(repeating: " ", count: width - s.count) + s)
    }

    /// The full table of one run.
    static func table(_ r: RunResult) -> String {
        var out: [String] = []
        let p = r.plan
        let mode = r.mode == "open" ? "open loop at \(f(p.rate ?? 0, 0)) req/s" : "closed loop"
        out.append("\(r.scenario) -> \(r.target): \(mode), \(p.connections) connections, \(p.threads) threads, \(p.codec.rawValue) client, \(f(r.measuredSeconds, 1)) s measured after \(f(p.warmup, 1)) s warmup")
        let header = pad("endpoint", 18, left: true) + pad("requests", 10) + pad("req/s", 11) + pad("avg", 9) + pad("p50", 9)
            + pad("p90", 9) + pad("p95", 9) + pad("p99", 9) + pad("p99.9", 9) + pad("max", 9) + "  (ms)"
        out.append(header)
        func row(_ name: String, _ n: Int, _ rps: Double, _ l: LatencySummary) -> String {
            pad(name, 18, left: true) + pad(String(n), 10) + pad(f(rps, 1), 11) + pad(f(l.meanMs), 9) + pad(f(l.p50Ms), 9)
                + pad(f(l.p90Ms), 9) + pad(f(l.p95Ms), 9) + pad(f(l.p99Ms), 9) + pad(f(l.p999Ms), 9) + pad(f(l.maxMs), 9)
        }
        for e in r.endpoints where e.latency.count > 0 || e.requests > 0 {
            out.append(row(e.name, e.requests, e.requestsPerSecond, e.latency))
        }
        if r.endpoints.filter({ $0.latency.count > 0 }).count > 1 {
            out.append(row("all", r.requests, r.requestsPerSecond, r.latency))
        }
        let errors = ErrorKind.allCases.map { "\($0.label) \(r.errors[$0.label] ?? 0)" }.joined(separator: ", ")
        var errorLine = "errors: \(errors)"
        if !r.unexpectedStatuses.isEmpty {
            errorLine += "; unexpected statuses: " + r.unexpectedStatuses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
        }
        if r.unsent > 0 { errorLine += "; unsent (server behind the rate): \(r.unsent)" }
        out.append(errorLine)
        let total = r.checks.reduce(0) { $0 + $1.passes + $1.fails }
        let passed = r.checks.reduce(0) { $0 + $1.passes }
        out.append("checks: \(f(100 * r.checksPassRate, 2))% (\(passed)/\(total))")
        for c in r.checks where c.passes + c.fails > 0 {
            out.append("  \(c.fails == 0 ? "ok  " : "FAIL") \(c.name): \(f(100 * c.passRate, 2))% (\(c.passes)/\(c.passes + c.fails))")
        }
        if let perRequest = r.generatorCPUPerRequest {
            out.append("generator CPU per request: \(f(1e6 * perRequest, 2)) us (\(r.loadAnswers) answers over the load phase)")
        }
        out.append("generator CPU: \(f(r.generatorCPUSeconds, 2)) s over \(f(r.wallSeconds, 2)) s wall = \(f(r.generatorCPUPercent, 0))% of one core, \(f(r.generatorSaturationPercent, 0))% of its \(p.threads) threads; process CPU \(f(r.processCPUSeconds, 2)) s; \(r.cores) cores")
        if r.generatorSaturationPercent > 90 {
            out.append("warning: the generator's threads were >90% busy: the figures may describe the generator, not the server")
        }
        if r.setupRequests > 0 { out.append("setup: \(r.setupRequests) requests before the load (not measured)") }
        return out.joined(separator: "\n")
    }

    /// What k6 printed for the seed's run, beside the seed's published figures.
    static func seed(_ r: RunResult) -> String {
        let passed = r.checks.reduce(0) { $0 + $1.passes }
        let total = r.checks.reduce(0) { $0 + $1.passes + $1.fails }
        var out = [table(r), "", "seed profile (k6 figures)     this run      seed (published)"]
        out.append("  req/s                  " + pad(f(r.requestsPerSecond, 2), 12) + pad(f(SeedScenario.publishedRequestsPerSecond, 2), 20))
        out.append("  avg (ms)               " + pad(f(r.latency.meanMs, 2), 12) + pad("-", 20))
        out.append("  p95 (ms)               " + pad(f(r.latency.p95Ms, 2), 12) + pad(f(SeedScenario.publishedP95Ms, 2), 20))
        out.append("  p99 (ms)               " + pad(f(r.latency.p99Ms, 2), 12) + pad(f(SeedScenario.publishedP99Ms, 2), 20))
        out.append("  checks passed          " + pad(f(100 * r.checksPassRate, 2) + "%", 12) + pad("100.00%", 20) + "   (\(passed)/\(total))")
        return out.joined(separator: "\n")
    }

    /// The `--compare` summary: every round, then medians and the ratio.
    static func comparison(_ c: Comparison) -> String {
        var out = ["", "round   ceiling req/s   target req/s   ratio   ceiling p99   target p99 (ms)"]
        for i in 0..<max(c.ceilingRuns.count, c.targetRuns.count) {
            let cr = i < c.ceilingRuns.count ? c.ceilingRuns[i] : nil
            let tr = i < c.targetRuns.count ? c.targetRuns[i] : nil
            let ratio = (cr != nil && tr != nil && cr!.requestsPerSecond > 0) ? tr!.requestsPerSecond / cr!.requestsPerSecond : 0
            out.append(pad(String(i + 1), 5) + pad(cr.map { f($0.requestsPerSecond, 0) } ?? "-", 16) + pad(tr.map { f($0.requestsPerSecond, 0) } ?? "-", 15)
                + pad(f(ratio, 2), 8) + pad(cr.map { f($0.latency.p99Ms) } ?? "-", 14) + pad(tr.map { f($0.latency.p99Ms) } ?? "-", 13))
        }
        out.append("median" + pad(f(c.medianCeilingRequestsPerSecond, 0), 15) + pad(f(c.medianTargetRequestsPerSecond, 0), 15)
            + pad(f(c.ratio, 2), 8) + pad(f(c.medianCeilingP99Ms), 14) + pad(f(c.medianTargetP99Ms), 13))
        out.append("target = \(f(c.ratio, 2))x the ceiling (median of \(c.targetRuns.count) alternating rounds)")
        return out.joined(separator: "\n")
    }
}
