import NIOCore
import NIOHTTP1

/// The bare SwiftNIO "hello" handler of the ceiling server: the cheapest complete
/// HTTP/1.1 answer NIOHTTP1 can give (a fixed 13-byte body with pre-built headers),
/// so that its throughput is the HTTP ceiling of the machine for this client.
final class HelloHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private static let body: ByteBuffer = ByteBuffer(string: "Hello, World!")
    private static let headers: HTTPHeaders = [
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Length": "13",
    ]
    private var keepAlive = true

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            var headers = Self.headers
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(Self.body))), promise: nil)
            if keepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
