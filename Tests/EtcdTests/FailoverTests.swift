import Testing
@testable import Etcd

/// Endpoint choice against a real etcd that the test kills and restarts.
@Suite(.timeLimit(.minutes(2))) struct FailoverTests {
    @Test func aDeadFirstEndpointIsSkippedAndTheLiveOneKept() async throws {
        let dead = "http://127.0.0.1:\(try freePort())"
        let live = try await SharedEtcd.url
        try await withClient([dead, live]) { client in
            #expect(client.currentEndpoint == dead)
            try await client.put(uniquePrefix() + "k", value: [1])
            #expect(client.currentEndpoint == live)
            _ = try await client.get("/k")
            #expect(client.currentEndpoint == live)
        }
    }

    @Test func killedEtcdIsUnreachableAndTheClientRecoversAfterRestart() async throws {
        let server = try await TestEtcd.start()
        defer { server.destroy() }
        try await withClient([server.clientURL]) { client in
            let key = uniquePrefix() + "k"
            try await client.put(key, value: [1])
            let start = try await client.range(prefix: key).revision + 1
            var events = client.watch(key, startRevision: start).makeAsyncIterator()
            try await client.put(key, value: [2])
            #expect(try await events.next()?.keyValue.value == [2])

            server.kill()
            do {
                while try await events.next() != nil {}
                Issue.record("the watch ended without an error")
            } catch let error as EtcdError {
                switch error {
                case .connectionLost, .watchEnded: break
                default: Issue.record("unexpected \(error)")
                }
            }
            do {
                _ = try await client.get(key)
                Issue.record("a killed etcd answered")
            } catch let error as EtcdError {
                switch error {
                case .unreachable, .connectionLost: break
                default: Issue.record("unexpected \(error)")
                }
            }

            try await server.restart()
            #expect(try await client.get(key)?.value == [2])
        }
    }
}
