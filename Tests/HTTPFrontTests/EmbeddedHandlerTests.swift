import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import HTTPFront

/// The channel handler's event-loop-only paths, driven byte by byte on an EmbeddedChannel.
@Suite struct EmbeddedHandlerTests {
    func makeChannel(maximumBodyBytes: Int = 1 << 20) throws -> EmbeddedChannel {
        var configuration = HTTPServerConfiguration()
        configuration.maximumBodyBytes = maximumBodyBytes
        let processor = RequestProcessor(
            service: FakeAuthService(), configuration: configuration, metrics: nil, logger: CapturedLog().logger())
        let channel = EmbeddedChannel()
        try HTTPServerHandler.addHandlers(to: channel.pipeline.syncOperations, processor: processor, deadlines: nil)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
        return channel
    }

    func written(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let part = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = part { bytes += buffer.readableBytesView }
        }
        return bytes
    }

    @Test func oversizedContentLengthAnswersBeforeTheBodyAndCloses() throws {
        let channel = try makeChannel()
        defer { channel.release() }
        try channel.writeInbound(ByteBuffer(string: "POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n"))
        let (response, _) = try #require(try RawConnection.parse(written(channel)))
        #expect(response.status == 413)
        #expect(response.errorCode == "PAYLOAD_TOO_LARGE")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(!channel.isActive)
    }

    @Test func bodyPassingTheLimitMidStreamIs413() throws {
        let channel = try makeChannel(maximumBodyBytes: 10)
        defer { channel.release() }
        try channel.writeInbound(ByteBuffer(string: "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"))
        try channel.writeInbound(ByteBuffer(string: "6\r\n{\"a\":1\r\n"))
        #expect(try written(channel).isEmpty)
        try channel.writeInbound(ByteBuffer(string: "6\r\n,\"b\":2\r\n"))
        let (response, _) = try #require(try RawConnection.parse(written(channel)))
        #expect(response.status == 413)
        #expect(!channel.isActive)
    }

    @Test func synchronousAnswersNeedNoTask() throws {
        let channel = try makeChannel()
        defer { channel.release() }
        try channel.writeInbound(ByteBuffer(string: "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"))
        let (unsupported, used) = try #require(try RawConnection.parse(written(channel)))
        #expect(unsupported.status == 415)
        _ = used
        try channel.writeInbound(ByteBuffer(string: "GET /v1/auth/me HTTP/1.1\r\nHost: x\r\n\r\n"))
        let (missing, _) = try #require(try RawConnection.parse(written(channel)))
        #expect(missing.errorCode == "AUTHORIZATION_REQUIRED")
        #expect(channel.isActive)
        _ = try channel.finish()
    }
}

/// Counts the reads that reach the socket end of the pipeline.
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    // Safety: touched only on the test channel's event loop.
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// When reads stop: only once a pipelined request is held, not around every answer made off
/// the loop (which would take the connection off the epoll set and put it back each time).
@Suite struct ReadBackpressureTests {
    @Test func readsGoOnWhileAnAnswerIsPendingAndStopOnceARequestIsHeld() async throws {
        let service = FakeAuthService()
        service.isHoldingMe = true
        let processor = RequestProcessor(
            service: service, configuration: HTTPServerConfiguration(), metrics: nil, logger: CapturedLog().logger())
        let channel = NIOAsyncTestingChannel()
        let counter = ReadCounter()
        try await channel.pipeline.addHandler(counter)
        try await channel.eventLoop.submit {
            try HTTPServerHandler.addHandlers(to: channel.pipeline.syncOperations, processor: processor, deadlines: nil)
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000))
        func reads() async throws -> Int { try await channel.eventLoop.submit { counter.reads }.get() }
        func written() async throws -> [UInt8] {
            var bytes: [UInt8] = []
            while let part = try await channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(let buffer) = part { bytes += buffer.readableBytesView }
            }
            return bytes
        }

        try await channel.writeInbound(ByteBuffer(string: "GET /v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(FakeAuthService.accessToken)\r\n\r\n"))
        while !service.calls.contains(where: { $0.hasPrefix("me:") }) { try await Task.sleep(nanoseconds: 2_000_000) }
        let before = try await reads()
        channel.pipeline.read()
        // The answer is pending and nothing is held: the read goes through to the socket.
        #expect(try await reads() == before + 1)

        try await channel.writeInbound(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
        channel.pipeline.read()
        // A pipelined request is held now: this read waits.
        #expect(try await reads() == before + 1)
        #expect(try await written().isEmpty)

        service.isHoldingMe = false
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            bytes += try await written()
            if let (_, used) = try RawConnection.parse(bytes), try RawConnection.parse(Array(bytes[used...])) != nil { break }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let (me, used) = try #require(try RawConnection.parse(bytes))
        let (health, _) = try #require(try RawConnection.parse(Array(bytes[used...])))
        #expect(me.status == 200 && health.status == 200)
        // Both answers are written and nothing is held: the deferred read is let through.
        #expect(try await reads() == before + 2)
        _ = try await channel.finish()
    }
}
