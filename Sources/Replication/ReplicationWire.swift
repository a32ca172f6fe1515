import NIOCore
import WAL

/// Writing messages to a channel: frames go out as they are on disk, behind a 5-byte header,
/// without copying them into a message first.
enum ReplicationWire {
    /// The header of a `frames` message with `count` frame bytes.
    static func framesHeader(count: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var header = allocator.buffer(capacity: ReplicationMessage.headerLength)
        header.writeInteger(UInt32(count + 1), endianness: .little)
        header.writeInteger(ReplicationMessage.Kind.frames.rawValue)
        return header
    }

    /// Writes `frames` as one `frames` message (not flushed).
    static func write(_ frames: WrittenFrames, to channel: any Channel) -> EventLoopFuture<Void> {
        let allocator = channel.allocator
        channel.write(framesHeader(count: frames.bytes.count, allocator: allocator), promise: nil)
        return channel.write(allocator.buffer(bytes: frames.bytes))
    }

    /// Writes and flushes one message; a message that does not encode closes the channel (it
    /// would be a bug of ours, never the peer's).
    static func send(_ message: ReplicationMessage, to channel: any Channel) -> EventLoopFuture<Void> {
        do {
            let bytes = try message.encoded()
            return channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
    }
}
