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
