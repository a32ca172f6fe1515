import NIOCore
import NIOHTTP1
import Synchronization

/// Sits between NIO's HTTP request decoder and authd's handler and counts requests handed in whole
/// (their `.end`) and answers written out (authd writes each answer as one buffer), so the fuzz thread knows when every complete request
/// has been answered (a request still arriving is not waited for). Traps on
/// an answer 500: the server never means to give one to any input.
final class ExchangeCounter: ChannelDuplexHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

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
        let answer = unwrapOutboundIn(data)
        // "HTTP/1.1 500 ...": the status code sits at bytes 9..<12 of the status line.
        let status = answer.getString(at: answer.readerIndex + 9, length: 3)
        if status == "500" {
            fatalError("answered 500 INTERNAL_SERVER_ERROR: \(String(buffer: answer))")
        }
        context.write(data, promise: promise)
        if let first = status?.utf8.first, first != UInt8(ascii: "1") { answers.add(1, ordering: .releasing) }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        outputClosed.store(true, ordering: .releasing)
        context.close(mode: mode, promise: promise)
    }
}
