import ArgumentParser
import NIOCore

/// The load shape options every scenario command shares.
struct LoadOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "Keep-alive connections (one virtual user each).")
    var connections: Int = 64

    @Option(name: [.customShort("d"), .long], help: "Measured seconds (after warmup).")
    var duration: Double = 10

    @Option(help: "Seconds of unmeasured load before the measured window.")
    var warmup: Double = 2

    @Option(help: "Open loop: aggregate requests per second at a constant arrival rate (latency counted from each request's due time). Default: closed loop.")
    var rate: Double?

    @Option(name: [.customShort("t"), .long], help: "Generator event-loop threads (default: number of cores).")
    var threads: Int?

    @Option(help: "Seconds without an answer before a request counts as a timeout.")
    var timeout: Double = 10

    @Option(help: "Response parser: raw (hand-rolled, default) or nio (NIOHTTP1's decoder), to compare.")
    var client: ClientCodec = .raw

    @Option(help: "Write every figure and the parameters to this JSON file.")
    var json: String?

    @Flag(help: "No progress line on stderr (default: shown when stderr is a terminal).")
    var noProgress = false

    var plan: LoadPlan {
        LoadPlan(connections: connections, threads: threads ?? System.coreCount, duration: duration,
                 warmup: warmup, rate: rate, timeout: timeout, codec: client)
    }

    var showProgress: Bool { !noProgress && ProgressLine.stderrIsTerminal }
}
