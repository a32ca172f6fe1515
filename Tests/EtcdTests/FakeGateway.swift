import NIOCore
import NIOPosix

/// A tiny HTTP server on a free loopback port that answers every request the same way:
/// with fixed bytes, by closing the connection, or never. For the error paths a real etcd
/// does not produce.
final class FakeGateway: Sendable {
    enum Behaviour: Sendable {
        /// Answer `status` with `body` (Connection: close).
        case answer(status: Int, body: String)
        /// Close the connection once the request has arrived.
        case close
        /// Read the request and never answer.
        case hang
    }

    private let channel: any Channel

    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    private init(channel: any Channel) { self.channel = channel }

    static func start(_ behaviour: Behaviour) async throws -> FakeGateway {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Responder(behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeGateway(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let behaviour: Behaviour
        var received: [UInt8] = []
        var done = false

        init(_ behaviour: Behaviour) { self.behaviour = behaviour }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(unwrapInboundIn(data).readableBytesView)
            guard !done, requestComplete() else { return }
            done = true
            switch behaviour {
            case let .answer(status, body):
                let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + body))).whenComplete { _ in
                    bound.value.close(promise: nil)
                }
            case .close:
                context.close(promise: nil)
            case .hang:
                break
            }
        }

        /// Head and `Content-Length` bytes of body have arrived.
        private func requestComplete() -> Bool {
            let text = String(decoding: received, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let length = text[..<end.lowerBound].split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            return text.utf8.distance(from: end.upperBound, to: text.endIndex) >= length
        }
    }
}
