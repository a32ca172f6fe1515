import Foundation

/// The operator side of `DATA_DIR/admin.sock`: what `authd snapshot` uses.
///
/// One command, one answer line, all within `timeout` (connecting included: a server
/// whose accept queue is full does not hang the command), then a clear error.
enum AdminClient {
    /// Sends `command` and returns the server's answer line.
    /// - Parameter timeoutText: `timeout` as the operator wrote it, for the error message.
    static func send(_ command: String, dataDirectory: String, timeout: Duration, timeoutText: String) throws(AdminChannelError) -> String {
        let path = dataDirectory + "/admin.sock"
        let started = ContinuousClock.now
        guard var address = AdminSocket.address(path) else { throw .pathTooLong(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        defer { close(fd) }
        AdminSocket.setTimeouts(fd, timeout)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { throw .timedOut(path: path, timeout: timeoutText) }
            throw .system("connect \(path) (is the server running?)", code)
        }
        guard AdminSocket.writeAll(fd, command + "\n") else {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { throw .timedOut(path: path, timeout: timeoutText) }
            throw .system("write \(path)", code)
        }
        switch AdminSocket.readLine(fd, timeout: timeout - (ContinuousClock.now - started)) {
        case .line(let answer): return answer
        case .timedOut: throw .timedOut(path: path, timeout: timeoutText)
        case .closed: throw .refused("the server closed \(path) without an answer")
        case .tooLong: throw .refused("the server's answer on \(path) is not one line")
        }
    }
}
