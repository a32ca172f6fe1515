import NIOCore
import NIOHTTP1

/// `--client nio`: the front of the pipeline. The driver writes its pre-encoded
/// request bytes through this handler's context, straight to the socket. NIOHTTP1's
/// response decoder must still see one request head per request (it pairs answers
/// with requests and refuses unsolicited ones), so the driver also passes a
/// placeholder `HTTPClientRequestPart.head` through the decoder; it ends here and
/// is dropped.
final class ClientWriteHandler: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart

    private let driver: ConnectionDriver

    init(driver: ConnectionDriver) { self.driver = driver }

    func handlerAdded(context: ChannelHandlerContext) {
        driver.attach(writeContext: context, channel: context.channel)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.succeed() // the placeholder head: seen by the decoder, not sent
    }
}
