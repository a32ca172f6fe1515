/// What a transaction did: which branch ran, at which revision, and each operation's answer.
public struct EtcdTransactionResult: Sendable, Hashable {
    /// True when every compare held and the success branch ran.
    public let succeeded: Bool
    /// The header revision of the answer (the revision of the transaction's writes, if any).
    public let revision: Int64
    /// One response per operation of the branch that ran, in order.
    public let responses: [EtcdOperationResponse]

    public init(succeeded: Bool, revision: Int64, responses: [EtcdOperationResponse]) {
        self.succeeded = succeeded
        self.revision = revision
        self.responses = responses
    }
}
