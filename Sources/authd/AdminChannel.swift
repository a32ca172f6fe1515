import Engine
import Foundation
import Synchronization

/// The operator's local channel into a running server: a Unix-domain socket at
/// `DATA_DIR/admin.sock`, created with mode 0600 inside the 0700 data directory, so only
/// the account that runs authd can reach it. One command per connection, one line each way:
/// `snapshot` -> `ok <path>` or `error <message>`.
///
/// The accept loop runs on a thread of its own (blocking accept), never on an event loop.
final class AdminChannel: Sendable {
    let path: String
    private let descriptor: Int32

    /// Binds the socket (replacing a stale one left by a crash) and starts serving `engine`.
    init(dataDirectory: String, engine: AuthEngine) throws(AdminChannelError) {
        path = dataDirectory + "/admin.sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0 else { let e = errno; close(fd); throw .system("bind \(path)", e) }
        chmod(path, 0o600)
        guard listen(fd, 8) == 0 else { let e = errno; close(fd); throw .system("listen", e) }
        descriptor = fd
        let thread = Thread { [path] in Self.serve(fd: fd, engine: engine, path: path) }
        thread.name = "authd-admin"
        thread.start()
    }

    /// Stops accepting and removes the socket file.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        unlink(path)
    }

    private static func serve(fd: Int32, engine: AuthEngine, path: String) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let command = readLine(client)
            let answer: String
            switch command {
            case "snapshot":
                answer = blockingSnapshot(engine)
            case "ping":
                answer = "ok pong"
            default:
                answer = "error unknown command"
            }
            let out = Array((answer + "\n").utf8)
            _ = out.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    private static func blockingSnapshot(_ engine: AuthEngine) -> String {
        let answer = Mutex("")
        let done = DispatchSemaphore(value: 0)
        Task {
            let text: String
            do { text = "ok " + (try await engine.snapshot()) } catch { text = "error \(error)" }
            answer.withLock { $0 = text }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 }
    }

    static func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096, read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}

/// Why the admin channel could not be opened or reached.
enum AdminChannelError: Error, CustomStringConvertible {
    case system(String, Int32)
    case pathTooLong(String)
    case refused(String)

    var description: String {
        switch self {
        case .system(let what, let code): "\(what) failed: \(String(cString: strerror(code)))"
        case .pathTooLong(let path): "socket path too long: \(path)"
        case .refused(let message): message
        }
    }
}

/// The client side: what `authd snapshot` uses.
enum AdminClient {
    static func send(_ command: String, dataDirectory: String) throws(AdminChannelError) -> String {
        let path = dataDirectory + "/admin.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .system("connect \(path) (is the server running?)", errno) }
        let out = Array((command + "\n").utf8)
        _ = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return AdminChannel.readLine(fd)
    }
}
