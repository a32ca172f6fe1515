import Foundation
import Testing
@testable import Engine

@Suite struct EngineSnapshotTests {
    /// Two parts with users, sessions in every status, and a rotated chain.
    private func sample() throws -> EngineSnapshot {
        var a = ShardState(), b = ShardState()
        let u1 = UUID(), u2 = UUID(), s1 = UUID(), s2 = UUID()
        try a.apply(.userRegistered(userID: u1, name: "Ann", email: "ann@example.com", passwordHash: "$argon2id$x", at: Timestamp(milliseconds: 1)))
        try a.apply(.sessionOpened(userID: u1, sessionID: s1, at: Timestamp(milliseconds: 2), userAgent: "ua", ipAddress: nil, tokenID: TokenID(high: 1, low: 2), issuedAt: 3))
        try a.apply(.sessionRotated(userID: u1, sessionID: s1, parent: TokenID(high: 1, low: 2), child: TokenID(high: 3, low: 4), issuedAt: 5, at: Timestamp(milliseconds: 6), ipAddress: "::1"))
        try b.apply(.userRegistered(userID: u2, name: "Bob", email: "bob@example.com", passwordHash: "$argon2id$y", at: Timestamp(milliseconds: 7)))
        try b.apply(.sessionOpened(userID: u2, sessionID: s2, at: Timestamp(milliseconds: 8), userAgent: nil, ipAddress: "10.0.0.1", tokenID: TokenID(high: 5, low: 6), issuedAt: 9))
        try b.apply(.sessionRevoked(userID: u2, sessionID: s2, at: Timestamp(milliseconds: 10), reason: .userLogout))
        return EngineSnapshot(parts: [.init(state: a, lsn: 3), .init(state: b, lsn: 6)])
    }

    @Test func roundTripKeepsEveryPartAndItsLSN() throws {
        let snapshot = try sample()
        let decoded = try EngineSnapshot(decoding: snapshot.encoded())
        #expect(decoded.parts.map(\.lsn) == [3, 6])
        #expect(decoded.parts.map(\.state) == snapshot.parts.map(\.state))
        #expect(decoded.coveredLSN == 3 && decoded.newestLSN == 6)
    }

    @Test func damagedPayloadsThrowInsteadOfTrapping() throws {
        let bytes = try sample().encoded()
        for cut in stride(from: 0, to: bytes.count, by: 3) {
            #expect(throws: EngineDecodingError.self) { try EngineSnapshot(decoding: Array(bytes.prefix(cut))) }
        }
        var wrongVersion = bytes
        wrongVersion[0] = 9
        #expect(throws: EngineDecodingError.unsupportedVersion(9)) { try EngineSnapshot(decoding: wrongVersion) }
        #expect(throws: EngineDecodingError.self) { try EngineSnapshot(decoding: bytes + [0]) }
    }

    @Test func redistributionMovesUsersWithTheirSessions() throws {
        let states = try sample().redistributed(into: 3)
        #expect(states.reduce(0) { $0 + $1.users.count } == 2)
        for state in states {
            for session in state.sessions.values { #expect(state.user(session.userID) != nil) }
        }
    }
}
