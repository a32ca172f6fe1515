import Foundation

/// An `authd serve` started by `bench --spawn` in a temporary data directory, on a
/// free port of 127.0.0.1. It is stopped with SIGTERM (then SIGKILL after a grace
/// period) and its data directory is removed afterwards.
final class AuthdProcess: @unchecked Sendable {
    // @unchecked: the fields are set once (init, stopOnInterrupt) before the run
    // and only read afterwards; stop() runs once, after the run.
    let process: Process
    let dataDirectory: URL
    let port: Int
    let logFile: URL

    private init(process: Process, dataDirectory: URL, port: Int, logFile: URL) {
        self.process = process
        self.dataDirectory = dataDirectory
        self.port = port
        self.logFile = logFile
    }

    /// `authd` next to the running bench binary (or the one given by `--authd`).
    static func locateBinary(_ explicit: String?) throws(BenchError) -> String {
        if let explicit {
            guard FileManager.default.isExecutableFile(atPath: explicit) else { throw .spawnFailed("\(explicit) is not an executable") }
            return explicit
        }
        var candidates: [URL] = []
        let arg0 = CommandLine.arguments[0]
        if arg0.contains("/") {
            candidates.append(URL(fileURLWithPath: arg0).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("authd"))
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("authd"))
        }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c.path }
        throw .spawnFailed("no authd binary next to \(arg0); build it (swift build --product authd) or pass --authd PATH")
    }

    /// Starts `authd serve` and waits until `/ready` answers 200.
    /// Settings a spawned server gets unless the environment already has them.
    static let benchmarkDefaults = ["RATE_LIMIT_MAX_REQUESTS": "0", "LOGIN_MAX_ATTEMPTS": "0", "LOG_LEVEL": "warning"]

    static func start(binary: String, fsync: String, shards: Int?, extraArguments: [String], readyTimeout: Double = 60) async throws(BenchError) -> AuthdProcess {
        guard let port = HTTPProbe.freePort() else { throw .spawnFailed("no free port") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-authd-\(UUID().uuidString)")
        let log = dir.appendingPathComponent("authd.log")
        do { try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true) }
        catch { throw .spawnFailed("cannot create \(dir.path): \(error)") }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var args = ["serve", "--port", String(port), "--host", "127.0.0.1",
                    "--data-dir", dir.appendingPathComponent("data").path, "--wal-fsync", fsync]
        if let shards { args += ["--shards", String(shards)] }
        process.arguments = args + extraArguments
        // A load test measures the work, not the limiter or the access log: unless the caller's
        // environment (or --server-arg) says otherwise, the spawned server runs without rate
        // limits and logs warnings only.
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in Self.benchmarkDefaults where environment[name] == nil { environment[name] = value }
        process.environment = environment
        let handle = FileHandle(forWritingAtPath: log.path)
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch {
            try? FileManager.default.removeItem(at: dir)
            throw .spawnFailed("\(binary): \(error)")
        }
        let server = AuthdProcess(process: process, dataDirectory: dir, port: port, logFile: log)
        let deadline = Date().addingTimeInterval(readyTimeout)
        while Date() < deadline {
            if !process.isRunning {
                let tail = server.logTail()
                await server.stop()
                throw .spawnFailed("authd exited with status \(process.terminationStatus):\n\(tail)")
            }
            if HTTPProbe.status(host: "127.0.0.1", port: port, path: "/ready", timeout: 0.5) == 200 { return server }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        let tail = server.logTail()
        await server.stop()
        throw .notReady("authd on port \(port) not ready within \(readyTimeout) s:\n\(tail)")
    }

    /// The end of the server's output, for error messages.
    func logTail(bytes: Int = 2000) -> String {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return "" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// On SIGINT or SIGTERM of bench itself (Ctrl-C, `kill`), stops this server
    /// and removes its data directory before exiting, so that an interrupted run
    /// leaves nothing behind.
    func stopOnInterrupt() {
        let pid = process.processIdentifier
        let dir = dataDirectory
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                kill(pid, SIGTERM)
                for _ in 0..<200 where kill(pid, 0) == 0 && waitpid(pid, nil, WNOHANG) == 0 { usleep(50_000) }
                if waitpid(pid, nil, WNOHANG) == 0 { kill(pid, SIGKILL) }
                try? FileManager.default.removeItem(at: dir)
                FileHandle.standardError.write(Data("\ninterrupted: stopped authd (pid \(pid)) and removed \(dir.path)\n".utf8))
                exit(130)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// The signal handlers of ``stopOnInterrupt()`` (set once, right after start).
    private var signalSources: [any DispatchSourceSignal] = []

    /// SIGTERM, wait up to `grace` seconds, then SIGKILL; removes the data directory.
    func stop(grace: Double = 10) async {
        for source in signalSources { source.cancel() }
        signalSources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        await process.stop(grace: grace)
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}
