import Testing
@testable import Etcd

/// Keys against a real etcd: round trips, revisions, prefixes, deletes.
@Suite(.timeLimit(.minutes(2))) struct KeyValueTests {
    @Test func putAndGetRoundTripBytesAndRevisions() async throws {
        try await withClient { client in
            let key = uniquePrefix() + "k"
            #expect(try await client.get(key) == nil)
            let value: [UInt8] = [0, 1, 0xFF, 10, 0x22]
            let first = try await client.put(key, value: value)
            let read = try #require(try await client.get(key))
            #expect(read.key == key && read.value == value)
            #expect(read.createRevision == first && read.modRevision == first && read.version == 1 && read.lease == nil)
            let second = try await client.put(key, value: Array("text".utf8))
            let again = try #require(try await client.get(key))
            #expect(second > first)
            #expect(again.createRevision == first && again.modRevision == second && again.version == 2)
            #expect(again.valueString == "text")
        }
    }

    @Test func createRevisionGrowsAcrossReCreation() async throws {
        try await withClient { client in
            let key = uniquePrefix() + "leader"
            var terms: [Int64] = []
            for _ in 0..<3 {
                try await client.put(key, value: [1])
                terms.append(try #require(try await client.get(key)).createRevision)
                try await client.delete(key)
            }
            #expect(terms == terms.sorted() && Set(terms).count == 3)
        }
    }

    @Test func rangeByPrefixSeesOnlyThePrefixInKeyOrder() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            try await client.put(prefix + "b", value: [2])
            try await client.put(prefix + "a", value: [1])
            let last = try await client.put(prefix + "c/d", value: [3])
            try await client.put(String(prefix.dropLast()) + "0", value: [9])  // the byte after "/"
            try await client.put(String(prefix.dropLast()), value: [9])  // the prefix without "/"
            let range = try await client.range(prefix: prefix)
            #expect(range.keyValues.map(\.key) == [prefix + "a", prefix + "b", prefix + "c/d"])
            #expect(range.count == 3 && range.revision >= last)
            #expect(try await client.range(prefix: uniquePrefix()).keyValues.isEmpty)
        }
    }

    @Test func deleteOneKeyAndAPrefix() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            for name in ["a", "b", "c"] { try await client.put(prefix + name, value: [1]) }
            #expect(try await client.delete(prefix + "a").deleted == 1)
            #expect(try await client.delete(prefix + "a").deleted == 0)
            let removed = try await client.delete(prefix: prefix)
            #expect(removed.deleted == 2 && removed.revision > 0)
            #expect(try await client.range(prefix: prefix).keyValues.isEmpty)
        }
    }
}
