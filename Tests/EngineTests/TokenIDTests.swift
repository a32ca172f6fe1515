import Foundation
import Testing
@testable import Engine

/// Every token has its own `jti`: the two tokens of a pair differ, every login and rotation
/// issues two new ones, and the reuse grace still re-creates the current pair byte for byte.
@Suite struct TokenIDTests {
    /// The `jti` claim of a token, read with the engine's own parser.
    private func jti(_ token: String) throws -> TokenID {
        guard case .success(let parsed) = TokenCodec(issuer: "auth-api", audience: "auth-api-clients").parse(token) else {
            throw TestFailure("token does not parse")
        }
        return parsed.claims.tokenID
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func theTwoTokensOfAPairHaveDifferentIDs() async throws {
        let engine = makeEngine()
        try await engine.registerUser("pair@example.com")
        let grant = try await engine.loginUser("pair@example.com")
        #expect(try jti(grant.accessToken) != jti(grant.refreshToken))
    }

    @Test func noIDRepeatsAcrossLoginsAndAThousandRotations() async throws {
        let engine = makeEngine()
        try await engine.registerUser("chain@example.com")
        var seen: Set<TokenID> = []
        var grant = try await engine.loginUser("chain@example.com")
        for token in [grant.accessToken, grant.refreshToken] { #expect(seen.insert(try jti(token)).inserted) }
        for _ in 0..<1000 {
            grant = try await engine.rotate(grant.refreshToken)
            for token in [grant.accessToken, grant.refreshToken] { #expect(seen.insert(try jti(token)).inserted) }
        }
        for _ in 0..<5 {
            let other = try await engine.loginUser("chain@example.com")
            for token in [other.accessToken, other.refreshToken] { #expect(seen.insert(try jti(token)).inserted) }
        }
        #expect(seen.count == 2 * 1006)
        _ = try await engine.me(accessToken: grant.accessToken)
    }

    @Test func theGraceReturnsTheCurrentPairByteForByte() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.refreshReuseIntervalSeconds = 10 }, clock: clock)
        try await engine.registerUser("tabs@example.com")
        let g0 = try await engine.loginUser("tabs@example.com")
        clock.advance(seconds: 1)
        let g1 = try await engine.rotate(g0.refreshToken)
        clock.advance(seconds: 3)
        let again = try await engine.rotate(g0.refreshToken)
        #expect(Array(again.accessToken.utf8) == Array(g1.accessToken.utf8))
        #expect(Array(again.refreshToken.utf8) == Array(g1.refreshToken.utf8))
        #expect(try jti(again.accessToken) != jti(again.refreshToken))
    }

    @Test func theAccessIDIsAKeyedFunctionOfTheRefreshID() {
        let link = TokenID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
        let one = AccessTokenIDs(accessSecret: Array(repeating: 0x41, count: 32))
        let same = AccessTokenIDs(accessSecret: Array(repeating: 0x41, count: 32))
        let otherKey = AccessTokenIDs(accessSecret: Array(repeating: 0x42, count: 32))
        #expect(one.id(for: link) == same.id(for: link))          // re-creatable from the link alone
        #expect(one.id(for: link) != link)
        #expect(one.id(for: link) != otherKey.id(for: link))      // keyed: another secret, another id
        #expect(one.id(for: link) != one.id(for: TokenID(high: link.high, low: link.low ^ 1)))
    }

    @Test func theDerivationIsAESOfTheLinkUnderADerivedKey() {
        // A known answer, pinned so that a change of derivation (which would change every
        // re-issued pair) is deliberate. Computed outside Swift:
        //   key = HMAC-SHA256(0x41 * 32, "authd/v1/access-token-jti")[:16] = 3d7e07dc26cf33bafcd595bda10a61e9
        //   openssl enc -aes-128-ecb -K <key> -nopad  <<< 0102030405060708090a0b0c0d0e0f10
        let key = HMACSigner(key: Array(repeating: 0x41, count: 32)).authenticate(Array("authd/v1/access-token-jti".utf8))
        #expect(key.prefix(16).map { String(format: "%02x", $0) }.joined() == "3d7e07dc26cf33bafcd595bda10a61e9")
        let link = TokenID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
        #expect(AccessTokenIDs(accessSecret: Array(repeating: 0x41, count: 32)).id(for: link)
                    == TokenID(high: 0xBAA5_DEE9_F00A_7C8B, low: 0xC0CC_5C96_6BB7_4230))
    }

    @Test func distinctLinksNeverShareAnAccessID() {
        // A permutation: ten thousand consecutive links (the worst case for a weak function) map to ten thousand ids.
        let ids = AccessTokenIDs(accessSecret: Array(repeating: 0x41, count: 32))
        let derived = Set((0..<10_000).map { ids.id(for: TokenID(high: 0, low: UInt64($0))) })
        #expect(derived.count == 10_000)
    }
}

/// A shard's bulk source of refresh-chain ids.
@Suite struct TokenIDSourceTests {
    @Test func idsAreDistinctAndDrawnTwoHundredFiftySixAtATime() {
        var source = TokenIDSource()
        #expect(source.draws == 0)
        let ids = (0..<1_000).map { _ in source.next() }
        #expect(Set(ids).count == 1_000)
        #expect(source.draws == 4)  // ceil(1000 / 256)
        // Unpredictable bytes: about half of the 128,000 bits are set (5 sigma is about 900).
        let ones = ids.reduce(0) { $0 + $1.high.nonzeroBitCount + $1.low.nonzeroBitCount }
        #expect(abs(ones - 64_000) < 900)
    }

    @Test func twoSourcesNeverHandOutTheSameId() {
        var a = TokenIDSource()
        var b = TokenIDSource()
        let fromA = Set((0..<600).map { _ in a.next() })
        let fromB = Set((0..<600).map { _ in b.next() })
        #expect(fromA.isDisjoint(with: fromB))
    }
}
