import NIOCore
import NIOHTTP1

/// An error answer for a connection that has no request to answer: a 408 to a head that never
/// completed, a 503 to a connection past `MAX_CONNECTIONS`. The same envelope, headers and
/// framing as every other answer (`ResponseSerializer`), with a fresh correlation id,
/// `Connection: close` (the connection is closed after it) and `Cache-Control: no-store` (the
/// request's path is unknown, so it may have been a `/v1/auth` one). Cold paths only.
enum RawErrorAnswer {
    /// The whole HTTP/1.1 answer for `error`.
    static func bytes(for error: APIError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var ids = CorrelationIDGenerator()
        let correlationID = ids.next()
        return ResponseSerializer.serialize(
            .error(error, correlationID: correlationID, allocator: allocator), version: .http1_1, correlationID: correlationID,
            noStore: true, connection: .close, omitBody: false, allocator: allocator)
    }
}
