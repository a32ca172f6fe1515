import JSON
import NIOCore
import NIOHTTP1

/// Writes whole HTTP/1.1 answers as bytes: status line, headers, framing and body in one buffer.
///
/// The connection handler writes each answer to the channel as one buffer, so an answer crosses
/// the pipeline once instead of three times (head, body, end) and no handler re-encodes it.
/// Every header this server sends is one of its own: names are constants, values are
/// numbers, ids it validated (`CorrelationID`) or its configuration; the one value that can come
/// from outside, a leader's URL read from etcd, is checked for line breaks (`isSafe`).
/// Framing follows RFC 9112: `Content-Length` on every answer that may carry a body (a HEAD
/// answer gives the length it would have had, and no body); none on 1xx, 204 and 304.
enum ResponseSerializer {
    /// How the answer ends the exchange.
    enum ConnectionHeader {
        /// HTTP/1.1 keep-alive by default: no header.
        case none
        /// `Connection: keep-alive` (an HTTP/1.0 client that asked for it).
        case keepAlive
        /// `Connection: close`: the server closes after writing.
        case close
    }

    /// The complete answer `response` to a request of `version`, with its correlation id and,
    /// when `noStore`, the no-cache headers; the body is left out when `omitBody` (HEAD).
    static func serialize(
        _ response: HTTPResponse, version: HTTPVersion, correlationID: String, noStore: Bool, connection: ConnectionHeader,
        omitBody: Bool, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let bodyBytes = response.body?.readableBytes ?? 0
        let mayHaveBody = Self.mayHaveBody(response.status)
        var buffer = allocator.buffer(capacity: capacity(for: response, correlationID: correlationID, bodyBytes: omitBody || !mayHaveBody ? 0 : bodyBytes))
        writeStatusLine(response.status, version: version, into: &buffer)
        if let contentType = response.contentType {
            buffer.writeStaticString("Content-Type: ")
            buffer.writeStaticString(contentType.headerValue)
            buffer.writeStaticString("\r\n")
        }
        for (name, value) in response.headers where Self.isSafe(name) && Self.isSafe(value) {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("X-Correlation-Id: ")
        buffer.writeString(correlationID)
        buffer.writeStaticString("\r\n")
        if noStore { buffer.writeStaticString("Cache-Control: no-store\r\nPragma: no-cache\r\n") }
        if mayHaveBody {
            buffer.writeStaticString("Content-Length: ")
            buffer.appendJSONInteger(Int64(bodyBytes))
            buffer.writeStaticString("\r\n")
        }
        switch connection {
        case .none: break
        case .keepAlive: buffer.writeStaticString("Connection: keep-alive\r\n")
        case .close: buffer.writeStaticString("Connection: close\r\n")
        }
        buffer.writeStaticString("\r\n")
        if mayHaveBody, !omitBody, let body = response.body, bodyBytes > 0 {
            buffer.writeImmutableBuffer(body)
        }
        return buffer
    }

    /// Room for the whole answer, so it is written with one allocation: the fixed part's longest
    /// form (status line, Content-Type, no-store pair, Content-Length, Connection, the blank line:
    /// under 256 bytes) plus what varies.
    static func capacity(for response: HTTPResponse, correlationID: String, bodyBytes: Int) -> Int {
        var room = 256 + correlationID.utf8.count + response.status.reasonPhrase.utf8.count + bodyBytes
        for (name, value) in response.headers { room += name.utf8.count + value.utf8.count + 4 }
        return room
    }

    /// `HTTP/1.1 100 Continue`, sent before reading a body the client offered with `Expect`.
    static func continueLine(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        writeStatusLine(.continue, version: version, into: &buffer)
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// The answer to bytes that are not HTTP/1.1 (the parser gave up): 400, empty, then close.
    static func badRequest(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 80)
        buffer.writeStaticString("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        return buffer
    }

    /// Whether a header name or value can be written as it is: no CR, LF or NUL, which would
    /// end the header early or split the answer. Our own headers never hold them; one that
    /// came from outside (a leader URL read from etcd) and holds them is left out rather than
    /// written. Only extra headers are checked (none on a successful `me` or refresh).
    static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// Whether an answer with `status` may carry a body (and so a `Content-Length`).
    static func mayHaveBody(_ status: HTTPResponseStatus) -> Bool {
        switch status.code {
        case 100..<200, 204, 304: false
        default: true
        }
    }

    private static func writeStatusLine(_ status: HTTPResponseStatus, version: HTTPVersion, into buffer: inout ByteBuffer) {
        switch (version.major, version.minor, status) {
        case (1, 1, .ok): buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        default:
            buffer.writeStaticString("HTTP/")
            buffer.appendJSONInteger(Int64(version.major))
            buffer.writeStaticString(".")
            buffer.appendJSONInteger(Int64(version.minor))
            buffer.writeStaticString(" ")
            buffer.appendJSONInteger(Int64(status.code))
            buffer.writeStaticString(" ")
            buffer.writeString(status.reasonPhrase)
            buffer.writeStaticString("\r\n")
        }
    }
}
