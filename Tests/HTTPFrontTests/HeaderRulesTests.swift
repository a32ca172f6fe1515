import NIOHTTP1
import Testing
@testable import HTTPFront

@Suite struct BearerCredentialsTests {
    /// Every position of a long token, inside the eight-byte words and in the tail: a control
    /// character, space or DEL anywhere is refused; the bytes around those limits and non-ASCII
    /// UTF-8 are kept.
    @Test func checksEveryByteOfALongToken() throws {
        let length = 43
        for position in 0..<length {
            for bad: UInt8 in [0x00, 0x09, 0x0A, 0x1F, 0x20, 0x7F] {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                bytes[position] = bad
                let value = "Bearer " + String(decoding: bytes, as: UTF8.self)
                #expect(throws: APIError.invalidAuthorizationHeader) { try BearerCredentials.token(fromHeaderValue: value) }
            }
            for good: UInt8 in [0x21, 0x7E] {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                bytes[position] = good
                let token = String(decoding: bytes, as: UTF8.self)
                #expect(try BearerCredentials.token(fromHeaderValue: "Bearer " + token) == token)
            }
        }
        let utf8 = String(repeating: "a", count: 20) + "é€" + String(repeating: "b", count: 9)
        #expect(try BearerCredentials.token(fromHeaderValue: "Bearer " + utf8) == utf8)
    }

    @Test func acceptsExactlyBearerSpaceToken() throws {
        #expect(try BearerCredentials.token(fromHeaderValue: "Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(try BearerCredentials.token(fromHeaderValue: "bearer x") == "x")
        #expect(try BearerCredentials.token(fromHeaderValue: "BEARER x-_~+/=") == "x-_~+/=")
    }

    @Test(arguments: [
        "", "Bearer", "Bearer ", "Bearer  abc", "Bearer abc def", "Bearer abc ", "Basic abc", "Bearerabc", "Token abc",
        " Bearer abc", "Bearer\tabc", "Bearer abc\t", "Bearér abc",
    ])
    func rejectsEverythingElse(value: String) {
        #expect(throws: APIError.invalidAuthorizationHeader) { try BearerCredentials.token(fromHeaderValue: value) }
    }

    @Test func missingAndRepeatedHeaders() throws {
        #expect(throws: APIError.authorizationRequired) { try BearerCredentials.token(from: HTTPHeaders()) }
        #expect(throws: APIError.invalidAuthorizationHeader) {
            try BearerCredentials.token(from: HTTPHeaders([("Authorization", "Bearer a"), ("authorization", "Bearer b")]))
        }
        #expect(try BearerCredentials.token(from: HTTPHeaders([("Host", "x"), ("AUTHORIZATION", "Bearer t")])) == "t")
        #expect(throws: APIError.authorizationRequired) { try BearerCredentials.token(from: HTTPHeaders([("Authorizatio", "Bearer t")])) }
    }
}

@Suite struct CorrelationIDTests {
    @Test func acceptsTokenCharactersUpTo128() {
        #expect(CorrelationID.isAcceptable("abc-123_XYZ.~!#$%&'*+^`|"))
        #expect(CorrelationID.isAcceptable(String(repeating: "a", count: 128)))
    }

    @Test(arguments: ["", String(repeating: "a", count: 129), "has space", "quote\"", "semi;colon", "comma,", "tab\t", "é", "a/b", "{x}", "a\u{7F}"])
    func rejectsOthers(value: String) {
        #expect(!CorrelationID.isAcceptable(value))
    }

    @Test func prefersCorrelationIDThenRequestID() {
        #expect(CorrelationID.fromClient(correlationID: "c1", requestID: "r1") == "c1")
        #expect(CorrelationID.fromClient(correlationID: "bad id", requestID: "r1") == "r1")
        #expect(CorrelationID.fromClient(correlationID: nil, requestID: "r1") == "r1")
        #expect(CorrelationID.fromClient(correlationID: nil, requestID: "bad id") == nil)
    }

    @Test func generatedIDsAreUniqueAndAcceptable() {
        var first = CorrelationIDGenerator()
        var second = CorrelationIDGenerator()
        var seen = Set<String>()
        for _ in 0..<1000 {
            let a = first.next()
            let b = second.next()
            #expect(CorrelationID.isAcceptable(a) && CorrelationID.isAcceptable(b))
            seen.insert(a)
            seen.insert(b)
        }
        #expect(seen.count == 2000)
    }

