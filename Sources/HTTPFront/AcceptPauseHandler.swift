#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Stops the listener from accepting for a while when `accept` fails for want of
/// resources (EMFILE, ENFILE, ENOBUFS, ENOMEM), instead of retrying in a busy loop.
///
/// Those errors last until a descriptor or some memory frees up, and the pending
/// connection keeps the listening socket readable, so retrying at once spins an event
/// loop at 100% CPU. NIO's `AcceptBackoffHandler` cannot prevent that when the *first*
/// accept of a read cycle fails: the channel then never asks for another read (it still
/// has one pending), so there is no read to delay, and the event loop is woken again at
/// once. This handler turns `autoRead` off, which takes the socket out of the event
/// loop's interest set, and back on after `delay`; connections wait in the kernel's
/// backlog meanwhile. Other errors pass on.
final class AcceptPauseHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let delay: TimeAmount
    private let onPause: (IOError) -> Void
    private var paused = false

    /// Pauses for `delay` after each resource error; `onPause` hears of each pause (to log it).
    init(delay: TimeAmount, onPause: @escaping (IOError) -> Void = { _ in }) {
        self.delay = delay
        self.onPause = onPause
    }

    /// Whether `error` is an accept failure that waiting may cure.
    static func isResourceShortage(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard Self.isResourceShortage(error), let error = error as? IOError else {
            context.fireErrorCaught(error)
            return
        }
        guard !paused else { return }
        paused = true
        onPause(error)
        let channel = context.channel
        channel.setOption(.autoRead, value: false).whenComplete { _ in }
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            self.paused = false
            channel.setOption(.autoRead, value: true).whenComplete { _ in }
        }
    }
}
