import NIOCore
import NIOHTTP1

/// An error answer as bytes, for a connection that has no request NIO's HTTP encoder
/// could answer: a 408 to a head that never completed, a 503 to a connection past
/// `MAX_CONNECTIONS`. Same envelope and headers as every other error, plus
/// `Connection: close` (the connection is closed after it) and `Cache-Control: no-store`
/// (the request's path is unknown, so it may have been a `/v1/auth` one). Cold paths only.
enum RawErrorAnswer {
    /// The whole HTTP/1.1 answer for `error`, with a fresh correlation id.
    static func bytes(for error: APIError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var ids = CorrelationIDGenerator()
        let correlationID = ids.next()
        let body = AuthJSON.errorEnvelope(error, correlationID: correlationID, allocator: allocator)
        var head = "HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\n"
        head += "X-Correlation-Id: \(correlationID)\r\n"
        head += "Cache-Control: no-store\r\nPragma: no-cache\r\n"
        if let seconds = error.retryAfterSeconds { head += "Retry-After: \(seconds)\r\n" }
        head += "Connection: close\r\nContent-Length: \(body.readableBytes)\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.readableBytes)
        buffer.writeString(head)
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}
