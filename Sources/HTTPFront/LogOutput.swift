#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Locking

/// Where JSON log lines go: a file descriptor, or a closure (tests).
///
/// One `write(2)` per line, under a lock, so lines from concurrent requests
/// never interleave.
public final class LogOutput: Sendable {
    private let sink: @Sendable ([UInt8]) -> Void

    /// Lines go to `sink`, each including its trailing newline.
    public init(sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.sink = sink
    }

    /// Lines go to the file descriptor `fd`.
    public convenience init(fileDescriptor fd: Int32) {
        let lock = LockedValue(())
        self.init { bytes in
            lock.withLock { _ in
                bytes.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                        if written > 0 {
                            offset += written
                        } else if written < 0, errno == EINTR {
                            continue
                        } else {
                            return
                        }
                    }
                }
            }
        }
    }

    /// Standard output.
    public static let standardOutput = LogOutput(fileDescriptor: 1)
    /// Standard error.
    public static let standardError = LogOutput(fileDescriptor: 2)

    /// Writes one complete line.
    public func write(line: [UInt8]) {
        sink(line)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
