import NIOCore
import NIOHTTP1

/// `--client nio`: turns NIOHTTP1's decoded response parts into one
/// ``HTTPResponse`` for the ``ConnectionDriver``.
final class NIOResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let driver: ConnectionDriver
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    init(driver: ConnectionDriver) { self.driver = driver }

    func handlerAdded(context: ChannelHandlerContext) {
        driver.attach(decoderObserver: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            self.head = nil
            driver.receivedResponse(HTTPResponse(status: Int(head.status.code), keepAlive: head.isKeepAlive, body: body ?? ByteBuffer()),
                                    from: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.closed(context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
