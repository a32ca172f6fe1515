/// The answer to a range read: the keys found, in key order, and the revision the read saw.
///
/// `revision` is the store's revision at the time of the read: a watch started at
/// `revision + 1` sees every change after this snapshot and none before it.
public struct EtcdRange: Sendable, Hashable {
    /// The keys found, sorted by key bytes (etcd's order); empty when none.
    public let keyValues: [EtcdKeyValue]
    /// How many keys matched (may exceed `keyValues.count` only if a limit were set).
    public let count: Int64
    /// The header revision of the answer.
    public let revision: Int64

    public init(keyValues: [EtcdKeyValue], count: Int64, revision: Int64) {
        self.keyValues = keyValues
        self.count = count
        self.revision = revision
    }
}
