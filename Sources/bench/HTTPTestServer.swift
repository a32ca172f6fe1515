import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server inside the bench process on 127.0.0.1 (ephemeral port by
/// default): the bare "hello" server of `bench ceiling`, or a routing fake.
final class HTTPTestServer: Sendable {
    /// What the server answers.
    enum Kind: Sendable {
        /// The bare NIO hello handler (the ceiling).
        case hello
        /// A fake answering through a function (tests).
        case routes(RouteHandler.Respond)
        /// Accepts connections and never answers (tests: timeouts).
        case silent
        /// Closes every connection as soon as a request arrives (tests: closed).
        case hangUp
    }

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    /// The port the server listens on.
    let port: Int

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// Starts a server with `threads` event loops on `host:port` (0 = ephemeral).
    static func start(_ kind: Kind, host: String = "127.0.0.1", port: Int = 0, threads: Int) async throws(BenchError) -> HTTPTestServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        switch kind {
                        case .hello:
                            try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                            try sync.addHandler(HelloHandler())
                        case .routes(let respond):
                            try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                            try sync.addHandler(RouteHandler(respond: respond))
                        case .silent:
                            break
                        case .hangUp:
                            try sync.addHandler(HangUpHandler())
                        }
                    }
                }
                .bind(host: host, port: port).get()
            return HTTPTestServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw .connectFailed("cannot listen on \(host):\(port): \(error)")
        }
    }

    /// Closes the listening socket and stops the server's threads.
    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
