import Foundation
import JSON
import NIOCore
import Testing
@testable import bench

/// Requests are encoded byte-exactly, with correct lengths.
@Suite struct RequestEncoderTests {
    let encoder = RequestEncoder(hostHeader: "127.0.0.1:3000")

    /// The JSON string literal (quotes included) a body carries for `s`.
    static func quote(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.appendJSONString(s)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of ``quote(_:)``'s literal as `ByteCountSink` counts them.
    static func quotedCount(_ s: String) -> Int {
        var counter = ByteCountSink()
        counter.appendJSONString(s)
        return counter.count
    }

    @Test func getWithBearer() {
        let b = encoder.me(accessToken: "tok.en")
        #expect(String(buffer: b) == "GET /v1/auth/me HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nAuthorization: Bearer tok.en\r\n\r\n")
    }

    @Test func plainGet() {
        #expect(String(buffer: encoder.get("/health")) == "GET /health HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n")
    }

    @Test func postJSONCarriesContentTypeAndByteLength() {
        let b = encoder.refresh(token: "abc")
        let body = #"{"refreshToken":"abc"}"#
        #expect(String(buffer: b) == "POST /v1/auth/tokens/refresh HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    @Test func contentLengthCountsUTF8Bytes() {
        let b = encoder.register(name: "Zoë", email: "z@x.io", password: "pässwörd1")
        let text = String(buffer: b)
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        let declared = parts[0].components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Length: ") }.map { Int($0.dropFirst(16).trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(declared == parts[1].utf8.count)
        #expect(parts[1] == #"{"name":"Zoë","email":"z@x.io","password":"pässwörd1"}"#)
    }

    @Test func escapedBodyDeclaresItsLengthAndDecodesToTheValues() throws {
        let name = "Q\"uote\\d \u{01}\tZoë"
        let b = encoder.register(name: name, email: "e@x.io", password: "p\nw")
        let text = String(buffer: b)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let declared = parts[0].components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Length: ") }.map { Int($0.dropFirst(16)) }
        #expect(declared == parts[1].utf8.count)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: String])
        #expect(object == ["name": name, "email": "e@x.io", "password": "p\nw"])
        // ByteCountSink (what postJSON counts the body with) counts what the writer writes.
        #expect(Self.quotedCount(name) == Self.quote(name).utf8.count)
    }

    @Test func loginBody() {
        let text = String(buffer: encoder.login(email: "a@b.c", password: "p"))
        #expect(text.hasPrefix("POST /v1/auth/sessions HTTP/1.1\r\n"))
        #expect(text.hasSuffix("\r\n\r\n" + #"{"email":"a@b.c","password":"p"}"#))
    }

    @Test func basePathIsPrefixed() {
        let e = RequestEncoder(hostHeader: "h", basePath: "/api/")
        #expect(String(buffer: e.get("/health")).hasPrefix("GET /api/health HTTP/1.1\r\nHost: h\r\n"))
    }

    @Test func quoteEscapesWhatJSONRequires() {
        #expect(Self.quote("a\"b\\c\nd\u{01}") == #""a\"b\\c\nd\u0001""#)
        #expect(Self.quote("plain") == "\"plain\"")
    }

    @Test func targetURLParsing() throws {
        #expect(try Target.parse("http://127.0.0.1:3000") == Target(host: "127.0.0.1", port: 3000, basePath: ""))
        #expect(try Target.parse("http://localhost/api/") == Target(host: "localhost", port: 80, basePath: "/api"))
        #expect(try Target.parse("http://[::1]:8080/x") == Target(host: "::1", port: 8080, basePath: "/x"))
        #expect(try Target.parse("http://[::1]:8080").hostHeader == "[::1]:8080")
        #expect(throws: BenchError.self) { try Target.parse("https://x") }
        #expect(throws: BenchError.self) { try Target.parse("http://x:notaport") }
        #expect(throws: BenchError.self) { try Target.parse("http://:80") }
    }

    @Test func mixParsingAndSequence() throws {
        let mix = try Mix.parse("me=80, refresh=15,login=5,health=0")
        #expect(mix.weights.map(\.0) == [.me, .refresh, .login])
        let seq = mix.sequence(seed: 3)
        #expect(seq.count == 100)
        #expect(seq.filter { $0 == .me }.count == 80)
        #expect(seq.filter { $0 == .refresh }.count == 15)
        #expect(seq.filter { $0 == .login }.count == 5)
        #expect(mix.sequence(seed: 3) == seq)
        #expect(mix.sequence(seed: 4) != seq)
        #expect(throws: BenchError.self) { try Mix.parse("me=80,bogus=1") }
        #expect(throws: BenchError.self) { try Mix.parse("me=0") }
        #expect(throws: BenchError.self) { try Mix.parse("me=1,me=2") }
        #expect(throws: BenchError.self) { try Mix.parse("me") }
    }
}
