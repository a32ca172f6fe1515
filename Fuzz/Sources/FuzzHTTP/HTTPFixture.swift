import Foundation
import Engine
import FuzzSupport
@testable import HTTPFront
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// The real request processor over a real in-memory engine (one user registered, whose login
/// the seeds use), and a fresh connection per input: NIO's HTTP/1.1 request decoder and
/// authd's channel handler on a thread-safe testing channel, as `HTTPServer` builds them.
final class HTTPFixture: Sendable {
    let processor: RequestProcessor

    init() {
        let engine = AuthEngine.inMemory(FuzzEngineSettings.configuration(), clock: ManualClock(FuzzEngineSettings.start))
        _ = Blocking.run { () -> Bool in
            (try? await engine.register(name: .value("Fuzz"), email: .value("fuzz@example.com"), password: .value("fuzz password 1"))) != nil
        }
        var configuration = HTTPServerConfiguration()
        configuration.rateLimitMaxRequests = 0
        configuration.maximumBodyBytes = 64 << 10
        configuration.metricsEnabled = false
        processor = RequestProcessor(service: engine, configuration: configuration, metrics: nil, logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Sends `pieces` on a new connection, waits (at most 10 s, then traps) until every request
    /// that reached the handler is answered, and closes the connection.
    func exchange(_ pieces: [[UInt8]]) {
        let channel = NIOAsyncTestingChannel()
        let counter = ExchangeCounter()
        let processor = self.processor
        onLoop(channel) {
            let deadlines = RequestDeadlineHandler(idleTimeout: .seconds(60), readTimeout: .seconds(30))
            try! channel.pipeline.syncOperations.addHandler(deadlines)
            try! channel.pipeline.syncOperations.addHandler(HTTPServerHandler.requestDecoder())
            try! channel.pipeline.syncOperations.addHandler(counter)
            try! channel.pipeline.syncOperations.addHandler(HTTPServerHandler(processor: processor, deadlines: deadlines))
            channel.connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: 4000), promise: nil)
        }
        for piece in pieces {
            onLoop(channel) {
                guard channel.isActive else { return }
                channel.pipeline.fireChannelRead(ByteBuffer(bytes: piece))
                channel.pipeline.fireChannelReadComplete()
            }
            wait(for: counter, on: channel)
        }
        onLoop(channel) { channel.close(promise: nil) }
        // Run what the connection left scheduled (the 5 s linger after a 413, the deadlines) and
        // stop the loop: a task still queued on it would keep the closed pipeline alive, which
        // LeakSanitizer reports (a real event loop runs those tasks when their time comes).
        Blocking.run {
            await channel.testingEventLoop.advanceTime(by: .hours(1))
            try? await channel.testingEventLoop.shutdownGracefully()
        }
    }

    private func wait(for counter: ExchangeCounter, on channel: NIOAsyncTestingChannel) {
        let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
        while true {
            var settled = false
            onLoop(channel) { settled = counter.settled || !channel.isActive }
            if settled { return }
            guard DispatchTime.now().uptimeNanoseconds < deadline else { fatalError("a request got no answer in 10 s") }
            usleep(20)
        }
    }

    /// Runs `body` on the channel's event loop and waits for it.
    private func onLoop(_ channel: NIOAsyncTestingChannel, _ body: @escaping () -> Void) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let body = body
        channel.testingEventLoop.execute {
            body()
            done.signal()
        }
        done.wait()
    }
}
