import Foundation
import Testing
@testable import Engine

/// The rules of session retention as values, without an engine: when a session has ended,
/// when it may be purged, and what a bounded sweep step over a shard's state does.
@Suite struct SessionSweepTests {
    static let t0 = Timestamp(milliseconds: 1_790_000_000_000)
    /// Refresh tokens live 100 s (+ 2 s leeway); ended sessions are kept 50 s.
    static let lifetime = SessionLifetime(refreshTTLSeconds: 100, leewaySeconds: 2, retentionMilliseconds: 50_000)

    static func at(_ milliseconds: Int64) -> Timestamp { Timestamp(milliseconds: t0.milliseconds + milliseconds) }

    /// A state with one user and `count` sessions opened at t0 (iat = t0's second).
    static func state(sessions count: Int, user: UUID = UUID()) throws -> (ShardState, UUID, [UUID]) {
        var state = ShardState()
        try state.apply(.userRegistered(userID: user, name: "U", email: "\(user.lowercased)@example.com", passwordHash: "h", at: t0))
        var ids: [UUID] = []
        for _ in 0..<count {
            let id = UUID()
            try state.apply(.sessionOpened(userID: user, sessionID: id, at: t0, userAgent: nil, ipAddress: nil,
                                           tokenID: .random(), issuedAt: t0.seconds))
            ids.append(id)
        }
        return (state, user, ids)
    }

    // MARK: SessionLifetime

    @Test func anActiveSessionEndsWhenItsRefreshTokenExpiresPlusTheLeeway() throws {
        let (state, _, ids) = try Self.state(sessions: 1)
        let session = try #require(state.session(ids[0]))
        let end = (Self.t0.seconds + 102) * 1000
        #expect(Self.lifetime.endsAt(session) == end)
        #expect(Self.lifetime.isLive(session, at: Timestamp(milliseconds: end - 1)))
        #expect(Self.lifetime.status(of: session, at: Timestamp(milliseconds: end - 1)) == .active)
        #expect(!Self.lifetime.isLive(session, at: Timestamp(milliseconds: end)))
        #expect(Self.lifetime.status(of: session, at: Timestamp(milliseconds: end)) == .expired)
        #expect(!Self.lifetime.isPurgeable(session, at: Timestamp(milliseconds: end + 49_999)))
        #expect(Self.lifetime.isPurgeable(session, at: Timestamp(milliseconds: end + 50_000)))
    }

    @Test func aRevokedOrCompromisedSessionEndsWhenItWasEnded() throws {
        var (state, user, ids) = try Self.state(sessions: 2)
        try state.apply(.sessionRevoked(userID: user, sessionID: ids[0], at: Self.at(10_000), reason: .userLogout))
        try state.apply(.sessionCompromised(userID: user, sessionID: ids[1], at: Self.at(20_000), replayed: .random()))
        let revoked = try #require(state.session(ids[0]))
        let compromised = try #require(state.session(ids[1]))
        #expect(Self.lifetime.endsAt(revoked) == Self.at(10_000).milliseconds)
        #expect(Self.lifetime.status(of: revoked, at: Self.at(10_000)) == .revoked)
        #expect(!Self.lifetime.isLive(revoked, at: Self.at(10_000)))
        #expect(!Self.lifetime.isPurgeable(revoked, at: Self.at(59_999)))
        #expect(Self.lifetime.isPurgeable(revoked, at: Self.at(60_000)))
        #expect(Self.lifetime.status(of: compromised, at: Self.at(200_000)) == .compromised)
        #expect(!Self.lifetime.isPurgeable(compromised, at: Self.at(69_999)))
        #expect(Self.lifetime.isPurgeable(compromised, at: Self.at(70_000)))
    }

    @Test func zeroRetentionPurgesAsSoonAsASessionEnds() throws {
        var (state, user, ids) = try Self.state(sessions: 1)
        let now = SessionLifetime(refreshTTLSeconds: 100, leewaySeconds: 0, retentionMilliseconds: 0)
        #expect(!now.isPurgeable(try #require(state.session(ids[0])), at: Self.at(99_999)))
        try state.apply(.sessionRevoked(userID: user, sessionID: ids[0], at: Self.at(5), reason: .userRevoked))
        #expect(now.isPurgeable(try #require(state.session(ids[0])), at: Self.at(5)))
    }

    // MARK: The sessionsPurged record

    @Test func aPurgeRemovesTheSessionsFromTheTableAndTheUsersList() throws {
        var (state, user, ids) = try Self.state(sessions: 4)
        try state.apply(.sessionsPurged(userID: user, sessionIDs: [ids[2], ids[0]], at: Self.at(1)))
        #expect(state.session(ids[0]) == nil && state.session(ids[2]) == nil)
        #expect(state.user(user)?.sessionIDs == [ids[1], ids[3]])
        #expect(state.counts().active == 2)
    }

