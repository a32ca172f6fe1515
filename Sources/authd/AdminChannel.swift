import Engine
import Foundation
import Locking
import Logging

/// The operator's local channel into a running server: a Unix-domain socket at
/// `DATA_DIR/admin.sock`, created with mode 0600 inside the 0700 data directory, so only
/// the account that runs authd can reach it. One command per connection, one line each way:
/// `snapshot` -> `ok <path>` or `error <message>`; `ping` -> `ok pong`; `keys rotate` -> `ok <kid>
/// <state> <activates>`; `keys list` -> `ok <JSON array>` (`SigningKeyReport`).
///
/// One thread accepts (blocking `accept`, never on an event loop) and hands each
/// connection to a thread of its own, so a client that connects and says nothing holds
/// up nobody. A client has `receiveTimeout` to send its whole command line; a connection
/// that closes or times out before the newline runs nothing, and neither does a complete
/// command whose client has hung up before it ran. At most `maximumClients` connections
/// are served at once; more are answered `error busy`.
final class AdminChannel: Sendable {
    /// How long a client has to send its command line once connected.
    static let receiveTimeout = Duration.seconds(5)
    /// How long writing the answer may block (a client that does not read).
    static let sendTimeout = Duration.seconds(5)
    /// Connections served at once.
    static let maximumClients = 8

    let path: String
    private let descriptor: Int32
    private let clients = LockedValue(0)
    private let engine: AuthEngine
    private let logger: Logger
    /// Commands other parts add once they run (the cluster's `promote`): given the command
    /// line, an answer, or nil when the command is not theirs.
    private let extensions = LockedValue<[@Sendable (String) async -> String?]>([])

    /// Adds commands served by `handler` (tried in order for lines `snapshot`/`ping` are not).
    func addCommands(_ handler: @escaping @Sendable (String) async -> String?) {
        extensions.withLock { $0.append(handler) }
    }

    /// Binds the socket (replacing a stale one left by a crash) and starts serving `engine`.
    init(dataDirectory: String, engine: AuthEngine, logger: Logger) throws(AdminChannelError) {
        path = dataDirectory + "/admin.sock"
        self.engine = engine
        self.logger = logger
        unlink(path)
        guard var address = AdminSocket.address(path) else { throw .pathTooLong(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0 else { let e = errno; close(fd); throw .system("bind \(path)", e) }
        chmod(path, 0o600)
        guard listen(fd, 16) == 0 else { let e = errno; close(fd); throw .system("listen", e) }
        descriptor = fd
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "authd-admin"
        thread.start()
    }

    /// Stops accepting and removes the socket file. Connections being served finish on their own threads.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    usleep(100_000)   // out of descriptors: wait rather than spin
                    continue
                default: return       // the listening socket was shut down
                }
            }
            AdminSocket.setTimeouts(client, Self.sendTimeout)
            let admitted = clients.withLock { count in
                guard count < Self.maximumClients else { return false }
                count += 1
                return true
            }
            guard admitted else {
                AdminSocket.writeAll(client, "error busy: \(Self.maximumClients) operator connections are open\n")
                close(client)
                continue
            }
            let thread = Thread { [self] in
                self.serve(client)
                close(client)
                self.clients.withLock { $0 -= 1 }
            }
            thread.name = "authd-admin-client"
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        let command: String
        switch AdminSocket.readLine(client, timeout: Self.receiveTimeout) {
        case .line(let line):
            command = line
        case .timedOut:
            logger.notice("operator connection sent no command in time; closed", metadata: ["timeoutSeconds": "\(Self.receiveTimeout.components.seconds)"])
            return
        case .closed:
            logger.notice("operator connection closed before its command was complete; nothing run")
            return
        case .tooLong:
            AdminSocket.writeAll(client, "error command too long\n")
            return
        }
        guard !AdminSocket.peerHasHungUp(client) else {
            logger.notice("operator client left before its command ran; not run", metadata: ["command": .string(String(command.prefix(32)))])
            return
        }
        let answer: String
        switch command {
        case "snapshot":
            answer = blockingSnapshot()
            logger.notice("operator snapshot", metadata: ["answer": .string(answer)])
        case "ping":
            answer = "ok pong"
        case "keys rotate":
            let engine = self.engine
            answer = blocking {
                do throws(SigningKeyRotationError) {
                    let status = try await engine.rotateSigningKey()
                    return "ok \(status.key.kid) \(status.phase.rawValue) \(status.key.activatesAt.iso8601)"
                } catch {
                    return "error \(error)"
                }
            }
            logger.notice("operator key rotation", metadata: ["answer": .string(answer)])
        case "keys list":
            answer = "ok " + SigningKeyReport.json(engine.signingKeyListing())
        default:
            answer = blockingExtension(command) ?? "error unknown command"
            logger.notice("operator command", metadata: ["command": .string(String(command.prefix(32))), "answer": .string(answer)])
        }
        AdminSocket.writeAll(client, answer + "\n")
    }

    /// Runs an added command and waits for it on this (dedicated) thread.
    private func blockingExtension(_ command: String) -> String? {
        let handlers = extensions.withLock { $0 }
        guard !handlers.isEmpty else { return nil }
        let answer = LockedValue<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            for handler in handlers {
                if let text = await handler(command) {
                    answer.withLock { $0 = text }
                    break
                }
            }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 }
    }

    /// Runs the snapshot on the engine and waits for it on this (dedicated) thread.
    private func blockingSnapshot() -> String {
        let engine = self.engine
        return blocking {
            do { return "ok " + (try await engine.snapshot()) } catch { return "error \(error)" }
        }
    }

    /// Runs `body` on a task and waits for its answer on this (dedicated) thread.
    private func blocking(_ body: @escaping @Sendable () async -> String) -> String {
        let answer = LockedValue("")
        let done = DispatchSemaphore(value: 0)
        Task {
            let text = await body()
            answer.withLock { $0 = text }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 }
    }
}
