import ArgumentParser

/// `bench seed`: the seed's k6 profile (session_lifecycle + refresh_replay) with
/// its checks, printed beside the seed's published figures.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "The seed's k6 profile with its checks.")

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("d"), .long], help: "Length of session_lifecycle in seconds (seed: 20); refresh_replay's start scales with it.")
    var duration: Double = 20

    @Option(help: "refresh_replay iterations per user (seed: 25).")
    var iterations: Int = 25

    @Option(help: "Users per scenario (seed: 5).")
    var vus: Int = 5

    @Option(help: "Pause between session_lifecycle iterations in seconds (seed: 1).")
    var pause: Double = 1

    @Option(help: "Seconds without an answer before a request counts as a timeout.")
    var timeout: Double = 30

    @Option(help: "Write every figure and the parameters to this JSON file.")
    var json: String?

    @Flag(help: "No progress line on stderr.")
    var noProgress = false

    func run() async throws {
        guard duration > 0, iterations >= 0, vus >= 1, pause >= 0 else { throw ValidationError("duration, iterations, vus, pause must be positive") }
        let duration = self.duration, iterations = self.iterations, vus = self.vus, pause = self.pause
        let plan = LoadPlan(connections: 2 * vus, threads: 1, duration: duration, warmup: 0, rate: nil, timeout: timeout)
        try await ScenarioExecution(
            plan: plan, json: json, showProgress: !noProgress && ProgressLine.stderrIsTerminal, target: target,
            makeScenario: { tag, _ in
                SeedScenario(tag: tag, lifecycleUsers: vus, replayUsers: vus, duration: UInt64(duration * 1e9),
                             replayStart: UInt64(duration / 10 * 1e9), iterations: iterations, pause: UInt64(pause * 1e9))
            },
            printer: ReportPrinter.seed
        ).run()
    }
}
