import ArgumentParser

/// `bench refresh`: Rotate one refresh chain per connection (setup: register + login).
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Rotate one refresh chain per connection (setup: register + login).")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    func run() async throws {
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, _ in RefreshScenario(tag: tag) }).run()
    }
}
