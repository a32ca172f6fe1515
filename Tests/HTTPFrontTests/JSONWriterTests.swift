@testable import Engine
import Foundation
import JSON
import NIOCore
import Testing
@testable import HTTPFront

@Suite struct JSONWriterTests {
    /// Written with the smallest room `ByteBuffer.json` takes, so longer values also take its retry.
    func render(_ body: (inout JSONWriter<RawBufferSink>) -> Void) -> String {
        String(buffer: ByteBuffer.json(estimate: 0, allocator: ByteBufferAllocator(), body))
    }

    @Test func anAnswerLargerThanItsEstimateIsWrittenWholeWithMoreRoom() throws {
        // 300 characters that each take 6 bytes escaped: far past the room estimated from the lengths.
        let name = String(repeating: "\u{01}", count: 300)
        let user = UserView(id: UUID(), name: name, email: "a@example.com", createdAt: Timestamp(milliseconds: 0))
        let body = AuthJSON.registered(user, allocator: ByteBufferAllocator())
        let parsed = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: [String: String]]
        #expect(parsed?["user"]?["name"] == name)
        #expect(body.readableBytes > 6 * 300)
        let plain = UserView(id: user.id, name: "Plain", email: user.email, createdAt: user.createdAt)
        #expect(AuthJSON.registered(plain, allocator: ByteBufferAllocator()).readableBytes <= AuthJSON.room(plain) + 16)
    }

    @Test func escapesQuotesBackslashesAndControls() {
        let text = render { $0.string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}é😀/") }
        #expect(text == #""a\"b\\c\n\r\t\b\f\u0001\u001fé😀/""#)
    }

    @Test func commasAndNesting() {
        let text = render { w in
            w.beginObject()
            w.key("a"); w.integer(-3)
            w.key("b"); w.bool(true)
            w.key("c"); w.null()
            w.key("d"); w.beginArray(); w.string("x"); w.beginObject(); w.endObject(); w.string(orNull: nil); w.endArray()
            w.key("e"); w.string(orNull: "y")
            w.endObject()
        }
        #expect(text == #"{"a":-3,"b":true,"c":null,"d":["x",{},null],"e":"y"}"#)
    }

    @Test func everyStringRoundTripsThroughFoundationAndOurParser() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<500 {
            let scalars = (0..<Int(rng.next() % 30)).compactMap { _ -> Character? in
                let value = UInt32(rng.next() % 0x11000)
                guard let scalar = Unicode.Scalar(value) else { return nil }
                return Character(scalar)
            }
            let value = String(scalars)
            let json = render { w in w.beginObject(); w.key("v"); w.string(value); w.endObject() }
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
            #expect(decoded?["v"] == value)
            #expect(try StrictJSONParser().parseObject(Array(json.utf8))["v"] == .value(value))
        }
    }

    @Test func uuidsAreWrittenLowerCase() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(render { $0.uuid(id) } == "\"" + id.uuidString.lowercased() + "\"")
        }
        #expect(render { w in w.beginArray(); w.uuid(UUID()); w.uuid(UUID()); w.endArray() }.count == 2 + 38 * 2 + 1)
    }

    @Test func userAndSessionShapes() throws {
        let grant = TokenGrant(
            accessToken: "a", refreshToken: "r", user: FakeAuthService.user, session: FakeAuthService.session)
        let body = AuthJSON.grant(grant, allocator: ByteBufferAllocator())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(Set(json.keys) == ["accessToken", "refreshToken", "user", "session"])
        let user = try #require(json["user"] as? [String: Any])
        #expect(Set(user.keys) == ["id", "name", "email", "createdAt"])
        #expect(user["id"] as? String == "11111111-1111-4111-8111-111111111111")
        #expect((user["createdAt"] as? String)?.hasSuffix("Z") == true)
        let session = try #require(json["session"] as? [String: Any])
        #expect(Set(session.keys) == [
            "id", "sessionId", "status", "createdAt", "lastSeenAt", "userAgent", "ipAddress", "revokedAt", "revokeReason", "current",
        ])
        #expect(session["revokedAt"] is NSNull)
        #expect(session["current"] as? Bool == true)
        #expect(session["status"] as? String == "ACTIVE")
    }
}
