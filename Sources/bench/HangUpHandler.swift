import NIOCore

/// Closes the connection on the first bytes received: a misbehaving server for
/// tests of the `closed` error kind and of reconnecting.
final class HangUpHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }
}
