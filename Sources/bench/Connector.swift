import NIOCore
import NIOHTTP1
import NIOPosix

/// Opens keep-alive TCP connections to the target on a given event loop.
struct Connector: Sendable {
    let address: SocketAddress
    var connectTimeout: TimeAmount = .seconds(5)
    /// How answers are parsed (see ``ClientCodec``).
    var codec: ClientCodec = .raw

    /// Resolves `host:port` once, up front, so that reconnects never resolve again.
    init(host: String, port: Int, codec: ClientCodec = .raw) throws(BenchError) {
        self.codec = codec
        do { address = try SocketAddress.makeAddressResolvingHost(host, port: port) }
        catch { throw .connectFailed("cannot resolve \(host):\(port): \(error)") }
    }

    /// Connects on `loop` and installs the response handler feeding `driver`.
    func connect(on loop: any EventLoop, driver: NIOLoopBound<ConnectionDriver>) -> EventLoopFuture<any Channel> {
        let codec = self.codec
        return ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    switch codec {
                    case .raw:
                        try sync.addHandler(ClientResponseHandler(driver: driver.value))
                    case .nio:
                        try sync.addHandler(ClientWriteHandler(driver: driver.value))
                        try sync.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                        try sync.addHandler(NIOResponseCollector(driver: driver.value))
                    }
                }
            }
            .connect(to: address)
    }
}
