import Logging
import NIOCore
import NIOHTTP1

/// The per-connection channel handler: collects a request, answers it.
///
/// Sits behind NIO's HTTP/1.1 request decoder and writes its answers as bytes
/// (`ResponseSerializer`: status line, headers and body in one buffer, one write per
/// answer), so no response encoder, pipelining handler or header validator runs per
/// answer. It does their jobs itself: pipelined requests are held, in order, while an
/// answer is being made, and reads stop once one is held (`read`), so a client cannot
/// queue unbounded work; a request the parser rejects gets `400` and the connection is closed,
/// after the answers to the requests before it.
///
/// It enforces the body limit as bytes arrive (413 from
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
final class HTTPServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Between requests.
        case idle
        /// Reading the body of a route that takes one.
        case collecting(HTTPRequest)
        /// Reading (and dropping) the body of a route that takes none.
        case discarding(HTTPRequest)
        /// The request is complete; its answer is being made.
        case responding
        /// An early answer (413, 400) was sent; input is drained unread until the
        /// connection closes.
        case closing
    }

    /// What arrived while an answer was being made, kept in order for after it.
    private enum Held {
        case part(HTTPServerRequestPart)
        case parserError
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
    /// Parts (and a parser error) that arrived while an answer was being made.
    private var held = CircularBuffer<Held>(initialCapacity: 4)
    /// Whether the channel asked to read while an answer was being made.
    private var readDeferred = false
    /// Whether held parts are being handed over right now (an answer written meanwhile must not start another round).
    private var draining = false

    /// A handler answering through `processor`, reporting to `deadlines` (nil: no read deadline).
    init(processor: RequestProcessor, deadlines: RequestDeadlineHandler? = nil) {
        self.processor = processor
        self.deadlines = deadlines
        self.maximumBodyBytes = processor.configuration.maximumBodyBytes
    }

    /// NIO's HTTP/1.1 request parser as this handler expects it in front of it.
    static func requestDecoder() -> ByteToMessageHandler<HTTPRequestDecoder> {
        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
    }

    /// Adds the request decoder and a handler answering through `processor` to a connection's pipeline.
    static func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, processor: RequestProcessor, deadlines: RequestDeadlineHandler?
    ) throws {
        try pipeline.addHandler(requestDecoder())
        try pipeline.addHandler(HTTPServerHandler(processor: processor, deadlines: deadlines))
    }

    func channelActive(context: ChannelHandlerContext) {
        socketAddress = context.channel.remoteAddress?.ipAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isAnswering || !held.isEmpty {
            // A pipelined request: it waits for the answer before it.
            held.append(.part(part))
            return
        }
        receive(part, context: context)
    }

    /// Whether an answer is being made (what arrives now is held).
    private var isAnswering: Bool {
        if case .responding = state { return true }
        return false
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
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
                context.writeAndFlush(wrapOutboundOut(ResponseSerializer.continueLine(version: head.version, allocator: context.channel.allocator)),
                                      promise: nil)
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
        let connection: ResponseSerializer.ConnectionHeader
        if close {
            connection = .close
        } else if request.head.version.major == 1, request.head.version.minor == 0 {
            connection = .keepAlive
        } else {
            connection = .none
        }
        let bytes = ResponseSerializer.serialize(
            response, version: request.head.version, correlationID: request.correlationID, noStore: request.answerMustNotBeCached,
            connection: connection, omitBody: request.head.method == .HEAD, allocator: context.channel.allocator)
        if case .closing = state {} else { state = .idle }
        deadlines?.requestAnswered()
        if case .closing = state {
            // Refused upload: stop sending, keep draining for a while, then cut.
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
                let context = loopBound.value
                let halfClosed = context.eventLoop.makePromise(of: Void.self)
                context.close(mode: .output, promise: halfClosed)
                halfClosed.futureResult.assumeIsolated().whenFailure { _ in loopBound.value.close(promise: nil) }
                context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(Self.lingerSeconds)) {
                    loopBound.value.close(promise: nil)
                }
            }
        } else if close {
            state = .closing   // nothing more is read or answered on this connection
            held.removeAll()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
        processor.finish(request, outcome: outcome)
        if case .idle = state { resumeHeld(context: context) }
    }

    /// Hands over what arrived while the last answer was being made, until an answer is
    /// pending again; then lets the channel read again if it wanted to.
    private func resumeHeld(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !isAnswering, let next = held.popFirst() {
            if case .closing = state { held.removeAll(); break }
            switch next {
            case .part(let part): receive(part, context: context)
            case .parserError: answerUnparsable(context: context)
            }
        }
        if held.isEmpty, readDeferred {
            readDeferred = false
            context.read()
        }
    }

    /// Reading waits only once a pipelined request is held: what one read brought stays
    /// here, the rest stays in the socket until the answers before it are written. A client
    /// that waits for each answer (nearly all) never stops the reads, so its connection is
    /// not taken off and put back on the loop's epoll set around every answer that is made
    /// off the loop (two `epoll_ctl` calls per durable refresh or hopped `me`).
    func read(context: ChannelHandlerContext) {
        if !held.isEmpty {
            readDeferred = true
        } else {
            context.read()
        }
    }

    /// 400 and close, for bytes the HTTP parser rejected.
    private func answerUnparsable(context: ChannelHandlerContext) {
        state = .closing
        held.removeAll()
        deadlines?.stop()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ResponseSerializer.badRequest(allocator: context.channel.allocator)))
            .assumeIsolated().whenComplete { _ in loopBound.value.close(promise: nil) }
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
        guard error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        switch state {
        case .responding:
            // The requests before the bad bytes are answered first.
            held.append(.parserError)
        case .idle where !held.isEmpty:
            held.append(.parserError)
        case .idle, .collecting, .discarding:
            answerUnparsable(context: context)
        case .closing:
            context.close(promise: nil)
        }
    }
}
