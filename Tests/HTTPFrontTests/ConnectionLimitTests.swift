import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HTTPFront

/// Slow requests, the connection cap, accept backoff and a bounded shutdown, on a real loopback server.
@Suite(.timeLimit(.minutes(2))) struct ConnectionLimitTests {
    func withServer(
        _ service: FakeAuthService = FakeAuthService(), configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: (TestServer, FakeAuthService) async throws -> Void
    ) async throws {
        let server = try await TestServer.start(service: service, configure: configure)
        do {
            try await body(server, service)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aBodyThatNeverComesIsAnswered408WithinTheReadTimeout() async throws {
        try await withServer(configure: { $0.requestReadTimeout = .seconds(1) }) { server, service in
            let started = ContinuousClock.now
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 408)
            #expect(response.errorCode == "REQUEST_TIMEOUT")
            #expect(response.header("Connection") == "close")
            #expect(response.header("Cache-Control") == "no-store")
            #expect(await connection.waitForClose())
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(service.calls.isEmpty)
            // The access line is written just after the answer is flushed, so it may trail the close.
            #expect(await eventually { server.log.text.contains("\"status\":408") })
        }
    }

    @Test func aHeadThatNeverCompletesIsAnswered408() async throws {
        try await withServer(configure: { $0.requestReadTimeout = .seconds(1) }) { server, _ in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("GET /health HTTP/1.1\r\nHost: x\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 408)
            #expect(response.errorCode == "REQUEST_TIMEOUT")
            #expect(await connection.waitForClose())
        }
    }

    @Test func aSlowAnswerIsNotASlowRequest() async throws {
        let service = FakeAuthService()
        service.meDelayNanoseconds = 2_500_000_000
        try await withServer(service, configure: { $0.requestReadTimeout = .seconds(1) }) { server, _ in
            let response = try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Bearer \(FakeAuthService.accessToken)")])
            #expect(response.status == 200)
        }
    }

    @Test func connectionsPastTheCapAreAnswered503AndClosed() async throws {
        try await withServer(configure: { $0.maxConnections = 2 }) { server, _ in
            var held: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try await RawConnection.connect(port: server.port)
                try await connection.send(rawRequest("GET", "/health"))
                #expect(try await connection.readResponse().status == 200)
                held.append(connection)
            }
            let refused = try await RawConnection.connect(port: server.port)
            // The answer comes without waiting for a request: the send may meet a connection already closed.
            try? await refused.send(rawRequest("GET", "/health"))
            let response = try await refused.readResponse()
            #expect(response.status == 503)
            #expect(response.errorCode == "SERVICE_UNAVAILABLE")
            #expect(response.header("Retry-After") == "1")
            #expect(response.header("Connection") == "close")
            #expect(await refused.waitForClose())
            let metrics = try await held[0].sendAndRead(rawRequest("GET", "/metrics"))
            #expect(metrics.text.contains("authd_http_connections_refused_total 1"))
            #expect(await eventually { server.log.text.contains("MAX_CONNECTIONS reached") })
            // A freed slot is taken again once the server has seen the close.
            await held.removeLast().close()
            var status = 0
            while status != 200 {
                let next = try await RawConnection.connect(port: server.port)
                try? await next.send(rawRequest("GET", "/health"))
                status = (try? await next.readResponse().status) ?? 0
                await next.close()
                if status != 200 { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            for connection in held { await connection.close() }
        }
    }

    @Test func theListenerPausesWhenAcceptRunsOutOfDescriptors() async throws {
        try await withServer { server, _ in
            let listener = try #require(server.server.listeningChannel)
            try await listener.pipeline.containsHandler(type: AcceptPauseHandler.self).get()
            #expect(try await listener.getOption(.autoRead).get())
            // What the listener's pipeline sees when accept4 fails with EMFILE.
            listener.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept4"))
            #expect(try await listener.getOption(.autoRead).get() == false)   // the error is handled on the listener's loop first
            var resumed = false
            for _ in 0..<500 where !resumed {
                try await Task.sleep(nanoseconds: 10_000_000)
                resumed = try await listener.getOption(.autoRead).get()
            }
            #expect(resumed)
            #expect(try await server.request("GET", "/health").status == 200)
            #expect(await eventually { server.log.text.contains("accept failed; pausing the listener") })
        }
    }

    @Test func onlyResourceShortagesPause() {
        #expect(AcceptPauseHandler.isResourceShortage(IOError(errnoCode: EMFILE, reason: "accept4")))
        #expect(AcceptPauseHandler.isResourceShortage(IOError(errnoCode: ENFILE, reason: "accept4")))
        #expect(!AcceptPauseHandler.isResourceShortage(IOError(errnoCode: ECONNABORTED, reason: "accept4")))
        #expect(!AcceptPauseHandler.isResourceShortage(ChannelError.ioOnClosedChannel))
    }

    @Test func shutdownClosesStalledConnectionsWithinTheShutdownTimeout() async throws {
        let server = try await TestServer.start(service: FakeAuthService()) {
            $0.shutdownTimeout = .seconds(1)
            $0.requestReadTimeout = .seconds(60)
        }
        var stalled: [RawConnection] = []
        for request in [
            "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n",
            "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: x\r\n",
            "",
        ] {
            let connection = try await RawConnection.connect(port: server.port)
            if !request.isEmpty { try await connection.send(request) }
            stalled.append(connection)
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        let started = ContinuousClock.now
        await server.stop()
        #expect(ContinuousClock.now - started < .seconds(10))
        for connection in stalled { #expect(await connection.waitForClose()) }
    }
}

/// Whether `condition` holds within a few seconds (for effects that trail what the client sees).
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return condition()
}

extension RawConnection {
    func sendAndRead(_ request: String) async throws -> TestResponse {
        try await send(request)
        return try await readResponse()
    }
}
