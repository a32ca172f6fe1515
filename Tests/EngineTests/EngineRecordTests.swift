import Foundation
import Testing
@testable import Engine

@Suite struct EngineRecordTests {
    static let user = UUID()
    static let session = UUID()
    static let records: [EngineRecord] = [
        .userRegistered(userID: user, name: "Zoë ✓", email: "z@example.com", passwordHash: "$argon2id$v=19$m=64,t=1,p=1$x$y", at: Timestamp(milliseconds: 42)),
        .passwordRehashed(userID: user, passwordHash: "$argon2id$new"),
        .sessionOpened(userID: user, sessionID: session, at: Timestamp(milliseconds: 43), userAgent: nil, ipAddress: "::1", tokenID: TokenID(high: 9, low: 10), issuedAt: 1),
        .sessionRotated(userID: user, sessionID: session, parent: TokenID(high: 9, low: 10), child: TokenID(high: 11, low: 12), issuedAt: 2, at: Timestamp(milliseconds: -5), ipAddress: nil),
        .sessionRevoked(userID: user, sessionID: session, at: Timestamp(milliseconds: 44), reason: .userLogout),
        .sessionCompromised(userID: user, sessionID: session, at: Timestamp(milliseconds: 45), replayed: TokenID(high: 9, low: 10)),
        .signingKeyCreated(SigningKey.generate(.edDSA, at: Timestamp(milliseconds: 46), activatesAt: Timestamp(milliseconds: 300_046))),
        .signingKeyCreated(SigningKey.generate(.es256, at: Timestamp(milliseconds: 47), activatesAt: Timestamp(milliseconds: 47))),
        .signingKeyDropped(kid: "abcdefghijklmnop", at: Timestamp(milliseconds: 48)),
    ]

    @Test(arguments: records) func roundTrip(_ record: EngineRecord) throws {
        #expect(try EngineRecord(decoding: record.encoded()) == record)
    }

    @Test func damagedBytesThrowInsteadOfTrapping() {
        let bytes = Self.records[2].encoded()
        for cut in 0..<bytes.count {
            #expect(throws: EngineDecodingError.self) { try EngineRecord(decoding: Array(bytes.prefix(cut))) }
        }
        #expect(throws: EngineDecodingError.unsupportedVersion(9)) { try EngineRecord(decoding: [9, 1]) }
        #expect(throws: EngineDecodingError.invalidTag(offset: 1)) { try EngineRecord(decoding: [1, 99]) }
        #expect(throws: EngineDecodingError.trailingBytes(offset: bytes.count)) { try EngineRecord(decoding: bytes + [0]) }
    }

    @Test func applyRejectsRecordsThatDoNotFit() throws {
        var state = ShardState()
        #expect(throws: ShardState.ApplyError.unknownUser(Self.user)) { try state.apply(Self.records[1]) }
        try state.apply(Self.records[0])
        #expect(throws: ShardState.ApplyError.duplicateUser(Self.user)) { try state.apply(Self.records[0]) }
        #expect(throws: ShardState.ApplyError.unknownSession(Self.session)) { try state.apply(Self.records[3]) }
        for record in Self.records.dropFirst() where !record.isSigningKeyRecord { try state.apply(record) }
        let session = try #require(state.session(Self.session))
        #expect(session.status == .compromised)   // a replay after a revocation is still recorded
        #expect(session.revokedAt == Timestamp(milliseconds: 44))   // ...but the session ended at its revocation
        #expect(session.chain.current == TokenID(high: 11, low: 12))
        #expect(session.chain.parent == TokenID(high: 9, low: 10))
    }
}

@Suite struct ValidationTests {
    @Test func emails() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "x_y@d-1.io"] { #expect(Validation.isValidEmail(good), "\(good)") }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.co", ".a@b.co", "a..b@c.co", "a@-b.co", "a@b.c", "a@b.c0"] {
            #expect(!Validation.isValidEmail(bad), "\(bad)")
        }
    }

    @Test func passwordBounds() throws {
        #expect(throws: AuthError.self) { try Validation.registration(name: .value("Al"), email: .value("a@b.co"), password: .value("1234567")) }
        _ = try Validation.registration(name: .value("Al"), email: .value("a@b.co"), password: .value("12345678"))
        _ = try Validation.registration(name: .value("Al"), email: .value("a@b.co"), password: .value(String(repeating: "p", count: 128)))
        #expect(throws: AuthError.self) { try Validation.registration(name: .value("Al"), email: .value("a@b.co"), password: .value(String(repeating: "p", count: 129))) }
    }

    @Test func missingAndWrongTypes() {
        #expect(throws: AuthError.invalidPayload([FieldIssue(path: "email", message: "Required"), FieldIssue(path: "password", message: "Expected string")])) {
            try Validation.credentials(email: .missing, password: .notString)
        }
    }
}

@Suite struct TimestampTests {
    @Test func iso8601() {
        #expect(Timestamp(milliseconds: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_795_790_096_789).iso8601 == "2026-11-27T14:34:56.789Z")
        #expect(Timestamp(milliseconds: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp(milliseconds: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }
}
