import ArgumentParser

/// `bench me`: GET /v1/auth/me with one session per connection (setup: register + login).
struct MeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "me", abstract: "GET /v1/auth/me with one session per connection (setup: register + login).")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    func run() async throws {
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, _ in MeScenario(tag: tag) }).run()
    }
}
