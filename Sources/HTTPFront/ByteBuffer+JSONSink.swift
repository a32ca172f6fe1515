import JSON
import NIOCore

/// Response bodies and log lines are written by the shared `JSONWriter` straight into NIO's
/// buffer, with no intermediate array. (Declared here: the JSON module must not depend on NIO,
/// and this is the one place both are known.)
extension ByteBuffer: JSONSink {
    /// Appends one byte.
    @inlinable
    public mutating func append(_ byte: UInt8) {
        writeInteger(byte)
    }

    /// Appends `bytes` as they are.
    @inlinable
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        writeBytes(bytes)
    }
}
