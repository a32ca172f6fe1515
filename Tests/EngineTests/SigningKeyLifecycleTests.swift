import Foundation
import Testing
@testable import Engine

/// The key lifecycle as pure functions of keys and time: no I/O, no engine.
@Suite struct SigningKeyLifecycleTests {
    static let delay: Int64 = 300_000, overlap: Int64 = 900_000
    private func key(_ kid: String, _ algorithm: SigningAlgorithm = .edDSA, created: Int64, activates: Int64) -> SigningKey {
        SigningKey(kid: kid, algorithm: algorithm, privateKey: [], publicKey: [], createdAt: Timestamp(milliseconds: created),
                   activatesAt: Timestamp(milliseconds: activates))
    }
    private func phases(_ keys: [SigningKey], at now: Int64) -> [String: SigningKeyPhase] {
        Dictionary(uniqueKeysWithValues: SigningKeyLifecycle.statuses(keys, algorithm: .edDSA, at: Timestamp(milliseconds: now), overlap: Self.overlap)
            .map { ($0.key.kid, $0.phase) })
    }

    @Test func aKeyGoesFromNextToActiveToRetiredToExpired() {
        let a = key("a", created: 0, activates: 0)
        let b = key("b", created: 1_000_000, activates: 1_000_000 + Self.delay)
        let keys = [a, b]
        #expect(phases([a], at: 5) == ["a": .active])
        #expect(phases(keys, at: 1_000_000) == ["a": .active, "b": .next])
        #expect(phases(keys, at: 1_299_999) == ["a": .active, "b": .next])
        #expect(phases(keys, at: 1_300_000) == ["a": .retired, "b": .active])
        #expect(phases(keys, at: 1_300_000 + Self.overlap - 1) == ["a": .retired, "b": .active])
        #expect(phases(keys, at: 1_300_000 + Self.overlap) == ["a": .expired, "b": .active])
        let retired = SigningKeyLifecycle.statuses(keys, algorithm: .edDSA, at: Timestamp(milliseconds: 1_400_000), overlap: Self.overlap)
        #expect(retired.first { $0.key.kid == "a" }?.retiredAt == Timestamp(milliseconds: 1_300_000))
        // Published: next, active, retired; never expired.
        let published = { (now: Int64) in
            SigningKeyLifecycle.published(keys, algorithm: .edDSA, at: Timestamp(milliseconds: now), overlap: Self.overlap).map(\.key.kid)
        }
        #expect(published(1_000_000) == ["a", "b"])
        #expect(published(1_300_000 + Self.overlap) == ["b"])
    }

    @Test func keysOfAnotherAlgorithmAreExpired() {
        let keys = [key("ec", .es256, created: 0, activates: 0), key("ed", created: 10, activates: 10)]
        #expect(phases(keys, at: 20) == ["ec": .expired, "ed": .active])
        #expect(SigningKeyLifecycle.needsKey([key("ec", .es256, created: 0, activates: 0)], algorithm: .edDSA, at: Timestamp(milliseconds: 5)))
        #expect(!SigningKeyLifecycle.needsKey(keys, algorithm: .edDSA, at: Timestamp(milliseconds: 5)))
    }

