import Foundation
import Testing
@testable import Engine

/// Inputs the snapshot fuzz target (Fuzz/Sources/FuzzSnapshot) found to exhaust memory, kept as
/// regression tests (docs/reliability.md lists the findings).
@Suite struct FuzzFindingTests {
    /// A snapshot payload of one part whose counts are `users` and `sessions` (then `tail`).
    private func payload(users: UInt32, sessions: UInt32, tail: [UInt8]) -> [UInt8] {
        var part = BinaryWriter()
        part.write(UInt64(7))   // the part's LSN
        part.write(users)
        part.write(sessions)
        part.bytes += tail
        var w = BinaryWriter()
        w.write(EngineSnapshot.formatVersion)
        w.write(UInt32(1))
        w.write(UInt64(part.bytes.count))
        w.bytes += part.bytes
        return w.bytes
    }

    /// 4 Gi users and sessions claimed by a 40-byte part: decoding used to reserve room for all
    /// of them first (tens of GiB) and die out of memory.
    @Test func countsThePartCannotHoldAreRefusedBeforeAnyReservation() {
        for (users, sessions) in [(UInt32.max, UInt32(0)), (UInt32(0), UInt32.max), (UInt32.max, UInt32.max)] {
            #expect(throws: EngineDecodingError.self) {
                try EngineSnapshot(decoding: payload(users: users, sessions: sessions, tail: Array(repeating: 0, count: 24)))
            }
        }
    }

    /// One user whose own session count is 4 Gi: the same, one level down.
    @Test func aUsersSessionCountItCannotHoldIsRefused() {
        var user = BinaryWriter()
        user.write(UUID())
        user.write("Name"); user.write("a@example.com"); user.write("$argon2id$x")
        user.write(Timestamp(milliseconds: 0))
        user.write(UInt32.max)
        #expect(throws: EngineDecodingError.self) {
            try EngineSnapshot(decoding: payload(users: 1, sessions: 0, tail: user.bytes))
        }
    }
}
