import Testing
@testable import Replication

@Suite struct DivergenceResolverTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var leaderTerms: TermHistory
        var leaderEnd: UInt64
        var leaderTerm: UInt64
        var oldestRetained: UInt64 = 1
        var followerTerms: TermHistory
        var followerEnd: UInt64
        var expected: DivergenceResolver.Decision
        var expectedCommon: UInt64?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "fresh follower (empty log)",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 80, leaderTerm: 2,
            followerTerms: TermHistory(), followerEnd: 0,
            expected: .stream(from: 1), expectedCommon: 0),
        Case(
            name: "fresh follower, leader log starting with its term record",
            leaderTerms: history((1, 1)), leaderEnd: 5, leaderTerm: 1,
            followerTerms: TermHistory(), followerEnd: 0,
            expected: .stream(from: 1), expectedCommon: 0),
        Case(
            name: "follower behind in the same term",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 80, leaderTerm: 2,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 50,
            expected: .stream(from: 51), expectedCommon: 50),
        Case(
            name: "follower behind by whole terms",
            leaderTerms: history((0, 1), (2, 10), (3, 60), (5, 70)), leaderEnd: 80, leaderTerm: 5,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 40,
            expected: .stream(from: 41), expectedCommon: 40),
        Case(
            name: "follower up to date",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 80, leaderTerm: 2,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 80,
            expected: .stream(from: 81), expectedCommon: 80),
        Case(
            name: "two single-node logs without term records (CRC decides later)",
            leaderTerms: TermHistory(), leaderEnd: 30, leaderTerm: 0,
            followerTerms: TermHistory(), followerEnd: 20,
            expected: .stream(from: 21), expectedCommon: 20),
        Case(
            name: "follower was leader in a term the leader never saw",
            leaderTerms: history((0, 1), (2, 10), (4, 61)), leaderEnd: 90, leaderTerm: 4,
            followerTerms: history((0, 1), (2, 10), (3, 60)), followerEnd: 70,
            expected: .truncate(to: 59), expectedCommon: 59),
        Case(
            name: "former leader with an unacknowledged tail after a newer term began",
            leaderTerms: history((0, 1), (2, 10), (3, 61)), leaderEnd: 100, leaderTerm: 3,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 70,
            expected: .truncate(to: 60), expectedCommon: 60),
        Case(
            name: "follower holds frames the leader lost in the same term",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 60, leaderTerm: 2,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 80,
            expected: .truncate(to: 60), expectedCommon: 60),
        Case(
            name: "follower's own term started at the same LSN as the leader's newer term",
            leaderTerms: history((0, 1), (2, 10), (4, 30)), leaderEnd: 50, leaderTerm: 4,
            followerTerms: history((0, 1), (2, 10), (3, 30)), followerEnd: 35,
            expected: .truncate(to: 29), expectedCommon: 29),
        Case(
            name: "a shared term number at a different LSN does not match",
            leaderTerms: history((0, 1), (2, 10), (3, 40)), leaderEnd: 50, leaderTerm: 3,
            followerTerms: history((0, 1), (2, 10), (3, 45)), followerEnd: 48,
            expected: .truncate(to: 39), expectedCommon: 39),
        Case(
            name: "follower ahead in term",
            leaderTerms: history((0, 1), (4, 10)), leaderEnd: 80, leaderTerm: 4,
            followerTerms: history((0, 1), (4, 10), (5, 30)), followerEnd: 40,
            expected: .refuse(.followerAhead), expectedCommon: 29),
        Case(
            name: "follower ahead in term with an empty log history",
            leaderTerms: TermHistory(), leaderEnd: 0, leaderTerm: 0,
            followerTerms: history((1, 1)), followerEnd: 3,
            expected: .refuse(.followerAhead), expectedCommon: nil),
        Case(
            name: "two unrelated logs",
            leaderTerms: history((9, 1)), leaderEnd: 30, leaderTerm: 9,
            followerTerms: history((7, 1)), followerEnd: 20,
            expected: .refuse(.unrelatedLog), expectedCommon: nil),
        Case(
            name: "unrelated logs, one of them with term-0 history",
            leaderTerms: history((3, 1)), leaderEnd: 30, leaderTerm: 3,
            followerTerms: TermHistory(), followerEnd: 20,
            expected: .refuse(.unrelatedLog), expectedCommon: nil),
        Case(
            name: "follower older than retention",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 5000, leaderTerm: 2, oldestRetained: 1000,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 500,
            expected: .snapshot, expectedCommon: 500),
        Case(
            name: "fresh follower when the leader no longer has LSN 1",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 5000, leaderTerm: 2, oldestRetained: 1000,
            followerTerms: TermHistory(), followerEnd: 0,
            expected: .snapshot, expectedCommon: 0),
        Case(
            name: "follower exactly at the retention boundary streams",
            leaderTerms: history((0, 1), (2, 10)), leaderEnd: 5000, leaderTerm: 2, oldestRetained: 1000,
            followerTerms: history((0, 1), (2, 10)), followerEnd: 999,
            expected: .stream(from: 1000), expectedCommon: 999),
        Case(
            name: "divergent follower whose common point is below retention",
            leaderTerms: history((0, 1), (2, 10), (4, 61)), leaderEnd: 5000, leaderTerm: 4, oldestRetained: 1000,
            followerTerms: history((0, 1), (2, 10), (3, 60)), followerEnd: 70,
            expected: .snapshot, expectedCommon: 59),
    ]

    @Test(arguments: cases)
    func decision(_ c: Case) {
        let leader = DivergenceResolver.LeaderLog(
            terms: c.leaderTerms, logEnd: c.leaderEnd, currentTerm: c.leaderTerm, oldestRetainedLSN: c.oldestRetained)
        let follower = LogPosition(durableLSN: c.followerEnd, lastCRC: 0, terms: c.followerTerms)
        #expect(DivergenceResolver.resolve(leader: leader, follower: follower) == c.expected)
        #expect(DivergenceResolver.commonPoint(leader: leader, follower: follower) == c.expectedCommon)
    }

    /// The rule agrees with a brute-force model: give every LSN of two logs the term it was
    /// written in; the logs share exactly the LSNs up to the last one where the (term, first LSN
    /// of that term) pairs agree, and the resolver must cut or stream to precisely there.
    @Test func agreesWithAPerLSNModelOnRandomHistories() {
        var rng = SeededGenerator(seed: 2024)
        for _ in 0..<2000 {
            // A shared prefix of terms, then each side continues with terms of its own.
            var shared: [(UInt64, UInt64)] = [(0, 1)]
            var term: UInt64 = 0, lsn: UInt64 = 1
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                term += UInt64.random(in: 1...3, using: &rng)
                lsn += UInt64.random(in: 1...20, using: &rng)
                shared.append((term, lsn))
            }
            let sharedEnd = lsn + UInt64.random(in: 0...20, using: &rng)
            // After the shared part the two logs had different leaders: the leader's own terms
            // are at even distances from the last shared term, the follower's at odd ones (a term
            // has one leader, so two logs holding the same term at the same LSN share all before).
            func extend(_ start: [(UInt64, UInt64)], offset: UInt64, _ rng: inout SeededGenerator) -> ([(UInt64, UInt64)], UInt64) {
                var entries = start, t = term + offset, l = sharedEnd
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    t += 2 * UInt64.random(in: 1...2, using: &rng)
                    l += UInt64.random(in: 1...15, using: &rng)
                    entries.append((t, l))
                }
                return (entries, l + UInt64.random(in: 0...15, using: &rng))
            }
            let (leaderEntries, leaderEnd) = extend(shared, offset: 0, &rng)
            let (followerEntries, followerEnd0) = extend(shared, offset: 1, &rng)
            // Sometimes the follower stopped before the end of the shared part.
            let followerEnd = followerEntries.count == shared.count && Bool.random(using: &rng)
                ? UInt64.random(in: (shared.last!.1)...sharedEnd, using: &rng) : followerEnd0
            let leaderTerms = try! TermHistory(entries: leaderEntries.map { .init(term: $0.0, firstLSN: $0.1) })
            let followerTerms = try! TermHistory(entries: followerEntries.map { .init(term: $0.0, firstLSN: $0.1) })
            let leader = DivergenceResolver.LeaderLog(
                terms: leaderTerms, logEnd: leaderEnd, currentTerm: max(leaderTerms.lastTerm, followerTerms.lastTerm),
                oldestRetainedLSN: 1)
            let follower = LogPosition(durableLSN: followerEnd, lastCRC: 0, terms: followerTerms)

            // Model: LSN i is the same record in both logs when both have it and it was written
            // in the same term starting at the same LSN (one leader per term).
            func origin(_ terms: TermHistory, _ i: UInt64) -> TermHistory.Entry {
                terms.entries.last { $0.firstLSN <= i }!
            }
            var common: UInt64 = 0
            var i: UInt64 = 1
            while i <= min(leaderEnd, followerEnd), origin(leaderTerms, i) == origin(followerTerms, i) {
                common = i
                i += 1
            }
            let expected: DivergenceResolver.Decision = common == followerEnd ? .stream(from: common + 1) : .truncate(to: common)
            #expect(DivergenceResolver.resolve(leader: leader, follower: follower) == expected,
                    "leader \(leaderTerms) end \(leaderEnd), follower \(followerTerms) end \(followerEnd)")
        }
    }
}