    @Test func rotationPublishesBeforeItSignsAndDropsWhatExpired() {
        let now = Timestamp(milliseconds: 10_000_000)
        // No key: the first one signs at once.
        #expect(SigningKeyLifecycle.plan([], algorithm: .edDSA, at: now, publishDelay: Self.delay, overlap: Self.overlap)
                == .rotate(drop: [], activatesAt: now))
        let old = key("old", created: 0, activates: 0), current = key("cur", created: 100, activates: 200)
        let other = key("ec", .es256, created: 0, activates: 0)
        #expect(SigningKeyLifecycle.plan([old, current, other], algorithm: .edDSA, at: now, publishDelay: Self.delay, overlap: Self.overlap)
                == .rotate(drop: ["old", "ec"], activatesAt: Timestamp(milliseconds: now.milliseconds + Self.delay)))
        // A key already waiting to sign: a second rotation would skip it.
        let waiting = key("next", created: now.milliseconds - 1, activates: now.milliseconds + 5)
        #expect(SigningKeyLifecycle.plan([current, waiting], algorithm: .edDSA, at: now, publishDelay: Self.delay, overlap: Self.overlap)
                == .pending(kid: "next", activatesAt: waiting.activatesAt))
        let records = SigningKeyLifecycle.records(dropping: ["old"], creating: waiting, at: now)
        #expect(records == [.signingKeyDropped(kid: "old", at: now), .signingKeyCreated(waiting)])
    }

    @Test func automaticRotationIsDueOneIntervalAfterActivation() {
        let interval: Int64 = 86_400_000
        let a = key("a", created: 0, activates: 1_000)
        #expect(!SigningKeyLifecycle.rotationDue([a], algorithm: .edDSA, at: Timestamp(milliseconds: interval + 999), interval: interval))
        #expect(SigningKeyLifecycle.rotationDue([a], algorithm: .edDSA, at: Timestamp(milliseconds: interval + 1_000), interval: interval))
        #expect(!SigningKeyLifecycle.rotationDue([a], algorithm: .edDSA, at: Timestamp(milliseconds: 10 * interval), interval: 0))
        let b = key("b", created: interval + 1_000, activates: interval + 301_000)
        #expect(!SigningKeyLifecycle.rotationDue([a, b], algorithm: .edDSA, at: Timestamp(milliseconds: interval + 2_000), interval: interval))
        #expect(!SigningKeyLifecycle.rotationDue([a, b], algorithm: .edDSA, at: Timestamp(milliseconds: interval + 301_000), interval: interval))
    }

    @Test func stateAppliesKeyRecords() throws {
        var state = ShardState()
        let a = SigningKey.generate(.edDSA, at: Timestamp(milliseconds: 0), activatesAt: Timestamp(milliseconds: 0))
        try state.apply(.signingKeyCreated(a))
        #expect(throws: ShardState.ApplyError.duplicateSigningKey(a.kid)) { try state.apply(.signingKeyCreated(a)) }
        #expect(throws: ShardState.ApplyError.unknownSigningKey("zz")) { try state.apply(.signingKeyDropped(kid: "zz", at: Timestamp(milliseconds: 1))) }
        try state.apply(.signingKeyDropped(kid: a.kid, at: Timestamp(milliseconds: 1)))
        #expect(state.signingKeys.isEmpty)
    }

    @Test func snapshotsCarryKeysAndOlderSnapshotsStillLoad() throws {
        var owner = ShardState()
        let a = SigningKey.generate(.es256, at: Timestamp(milliseconds: 0), activatesAt: Timestamp(milliseconds: 0))
        try owner.apply(.signingKeyCreated(a))
        let snapshot = EngineSnapshot(parts: [EngineSnapshot.Part(state: owner, lsn: 7), EngineSnapshot.Part(state: ShardState(), lsn: 7)])
        let decoded = try EngineSnapshot(decoding: snapshot.encoded())
        #expect(decoded.parts[0].state.signingKeys == [a])
        // Another shard count: the keys go to the owner shard of that count.
        let states = try decoded.redistributed(into: 5)
        #expect(states[0].signingKeys == [a] && states[1...].allSatisfy { $0.signingKeys.isEmpty })
        // A version-1 payload (no key section) decodes with no keys.
        var v1 = EngineSnapshot(parts: [EngineSnapshot.Part(state: ShardState(), lsn: 3)]).encoded()
        v1[0] = 1
        v1.removeLast(4)
        v1.replaceSubrange(5..<13, with: withUnsafeBytes(of: UInt64(v1.count - 13).littleEndian, Array.init))
        #expect(try EngineSnapshot(decoding: v1).parts[0].state.signingKeys.isEmpty)
        // Key bytes that do not make the key they claim are refused.
        var bad = owner
        var forged = SigningKey.generate(.edDSA, at: Timestamp(milliseconds: 0), activatesAt: Timestamp(milliseconds: 0))
        forged.publicKey[0] ^= 1
        bad = ShardState()
        try bad.apply(.signingKeyCreated(forged))
        #expect(throws: EngineDecodingError.self) { try EngineSnapshot(decoding: EngineSnapshot(parts: [EngineSnapshot.Part(state: bad, lsn: 1)]).encoded()) }
    }
}
