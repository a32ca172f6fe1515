import ArgumentParser

/// `bench login`: POST /v1/auth/sessions round robin over pre-registered users
/// (bound by Argon2id hashing on the server, on purpose).
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "POST /v1/auth/sessions round robin over --users registered users.")

    @OptionGroup var load: LoadOptions
    @OptionGroup var target: TargetOptions

    @Option(help: "Users registered during setup (default: one per connection).")
    var users: Int?

    func run() async throws {
        let users = self.users
        guard (users ?? 1) >= 1 else { throw ValidationError("--users must be at least 1") }
        try await ScenarioExecution(plan: load.plan, json: load.json, showProgress: load.showProgress, target: target,
                                    makeScenario: { tag, plan in
                                        LoginScenario(tag: tag, users: users ?? plan.connections, connections: plan.connections)
                                    }).run()
    }
}
