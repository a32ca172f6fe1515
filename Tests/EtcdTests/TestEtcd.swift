import AsyncHTTPClient
import Etcd
import Foundation
import Locking
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One real etcd for tests: free loopback ports, a temp data directory, fast election settings,
/// started by PID and stopped by that PID only (SIGTERM, then SIGKILL).
final class TestEtcd: Sendable {
    let directory: String
    let clientPort: Int
    let peerPort: Int
    private let pid = LockedValue<pid_t>(0)

    var clientURL: String { "http://127.0.0.1:\(clientPort)" }

    private init(directory: String, clientPort: Int, peerPort: Int) {
        self.directory = directory
        self.clientPort = clientPort
        self.peerPort = peerPort
    }

    /// Starts a fresh member and waits until `/health` says true (a few tries on port clashes).
    static func start() async throws -> TestEtcd {
        var lastError: any Error = TestEtcdError.notStarted("no attempt")
        for _ in 0..<3 {
            let directory = NSTemporaryDirectory() + "authd-etcd-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let server = TestEtcd(directory: directory, clientPort: try freePort(), peerPort: try freePort())
            do {
                try await server.launch()
                return server
            } catch {
                server.stop()
                server.removeDirectory()
                lastError = error
            }
        }
        throw lastError
    }

    /// Starts the member again on the same ports and data directory (after ``kill()`` or ``stop()``).
    func restart() async throws {
        try await launch()
    }

    /// Ends it and reaps it. SIGKILL at once: a graceful etcd shutdown waits for its clients'
    /// open streams, and a test must never hold one of the few cooperative threads waiting for
    /// that (it deadlocked the parallel suite); etcd's own log makes a kill safe for a restart.
    func stop() {
        terminate(first: SIGKILL)
    }

    /// SIGKILL at once; reaps it.
    func kill() {
        terminate(first: SIGKILL)
    }

    /// Stops the member and deletes its directory.
    func destroy() {
        stop()
        removeDirectory()
    }

    var processID: pid_t { pid.withLock { $0 } }

    // MARK: Internals

    private func launch() async throws {
        let peer = "http://127.0.0.1:\(peerPort)"
        let arguments = [
            "etcd", "--name", "e0", "--data-dir", directory + "/data",
            "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "e0=\(peer)", "--initial-cluster-state", "new",
            "--heartbeat-interval", "100", "--election-timeout", "1000",
        ]
        let child = try spawn(arguments, log: directory + "/etcd.log")
        pid.withLock { $0 = child }
        TestEtcd.started.withLock { _ = $0.insert(child) }
        try await waitHealthy(child)
    }

    private func waitHealthy(_ child: pid_t) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if reapIfExited(child) { throw TestEtcdError.notStarted("etcd exited; see \(directory)/etcd.log") }
            var request = HTTPClientRequest(url: clientURL + "/health")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)),
                let body = try? await response.body.collect(upTo: 4096),
                String(buffer: body).contains("\"true\"")
            {
                return
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestEtcdError.notStarted("etcd not healthy within 30 s; see \(directory)/etcd.log")
    }

    private func terminate(first signal: Int32) {
        let child = pid.withLock { value -> pid_t in
            defer { value = 0 }
            return value
        }
        guard child > 0 else { return }
        Glibc.kill(child, signal)
        for _ in 0..<100 where !reapIfExited(child) {
            usleep(50_000)
        }
        if !reapIfExited(child) {
            Glibc.kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        TestEtcd.started.withLock { _ = $0.remove(child) }
    }

    /// True once `child` has exited (and is reaped).
    private func reapIfExited(_ child: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(child, &status, WNOHANG)
        return result == child || (result == -1 && errno == ECHILD)
    }

    private func removeDirectory() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every etcd this process started and has not stopped, killed at exit so none outlives
    /// the test run.
    private static let started: LockedValue<Set<pid_t>> = {
        atexit {
            for child in TestEtcd.started.withLock({ $0 }) {
                Glibc.kill(child, SIGKILL)
                var status: Int32 = 0
                waitpid(child, &status, 0)
            }
        }
        return LockedValue([])
    }()
}

enum TestEtcdError: Error {
    case notStarted(String)
    case spawnFailed(Int32)
    case noFreePort
}

/// One etcd shared by the tests that do not stop it (each test uses keys of its own).
enum SharedEtcd {
    private static let server = Task { try await TestEtcd.start() }

    static var url: String {
        get async throws { try await server.value.clientURL }
    }
}

/// Runs `body` with a client of `endpoints` (default: the shared etcd), then shuts it down.
@discardableResult
func withClient<T: Sendable>(
    _ endpoints: [String]? = nil, requestTimeout: Duration = .seconds(5),
    _ body: (EtcdClient) async throws -> T
) async throws -> T {
    let resolved: [String]
    if let endpoints { resolved = endpoints } else { resolved = [try await SharedEtcd.url] }
    let client = EtcdClient(endpoints: resolved, requestTimeout: requestTimeout)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A key prefix no other test uses.
func uniquePrefix(_ name: String = #function) -> String {
    "/test/\(name.prefix { $0 != "(" })/\(UUID().uuidString)/"
}

/// A port the kernel had free a moment ago (bind to port 0 on loopback, read it, close).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestEtcdError.noFreePort }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TestEtcdError.noFreePort }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Starts `arguments` (found on PATH) with stdout and stderr appended to `log`.
private func spawn(_ arguments: [String], log: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var child: pid_t = 0
    let result = posix_spawnp(&child, arguments[0], &actions, nil, &argv, environ)
    guard result == 0 else { throw TestEtcdError.spawnFailed(result) }
    return child
}
