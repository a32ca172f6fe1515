import NIOCore
import NIOHTTP1
import Testing
@testable import HTTPFront

@Suite struct ResponseSerializerTests {
    let allocator = ByteBufferAllocator()

    func text(_ response: HTTPResponse, version: HTTPVersion = .http1_1, noStore: Bool = false,
              connection: ResponseSerializer.ConnectionHeader = .none, omitBody: Bool = false) -> String {
        String(buffer: ResponseSerializer.serialize(
            response, version: version, correlationID: "c-1", noStore: noStore, connection: connection, omitBody: omitBody, allocator: allocator))
    }

    @Test func aJSONAnswerIsOneBufferWithItsFraming() {
        let response = HTTPResponse.json(.ok, ByteBuffer(string: #"{"a":1}"#))
        #expect(text(response, noStore: true) == "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Correlation-Id: c-1\r\n"
            + "Cache-Control: no-store\r\nPragma: no-cache\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
        #expect(text(response, version: .http1_0, connection: .keepAlive) == "HTTP/1.0 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "X-Correlation-Id: c-1\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\r\n{\"a\":1}")
    }

    @Test func headGetsTheLengthWithoutTheBody() {
        let response = HTTPResponse.json(.ok, ByteBuffer(string: #"{"a":1}"#))
        #expect(text(response, omitBody: true).hasSuffix("Content-Length: 7\r\n\r\n"))
    }

    @Test func noContentAndNotModifiedCarryNoLength() {
        #expect(!text(.noContent).contains("Content-Length"))
        #expect(!text(HTTPResponse(status: .notModified)).contains("Content-Length"))
        #expect(text(HTTPResponse(status: .notFound)).contains("Content-Length: 0\r\n"))
    }

    @Test func otherStatusesAndHeadersAreSpelledOut() {
        var response = HTTPResponse.error(.tooManyRequests(retryAfterSeconds: 7), correlationID: "c-1", allocator: allocator)
        response.closeConnection = true
        let answer = text(response, connection: .close)
        #expect(answer.hasPrefix("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 7\r\n"))
        #expect(answer.contains("\r\nConnection: close\r\n\r\n{\"error\":"))
        #expect(String(buffer: ResponseSerializer.continueLine(version: .http1_1, allocator: allocator)) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func aHeaderWithALineBreakIsLeftOutNotWritten() {
        var response = HTTPResponse.error(.notLeader(leaderURL: "http://b:8080"), correlationID: "c-1", allocator: allocator)
        response.headers.add(name: "X-Authd-Leader", value: "http://evil\r\nSet-Cookie: x=1")
        response.headers.add(name: "X-Bad\nName", value: "v")
        let answer = text(response)
        #expect(answer.contains("X-Authd-Leader: http://b:8080\r\n"))
        #expect(!answer.contains("evil"))
        #expect(!answer.contains("Set-Cookie"))
        #expect(!answer.contains("X-Bad"))
        #expect(ResponseSerializer.isSafe("http://b:8080") && !ResponseSerializer.isSafe("a\u{0}b"))
    }

    /// The room computed up front holds every answer: one allocation, never a reallocation.
    @Test(arguments: [HTTPResponseStatus.ok, .created, .noContent, .unauthorized, .networkAuthenticationRequired, .custom(code: 599, reasonPhrase: String(repeating: "x", count: 300))])
    func theRoomHoldsTheWholeAnswer(status: HTTPResponseStatus) {
        var response = HTTPResponse(status: status, contentType: .prometheusText, body: ByteBuffer(repeating: 0x41, count: 1000))
        response.headers.add(name: "Retry-After", value: "120")
        response.headers.add(name: "X-Authd-Leader", value: "http://" + String(repeating: "n", count: 200) + ":8080")
        let id = String(repeating: "i", count: 128)
        for version in [HTTPVersion.http1_0, .http1_1] {
            for connection in [ResponseSerializer.ConnectionHeader.none, .keepAlive, .close] {
                let bytes = ResponseSerializer.serialize(
                    response, version: version, correlationID: id, noStore: true, connection: connection, omitBody: false, allocator: allocator)
                let room = ResponseSerializer.capacity(
                    for: response, correlationID: id, bodyBytes: ResponseSerializer.mayHaveBody(status) ? 1000 : 0)
                #expect(bytes.readableBytes <= room)
                #expect(bytes.capacity == allocator.buffer(capacity: room).capacity, "grown while written")
            }
        }
    }
}
