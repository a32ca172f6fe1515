import Logging
import NIOCore
import NIOHTTP1

/// The per-connection channel handler: collects a request, answers it.
///
/// Sits behind NIO's HTTP/1.1 codec and pipelining handler, so it sees one
/// request at a time. It enforces the body limit as bytes arrive (413 from
/// `Content-Length` alone, before reading the body, then closes: it shuts
/// its sending side and drains, unread, what the client still sends (at most
/// `lingerBytes` or `lingerSeconds`), so the client can finish its upload and
/// read the answer instead of meeting a reset), asks the
/// `RequestProcessor` for a decision on the event loop, hops to a task only
/// for engine calls, and writes the answer back on the event loop with
/// `Content-Length`, `X-Correlation-Id` and the keep-alive decision. It
/// answers `Expect: 100-continue` for bodies it will read. It tells the
/// connection's `RequestDeadlineHandler` how the request is progressing, and
/// answers 408 (then closes) when that handler says the body did not arrive in
/// time.
final class HTTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Reading the body of a route that takes one.
        case collecting(HTTPRequest)
        /// Reading (and dropping) the body of a route that takes none.
        case discarding(HTTPRequest)
        /// The request is complete; its answer is being made.
        case responding
        /// An early answer (413) was sent; input is drained unread until the
        /// connection closes.
        case closing
    }

    /// How much of a refused body is drained before the connection is cut.
    static let lingerBytes = 16 << 20
    /// How long a refused client gets to finish sending and read the answer.
    static let lingerSeconds: Int64 = 5

    private let processor: RequestProcessor
    private let deadlines: RequestDeadlineHandler?
    private var drained = 0
    private let router = Router()
    private let maximumBodyBytes: Int
    private var correlationIDs = CorrelationIDGenerator()
    private var state = State.idle
    private var quiescing = false
    private var socketAddress: String?

    /// A handler answering through `processor`, reporting to `deadlines` (nil: no read deadline).
    init(processor: RequestProcessor, deadlines: RequestDeadlineHandler? = nil) {
        self.processor = processor
        self.deadlines = deadlines
        self.maximumBodyBytes = processor.configuration.maximumBodyBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        socketAddress = context.channel.remoteAddress?.ipAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            receive(head: head, context: context)
        case .body(let chunk):
            switch state {
            case .collecting(var request):
                let size = (request.body?.readableBytes ?? 0) + chunk.readableBytes
                if size > maximumBodyBytes {
                    rejectTooLarge(request, context: context)
                    return
                }
                state = .responding  // drop the reference while mutating, so the buffer is not copied
                if request.body == nil {
                    request.body = chunk
                } else {
                    var incoming = chunk
                    request.body!.writeBuffer(&incoming)
                }
                state = .collecting(request)
            case .closing:
                drained += chunk.readableBytes
                if drained > Self.lingerBytes { context.close(promise: nil) }
            case .idle, .discarding, .responding:
                break
            }
        case .end:
            switch state {
            case .collecting(let request), .discarding(let request):
                state = .responding
                deadlines?.requestComplete()
                handle(request, context: context)
            case .idle, .responding, .closing:
                break
            }
        }
    }

    private func receive(head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        deadlines?.headReceived()
        let correlationID =
            CorrelationID.fromClient(
                correlationID: head.headers.first(name: "x-correlation-id"), requestID: head.headers.first(name: "x-request-id"))
            ?? correlationIDs.next()
        let match = router.match(method: head.method, uri: head.uri)
        let request = HTTPRequest(head: head, match: match, body: nil, socketAddress: socketAddress, correlationID: correlationID)
        if let declared = head.headers.first(name: "content-length"), let length = Int(declared), length > maximumBodyBytes {
            rejectTooLarge(request, context: context)
            return
        }
        if case .route(let route, _) = match, route.takesJSONBody {
            state = .collecting(request)
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                // The body is wanted and fits: tell the client to send it now rather than after its own timeout.
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        } else {
            state = .discarding(request)
        }
    }

    private func rejectTooLarge(_ request: HTTPRequest, context: ChannelHandlerContext) {
        state = .closing
        deadlines?.stop()   // the linger below bounds the rest
        var response = HTTPResponse.error(
            .payloadTooLarge(limit: maximumBodyBytes), correlationID: request.correlationID, allocator: context.channel.allocator)
        response.closeConnection = true
        write(RequestOutcome(response: response), for: request, context: context)
    }

    private func handle(_ request: HTTPRequest, context: ChannelHandlerContext) {
        switch processor.prepare(request) {
        case .respond(let response):
            write(RequestOutcome(response: response), for: request, context: context)
        case .call(let call):
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let answered = processor.performWithoutTask(call, for: request, on: loop) { outcome in
                if loop.inEventLoop {
                    bound.value.0.write(outcome, for: request, context: bound.value.1)
                } else {
                    loop.execute { bound.value.0.write(outcome, for: request, context: bound.value.1) }
                }
            }
            if answered { return }
            let processor = self.processor
            let promise = context.eventLoop.makePromise(of: RequestOutcome.self)
            promise.completeWithTask {
                await processor.perform(call, for: request)
            }
            promise.futureResult.assumeIsolated().whenSuccess { outcome in
                self.write(outcome, for: request, context: context)
            }
        }
    }

    private func write(_ outcome: RequestOutcome, for request: HTTPRequest, context: ChannelHandlerContext) {
        let response = outcome.response
        let close = response.closeConnection || quiescing || !request.head.isKeepAlive
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 5)   // one allocation for the whole head
        headers.add(contentsOf: response.headers)
        headers.add(name: "X-Correlation-Id", value: request.correlationID)
        if request.answerMustNotBeCached {
            // Tokens and personal data: no cache may keep them (static strings, nothing formatted).
            headers.add(name: "Cache-Control", value: "no-store")
            headers.add(name: "Pragma", value: "no-cache")
        }
        headers.add(name: "Content-Length", value: String(response.body?.readableBytes ?? 0))
        if close {
            headers.add(name: "Connection", value: "close")
        } else if request.head.version.major == 1, request.head.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: request.head.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = response.body, body.readableBytes > 0, request.head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if case .closing = state {} else { state = .idle }
        deadlines?.requestAnswered()   // before `.end`: writing it may deliver a pipelined request
        if case .closing = state {
            // Refused upload: stop sending, keep draining for a while, then cut.
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                let context = loopBound.value
                let halfClosed = context.eventLoop.makePromise(of: Void.self)
                context.close(mode: .output, promise: halfClosed)
                halfClosed.futureResult.assumeIsolated().whenFailure { _ in loopBound.value.close(promise: nil) }
                context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(Self.lingerSeconds)) {
                    loopBound.value.close(promise: nil)
                }
            }
        } else if close {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        processor.finish(request, outcome: outcome)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestReadTimeoutEvent {
            switch state {
            case .collecting(let request), .discarding(let request):
                // The head came, the body did not (in full): answer 408 and close.
                state = .responding
                var response = HTTPResponse.error(.requestTimeout, correlationID: request.correlationID, allocator: context.channel.allocator)
                response.closeConnection = true
                write(RequestOutcome(response: response), for: request, context: context)
            case .idle, .responding, .closing:
                context.close(promise: nil)
            }
            return
        }
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if case .idle = state { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
