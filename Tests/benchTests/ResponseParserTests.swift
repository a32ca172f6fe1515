import NIOCore
import Testing
@testable import bench

/// The hand-rolled HTTP/1.1 response parser.
@Suite struct ResponseParserTests {
    func parseAll(_ text: String, atEOF: Bool = false) throws -> ([HTTPResponse], ByteBuffer) {
        var b = ByteBuffer(string: text)
        var out: [HTTPResponse] = []
        while let r = try HTTPResponseParser.parse(&b, atEOF: atEOF) { out.append(r) }
        return (out, b)
    }

    @Test func contentLengthBody() throws {
        let (rs, rest) = try parseAll("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
        #expect(rs.count == 1)
        #expect(rs[0].status == 200)
        #expect(rs[0].keepAlive)
        #expect(String(buffer: rs[0].body) == "{\"a\":1}")
        #expect(rest.readableBytes == 0)
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        let (rs, _) = try parseAll("HTTP/1.1 201 Created\r\ncontent-LENGTH:   3  \r\nCONNECTION: Close\r\n\r\nabc")
        #expect(rs.count == 1 && rs[0].status == 201 && !rs[0].keepAlive && String(buffer: rs[0].body) == "abc")
    }

    @Test func chunkedBodyWithExtensionAndTrailer() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let (rs, rest) = try parseAll(text)
        #expect(rs.count == 1)
        #expect(String(buffer: rs[0].body) == "Wikipedia in\r\n\r\nchunks.")
        #expect(rest.readableBytes == 0)
    }

    /// Fed one byte at a time, the parser yields nothing until the last byte and
    /// then exactly the response.
    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
    ])
    func byteByByte(_ text: String) throws {
        let bytes = Array(text.utf8)
        var b = ByteBuffer()
        for (i, byte) in bytes.enumerated() {
            b.writeInteger(byte)
            let r = try HTTPResponseParser.parse(&b)
            if i < bytes.count - 1 {
                #expect(r == nil, "complete too early at byte \(i)")
                #expect(b.readableBytes == i + 1, "consumed bytes of an incomplete response")
            } else {
                #expect(r?.status == 200)
                #expect(r.map { String(buffer: $0.body) } == "hello")
                #expect(b.readableBytes == 0)
            }
        }
    }

    @Test func keepAliveSemantics() throws {
        #expect(try parseAll("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").0[0].keepAlive)
        #expect(try !parseAll("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").0[0].keepAlive)
        #expect(try parseAll("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").0[0].keepAlive)
        #expect(try !parseAll("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").0[0].keepAlive)
    }

    @Test func twoResponsesInOneRead() throws {
        let (rs, rest) = try parseAll("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nbcHTTP/1.1 200")
        #expect(rs.map(\.status) == [200, 401])
        #expect(rs.map { String(buffer: $0.body) } == ["a", "bc"])
        #expect(String(buffer: rest) == "HTTP/1.1 200")
    }

    @Test func bodylessStatusesAndInformationalSkip() throws {
        let (rs, _) = try parseAll("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n")
        #expect(rs.map(\.status) == [204, 304])
        #expect(rs.allSatisfy { $0.body.readableBytes == 0 })
    }

    @Test func closeDelimitedBodyNeedsEOF() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"
        #expect(try parseAll(text).0.isEmpty)
        let (rs, _) = try parseAll(text, atEOF: true)
        #expect(rs.count == 1 && String(buffer: rs[0].body) == "until close" && !rs[0].keepAlive)
    }

    @Test func malformedInputThrows() {
        #expect(throws: ResponseParseError.badStatusLine) { try parseAll("HTTX/1.1 200 OK\r\n\r\n") }
        #expect(throws: ResponseParseError.badStatusLine) { try parseAll("HTTP/1.1 2x0 OK\r\n\r\n") }
        #expect(throws: ResponseParseError.badHeader) { try parseAll("HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n") }
        #expect(throws: ResponseParseError.badHeader) { try parseAll("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n") }
        // Lines end in CRLF; a bare LF is refused where it stands.
        #expect(throws: ResponseParseError.badStatusLine) { try parseAll("HTTP/1.1 200 OK\nContent-Length: 0\n\n") }
        #expect(throws: ResponseParseError.badHeader) { try parseAll("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n") }
        #expect(throws: ResponseParseError.badHeader) { try parseAll("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n") }
        #expect(throws: ResponseParseError.badChunk) { try parseAll("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }
        #expect(throws: ResponseParseError.badChunk) { try parseAll("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n") }
        var huge = ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 10_000))
        #expect(throws: ResponseParseError.headerTooLarge) { try HTTPResponseParser.parse(&huge) }
    }

    @Test func jsonFieldScanner() {
        let body = ByteBuffer(string: #"{"user":{"id":"1"},"accessToken" : "a.b.c","refreshToken":"r\"1\\\/x\u0041","n":1}"#)
        #expect(JSONFieldScanner.string("accessToken", in: body) == "a.b.c")
        #expect(JSONFieldScanner.string("refreshToken", in: body) == "r\"1\\/xA")
        #expect(JSONFieldScanner.string("id", in: body) == "1")
        #expect(JSONFieldScanner.string("n", in: body) == nil)
        #expect(JSONFieldScanner.string("missing", in: body) == nil)
        #expect(JSONFieldScanner.string("code", in: ByteBuffer(string: #"{"error":{"code":"REFRESH_TOKEN_REUSED"}}"#)) == "REFRESH_TOKEN_REUSED")
    }
}
