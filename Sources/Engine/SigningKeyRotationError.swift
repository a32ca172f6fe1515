/// Why a signing-key rotation wrote nothing.
public enum SigningKeyRotationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Access tokens are HS256: their key is `ACCESS_TOKEN_SECRET` (rotate it with
    /// `ACCESS_TOKEN_SECRET_PREVIOUS`).
    case hmacConfigured
    /// This node follows a replication leader: only the leader creates keys.
    case following
    /// A key is already published and waiting to sign.
    case pending(kid: String, activatesAt: Timestamp)
    /// Another rotation is under way.
    case alreadyRunning
    /// The WAL could not make the new key durable; it does not sign.
    case storageUnavailable

    public var description: String {
        switch self {
        case .hmacConfigured:
            "access tokens are HS256 (ACCESS_TOKEN_ALGORITHM): their key is ACCESS_TOKEN_SECRET; rotate it with ACCESS_TOKEN_SECRET_PREVIOUS"
        case .following: "this node follows a replication leader: rotate on the leader"
        case .pending(let kid, let activatesAt): "key \(kid) is already published and starts signing at \(activatesAt.iso8601)"
        case .alreadyRunning: "a rotation is already under way"
        case .storageUnavailable: "the WAL cannot write: no key was created"
        }
    }
}
