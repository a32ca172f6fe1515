import Foundation

/// The ceiling's hello server in a process of its own (`bench ceiling --serve-only`), so that
/// `--compare` measures it exactly as it measures the target: another process on the same cores,
/// the same client. In-process, the server would share the generator's process and scheduler
/// and the ratio would describe that arrangement instead (0.48x where wrk saw 0.89x).
final class CeilingProcess: @unchecked Sendable {
    // @unchecked: set once at start, read afterwards; stop() runs once, after the run.
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// This bench binary (the ceiling is one of its subcommands).
    static func ownBinary() throws(BenchError) -> String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
           FileManager.default.isExecutableFile(atPath: exe) {
            return exe
        }
        let arg0 = CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: arg0) else { throw .spawnFailed("cannot find the bench binary (\(arg0))") }
        return arg0
    }

    /// Starts the hello server of `binary` (default: this bench) with `threads` event loops and
    /// waits until it answers.
    static func start(binary: String? = nil, threads: Int, readyTimeout: Double = 30) async throws(BenchError) -> CeilingProcess {
        guard let port = HTTPProbe.freePort() else { throw .spawnFailed("no free port") }
        let executable: String
        if let binary { executable = binary } else { executable = try ownBinary() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["ceiling", "--serve-only", "--port", String(port), "--server-threads", String(threads)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw .spawnFailed("bench ceiling: \(error)") }
        let server = CeilingProcess(process: process, port: port)
        let deadline = Date().addingTimeInterval(readyTimeout)
        while Date() < deadline {
            guard process.isRunning else {
                await server.stop()
                throw .spawnFailed("bench ceiling --serve-only exited with status \(process.terminationStatus)")
            }
            if HTTPProbe.status(host: "127.0.0.1", port: port, path: "/", timeout: 0.5) == 200 { return server }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        await server.stop()
        throw .notReady("the ceiling server on port \(port) did not answer within \(readyTimeout) s")
    }

    /// SIGTERM, then SIGKILL after `grace` seconds.
    func stop(grace: Double = 5) async {
        await process.stop(grace: grace)
    }
}
