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

extension ByteBuffer {
    /// A buffer holding the JSON `write` produces, written in place into the buffer's memory
    /// (`RawBufferSink`). `estimate` is the room tried first; should it not fit, the write
    /// starts again with twice the room, so any estimate is correct and a good one is fast.
    static func json(estimate: Int, allocator: ByteBufferAllocator, _ write: (inout JSONWriter<RawBufferSink>) -> Void) -> ByteBuffer {
        var room = Swift.max(64, estimate)
        while true {
            var buffer = allocator.buffer(capacity: room)
            var fitted = false
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { memory in
                var writer = JSONWriter(into: RawBufferSink(memory))
                write(&writer)
                fitted = !writer.sink.overflowed
                return fitted ? writer.sink.count : 0
            }
            if fitted { return buffer }
            room *= 2
        }
    }
}
