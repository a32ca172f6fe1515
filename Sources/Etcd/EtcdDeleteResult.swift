/// What a delete did: how many keys it removed and the revision after it.
public struct EtcdDeleteResult: Sendable, Hashable {
    /// Keys removed (0 when none matched; such a delete does not bump the revision).
    public let deleted: Int64
    /// The header revision of the answer.
    public let revision: Int64

    public init(deleted: Int64, revision: Int64) {
        self.deleted = deleted
        self.revision = revision
    }
}
