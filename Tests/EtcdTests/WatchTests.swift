import AsyncHTTPClient
import NIOCore
import Testing
@testable import Etcd

/// Watches against a real etcd: live events, replay from a revision, prefixes, compaction, and
/// the HTTP request going away when the consumer is cancelled.
@Suite(.timeLimit(.minutes(2))) struct WatchTests {
    @Test func seesPutThenDeleteWithPreviousValues() async throws {
        try await withClient { client in
            let key = uniquePrefix() + "leader"
            let start = try await client.range(prefix: key).revision + 1
            var events = client.watch(key, startRevision: start, previousValues: true).makeAsyncIterator()
            let put = try await client.put(key, value: Array("a".utf8))
            let deletion = try await client.delete(key)
            let first = try #require(try await events.next())
            #expect(first.kind == .put && first.revision == put && first.keyValue.valueString == "a")
            #expect(first.previous == nil)
            let second = try #require(try await events.next())
            #expect(second.kind == .delete && second.revision == deletion.revision && second.keyValue.key == key)
            #expect(second.previous?.valueString == "a")
        }
    }

    @Test func replaysHistoryFromAStartRevision() async throws {
        try await withClient { client in
            let key = uniquePrefix() + "k"
            var revisions: [Int64] = []
            for value in 1...3 { revisions.append(try await client.put(key, value: [UInt8(value)])) }
            var events = client.watch(key, startRevision: revisions[1]).makeAsyncIterator()
            let replayed = [try #require(try await events.next()), try #require(try await events.next())]
            #expect(replayed.map(\.revision) == Array(revisions[1...]))
            #expect(replayed.map(\.keyValue.value) == [[2], [3]])
        }
    }

    @Test func watchesAPrefix() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            let start = try await client.range(prefix: prefix).revision + 1
            var events = client.watch(prefix: prefix, startRevision: start).makeAsyncIterator()
            try await client.put(String(prefix.dropLast()) + "0", value: [0])  // outside the prefix
            try await client.put(prefix + "members/a", value: [1])
            try await client.put(prefix + "members/b", value: [2])
            let keys = [try #require(try await events.next()), try #require(try await events.next())].map(\.keyValue.key)
            #expect(keys == [prefix + "members/a", prefix + "members/b"])
        }
    }

    @Test func compactedStartRevisionIsAnError() async throws {
        let server = try await TestEtcd.start()
        defer { server.destroy() }
        try await withClient([server.clientURL]) { client in
            let key = uniquePrefix() + "k"
            let first = try await client.put(key, value: [1])
            let last = try await client.put(key, value: [2])
            try await rawPost(server.clientURL + "/v3/kv/compaction", #"{"revision":"\#(last)"}"#)
            do {
                for try await event in client.watch(key, startRevision: first) {
                    Issue.record("unexpected event \(event)")
                }
                Issue.record("the watch ended without an error")
            } catch let EtcdError.compacted(compactRevision) {
                #expect(compactRevision == last)
            }
        }
    }

    @Test func cancellingTheConsumerEndsTheWatchAndItsRequest() async throws {
        let server = try await TestEtcd.start()
        defer { server.destroy() }
        try await withClient([server.clientURL]) { client in
            let key = uniquePrefix() + "k"
            let (seen, seenContinuation) = AsyncStream.makeStream(of: Void.self)
            let consumer = Task {
                var count = 0
                for try await _ in client.watch(key, startRevision: 1) {
                    count += 1
                    seenContinuation.yield()
                }
                return count
            }
            try await client.put(key, value: [1])
            var signals = seen.makeAsyncIterator()
            _ = await signals.next()  // the watch is open and delivering
            #expect(try await watchStreams(server.clientURL) == 1)
            consumer.cancel()
            let count = try await consumer.value
            #expect(count >= 1)
            // etcd sees the stream go away once the HTTP request is cancelled.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await watchStreams(server.clientURL) != 0, ContinuousClock.now < deadline {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(try await watchStreams(server.clientURL) == 0)
        }
    }
}

/// POSTs a raw JSON body to etcd (for calls the client does not offer, like compaction).
@discardableResult
func rawPost(_ url: String, _ body: String) async throws -> String {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    return String(buffer: try await response.body.collect(upTo: 1 << 20))
}

/// etcd's gauge of open watch streams, from its Prometheus metrics.
func watchStreams(_ clientURL: String) async throws -> Int {
    var request = HTTPClientRequest(url: clientURL + "/metrics")
    request.method = .GET
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
    let line = text.split(separator: "\n").first { $0.hasPrefix("etcd_debugging_mvcc_watch_stream_total ") }
    return Int(Double(line?.split(separator: " ").last ?? "") ?? -1)
}
