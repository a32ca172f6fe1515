import Foundation
import Testing
@testable import Engine

@Suite struct SigningKeyTests {
    let codec = TokenCodec(issuer: "auth-api", audience: "auth-api-clients")
    let claims = TokenClaims(subject: UUID(), session: UUID(), tokenID: TokenID(high: 3, low: 4), kind: .access, issuedAt: 1_000, expiresAt: 1_900)

    private func b64(_ bytes: [UInt8]) -> String { String(decoding: Base64URL.encode(bytes), as: UTF8.self) }
    private func key(_ algorithm: SigningAlgorithm, activatesAt: Int64 = 0) -> SigningKey {
        SigningKey.generate(algorithm, at: Timestamp(milliseconds: 0), activatesAt: Timestamp(milliseconds: activatesAt))
    }

    @Test(arguments: [SigningAlgorithm.edDSA, .es256])
    func signsAndVerifies(_ algorithm: SigningAlgorithm) throws {
        let stored = key(algorithm)
        #expect(stored.kid.utf8.count == 16)
        #expect(SigningKeyMaterial.publicKey(of: stored.privateKey, algorithm: algorithm) == stored.publicKey)
        #expect(stored.publicKey.count == (algorithm == .edDSA ? 32 : 64))
        let ring = TokenKeyRing(algorithm: algorithm, keys: [stored])
        let token = codec.encode(claims, key: try #require(ring.signingKey(at: 0)))
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts[2].utf8.count == 86)
        let header = String(decoding: Base64URL.decode(Array(parts[0].utf8))!, as: UTF8.self)
        #expect(header == #"{"alg":"\#(algorithm.rawValue)","kid":"\#(stored.kid)","typ":"JWT"}"#)
        let parsed = try codec.parse(token).get()
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == nil)
        // Every shard builds its own contexts from the same bytes: they verify each other.
        let other = TokenKeyRing(algorithm: algorithm, keys: [stored])
        #expect(codec.verify(parsed, expecting: .access, keys: other, now: 1_500, leeway: 0) == nil)
        // A flipped signature byte, and another key under the same kid, fail.
        var bytes = Array(token.utf8)
        bytes[bytes.count - 10] = bytes[bytes.count - 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(codec.verify(try codec.parse(String(decoding: bytes, as: UTF8.self)).get(), expecting: .access, keys: ring, now: 1_500, leeway: 0) == .badSignature)
        var impostor = key(algorithm)
        impostor.kid = stored.kid
        #expect(codec.verify(parsed, expecting: .access, keys: TokenKeyRing(algorithm: algorithm, keys: [impostor]), now: 1_500, leeway: 0) == .badSignature)
    }

    @Test(arguments: [SigningAlgorithm.edDSA, .es256])
    func unknownKidIsRefused(_ algorithm: SigningAlgorithm) throws {
        let ring = TokenKeyRing(algorithm: algorithm, keys: [key(algorithm)])
        let foreign = TokenKeyRing(algorithm: algorithm, keys: [key(algorithm)])
        let token = codec.encode(claims, key: foreign.signingKey(at: 0)!)
        #expect(codec.verify(try codec.parse(token).get(), expecting: .access, keys: ring, now: 1_500, leeway: 0) == .unknownKey)
    }

