import Locking
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The authd HTTP/1.1 server on SwiftNIO.
///
/// Binds with `ServerBootstrap`, runs NIO's HTTP/1.1 request decoder, then one
/// `HTTPServerHandler` per connection (which writes answers as bytes and holds pipelined
/// requests itself),
/// behind a `RequestDeadlineHandler` (idle and request-read timeouts).
/// Past `maxConnections` open connections a new one is refused
/// (`ConnectionRefusalHandler`). When `accept` fails (out of descriptors,
/// EMFILE/ENFILE, or memory) the listener pauses for `acceptBackoff`
/// (`AcceptPauseHandler`) instead of retrying in a busy loop. `shutdown()` stops
/// accepting, lets every in-flight request finish (up to the shutdown
/// timeout), then closes what is left.
public final class HTTPServer: Sendable {
    /// How requests are answered.
    public let processor: RequestProcessor
    private let configuration: HTTPServerConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let serverChannel = LockedValue<(any Channel)?>(nil)
    private let connections = ConnectionRegistry()

    /// A server answering through `service`; bind with `start()`.
    public init(
        configuration: HTTPServerConfiguration, service: any AuthService, metrics: ServerMetrics?, logger: Logger,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.processor = RequestProcessor(service: service, configuration: configuration, metrics: metrics, logger: logger)
    }

    /// How long the listener waits before accepting again after `accept` failed.
    static let acceptBackoff = TimeAmount.milliseconds(250)

    /// Binds and starts accepting; returns the bound address (port 0 picks one).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let processor = self.processor
        let connections = self.connections
        let logger = self.logger
        let metrics = processor.metrics
        let idleTimeout = TimeAmount.seconds(Int64(configuration.idleTimeoutSeconds))
        let readTimeout = configuration.requestReadTimeout
        let maxConnections = configuration.maxConnections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var nextWarning = NIODeadline.uptimeNanoseconds(0)
                    let pause = AcceptPauseHandler(delay: HTTPServer.acceptBackoff) { error in
                        let now = NIODeadline.now()
                        guard now >= nextWarning else { return }
                        nextWarning = now + ConnectionRegistry.warningInterval
                        logger.warning("accept failed; pausing the listener", metadata: [
                            "reason": "\(error)", "pauseMs": "\(HTTPServer.acceptBackoff.nanoseconds / 1_000_000)",
                        ])
                    }
                    try channel.pipeline.syncOperations.addHandler(pause)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                if case .refused(let answer, let warn) = connections.admit(channel, limit: maxConnections) {
                    metrics?.recordConnectionRefused()
                    if warn {
                        logger.warning("connection refused: MAX_CONNECTIONS reached", metadata: ["maxConnections": "\(maxConnections)"])
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionRefusalHandler(answer: answer))
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let deadlines = RequestDeadlineHandler(idleTimeout: idleTimeout, readTimeout: readTimeout)
                    try channel.pipeline.syncOperations.addHandler(deadlines)
                    try HTTPServerHandler.addHandlers(to: channel.pipeline.syncOperations, processor: processor, deadlines: deadlines)
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        serverChannel.withLock { $0 = channel }
        return channel.localAddress!
    }

    /// The listening channel, once started (tests look at its pipeline).
    var listeningChannel: (any Channel)? {
        serverChannel.withLock { $0 }
    }

    /// The bound address, once started.
    public var localAddress: SocketAddress? {
        serverChannel.withLock { $0?.localAddress }
    }

    /// Waits until the listening socket closes (after `shutdown()`).
    public func waitUntilClosed() async {
        guard let channel = serverChannel.withLock({ $0 }) else { return }
        try? await channel.closeFuture.get()
    }

    /// Stops accepting, lets in-flight requests finish, closes every connection.
    public func shutdown() async {
        // Connections learn of the shutdown before the listener closes, so whoever sees the
        // listener gone also sees answers marked `Connection: close`.
        connections.beginQuiescing()
        if let channel = serverChannel.withLock({ $0 }) {
            try? await channel.close()
        }
        let grace = configuration.shutdownTimeout
        let connections = self.connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connections.quiesceAll() }
            group.addTask {
                // Past the grace period, close what is still open; the quiescing task then ends too.
                guard (try? await Task.sleep(nanoseconds: UInt64(max(0, grace.nanoseconds)))) != nil else { return }
                await connections.closeAll()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
