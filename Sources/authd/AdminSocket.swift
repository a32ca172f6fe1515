import Foundation

/// The blocking socket steps both ends of `DATA_DIR/admin.sock` share: its address, a
/// line read against a deadline, a whole write, and whether the peer hung up.
///
/// Used on the admin threads and by the operator commands, never on an event loop.
enum AdminSocket {
    /// The longest command or answer line.
    static let maximumLineBytes = 4096

    /// How a line read ended.
    enum LineRead: Equatable {
        case line(String)
        /// The deadline passed before a newline.
        case timedOut
        /// The peer closed (or the read failed) before a newline.
        case closed
        /// No newline within `maximumLineBytes`.
        case tooLong
    }

    /// `path` as a Unix-domain socket address, or nil when it does not fit.
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Reads up to the first newline, within `timeout`. What follows the newline is ignored
    /// (one command, one answer per connection).
    static func readLine(_ fd: Int32, timeout: Duration) -> LineRead {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .timedOut }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: max(1, milliseconds(remaining))))
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if ready == 0 { return .timedOut }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return .closed }
            let received = chunk[0..<count]
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                bytes += received[..<newline]
                guard bytes.count <= maximumLineBytes else { return .tooLong }
                return .line(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
            bytes += received
            guard bytes.count <= maximumLineBytes else { return .tooLong }
        }
    }

    /// Writes all of `text` (the socket's send timeout bounds it); false when it could not.
    @discardableResult
    static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Whether the peer has closed its end altogether (it may have sent a whole line first).
    static func peerHasHungUp(_ fd: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        return poller.revents & Int16(POLLHUP | POLLERR) != 0
    }

    /// `duration` in whole milliseconds, rounded up (poll's unit).
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }

    /// Sets the socket's receive and send timeouts (a blocking `connect`, `read` or `write`
    /// on it then fails with EAGAIN past them).
    static func setTimeouts(_ fd: Int32, _ timeout: Duration) {
        let seconds = timeout.components.seconds
        let microseconds = timeout.components.attoseconds / 1_000_000_000_000
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(microseconds))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }
}
