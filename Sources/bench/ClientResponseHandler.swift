import NIOCore

/// The only handler of a client connection: hands raw bytes and connection events
/// to the ``ConnectionDriver``. No HTTP codec sits in the pipeline; the driver
/// writes pre-encoded requests and parses answers with ``HTTPResponseParser``.
final class ClientResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let driver: ConnectionDriver

    init(driver: ConnectionDriver) { self.driver = driver }

    func handlerAdded(context: ChannelHandlerContext) {
        driver.attach(writeContext: context, channel: context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.received(unwrapInboundIn(data), from: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.closed(context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
