import ArgumentParser
import NIOCore

/// `bench ceiling`: the bare SwiftNIO hello server in this process, measured with
/// the same client (or, with `--serve-only`, kept up for another client such as wrk).
struct CeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ceiling", abstract: "Measure the HTTP ceiling (in-process bare SwiftNIO hello).")

    @OptionGroup var load: LoadOptions

    @Option(help: "Event-loop threads of the hello server (default: number of cores).")
    var serverThreads: Int?

    @Flag(help: "Only serve (for wrk and friends); print the URL and wait.")
    var serveOnly = false

    @Option(help: "--serve-only: port (default: ephemeral).")
    var port: Int = 0

    @Option(help: "--serve-only: stop after this many seconds (default: until killed).")
    var serveFor: Double?

    @Option(help: "Measured runs (the table shows each; the median is printed when > 1).")
    var rounds: Int = 1

    func run() async throws {
        let server = try await HTTPTestServer.start(.hello, port: port, threads: serverThreads ?? System.coreCount)
        if serveOnly {
            print("listening on http://127.0.0.1:\(server.port)/")
            if let serveFor {
                try? await Task.sleep(nanoseconds: UInt64(serveFor * 1e9))
            } else {
                while true { try? await Task.sleep(nanoseconds: 3_600_000_000_000) }
            }
            await server.stop()
            return
        }
        var runs: [RunResult] = []
        do {
            for _ in 0..<max(1, rounds) {
                let r = try await Ceiling.run(server: server, plan: load.plan, showProgress: load.showProgress)
                print(ReportPrinter.table(r))
                runs.append(r)
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        if runs.count > 1 {
            let m = Comparison.median(runs.map(\.requestsPerSecond))
            print("median of \(runs.count) runs: \(Int(m.rounded())) req/s")
        }
        if let json = load.json { try BenchReport(runs: runs).write(to: json) }
    }
}
