import NIOCore

/// Bounds how long a connection may take to send a request, and how long it may stay
/// silent between requests.
///
/// It sits first in the pipeline, on raw bytes, so it sees a request begin before the
/// HTTP decoder has a whole head. A connection is in one of these phases:
/// - **idle**: no request under way. Closed after `idleTimeout` without a byte.
/// - **reading**: a request's first byte arrived. Its head and whole body must arrive
///   within `readTimeout` of that byte, however the client paces them (a trickled head,
///   a `Content-Length` whose body never comes, chunked with no chunks). Past it, with the
///   head in, the HTTP handler answers 408 (`RequestReadTimeoutEvent`) and closes; with
///   only part of a head (nothing NIO's encoder could answer) this handler writes the
///   408 itself, then closes.
/// - **answering**: the request is complete and being answered: no clock runs, an
///   engine call may take as long as it takes. Bytes arriving meanwhile (a pipelined
///   request) start the next read clock when the answer is written.
/// - **stopped**: the connection is being closed by someone else (a 413's linger).
///
/// The HTTP handler reports the request's progress by direct calls (`headReceived`,
/// `requestComplete`, `requestAnswered`, `stop`), which only store a phase: no timer is
/// scheduled or cancelled per request, and the clock is read once per request (when its
/// first byte arrives; IdleStateHandler, which this replaces, read it once per read).
/// One check per connection runs at the phase's deadline or every quarter of the shorter
/// timeout, whichever comes first, so a read deadline is noticed at most a quarter of a
/// timeout late. An idle phase is timed from the first check that sees it, so the idle
/// timeout may run up to that quarter longer.
///
/// It also takes `ChannelShouldQuiesceEvent` first: a connection with no request head
/// (idle, or part of a head) is closed at once, the others are passed on to finish
/// their request.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase: Equatable {
        case idle
        case reading(headReceived: Bool)
        case answering
        case stopped
    }

    private let idleTimeout: TimeAmount?
    private let readTimeout: TimeAmount?
    private let period: TimeAmount
    private var phase = Phase.idle
    /// When the phase began; nil for an idle phase no check has seen yet.
    private var phaseStarted: NIODeadline?
    private var bytesWhileAnswering = false
    private var check: Scheduled<Void>?
    private var loop: (any EventLoop)?

    /// Timeouts of zero (or less) are off.
    init(idleTimeout: TimeAmount, readTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout.nanoseconds > 0 ? idleTimeout : nil
        self.readTimeout = readTimeout.nanoseconds > 0 ? readTimeout : nil
        let shortest = [self.idleTimeout, self.readTimeout].compactMap { $0 }.min() ?? .seconds(1)
        self.period = max(.milliseconds(50), .nanoseconds(shortest.nanoseconds / 4))
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        loop = context.eventLoop
        if context.channel.isActive { begin(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        begin(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        phase = .stopped
        context.fireChannelInactive()
    }

    private func begin(context: ChannelHandlerContext) {
        guard check == nil, idleTimeout != nil || readTimeout != nil else { return }
        phaseStarted = context.eventLoop.now
        schedule(context: context, in: period)
    }

    // MARK: Bytes and events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .idle:
            phase = .reading(headReceived: false)
            phaseStarted = now
        case .answering:
            bytesWhileAnswering = true
        case .reading, .stopped:
            break
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            switch phase {
            case .idle, .reading(headReceived: false):
                // Nothing to finish. (Passing it on would let NIO's pipeline handler close with a
                // partial head still in the decoder, whose error answer it then refuses to write.)
                phase = .stopped
                context.close(promise: nil)
                return
            case .reading(headReceived: true), .answering, .stopped:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: What the HTTP handler reports

    /// A request head reached the HTTP handler (also one delivered late from the pipelining buffer).
    func headReceived() {
        switch phase {
        case .idle:
            phase = .reading(headReceived: true)
            phaseStarted = now
        case .reading:
            phase = .reading(headReceived: true)
        case .answering, .stopped:
            break
        }
    }

    /// The request's last byte arrived: its clock stops while it is answered.
    func requestComplete() {
        guard phase != .stopped else { return }
        phase = .answering
        bytesWhileAnswering = false
    }

    /// The answer is written: the connection is idle again, or already reading the next request.
    func requestAnswered() {
        guard phase == .answering else { return }
        if bytesWhileAnswering {
            phase = .reading(headReceived: false)
            phaseStarted = now
        } else {
            phase = .idle
            phaseStarted = nil   // stamped by the next check: no clock read on the hot path
        }
    }

    /// The connection is closing on its own terms: no deadline applies any more.
    func stop() {
        phase = .stopped
    }

    // MARK: The check

    private var now: NIODeadline { loop?.now ?? .now() }

    private func schedule(context: ChannelHandlerContext, in delay: TimeAmount) {
        check = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            self.check = nil
            self.fire(context: context)
        }
    }

    private func fire(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        var next = period
        switch phase {
        case .idle:
            if let idleTimeout {
                let started = phaseStarted ?? now
                phaseStarted = started
                let due = started + idleTimeout
                if now >= due {
                    phase = .stopped
                    context.close(promise: nil)
                    return
                }
                next = min(next, due - now)
            }
        case .reading(let headReceived):
            if let readTimeout {
                let due = (phaseStarted ?? now) + readTimeout
                if now >= due {
                    timeOut(headReceived: headReceived, context: context)
                    return
                }
                next = min(next, due - now)
            }
        case .answering:
            break
        case .stopped:
            return
        }
        schedule(context: context, in: next)
    }

    private func timeOut(headReceived: Bool, context: ChannelHandlerContext) {
        phase = .stopped
        if headReceived {
            context.fireUserInboundEventTriggered(RequestReadTimeoutEvent())
            return
        }
        // Part of a head: there is no request to answer through the HTTP encoder, so the 408 goes out as bytes.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(RawErrorAnswer.bytes(for: .requestTimeout, allocator: context.channel.allocator)))
            .assumeIsolated().whenComplete { _ in bound.value.close(promise: nil) }
    }
}
