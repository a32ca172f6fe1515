import NIOCore
import NIOHTTP1
import Synchronization

/// Sits between NIO's HTTP server pipeline and authd's handler and counts requests handed in whole
/// (their `.end`) and answers written out, so the fuzz thread knows when every complete request
/// has been answered (a request still arriving is not waited for). Traps on
/// an answer 500: the server never means to give one to any input.
final class ExchangeCounter: ChannelDuplexHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let requests = Atomic(0)
    private let answers = Atomic(0)
    private let outputClosed = Atomic(false)

    /// Whether every complete request handed to authd's handler has its answer's end written (an
    /// early answer, the 413, comes before its request ends), or the connection stopped sending.
    var settled: Bool {
        outputClosed.load(ordering: .acquiring) || answers.load(ordering: .acquiring) >= requests.load(ordering: .acquiring)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { requests.add(1, ordering: .releasing) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(let head) = part, head.status == .internalServerError {
            fatalError("answered 500 INTERNAL_SERVER_ERROR: \(head)")
        }
        context.write(data, promise: promise)
        if case .end = part { answers.add(1, ordering: .releasing) }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        outputClosed.store(true, ordering: .releasing)
        context.close(mode: mode, promise: promise)
    }
}
