import Foundation
import Testing
@testable import Engine

@Suite struct TokenCodecTests {
    let codec = TokenCodec(issuer: "auth-api", audience: "auth-api-clients")
    let secret = Array(repeating: UInt8(7), count: 32)
    let signer = HMACSigner(key: Array(repeating: 7, count: 32))
    var ring: TokenKeyRing { TokenKeyRing(secret: secret, previous: []) }
    var key: TokenKey { ring.signingKey(at: 0)! }
    let claims = TokenClaims(subject: UUID(), session: UUID(), tokenID: TokenID(high: 1, low: 2), kind: .access, issuedAt: 1_000, expiresAt: 1_900)

    private func segments(_ token: String) -> [String] { token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
    private func b64(_ s: String) -> String { String(decoding: Base64URL.encode(Array(s.utf8)), as: UTF8.self) }
    private func mac(_ input: String) -> String { String(decoding: Base64URL.encode(signer.authenticate(Array(input.utf8))), as: UTF8.self) }

    @Test func roundTrip() throws {
        let token = codec.encode(claims, key: key)
        let parsed = try codec.parse(token).get()
        #expect(parsed.claims == claims)
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == nil)
    }

    @Test func knownVectorMatchesRFC7519Libraries() throws {
        // HMAC-SHA256("abc.def") with this key, computed independently (python3 hmac module).
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let mac = HMACSigner(key: key).authenticate(Array("abc.def".utf8))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "671c92aa52f08c52e653cfc6b84d1190e2fee4d0d9db51c49044cee696eb470f")
        let header = try #require(Base64URL.decode(Array(segments(codec.encode(claims, key: self.key))[0].utf8)))
        #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"HS256","kid":"\#(TokenKey.hmacKeyID(secret))","typ":"JWT"}"#)
    }

    @Test func tokensWithoutKidFromBeforeKeyIDsStillVerify() throws {
        // The header every token had before key ids: verified with the current secret only.
        let parts = segments(codec.encode(claims, key: key))
        let input = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + parts[1]
        let legacy = try codec.parse(input + "." + mac(input)).get()
        #expect(codec.verify(legacy, expecting: .access, keys: ring, now: 1_500, leeway: 0) == nil)
        let rotated = TokenKeyRing(secret: Array(repeating: 9, count: 32), previous: [secret])
        #expect(codec.verify(legacy, expecting: .access, keys: rotated, now: 1_500, leeway: 0) == .badSignature)
    }

    @Test func algorithmIsPinned() throws {
        let parts = segments(codec.encode(claims, key: key))
        for (header, failure) in [(#"{"alg":"none","typ":"JWT"}"#, TokenCodec.VerificationFailure.algorithmNotAllowed),
                                  (#"{"alg":"HS512","typ":"JWT"}"#, .algorithmNotAllowed), (#"{"alg":"RS256"}"#, .algorithmNotAllowed),
                                  (#"{"alg":"EdDSA","kid":"\#(TokenKey.hmacKeyID(secret))"}"#, .algorithmNotAllowed),
                                  (#"{"typ":"JWT"}"#, .malformedHeader), (#"{"alg":"HS256","crit":["x"]}"#, .malformedHeader)] {
            let input = b64(header) + "." + parts[1]
            let forged = try codec.parse(input + "." + mac(input)).get()
            #expect(codec.verify(forged, expecting: .access, keys: ring, now: 1_500, leeway: 0) == failure)
        }
        let unsigned = [b64(#"{"alg":"none"}"#), parts[1], ""].joined(separator: ".")
        #expect((try? codec.parse(unsigned).get()) == nil)
        // Another spelling of an HS256 header is fine as long as the signature covers it.
        let reordered = b64(#"{"typ":"JWT","kid":"\#(TokenKey.hmacKeyID(secret))","alg":"HS256"}"#) + "." + parts[1]
        let parsed = try codec.parse(reordered + "." + mac(reordered)).get()
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == nil)
    }

    @Test func unknownAndWrongKidsAreRefused() throws {
        let parts = segments(codec.encode(claims, key: key))
        for kid in ["nope", TokenKey.hmacKeyID(Array(repeating: 8, count: 32)), ""] {
            let input = b64(#"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#) + "." + parts[1]
            let parsed = try codec.parse(input + "." + mac(input)).get()
            #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == .unknownKey)
        }
        // The refresh family's key: a token signed with it names a kid the access ring lacks.
        let refreshRing = TokenKeyRing(secret: Array(repeating: 8, count: 32), previous: [])
        let crossed = try codec.parse(codec.encode(claims, key: refreshRing.signingKey(at: 0)!)).get()
        #expect(codec.verify(crossed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == .unknownKey)
    }

    @Test func previousSecretsVerifyAndNeverSign() throws {
        let old = codec.encode(claims, key: key)
        let current = Array(repeating: UInt8(9), count: 32)
        let rotated = TokenKeyRing(secret: current, previous: [secret])
        #expect(codec.verify(try codec.parse(old).get(), expecting: .access, keys: rotated, now: 1_500, leeway: 0) == nil)
        #expect(rotated.signingKey(at: 1 << 60)?.kid == TokenKey.hmacKeyID(current))
        let without = TokenKeyRing(secret: current, previous: [])
        #expect(codec.verify(try codec.parse(old).get(), expecting: .access, keys: without, now: 1_500, leeway: 0) == .unknownKey)
    }

    @Test func tamperingIsDetected() throws {
        let token = codec.encode(claims, key: key)
        var bytes = Array(token.utf8)
        let last = bytes.count - 2
        bytes[last] = bytes[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let flipped = try codec.parse(String(decoding: bytes, as: UTF8.self)).get()
        #expect(codec.verify(flipped, expecting: .access, keys: ring, now: 1_500, leeway: 0) == .badSignature)
    }

    @Test func claimsAreEnforced() throws {
        let parsed = try codec.parse(codec.encode(claims, key: key)).get()
        #expect(codec.verify(parsed, expecting: .refresh, keys: ring, now: 1_500, leeway: 0) == .wrongKind)
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_900, leeway: 0) == .expired)
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_900, leeway: 1) == nil)
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 900, leeway: 0) == .notYetValid)
        let foreign = TokenCodec(issuer: "someone-else", audience: "auth-api-clients")
        let other = try codec.parse(foreign.encode(claims, key: key)).get()
        #expect(codec.verify(other, expecting: .access, keys: ring, now: 1_500, leeway: 0) == .wrongIssuerOrAudience)
    }

    private func token(payload: String) -> String {
        let input = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + b64(payload)
        return input + "." + mac(input)
    }

    private var claimsJSON: String {
        #""sub":"\#(claims.subject.lowercased)","sid":"\#(claims.session.lowercased)","jti":"\#(String(decoding: claims.tokenID.encoded, as: UTF8.self))","typ":"access","iat":1000,"exp":1900"#
    }

    @Test func claimsScannerReadsForeignButValidPayloads() throws {
        // Other member order, whitespace, unknown members of every JSON type, escaped issuer text.
        let payload = #"{ "extra" : [1, {"a": null}, true, -2.5e3, "x\u00e9"], "iss" : "auth\u002dapi", "aud":"auth-api-clients", "# + claimsJSON + "}"
        let parsed = try codec.parse(token(payload: payload)).get()
        #expect(parsed.claims == claims)
        #expect(codec.verify(parsed, expecting: .access, keys: ring, now: 1_500, leeway: 0) == nil)
    }

    @Test func claimsScannerRefusesAmbiguousOrMistypedClaims() {
        let base = claimsJSON
        for payload in [
            "{" + base + #","sub":"\#(UUID().lowercased)","iss":"auth-api","aud":"auth-api-clients"}"#,   // duplicate sub
            "{" + base.replacingOccurrences(of: #""iat":1000"#, with: #""iat":1000.5"#) + #","iss":"auth-api","aud":"auth-api-clients"}"#,
            "{" + base.replacingOccurrences(of: #""typ":"access""#, with: #""typ":"id""#) + "}",
            "{" + base + #","iss":"auth-api""#,                                                             // unterminated
            "{" + base + #","x":"\q"}"#,                                                                      // bad escape
            "{}",
        ] {
            #expect(throws: TokenCodec.ParseError.malformed) { try codec.parse(token(payload: payload)).get() }
        }
    }

    @Test func malformedTokens() {
        for token in ["", "a", "a.b", "a.b.c.d", "..", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.", String(repeating: "a", count: 5000)] {
            #expect(throws: TokenCodec.ParseError.malformed) { try codec.parse(token).get() }
        }
        // Claims of the wrong type.
        let payload = b64(#"{"sub":1,"sid":"x","jti":"y","typ":"access","iat":1,"exp":2}"#)
        #expect(throws: TokenCodec.ParseError.malformed) { try codec.parse("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\(payload).AAAA").get() }
    }
}
