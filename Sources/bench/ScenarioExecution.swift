import NIOCore

/// The common body of every scenario command: find or start the target, run the
/// scenario (alternating with the ceiling for `--compare`), print, write JSON,
/// stop what was started.
struct ScenarioExecution {
    var plan: LoadPlan
    var json: String?
    var showProgress: Bool
    var target: TargetOptions
    /// Makes the scenario for one run; a fresh tag per run keeps accounts unique.
    var makeScenario: @Sendable (_ tag: String, _ plan: LoadPlan) throws(BenchError) -> any Scenario
    var printer: @Sendable (RunResult) -> String = ReportPrinter.table

    func run() async throws(BenchError) {
        try plan.validate()
        var spawned: AuthdProcess?
        let destination: Target
        if target.spawn {
            let binary = try AuthdProcess.locateBinary(target.authd)
            let server = try await AuthdProcess.start(binary: binary, fsync: target.fsync, shards: target.shards, extraArguments: target.serverArguments)
            spawned = server
            server.stopOnInterrupt()
            destination = Target(host: "127.0.0.1", port: server.port, basePath: "")
            ProgressLine.message("started authd (pid \(server.process.processIdentifier)) on \(destination) with --wal-fsync \(target.fsync), data in \(server.dataDirectory.path)")
        } else {
            destination = try Target.parse(target.url)
        }
        do {
            try await runAgainst(destination, plan: plan)
        } catch {
            await spawned?.stop()
            throw error
        }
        await spawned?.stop()
    }

    private func runAgainst(_ destination: Target, plan: LoadPlan) async throws(BenchError) {
        let connector = try destination.connector(codec: plan.codec)
        func targetRun() async throws(BenchError) -> RunResult {
            let scenario = try makeScenario(Identity.randomTag(), plan)
            return try await LoadRunner(scenario: scenario, connector: connector, encoder: destination.encoder,
                                        targetDescription: destination.description, plan: plan, showProgress: showProgress).run()
        }
        guard target.compare else {
            let result = try await targetRun()
            print(printer(result))
            if let json = json { try BenchReport(runs: [result]).write(to: json) }
            return
        }
        let threads = target.serverThreads ?? System.coreCount
        var inProcess: HTTPTestServer?
        var separate: CeilingProcess?
        if target.ceilingInProcess {
            inProcess = try await HTTPTestServer.start(.hello, threads: threads)
        } else {
            separate = try await CeilingProcess.start(threads: threads)
        }
        func ceilingRun() async throws(BenchError) -> RunResult {
            if let inProcess { return try await Ceiling.run(server: inProcess, plan: plan, showProgress: showProgress) }
            return try await Ceiling.run(port: separate?.port ?? 0, plan: plan, showProgress: showProgress)
        }
        var ceilings: [RunResult] = []
        var targets: [RunResult] = []
        do {
            for round in 1...target.rounds {
                ProgressLine.message("round \(round)/\(target.rounds): ceiling")
                ceilings.append(try await ceilingRun())
                ProgressLine.message("round \(round)/\(target.rounds): \(destination)")
                targets.append(try await targetRun())
            }
        } catch {
            await inProcess?.stop()
            await separate?.stop()
            throw error
        }
        await inProcess?.stop()
        await separate?.stop()
        if let separate {
            print("ceiling (bare SwiftNIO hello, separate process, pid \(separate.process.processIdentifier)), last round:")
        } else {
            print("ceiling (bare SwiftNIO hello, in the bench process), last round:")
        }
        print(ReportPrinter.table(ceilings.last!))
        print("\ntarget, last round:")
        print(printer(targets.last!))
        let comparison = Comparison(ceilingRuns: ceilings, targetRuns: targets)
        print(ReportPrinter.comparison(comparison))
        if let json = json { try BenchReport(runs: ceilings + targets, comparison: comparison).write(to: json) }
    }
}
