/// Everything an ``EtcdClient`` call can fail with.
///
/// Every public call of the module throws only this type. The cases say whether the request may
/// have reached etcd: ``unreachable(_:)`` never did (no endpoint accepted a connection), while
/// ``timeout(endpoint:after:)`` and ``connectionLost(endpoint:underlying:)`` may have been applied
/// — the caller must read the state back before acting on a write's outcome.
public enum EtcdError: Error, Sendable, CustomStringConvertible {
    /// No endpoint could be connected to; the request reached none of them. One failure per
    /// endpoint tried, in the order tried.
    case unreachable([EtcdEndpointFailure])
    /// The connection to `endpoint` broke after the request was sent and before the whole answer
    /// arrived; the request may or may not have been applied.
    case connectionLost(endpoint: String, underlying: any Error)
    /// No complete answer within the client's request timeout; the request may or may not have
    /// been applied.
    case timeout(endpoint: String, after: Duration)
    /// etcd answered with an error: the HTTP status, etcd's gRPC code where it gave one, and
    /// its message (for example `etcdserver: no leader`).
    case server(endpoint: String, status: Int, code: Int?, message: String)
    /// etcd does not know the lease (never granted, revoked, or expired).
    case leaseNotFound(id: Int64)
    /// An answer that does not follow the gateway's encoding (not JSON, a field of the wrong
    /// type, bad base64, a missing part that must be there).
    case malformedResponse(String)
    /// A watch asked for history etcd has compacted; `compactRevision` is the oldest revision
    /// still available (restart the watch from a fresh read).
    case compacted(compactRevision: Int64)
    /// etcd cancelled a watch for another reason (its text, possibly empty).
    case watchCanceled(reason: String)
    /// The server ended a watch's stream cleanly; the watch must be restarted.
    case watchEnded(endpoint: String)
    /// The calling task was cancelled before the answer arrived.
    case cancelled

    /// etcd's gRPC code for "unavailable" (no leader, request timed out inside etcd, stopping).
    static let unavailableCode = 14

    public var description: String {
        switch self {
        case let .unreachable(failures):
            "no etcd endpoint reachable: " + failures.map(\.description).joined(separator: "; ")
        case let .connectionLost(endpoint, underlying):
            "connection to \(endpoint) lost mid-request (outcome unknown): \(underlying)"
        case let .timeout(endpoint, after):
            "no answer from \(endpoint) within \(after) (outcome unknown)"
        case let .server(endpoint, status, code, message):
            "etcd at \(endpoint) answered HTTP \(status)" + (code.map { " code \($0)" } ?? "") + ": \(message)"
        case let .leaseNotFound(id):
            "lease \(id) not found (revoked or expired)"
        case let .malformedResponse(reason):
            "malformed etcd response: \(reason)"
        case let .compacted(compactRevision):
            "watch start revision compacted; oldest available revision is \(compactRevision)"
        case let .watchCanceled(reason):
            "watch cancelled by etcd" + (reason.isEmpty ? "" : ": \(reason)")
        case let .watchEnded(endpoint):
            "watch stream from \(endpoint) ended"
        case .cancelled:
            "cancelled"
        }
    }
}
