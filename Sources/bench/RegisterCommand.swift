import ArgumentParser

/// `bench register`: POST /v1/auth/register with unique emails.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "POST /v1/auth/register with unique emails.")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    func run() async throws {
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, _ in RegisterScenario(tag: tag) }).run()
    }
}
