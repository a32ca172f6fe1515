import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The authd HTTP/1.1 server on SwiftNIO.
///
/// Binds with `ServerBootstrap`, runs NIO's HTTP/1.1 codec with pipelining
/// and protocol-error handling, then one `HTTPServerHandler` per connection.
/// `shutdown()` stops accepting, lets every in-flight request finish (up to
/// the grace period), then closes what is left.
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

    /// Binds and starts accepting; returns the bound address (port 0 picks one).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let processor = self.processor
        let connections = self.connections
        let idleTimeout = configuration.idleTimeoutSeconds
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if idleTimeout > 0 {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(Int64(idleTimeout))))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPServerHandler(processor: processor))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        serverChannel.withLock { $0 = channel }
        return channel.localAddress!
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
        if let channel = serverChannel.withLock({ $0 }) {
            try? await channel.close()
        }
        let grace = configuration.shutdownGracePeriodSeconds
        let connections = self.connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connections.quiesceAll() }
            group.addTask {
                // Past the grace period, close what is still open; the quiescing task then ends too.
                guard (try? await Task.sleep(for: .seconds(grace))) != nil else { return }
                await connections.closeAll()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
