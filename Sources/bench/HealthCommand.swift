import ArgumentParser

/// `bench health`: GET /health.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "GET /health.")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    func run() async throws {
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, _ in StaticScenario(name: "health", path: "/health") }).run()
    }
}