    @Test(arguments: [SigningAlgorithm.edDSA, .es256])
    func algorithmConfusionIsRefused(_ algorithm: SigningAlgorithm) throws {
        let stored = key(algorithm)
        let ring = TokenKeyRing(algorithm: algorithm, keys: [stored])
        // HS256 tokens naming the key's kid, signed with any secret, the public key bytes included.
        for secret in [stored.publicKey + stored.publicKey, Array(b64(stored.publicKey).utf8), Array(repeating: 1, count: 32)] {
            let mac = HMACSigner(key: secret)
            let input = b64(Array(#"{"alg":"HS256","kid":"\#(stored.kid)","typ":"JWT"}"#.utf8)) + "." + b64(Array(#"{"x":1}"#.utf8))
            let hs = TokenKeyRing(secret: secret, previous: [])
            let forged = codec.encode(claims, key: hs.signingKey(at: 0)!)
            #expect(codec.verify(try codec.parse(forged).get(), expecting: .access, keys: ring, now: 1_500, leeway: 0) == .algorithmNotAllowed)
            let named = input.split(separator: ".")[0] + "." + forged.split(separator: ".")[1]
            let signed = named + "." + b64(mac.authenticate(Array(named.utf8)))
            #expect(codec.verify(try codec.parse(String(signed)).get(), expecting: .access, keys: ring, now: 1_500, leeway: 0) == .algorithmNotAllowed)
        }
        // alg none with the right kid, and an empty or 64-byte zero signature.
        let payload = codec.encode(claims, key: ring.signingKey(at: 0)!).split(separator: ".")[1]
        let none = b64(Array(#"{"alg":"none","kid":"\#(stored.kid)"}"#.utf8)) + "." + payload
        #expect((try? codec.parse(none + ".").get()) == nil)
        let zero = none + "." + b64([UInt8](repeating: 0, count: 64))
        #expect(codec.verify(try codec.parse(zero).get(), expecting: .access, keys: ring, now: 1_500, leeway: 0) == .algorithmNotAllowed)
        // The other way round: an HS256 engine refuses this algorithm's genuine tokens.
        let genuine = codec.encode(claims, key: ring.signingKey(at: 0)!)
        let hsRing = TokenKeyRing(secret: Array(repeating: 7, count: 32), previous: [])
        #expect(codec.verify(try codec.parse(genuine).get(), expecting: .access, keys: hsRing, now: 1_500, leeway: 0) == .algorithmNotAllowed)
        // And EdDSA and ES256 refuse each other's.
        let otherAlgorithm: SigningAlgorithm = algorithm == .edDSA ? .es256 : .edDSA
        let otherRing = TokenKeyRing(algorithm: otherAlgorithm, keys: [key(otherAlgorithm)])
        #expect(codec.verify(try codec.parse(genuine).get(), expecting: .access, keys: otherRing, now: 1_500, leeway: 0) == .algorithmNotAllowed)
    }

    @Test func ringSignsWithTheLatestActivatedKey() throws {
        let first = key(.edDSA, activatesAt: 0), second = key(.edDSA, activatesAt: 5_000)
        let ring = TokenKeyRing(algorithm: .edDSA, keys: [second, first, key(.es256)])
        #expect(ring.kids == [first.kid, second.kid])
        #expect(ring.signingKey(at: 4_999)?.kid == first.kid)
        #expect(ring.signingKey(at: 5_000)?.kid == second.kid)
        #expect(TokenKeyRing(algorithm: .edDSA, keys: []).signingKey(at: 0) == nil)
    }

    @Test func ecdsaSignatureFormsConvert() {
        for _ in 0..<200 {
            var raw = (0..<64).map { _ in UInt8.random(in: 0...255) }
            // Leading zeros and high bits, the cases DER treats specially.
            if Bool.random() { for i in 0..<Int.random(in: 1...3) { raw[i] = 0 } }
            if Bool.random() { raw[32] = 0x80 }
            var der = [UInt8](repeating: 0, count: 72)
            let length = raw.withUnsafeBufferPointer { r in der.withUnsafeMutableBufferPointer { ECDSASignature.der(fromRaw: r, into: $0) } }
            var back = [UInt8](repeating: 0xEE, count: 64)
            let ok = der.withUnsafeBufferPointer { d in
                back.withUnsafeMutableBufferPointer { ECDSASignature.raw(fromDER: UnsafeBufferPointer(rebasing: d[..<length]), into: $0.baseAddress!) }
            }
            #expect(ok && back == raw)
        }
        var out = [UInt8](repeating: 0, count: 64)
        for bad: [UInt8] in [[], [0x30, 0x00], [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01]] {
            let ok = bad.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { ECDSASignature.raw(fromDER: b, into: $0.baseAddress!) } }
            #expect(!ok)
        }
    }

    @Test func descriptionsNeverShowKeyBytes() {
        let stored = key(.edDSA)
        let hex = stored.privateKey.map { String(format: "%02x", $0) }.joined()
        let texts = ["\(stored)", String(reflecting: stored), "\(EngineRecord.signingKeyCreated(stored))",
                     EngineRecord.signingKeyCreated(stored).summary, "\([stored])"]
        var dumped = ""
        dump(EngineRecord.signingKeyCreated(stored), to: &dumped)
        for text in texts + [dumped] {
            #expect(!text.contains(hex) && !text.contains(b64(stored.privateKey)) && !text.contains("\(stored.privateKey)"))
            #expect(text.contains(stored.kid) || text.contains("signingKeyCreated"))
        }
    }

    @Test func jwksListsPublicHalves() throws {
        let ed = key(.edDSA), ec = key(.es256)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONWebKeySet.encode([ed, ec]))) as? [String: [[String: String]]])
        let keys = try #require(json["keys"])
        #expect(keys[0] == ["kid": ed.kid, "kty": "OKP", "crv": "Ed25519", "x": b64(ed.publicKey), "alg": "EdDSA", "use": "sig"])
        #expect(keys[1] == ["kid": ec.kid, "kty": "EC", "crv": "P-256", "x": b64(Array(ec.publicKey.prefix(32))),
                            "y": b64(Array(ec.publicKey.suffix(32))), "alg": "ES256", "use": "sig"])
        #expect(JSONWebKeySet.encode([]) == Array(#"{"keys":[]}"#.utf8))
    }
}