    @Test func generatedIDsArePrefixDashCounter() throws {
        var generator = CorrelationIDGenerator()
        let first = generator.next()
        let parts = first.split(separator: "-")
        #expect(parts.count == 2)
        #expect(parts[0].count == 16 && parts[0].allSatisfy(\.isHexDigit))
        #expect(parts[1] == "1")
        for expected in 2...12 { #expect(generator.next() == parts[0] + "-" + String(expected)) }
        for _ in 13..<100_000 { _ = generator.next() }
        #expect(generator.next() == parts[0] + "-100000")
    }
}

@Suite struct ClientAddressTests {
    @Test func withoutTrustTheSocketWins() {
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: ["1.1.1.1"], trustedHops: 0) == "10.0.0.1")
        #expect(ClientAddress.resolve(socketAddress: nil, forwardedFor: [], trustedHops: 0) == nil)
    }

    @Test func trustedHopsCountFromTheRight() {
        let xff = ["203.0.113.7, 198.51.100.2", "192.0.2.9"]
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: xff, trustedHops: 1) == "192.0.2.9")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: xff, trustedHops: 2) == "198.51.100.2")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: xff, trustedHops: 3) == "203.0.113.7")
        // More trusted hops than entries: the leftmost entry, as Express does.
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: xff, trustedHops: 10) == "203.0.113.7")
    }

    @Test func emptyOrMissingHeaderFallsBackToTheSocket() {
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: [], trustedHops: 1) == "10.0.0.1")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: [" , "], trustedHops: 1) == "10.0.0.1")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: [" 1.2.3.4 "], trustedHops: 1) == "1.2.3.4")
    }
}

@Suite struct ForwardedAddressValidationTests {
    @Test(arguments: [
        ("203.0.113.9", "203.0.113.9"), ("2001:db8::1", "2001:db8::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("203.0.113.9:443", "203.0.113.9"), ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:8443", "2001:db8::1"), ("::1", "::1"), ("0.0.0.0", "0.0.0.0"),
    ])
    func addressesParseToTheirCanonicalText(entry: String, canonical: String) {
        #expect(IPAddressParser.canonical(Substring(entry)) == canonical)
    }

    @Test(arguments: [
        "", "unknown", "<img src=x onerror=alert(1)>", "203.0.113", "203.0.113.9.1", "256.1.1.1", "01.2.3.4", "1.2.3.4:",
        "1.2.3.4:123456", "1.2.3.4:http", "[2001:db8::1", "[2001:db8::1]x", "[1.2.3.4]", "2001:db8::1::2", "fe80::1%eth0",
        "1.2.3.4 5", " 1.2.3.4", "example.com", "_hidden", String(repeating: "1", count: 5000),
    ])
    func everythingElseIsRefused(entry: String) {
        #expect(IPAddressParser.canonical(Substring(entry)) == nil)
    }

    @Test func anEntryThatIsNotAnAddressFallsBackToTheSocket() {
        let junk = "<img src=x onerror=alert(1)>" + String(repeating: "a", count: 5000)
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: [junk], trustedHops: 1) == "10.0.0.1")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: ["203.0.113.9, not-an-ip"], trustedHops: 1) == "10.0.0.1")
        // The garbled entry is not skipped: hop 2 is still the entry the second proxy wrote.
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: ["198.51.100.1, junk, 192.0.2.9"], trustedHops: 2) == "10.0.0.1")
        #expect(ClientAddress.resolve(socketAddress: "10.0.0.1", forwardedFor: ["[2001:db8::7]:443"], trustedHops: 1) == "2001:db8::7")
    }
}

@Suite struct SingleHeaderTests {
    @Test func findsOneValueInAnyCaseAndRefusesRepeats() {
        #expect(HTTPHeaders().single("authorization") == .absent)
        #expect(HTTPHeaders([("Host", "x"), ("AuThOrIzAtIoN", "v")]).single("authorization") == .value("v"))
        #expect(HTTPHeaders([("authorization", "a"), ("Authorization", "b")]).single("authorization") == .repeated)
    }

    @Test func foldsOnlyLetters() {
        #expect(SingleHeader.equalsIgnoringASCIICase(Array("Content-Type".utf8), "content-type"))
        // Folding by `| 0x20` alone would take a CR (0x0D) for a dash (0x2D).
        #expect(!SingleHeader.equalsIgnoringASCIICase(Array("content\rtype".utf8), "content-type"))
        #expect(!SingleHeader.equalsIgnoringASCIICase(Array("content-typ".utf8), "content-type"))
    }
}

@Suite struct JSONMediaTypeTests {
    @Test(arguments: ["application/json", "Application/JSON; charset=utf-8", " application/json ;x", "application/json\t", "APPLICATION/json;"])
    func accepted(value: String) {
        #expect(RequestProcessor.isJSONMediaType(HTTPHeaders([("Content-Type", value)])))
    }

    @Test(arguments: ["application/jsonx", "text/json", "application/json-patch+json", "", ";application/json", "application /json"])
    func refused(value: String) {
        #expect(!RequestProcessor.isJSONMediaType(HTTPHeaders([("content-type", value)])))
    }

    @Test func exactlyOneHeader() {
        #expect(!RequestProcessor.isJSONMediaType(HTTPHeaders()))
        #expect(!RequestProcessor.isJSONMediaType(HTTPHeaders([("Content-Type", "application/json"), ("CONTENT-TYPE", "application/json")])))
        #expect(RequestProcessor.isJSONMediaType(HTTPHeaders([("Host", "x"), ("CONTENT-TYPE", "application/json")])))
    }
}
