import Testing
@testable import Etcd

/// Transactions against a real etcd: the leader-key race, writes guarded by the leader key,
/// resigning only while still the holder, and the general form.
@Suite(.timeLimit(.minutes(2))) struct TransactionTests {
    @Test func createIfAbsentRaceHasExactlyOneWinner() async throws {
        let url = try await SharedEtcd.url
        let key = uniquePrefix() + "leader"
        let outcomes = try await withThrowingTaskGroup(of: (Int, Int64, EtcdCreateOutcome).self) { group in
            for node in 0..<2 {
                group.addTask {
                    try await withClient([url]) { client in
                        let lease = try await client.grantLease(ttlSeconds: 30)
                        let outcome = try await client.createIfAbsent(key, value: Array("node\(node)".utf8), lease: lease.id)
                        return (node, lease.id, outcome)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { node, lease, outcome -> (Int, Int64, Int64)? in
            if case let .created(revision) = outcome { return (node, lease, revision) }
            return nil
        }
        try #require(winners.count == 1)
        let (winner, winnerLease, term) = winners[0]
        for (_, _, outcome) in outcomes {
            guard case let .held(holder) = outcome else { continue }
            #expect(holder.valueString == "node\(winner)")
            #expect(holder.lease == winnerLease && holder.createRevision == term)
        }
        let stored = try await withClient { try await $0.get(key) }
        #expect(stored?.createRevision == term)
    }

    @Test func guardedPutFailsOnceTheGuardKeyIsGoneOrChanged() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            let leader = prefix + "leader", sync = prefix + "sync"
            guard case let .created(revision) = try await client.createIfAbsent(leader, value: [1]) else {
                Issue.record("fresh key held")
                return
            }
            #expect(try await client.put(sync, value: Array("a".utf8), ifModRevisionOf: leader, equals: revision))
            #expect(try await client.get(sync)?.valueString == "a")
            try await client.put(leader, value: [2])  // changed: mod revision moved on
            #expect(!(try await client.put(sync, value: Array("b".utf8), ifModRevisionOf: leader, equals: revision)))
            let changed = try #require(try await client.get(leader)).modRevision
            try await client.delete(leader)  // gone
            #expect(!(try await client.put(sync, value: Array("c".utf8), ifModRevisionOf: leader, equals: changed)))
            #expect(try await client.get(sync)?.valueString == "a")
        }
    }

    @Test func resignDeletesOnlyWhileStillOurs() async throws {
        try await withClient { client in
            let leader = uniquePrefix() + "leader"
            try await client.put(leader, value: Array("me".utf8))
            let mine = try #require(try await client.get(leader)).modRevision
            try await client.put(leader, value: Array("someone else".utf8))
            #expect(!(try await client.delete(leader, ifModRevision: mine)))
            #expect(try await client.get(leader)?.valueString == "someone else")
            let theirs = try #require(try await client.get(leader)).modRevision
            #expect(try await client.delete(leader, ifModRevision: theirs))
            #expect(try await client.get(leader) == nil)
        }
    }

    @Test func generalTransactionRunsTheBranchItsComparesChoose() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            try await client.put(prefix + "v", value: Array("one".utf8))
            try await client.put(prefix + "x", value: [1])
            let result = try await client.transaction(
                EtcdTransaction(
                    compares: [.value(of: prefix + "v", .equal, Array("one".utf8)), .version(of: prefix + "v", .greater, 0)],
                    success: [.put(key: prefix + "w", value: [2], lease: nil), .getPrefix(prefix), .delete(key: prefix + "x")],
                    failure: [.get(key: prefix + "v")]))
            #expect(result.succeeded)
            #expect(result.responses.count == 3)
            #expect(result.responses.first == .put)
            if case let .range(range) = result.responses[1] {
                #expect(range.keyValues.map(\.key) == [prefix + "v", prefix + "w", prefix + "x"])
            } else {
                Issue.record("expected a range, got \(result.responses[1])")
            }
            if case let .delete(deletion) = result.responses[2] { #expect(deletion.deleted == 1) }
            #expect(try await client.get(prefix + "w")?.modRevision == result.revision)

            let failed = try await client.transaction(
                EtcdTransaction(
                    compares: [.value(of: prefix + "absent", .notEqual, [0])],  // false on an absent key
                    success: [.deletePrefix(prefix)],
                    failure: [.get(key: prefix + "v")]))
            #expect(!failed.succeeded)
            if case let .range(range) = failed.responses.first {
                #expect(range.keyValues.first?.valueString == "one")
            } else {
                Issue.record("expected a range, got \(failed.responses)")
            }
            #expect(try await client.range(prefix: prefix).count == 2)
        }
    }
}
