import NIOCore
import NIOHTTP1

/// A small routing server handler for fakes (tests, dry runs): collects the request
/// body and asks a `respond` function for status and body. Not used for the ceiling,
/// whose handler must stay bare.
final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request as the fake sees it.
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: String

        /// The first header named `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    typealias Respond = @Sendable (Request) -> (status: Int, body: String)

    private let respond: Respond
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(respond: @escaping Respond) { self.respond = respond }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let request = Request(method: head.method.rawValue, uri: head.uri,
                                  headers: head.headers.map { ($0.name, $0.value) }, body: String(buffer: body))
            let answer = respond(request)
            let payload = ByteBuffer(string: answer.body)
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(payload.readableBytes))])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: answer.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
            self.head = nil
        }
    }
}
