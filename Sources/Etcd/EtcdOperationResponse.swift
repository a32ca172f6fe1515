/// The answer to one operation of a transaction, matching its ``EtcdOperation``.
public enum EtcdOperationResponse: Sendable, Hashable {
    /// A put was applied.
    case put
    /// A read's keys (a `get` holds at most one).
    case range(EtcdRange)
    /// How many keys a delete removed.
    case delete(EtcdDeleteResult)
}
