/// The HTTP ceiling of the machine: the same client against the bare SwiftNIO
/// hello server, in a process of its own (``CeilingProcess``) or in this one.
enum Ceiling {
    /// The hello route as a scenario.
    static let scenario = StaticScenario(name: "hello", path: "/")

    /// One closed- or open-loop run against `server` with `plan`.
    static func run(server: HTTPTestServer, plan: LoadPlan, showProgress: Bool) async throws(BenchError) -> RunResult {
        let target = Target(host: "127.0.0.1", port: server.port, basePath: "")
        return try await LoadRunner(scenario: scenario, connector: try target.connector(codec: plan.codec), encoder: target.encoder,
                                    targetDescription: "\(target) (in-process NIO hello)", plan: plan, showProgress: showProgress).run()
    }

    /// One run against the hello server of another process on `port`.
    static func run(port: Int, plan: LoadPlan, showProgress: Bool) async throws(BenchError) -> RunResult {
        let target = Target(host: "127.0.0.1", port: port, basePath: "")
        return try await LoadRunner(scenario: scenario, connector: try target.connector(codec: plan.codec), encoder: target.encoder,
                                    targetDescription: "\(target) (NIO hello, separate process)", plan: plan, showProgress: showProgress).run()
    }
}