    @Test func aPurgeThatDoesNotFitChangesNothing() throws {
        let (original, user, ids) = try Self.state(sessions: 2)
        let (_, otherUser, otherIDs) = try Self.state(sessions: 1)   // a user of another shard
        var state = original
        #expect(throws: ShardState.ApplyError.unknownUser(otherUser)) {
            try state.apply(.sessionsPurged(userID: otherUser, sessionIDs: otherIDs, at: Self.at(1)))
        }
        let stranger = UUID()
        #expect(throws: ShardState.ApplyError.unknownSession(stranger)) {
            try state.apply(.sessionsPurged(userID: user, sessionIDs: [ids[0], stranger], at: Self.at(1)))
        }
        #expect(throws: ShardState.ApplyError.unknownSession(ids[1])) {
            try state.apply(.sessionsPurged(userID: user, sessionIDs: [ids[1], ids[1]], at: Self.at(1)))
        }
        #expect(state == original)
    }

    @Test func aPurgeOfAnotherUsersSessionIsRefused() throws {
        var (state, user, ids) = try Self.state(sessions: 1)
        let intruder = UUID()
        try state.apply(.userRegistered(userID: intruder, name: "I", email: "i@example.com", passwordHash: "h", at: Self.t0))
        let before = state
        #expect(throws: ShardState.ApplyError.unknownSession(ids[0])) {
            try state.apply(.sessionsPurged(userID: intruder, sessionIDs: ids, at: Self.at(1)))
        }
        #expect(state == before)
        #expect(state.user(user)?.sessionIDs == ids)
    }

    @Test func purgingMostSessionsGivesTheTablesMemoryBack() throws {
        var (state, user, ids) = try Self.state(sessions: 12_000)
        let before = (state.sessions.capacity, try #require(state.user(user)).sessionIDs.capacity)
        var start = 0
        while start < 11_900 {
            try state.apply(.sessionsPurged(userID: user, sessionIDs: Array(ids[start..<min(start + 256, 11_900)]), at: Self.at(1)))
            start += 256
        }
        #expect(state.sessions.count == 100 && state.user(user)?.sessionIDs == Array(ids[11_900...]))
        #expect(state.sessions.capacity <= before.0 / 4)
        #expect(try #require(state.user(user)).sessionIDs.capacity < before.1 / 4)
        // A small table is left alone: no rebuild churn below the floor.
        var (small, smallUser, smallIDs) = try Self.state(sessions: 100)
        let smallCapacity = small.sessions.capacity
        try small.apply(.sessionsPurged(userID: smallUser, sessionIDs: Array(smallIDs.prefix(99)), at: Self.at(1)))
        #expect(small.sessions.capacity == smallCapacity)
    }

    @Test func thePurgeRecordRoundTripsAndADamagedCountIsRefused() throws {
        let record = EngineRecord.sessionsPurged(userID: UUID(), sessionIDs: [UUID(), UUID(), UUID()], at: Self.at(7))
        let bytes = record.encoded()
        #expect(try EngineRecord(decoding: bytes) == record)
        #expect(record.summary.hasPrefix("sessions.purged user="))
        for cut in 0..<bytes.count {
            #expect(throws: EngineDecodingError.self) { try EngineRecord(decoding: Array(bytes.prefix(cut))) }
        }
        // A count far larger than the bytes that follow: refused before anything is reserved.
        var huge = bytes
        let countAt = 2 + 16 + 8
        for i in 0..<4 { huge[countAt + i] = 0xFF }
        #expect(throws: EngineDecodingError.truncated(offset: countAt)) { try EngineRecord(decoding: huge) }
    }

    // MARK: SessionSweep

    /// Runs steps of `budget` until the pass is over, applying each step's records as the shard
    /// does; returns every step.
    static func pass(_ sweep: inout SessionSweep, over state: inout ShardState, now: Timestamp, budget: Int) throws -> [SessionSweep.Step] {
        var steps: [SessionSweep.Step] = []
        while true {
            let step = sweep.step(over: state, lifetime: lifetime, now: now, budget: budget)
            for record in step.records { try state.apply(record) }
            steps.append(step)
            if step.finished { return steps }
            if steps.count > 100_000 { Issue.record("the pass does not end"); return steps }
        }
    }

    @Test func aPassPurgesExactlyTheSessionsPastTheRetention() throws {
        var (state, user, ids) = try Self.state(sessions: 6)
        try state.apply(.sessionRevoked(userID: user, sessionID: ids[0], at: Self.at(1_000), reason: .userLogout))
        try state.apply(.sessionRevoked(userID: user, sessionID: ids[3], at: Self.at(30_000), reason: .userLogout))
        try state.apply(.sessionCompromised(userID: user, sessionID: ids[4], at: Self.at(2_000), replayed: .random()))
        var sweep = SessionSweep()
        // At +52 s: ids[0] and ids[4] ended more than 50 s ago; ids[3] only 22 s ago; the rest are live.
        let steps = try Self.pass(&sweep, over: &state, now: Self.at(52_000), budget: 1_000)
        #expect(steps.count == 1)
        #expect(steps[0].records == [.sessionsPurged(userID: user, sessionIDs: [ids[0], ids[4]], at: Self.at(52_000))])
        #expect(state.user(user)?.sessionIDs == [ids[1], ids[2], ids[3], ids[5]])
        // Nothing more to do at the same time; at +80 s ids[3] goes; after expiry + retention, all.
        #expect(try Self.pass(&sweep, over: &state, now: Self.at(52_000), budget: 1_000).allSatisfy { $0.records.isEmpty })
        _ = try Self.pass(&sweep, over: &state, now: Self.at(80_000), budget: 1_000)
        #expect(state.user(user)?.sessionIDs == [ids[1], ids[2], ids[5]])
        _ = try Self.pass(&sweep, over: &state, now: Self.at(151_999), budget: 1_000)
        #expect(state.sessions.count == 3)
        _ = try Self.pass(&sweep, over: &state, now: Self.at(152_000), budget: 1_000)
        #expect(state.sessions.isEmpty && state.user(user)?.sessionIDs == [])
    }

    @Test func everyStepStaysWithinItsBudgetEvenInsideOneLargeUser() throws {
        var (state, user, ids) = try Self.state(sessions: 700)
        for (i, id) in ids.enumerated() where i % 3 != 0 {
            try state.apply(.sessionRevoked(userID: user, sessionID: id, at: Self.t0, reason: .userRevokedAll))
        }
        var sweep = SessionSweep()
        let steps = try Self.pass(&sweep, over: &state, now: Self.at(60_000), budget: 64)
        #expect(steps.count > 700 / 64)
        #expect(steps.allSatisfy { $0.examined <= 64 && $0.records.allSatisfy { record in
            if case .sessionsPurged(_, let named, _) = record { named.count <= SessionSweep.sessionsPerRecord } else { false }
        } })
        // Across the steps, inside one user, every ended session was purged exactly once and every live one kept.
        #expect(steps.reduce(0) { $0 + $1.purged } == 466)
        #expect(state.user(user)?.sessionIDs == ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
    }

    @Test func recordsNameAtMostTheirLimitOfSessions() throws {
        var (state, user, ids) = try Self.state(sessions: 600)
        for id in ids { try state.apply(.sessionRevoked(userID: user, sessionID: id, at: Self.t0, reason: .userRevokedAll)) }
        var sweep = SessionSweep()
        let steps = try Self.pass(&sweep, over: &state, now: Self.at(60_000), budget: 10_000)
        let sizes = steps.flatMap(\.records).map { record -> Int in
            if case .sessionsPurged(_, let named, _) = record { named.count } else { -1 }
        }
        #expect(sizes == [256, 256, 88])
        #expect(state.sessions.isEmpty)
    }

    @Test func aPassVisitsEveryUserWithAStepBudgetSmallerThanTheShard() throws {
        var state = ShardState()
        var ended: [UUID] = []
        for u in 0..<50 {
            let user = UUID()
            try state.apply(.userRegistered(userID: user, name: "U", email: "u\(u)@example.com", passwordHash: "h", at: Self.t0))
            for s in 0..<3 {
                let id = UUID()
                try state.apply(.sessionOpened(userID: user, sessionID: id, at: Self.t0, userAgent: nil, ipAddress: nil,
                                               tokenID: .random(), issuedAt: Self.t0.seconds))
                if s != 1 {
                    try state.apply(.sessionRevoked(userID: user, sessionID: id, at: Self.t0, reason: .userRevoked))
                    ended.append(id)
                }
            }
        }
        var sweep = SessionSweep()
        let steps = try Self.pass(&sweep, over: &state, now: Self.at(50_000), budget: 7)
        #expect(steps.allSatisfy { $0.examined <= 7 })
        #expect(steps.reduce(0) { $0 + $1.purged } == 100)
        #expect(state.sessions.count == 50 && ended.allSatisfy { state.session($0) == nil })
        // The next pass starts again from the first user and finds nothing left.
        #expect(try Self.pass(&sweep, over: &state, now: Self.at(50_000), budget: 7).allSatisfy { $0.records.isEmpty })
    }
}
