import NIOCore

/// The whole pipeline of a connection past `MAX_CONNECTIONS`.
///
/// With `answer`, it writes the 503 SERVICE_UNAVAILABLE envelope (`Retry-After: 1`,
/// `Connection: close`) as soon as the connection is up, without waiting for a request,
/// then shuts its sending side and drops whatever the client sends until the client
/// closes or `linger` passes. (Closing at once with the client's request unread would
/// reset the connection, and the client might never read the answer.) Without `answer`
/// it closes at once.
final class ConnectionRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// How long a refused client has to read the answer.
    static let linger = TimeAmount.seconds(2)

    private let answer: Bool

    init(answer: Bool) {
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        guard answer else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let bytes = RawErrorAnswer.bytes(for: .tooManyConnections, allocator: context.channel.allocator)
        context.writeAndFlush(NIOAny(bytes)).assumeIsolated().whenComplete { result in
            let context = bound.value
            guard case .success = result else {
                context.close(promise: nil)
                return
            }
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) { bound.value.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
