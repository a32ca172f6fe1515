import ArgumentParser

/// `bench`: the built-in HTTP load generator of authd.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "HTTP/1.1 load generator for authd (and any server with the same auth API).",
        discussion: """
            Closed loop by default (each connection sends its next request when the answer \
            arrives); --rate R switches to open loop (constant arrival rate, latency from each \
            request's due time). `bench ceiling` measures a bare SwiftNIO hello server: the HTTP \
            ceiling of the machine; --compare alternates it, run as a separate process, with the target.
            """,
        subcommands: [CeilingCommand.self, SeedCommand.self, RefreshCommand.self, MeCommand.self, LoginCommand.self,
                      RegisterCommand.self, MixedCommand.self, HealthCommand.self]
    )
}
