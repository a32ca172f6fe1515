import NIOCore
import NIOPosix

/// Opens keep-alive TCP connections to the target on a given event loop.
struct Connector: Sendable {
    let address: SocketAddress
    var connectTimeout: TimeAmount = .seconds(5)

    /// Resolves `host:port` once, up front, so that reconnects never resolve again.
    init(host: String, port: Int) throws(BenchError) {
        do { address = try SocketAddress.makeAddressResolvingHost(host, port: port) }
        catch { throw .connectFailed("cannot resolve \(host):\(port): \(error)") }
    }

    /// Connects on `loop` and installs the response handler feeding `driver`.
    func connect(on loop: any EventLoop, driver: NIOLoopBound<ConnectionDriver>) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientResponseHandler(driver: driver.value))
                }
            }
            .connect(to: address)
    }
}
