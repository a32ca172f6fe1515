import ArgumentParser

/// Where the load goes: an existing server (`--url`) or an `authd` that bench
/// starts itself (`--spawn`), and whether to alternate with the ceiling (`--compare`).
struct TargetOptions: ParsableArguments {
    @Option(help: "Base URL of the server under test (any server with the auth API).")
    var url: String = "http://127.0.0.1:3000"

    @Flag(help: "Start `authd serve` in a temporary data directory, run, stop it.")
    var spawn = false

    @Option(help: "The authd binary for --spawn (default: next to the bench binary).")
    var authd: String?

    @Option(help: "--spawn: WAL durability (always|interval|none).")
    var fsync: String = "always"

    @Option(help: "--spawn: number of shards.")
    var shards: Int?

    @Option(name: .customLong("server-arg"), parsing: .unconditionalSingleValue, help: "--spawn: extra argument for `authd serve` (repeatable).")
    var serverArguments: [String] = []

    @Flag(help: "Alternate ceiling and target runs (--rounds times each) and report medians and the ratio.")
    var compare = false

    @Option(help: "--compare: rounds of ceiling + target.")
    var rounds: Int = 3

    @Option(help: "--compare: event-loop threads of the ceiling server (default: number of cores).")
    var serverThreads: Int?

    @Flag(help: "--compare: run the ceiling server inside bench instead of in a process of its own (the old, pessimistic method).")
    var ceilingInProcess = false

    func validate() throws {
        guard ["always", "interval", "none"].contains(fsync) else { throw ValidationError("--fsync must be always, interval or none") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }
}
