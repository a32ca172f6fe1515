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
        var room = capacity(for: response, correlationID: correlationID, bodyBytes: omitBody || !mayHaveBody ? 0 : bodyBytes)
        // The head is written through one borrowed pointer (`RawBufferSink`): one bounds and
        // uniqueness check for the whole head instead of one per piece. `capacity` covers it;
        // should it ever not, the head is written again with twice the room.
        while true {
            var buffer = allocator.buffer(capacity: room)
            var fitted = false
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { memory in
                var sink = RawBufferSink(memory)
                writeHead(response, version: version, correlationID: correlationID, noStore: noStore, connection: connection,
                          contentLength: mayHaveBody ? bodyBytes : nil, into: &sink)
                fitted = !sink.overflowed
                return fitted ? sink.count : 0
            }
            if fitted {
                if mayHaveBody, !omitBody, let body = response.body, bodyBytes > 0 {
                    buffer.writeImmutableBuffer(body)
                }
                return buffer
            }
            room *= 2
        }
    }

    /// Status line, headers and the blank line that ends them.
    private static func writeHead(
        _ response: HTTPResponse, version: HTTPVersion, correlationID: String, noStore: Bool, connection: ConnectionHeader,
        contentLength: Int?, into sink: inout RawBufferSink
    ) {
        writeStatusLine(response.status, version: version, into: &sink)
        if let contentType = response.contentType {
            sink.append("Content-Type: ")
            sink.append(contentType.headerValue)
            sink.append("\r\n")
        }
        for (name, value) in response.headers where Self.isSafe(name) && Self.isSafe(value) {
            sink.appendUnescaped(name)
            sink.append(": ")
            sink.appendUnescaped(value)
            sink.append("\r\n")
        }
        sink.append("X-Correlation-Id: ")
        sink.appendUnescaped(correlationID)
        sink.append("\r\n")
        if noStore { sink.append("Cache-Control: no-store\r\nPragma: no-cache\r\n") }
        if let contentLength {
            sink.append("Content-Length: ")
            sink.appendJSONInteger(Int64(contentLength))
            sink.append("\r\n")
        }
        switch connection {
        case .none: break
        case .keepAlive: sink.append("Connection: keep-alive\r\n")
        case .close: sink.append("Connection: close\r\n")
        }
        sink.append("\r\n")
    }

    /// Room for the whole answer, so it is written with one allocation: the fixed part's longest
    /// form (status line, Content-Type, no-store pair, Content-Length, Connection, the blank line:
    /// under 320 bytes whatever the version numbers) plus what varies.
    static func capacity(for response: HTTPResponse, correlationID: String, bodyBytes: Int) -> Int {
        var room = 320 + correlationID.utf8.count + response.status.reasonPhrase.utf8.count + bodyBytes
        for (name, value) in response.headers { room += name.utf8.count + value.utf8.count + 4 }
        return room
    }

    /// `HTTP/1.1 100 Continue`, sent before reading a body the client offered with `Expect`.
    static func continueLine(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        // 96 bytes hold the line for any two version numbers (at most 20 digits each).
        var buffer = allocator.buffer(capacity: 96)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 96) { memory in
            var sink = RawBufferSink(memory)
            writeStatusLine(.continue, version: version, into: &sink)
            sink.append("\r\n")
            return sink.count
        }
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

    private static func writeStatusLine(_ status: HTTPResponseStatus, version: HTTPVersion, into sink: inout RawBufferSink) {
        switch (version.major, version.minor, status) {
        case (1, 1, .ok): sink.append("HTTP/1.1 200 OK\r\n")
        default:
            sink.append("HTTP/")
            sink.appendJSONInteger(Int64(version.major))
            sink.append(UInt8(ascii: "."))
            sink.appendJSONInteger(Int64(version.minor))
            sink.append(UInt8(ascii: " "))
            sink.appendJSONInteger(Int64(status.code))
            sink.append(UInt8(ascii: " "))
            sink.appendUnescaped(status.reasonPhrase)
            sink.append("\r\n")
        }
    }
}
