import ArgumentParser

/// `bench mixed`: a weighted mix of operations per connection.
struct MixedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mixed", abstract: "A weighted mix, e.g. --mix me=80,refresh=15,login=5.")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    @Option(help: "Weights of me, refresh, login, register, health.")
    var mix: String = "me=80,refresh=15,login=5"

    func run() async throws {
        let parsed = try Mix.parse(mix)
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, _ in MixedScenario(tag: tag, mix: parsed) }).run()
    }
}
