import NIOCore
import NIOPosix

/// A client of etcd v3 through its JSON gateway (`/v3/...`): leases, keys, transactions and
/// watches, nothing more. It knows nothing about what the keys mean.
///
/// Guarantees:
/// - every unary call is bounded by `requestTimeout`, from its start to its whole answer;
/// - calls start at the endpoint that last answered; an endpoint that cannot be connected to is
///   skipped for the next one within the same call (the request never reached it);
/// - a call is sent to at most one endpoint: after a timeout, a dropped connection or an
///   "unavailable" answer it fails (the outcome may be unknown, see ``EtcdError``) and the next
///   call starts at the following endpoint;
/// - everything thrown is an ``EtcdError``.
///
/// Call ``shutdown()`` once done (after cancelling the watches' consuming tasks).
public final class EtcdClient: Sendable {
    let transport: GatewayTransport

    /// A client of the etcd members at `endpoints` (`http://host:port`, tried in this order).
    ///
    /// - Parameters:
    ///   - endpoints: client URLs of one etcd cluster's members; at least one.
    ///   - requestTimeout: the bound on each call (a few seconds; shorter than any lease TTL
    ///     the caller renews, so that a renewal that hangs fails in time).
    ///   - eventLoopGroup: where the HTTP connections run.
    public init(
        endpoints: [String], requestTimeout: Duration = .seconds(2),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        transport = GatewayTransport(endpoints: endpoints, requestTimeout: requestTimeout, eventLoopGroup: eventLoopGroup)
    }

    /// The endpoints as given (without trailing slashes).
    public var endpoints: [String] { transport.endpoints }

    /// The endpoint the next call starts with: the one that answered last, or the next after
    /// one that failed unclearly.
    public var currentEndpoint: String { transport.currentEndpoint }

    /// The bound on each call.
    public var requestTimeout: Duration { transport.requestTimeout }

    /// Closes the client's connections; in-flight calls and watches fail. Call once.
    public func shutdown() async throws(EtcdError) {
        try await transport.shutdown()
    }
}
