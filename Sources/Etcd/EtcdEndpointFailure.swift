/// One endpoint that could not be connected to, with the error the connection attempt gave.
///
/// Carried by ``EtcdError/unreachable(_:)`` so an operator sees why each member failed.
public struct EtcdEndpointFailure: Sendable, CustomStringConvertible {
    /// The endpoint URL as given to the client (`http://host:port`).
    public let endpoint: String
    /// The connection error (refused, connect timeout, bad URL...).
    public let underlying: any Error

    public init(endpoint: String, underlying: any Error) {
        self.endpoint = endpoint
        self.underlying = underlying
    }

    public var description: String { "\(endpoint): \(underlying)" }
}
