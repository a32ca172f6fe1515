import Testing
@testable import Etcd

/// Every way a call can fail, each as its own typed error.
@Suite(.timeLimit(.minutes(2))) struct ErrorPathTests {
    @Test func noEndpointReachableIsUnreachableWithEachFailure() async throws {
        let dead = ["http://127.0.0.1:\(try freePort())", "http://127.0.0.1:\(try freePort())"]
        try await withClient(dead, requestTimeout: .seconds(5)) { client in
            do {
                _ = try await client.get("/k")
                Issue.record("a dead endpoint answered")
            } catch let EtcdError.unreachable(failures) {
                #expect(failures.map(\.endpoint) == dead)
            }
        }
    }

    @Test func invalidEndpointURLIsUnreachable() async throws {
        try await withClient(["not a url"]) { client in
            await #expect(throws: EtcdError.self) { _ = try await client.get("/k") }
        }
    }

    @Test func notJSONIsMalformed() async throws {
        try await expect(.answer(status: 200, body: "{garbage")) { error in
            guard case .malformedResponse = error else { return false }
            return true
        }
    }

    @Test func wrongFieldTypeIsMalformed() async throws {
        try await expect(.answer(status: 200, body: #"{"header":{"revision":"1"},"kvs":"nope"}"#)) { error in
            guard case .malformedResponse = error else { return false }
            return true
        }
    }

    @Test func httpErrorCarriesStatusCodeAndMessage() async throws {
        let body = #"{"error":"etcdserver: too many requests","message":"etcdserver: too many requests","code":8}"#
        try await expect(.answer(status: 429, body: body)) { error in
            guard case let .server(_, status, code, message) = error else { return false }
            return status == 429 && code == 8 && message == "etcdserver: too many requests"
        }
        try await expect(.answer(status: 404, body: "Not Found")) { error in
            guard case let .server(_, status, code, message) = error else { return false }
            return status == 404 && code == nil && message == "Not Found"
        }
    }

    @Test func aDroppedConnectionIsConnectionLost() async throws {
        try await expect(.close) { error in
            guard case .connectionLost = error else { return false }
            return true
        }
    }

    @Test func noAnswerIsATimeoutAndTheNextCallTriesTheNextEndpoint() async throws {
        let hung = try await FakeGateway.start(.hang)
        let live = try await SharedEtcd.url
        try await withClient([hung.url, live], requestTimeout: .milliseconds(500)) { client in
            do {
                _ = try await client.get("/k")
                Issue.record("a hung endpoint answered")
            } catch let EtcdError.timeout(endpoint, _) {
                #expect(endpoint == hung.url)
            }
            #expect(client.currentEndpoint == live)
            _ = try await client.get("/k")
        }
        await hung.stop()
    }

    /// A watch whose endpoint answers an error status fails with that error.
    @Test func watchOfAFailingEndpointFails() async throws {
        let fake = try await FakeGateway.start(.answer(status: 503, body: #"{"error":"x","message":"etcdserver: no leader","code":14}"#))
        try await withClient([fake.url]) { client in
            do {
                for try await _ in client.watch("/k") {}
                Issue.record("the watch ended without an error")
            } catch let EtcdError.server(_, status, code, _) {
                #expect(status == 503 && code == 14)
            }
        }
        await fake.stop()
    }

    /// Runs a `get` against a fake gateway and checks the error it throws.
    private func expect(
        _ behaviour: FakeGateway.Behaviour, sourceLocation: SourceLocation = #_sourceLocation,
        _ matches: (EtcdError) -> Bool
    ) async throws {
        let fake = try await FakeGateway.start(behaviour)
        try await withClient([fake.url], requestTimeout: .seconds(10)) { client in
            do {
                _ = try await client.range(prefix: "/k")
                Issue.record("no error thrown", sourceLocation: sourceLocation)
            } catch let error as EtcdError {
                #expect(matches(error), "unexpected \(error)", sourceLocation: sourceLocation)
            }
        }
        await fake.stop()
    }
}
